"""The house's shape: small modules and functions (../shared/style.md), apps depending one way (import-linter in
`make lint` checks the direction; this checks it too, so a cycle fails the tests as well as the lint)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = (
    "jobs",
    "core",
    "access",
    "gis",
    "registry",
    "partnerships",
    "progress",
    "publish",
    "imports",
    "ogc",
    "wfs",
    "demo",
    "config",
)
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 400, 60


def modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


def imported_apps(tree: ast.AST) -> set[str]:
    """Every app a module imports, at the top or inside a function (an import moved into a function is still one)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & set(APPS)


def test_no_module_or_function_is_over_the_size_limits():
    too_long = []
    for _app, path in modules():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") + 1 > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {text.count(chr(10)) + 1} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {length} lines")
    assert too_long == []


def test_apps_import_each_other_one_way_only():
    edges = {app: set() for app in APPS}
    for app, path in modules():
        edges[app] |= imported_apps(ast.parse(path.read_text(encoding="utf-8"))) - {app}

    def reaches(start, goal, seen=()):
        return any(nxt == goal or (nxt not in seen and reaches(nxt, goal, (*seen, nxt))) for nxt in edges[start])

    cycles = sorted(f"{a} <-> {b}" for a in APPS for b in edges[a] if reaches(b, a))
    assert cycles == []


@pytest.mark.parametrize(
    "low, high",
    [
        ("core", "gis"),
        ("core", "registry"),
        ("access", "registry"),
        ("gis", "registry"),
        ("registry", "partnerships"),
        ("gis", "publish"),
        ("jobs", "core"),
        ("jobs", "imports"),
        ("jobs", "progress"),
    ],
)
def test_a_lower_app_never_imports_a_higher_one(low, high):
    importers = [
        str(path.relative_to(ROOT))
        for app, path in modules()
        if app == low and high in imported_apps(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert importers == []
