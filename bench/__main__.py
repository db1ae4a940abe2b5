"""Run every benchmark module of this package that has a ``main()``."""
from __future__ import annotations

import importlib
import pkgutil

import bench

for info in pkgutil.iter_modules(bench.__path__):
    if info.name.startswith("_"):
        continue
    module = importlib.import_module(f"bench.{info.name}")
    if hasattr(module, "main"):
        module.main()
