"""Run every benchmark: ``python -m bench [--reuse]`` (see each module for its options)."""
from __future__ import annotations

import importlib
import sys

#: benchmark modules, run in this order; later areas add theirs
BENCHMARKS = ["bench.foundation_pages"]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    status = 0
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        status |= importlib.import_module(name).main(argv) or 0
    return status


if __name__ == "__main__":
    raise SystemExit(main())
