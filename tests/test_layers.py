"""The shape of ``app/`` holds (docs/architecture.md, "Layers"): every import points down,
the two faces (views, REST) never import each other, and no module-level import cycle.

Imports are read from the source (``ast``), at any depth of a module: a function-level
import is still an arrow.
"""
from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
APP = ROOT / "app"

#: the ground floor: helpers every layer may use; they import no other part of ``app``
GROUND = {"app.extensions", "app.i18n", "app.clock"}
#: layer -> the layers it may import (besides itself and the ground floor)
ALLOWED = {
    "models": set(),
    "security": {"models"},
    "services": {"models", "security"},
    "views": {"models", "security", "services"},
    "api": {"models", "security", "services"},
}


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: pathlib.Path, top_level_only: bool = False):
    """(line, imported module) for every import of an ``app`` module in ``path``."""
    tree = ast.parse(path.read_text("utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else \
        _module_name(path).rsplit(".", 1)[0]
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:  # "from app import clock", "from app.services import x"
                yield node.lineno, f"{module}.{alias.name}"


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "app" or module == "app":  # "from app import clock" names app.clock
        return None
    if any(module == g or module.startswith(g + ".") for g in GROUND):
        return "ground"
    if len(parts) > 1 and parts[1] in ALLOWED:
        return parts[1]
    return "glue"  # the factory, request hooks, CLI, demo: they may import anything


def _app_modules() -> set[str]:
    return {_module_name(p) for p in APP.rglob("*.py")}


def arrows_against_layers() -> list[str]:
    broken = []
    for path in sorted(APP.rglob("*.py")):
        own = _layer(_module_name(path))
        if own in ("glue", None):
            continue
        for line, target in _imports(path):
            other = _layer(target)
            if other is None or other == own:
                continue
            ok = other == "ground" if own != "ground" else False
            ok = ok or other in ALLOWED.get(own, set())
            if not ok:
                broken.append(f"{path.relative_to(ROOT)}:{line}: {own} imports {other} "
                              f"({target})")
    return sorted(set(broken))


def import_cycles() -> list[list[str]]:
    """Module-level import cycles among ``app`` modules (Tarjan's strongly connected
    components of more than one module)."""
    modules = _app_modules()
    graph: dict[str, set[str]] = {}
    for path in APP.rglob("*.py"):
        name = _module_name(path)
        graph[name] = {t for _, t in _imports(path, top_level_only=True)
                       if t in modules and t != name}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_imports_point_down():
    """Does every import of app/ point down (models <- security <- services <- views / REST,
    the faces never importing each other, the ground floor importing nothing of app/)?"""
    assert arrows_against_layers() == []


def test_no_import_cycle():
    """Is there no module-level import cycle among the modules of app/?"""
    assert import_cycles() == []


def test_the_checker_sees_a_wrong_arrow(tmp_path, monkeypatch):
    """Would the checker catch a model importing a service (the arrow the tests guard)?"""
    pkg = tmp_path / "app" / "models"
    pkg.mkdir(parents=True)
    (tmp_path / "app" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "x.py").write_text("def f():\n    from app.services import people\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["x"]), "ROOT", tmp_path)
    monkeypatch.setattr(__import__(__name__, fromlist=["x"]), "APP", tmp_path / "app")
    assert arrows_against_layers() == ["app/models/x.py:2: models imports services "
                                       "(app.services)",
                                       "app/models/x.py:2: models imports services "
                                       "(app.services.people)"]
