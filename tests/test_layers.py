"""The package's shape, kept: every import points down the data path, and no module imports
itself back through another. Imports inside functions count too (a lazy import is still a
dependency)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Stages from the ground up. A module may import from its own stage or from a lower one; two
# stages on one floor (search and engines, practice and evals) know nothing of each other.
FLOORS = [
    {"ground"},            # coach/errors, text, types, settings, checksum
    {"embed"},
    {"notes"},
    {"search", "engines", "voice"},
    {"answer"},
    {"practice", "evals"},
    {"app"},
    {"web"},
    {"cli"},
]
FLOOR = {stage: n for n, stages in enumerate(FLOORS) for stage in stages}
GROUND = {"errors", "text", "types", "settings", "checksum"}


def module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(package: Path) -> dict[str, set[str]]:
    """module -> the package's modules it imports (a `from pkg import name` naming a submodule
    counts as importing that submodule)."""
    modules = {module_name(p, package): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                          for a in node.names}
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def stage(module: str) -> str | None:
    """The stage of `coach.notes.index` is "notes"; of `coach.app` "app"; the package's own
    `__init__` (the public surface, which imports lazily from the top) has none."""
    parts = module.split(".")
    if len(parts) == 1:
        return None
    return "ground" if parts[1] in GROUND else parts[1]


def upward(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for importer, targets in graph.items():
        a = stage(importer)
        for target in targets:
            b = stage(target)
            if a is None or b is None or a == b:
                continue
            if b not in FLOOR or a not in FLOOR:
                wrong.append(f"{importer} -> {target}: stage {a if a not in FLOOR else b} is not on the map")
            elif FLOOR[b] >= FLOOR[a]:
                wrong.append(f"{importer} ({a}) imports {target} ({b}), which is not below it")
    return sorted(wrong)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_every_import_points_down_the_data_path():
    graph = imports(ROOT / "coach")
    assert len(graph) > 40 and all(stage(m) in FLOOR for m in graph if stage(m)), sorted(
        {stage(m) for m in graph} - set(FLOOR) - {None})
    assert upward(graph) == []


def test_no_module_imports_itself_back():
    assert cycles(imports(ROOT / "coach")) == []


def test_the_checks_catch_an_upward_import_and_a_circle(tmp_path):
    pkg = tmp_path / "coach"
    for rel, text in {
        "__init__.py": "",
        "text.py": "",
        "notes/__init__.py": "",
        "notes/index.py": "def load():\n    from coach.answer import grounded\n",  # lazy, still upward
        "answer/__init__.py": "",
        "answer/grounded.py": "from coach.notes import index\nfrom coach.text import x\n",
        "engines/__init__.py": "",
        "engines/llm.py": "from coach.engines.models import find\n",
        "engines/models.py": "from coach.engines import llm\n",
        "search/__init__.py": "",
        "search/hybrid.py": "import coach.engines.llm\n",  # same floor, another stage
    }.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(text)
    graph = imports(pkg)
    assert graph["coach.answer.grounded"] == {"coach.notes.index", "coach.text"}
    assert upward(graph) == [
        "coach.notes.index (notes) imports coach.answer.grounded (answer), which is not below it",
        "coach.search.hybrid (search) imports coach.engines.llm (engines), which is not below it",
    ]
    assert sorted(cycles(graph)) == [["coach.answer.grounded", "coach.notes.index"],
                                     ["coach.engines.llm", "coach.engines.models"]]
