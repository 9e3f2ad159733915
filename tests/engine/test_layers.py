"""The package's import layers (ARCHITECTURE.md): every import goes downward.

The import graph is read from the source (module-level and function-level
imports, relative ones resolved), so an import hidden inside a function to dodge
a cycle counts like any other.
"""

import ast
from pathlib import Path

import pytest

import jno_lab

PACKAGE = Path(jno_lab.__file__).resolve().parent
ROOT = "jno_lab"

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "base",
        (
            "_config",
            "_dlrs",
            "_schedules",
            "_version",
            "_version_info",
            "_dtypes",
            "_checkpoint_files",
            "provenance",
            "_labextension",
        ),
    ),
    ("trainable", ("_trainable", "_tune_options")),
    ("trace", ("_trace",)),
    ("lower", ("_lower",)),
    ("parts", ("_nn", "_domain", "_adaptive")),
    ("solver", ("_solver",)),
    ("search", ("_search",)),
    ("facades", ("nn", "numpy", "fn", "noise", "diagnostics", "emulators", "utils", "introspect")),
    ("public", ("",)),  # the package root: `import jno_lab as jno`
    ("widgets", ("widgets",)),
    ("workbench", ("workbench",)),
    ("cli", ("cli", "_lab_server")),
]
"""Lowest first. A module belongs to the layer of its top-level name under `jno_lab`."""

ENGINE = {"base", "trainable", "trace", "lower", "parts", "solver", "search", "facades", "public"}
JUPYTER = {"ipywidgets", "anywidget", "bokeh", "jupyterlab", "ipykernel", "comm", "traitlets"}

RANK = {part: i for i, (_, parts) in enumerate(LAYERS) for part in parts}
LAYER_OF = {part: name for name, parts in LAYERS for part in parts}


def _modules() -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package `__init__`)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        package = parts[-1] == "__init__"
        if package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, package)
    return found


MODULES = _modules()


def _absolute(module: str, package: bool, node: ast.ImportFrom) -> str:
    """The module a `from ... import` names, relative levels resolved."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str) -> list[tuple[str, int]]:
    """Every module `module` imports (anywhere in its source), with the line."""
    path, package = MODULES[module]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, package, node)
            for alias in node.names:  # `from pkg import submodule` imports the submodule
                sub = f"{target}.{alias.name}"
                out.append((sub if sub in MODULES else target, node.lineno))
    return out


def _part(module: str) -> str:
    """The top-level name of a `jno_lab` module ("" for the package root)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_module_has_a_layer():
    missing = sorted({_part(m) for m in MODULES} - set(RANK))
    assert not missing, f"add these to LAYERS here and in ARCHITECTURE.md: {missing}"


def test_imports_go_downward():
    upward = []
    for module in MODULES:
        here = _part(module)
        for target, line in _imports(module):
            if target != ROOT and not target.startswith(ROOT + "."):
                continue
            there = _part(target)
            if RANK.get(there, -1) > RANK[here]:
                upward.append(
                    f"{module}:{line} imports {target} "
                    f"({LAYER_OF[here]} -> {LAYER_OF.get(there, '?')})"
                )
    assert not upward, "imports that go up a layer:\n" + "\n".join(upward)


def test_the_engine_imports_no_jupyter():
    found = []
    for module in MODULES:
        if LAYER_OF.get(_part(module)) not in ENGINE:
            continue
        for target, line in _imports(module):
            top = target.split(".")[0]
            if top in JUPYTER or top.startswith("jupyter"):
                found.append(f"{module}:{line} imports {target}")
    assert not found, "engine modules importing Jupyter packages:\n" + "\n".join(found)


IMPORTER = [
    m
    for m in MODULES
    if m == "jno_lab.workbench.importer"
    or m.startswith(("jno_lab.workbench._import_", "jno_lab.workbench.catalogue."))
]


def test_the_importer_reads_the_engine_through_public_names_only():
    assert "jno_lab.workbench.catalogue.matching" in IMPORTER
    private = [
        f"{module}:{line} imports {target}"
        for module in IMPORTER
        for target, line in _imports(module)
        if target.startswith(ROOT + ".")
        and _part(target).startswith("_")
        and not target.startswith("jno_lab.workbench")
    ]
    assert not private, "use jno_lab.introspect (or another public module): " + str(private)


def test_the_layer_document_lists_every_layer():
    text = (Path(__file__).resolve().parents[2] / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for name, parts in LAYERS:
        assert f"**{name}**" in text, name
        for part in parts:
            assert not part or f"`{part}`" in text, part


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        ("from .. import _config", "jno_lab._trace._schemes", "jno_lab._config"),
        ("from ..x import y", "jno_lab._trace._schemes", "jno_lab.x"),
        ("from . import nodes", "jno_lab._trace", "jno_lab._trace.nodes"),
        ("import jno_lab as jno", "jno_lab._trace._schemes", "jno_lab"),
    ],
)
def test_relative_imports_are_resolved(source, module, expected):
    node = ast.parse(source).body[0]
    if isinstance(node, ast.Import):
        assert node.names[0].name == expected
        return
    target = _absolute(module, module == "jno_lab._trace", node)
    sub = f"{target}.{node.names[0].name}"
    assert (sub if sub in MODULES else target) == expected
