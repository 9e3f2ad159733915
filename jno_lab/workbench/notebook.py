"""A workbench document as a Jupyter notebook: the exported script in cells, then its dashboard.

The cells hold the very statements of the one lowering (`lower`) that Run and
"Export to Python script" use, grouped into sections with a heading each:
imports and settings, geometry, networks, equations and constraints, training
and results. The training section first attaches a live `Dashboard` to the
solver and shows it; the last cell shows that dashboard again, with the whole
run.
"""

from __future__ import annotations

from typing import Any

import nbformat

from . import emit
from .catalogue import NODE_TYPES
from .lowering import HEADER, Program, Statement

__all__ = ["SECTIONS", "to_notebook"]

SECTIONS = {
    "imports": "Imports and settings",
    "geometry": "Geometry",
    "networks": "Networks",
    "equations": "Equations and constraints",
    "training": "Training",
    "results": "Results",
}
"""Cell sections in notebook order, with their headings."""

DASHBOARD_IMPORT = "from jno_lab.widgets import Dashboard"


def to_notebook(program: Program, document: dict[str, Any], name: str | None = None) -> dict:
    """The notebook of a lowered document (nbformat 4, as a JSON-able dict).

    Args:
        program: `lower(document)` (of a valid document).
        document: the document itself (its nodes say which section a statement goes to).
        name: the document's file name, mentioned in the first cell.

    Returns:
        A validated nbformat 4 notebook for the Python 3 kernel.

    Example:
        >>> from jno_lab.workbench import new_document
        >>> from jno_lab.workbench.lowering import lower
        >>> doc = new_document()
        >>> nb = to_notebook(lower(doc), doc, "square.jnolab")
        >>> [c["id"] for c in nb["cells"]][:3]
        ['title', 'imports-heading', 'imports']
    """
    sections = _sections(program, document)
    epochs = sum(phase.epochs for phase in program.phases)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    # Document text in markdown: one printable line each, code spans without backticks.
    source = f" workbench `{emit.comment(name).replace('`', chr(39))}`" if name else ""
    cells = [
        _markdown(
            "title",
            f"# {emit.comment(program.title)}\n\nExported from jNO Lab{source}. The cells run "
            "the same statements as the editor's Run and its exported script; run them in order.",
        )
    ]
    for key in ("imports", "geometry", "networks", "equations"):
        if sections[key]:
            cells += [_heading(key), _code(key, _text(sections[key]))]
    cells.append(_heading("training"))
    cells.append(
        _code(
            "dashboard",
            f"{DASHBOARD_IMPORT}\n\ndashboard = Dashboard.attach(crux, epochs={epochs})\ndashboard",
        )
    )
    for i, phase in enumerate(program.phases):
        lines = [f"# training phase {i + 1}", *(st.code for st in phase.configure)]
        cells.append(_code(f"training-{i + 1}", "\n".join([*lines, phase.solve.code])))
    cells += [
        _heading("results"),
        _code("results", 'stats.plot("history.png")\nprint(stats.summary())'),
        _markdown("dashboard-heading", "The live dashboard of the run:"),
        _code("dashboard-final", "dashboard"),
    ]
    nb.cells = cells
    nbformat.validate(nb)
    return nb


def _sections(program: Program, document: dict[str, Any]) -> dict[str, list[Statement]]:
    """The setup statements by section (training and results are built from the phases)."""
    types = {node["id"]: node["type"] for node in document["graph"]["nodes"]}
    out: dict[str, list[Statement]] = {key: [] for key in SECTIONS}
    out["imports"] = [Statement(line) for line in HEADER]
    seen_node = False
    for st in program.setup:
        if st.node_id is None:
            if st.comment == "settings":
                out["imports"] += [Statement(""), st]
            else:
                out["equations" if seen_node else "geometry"].append(st)
            continue
        seen_node = True
        kind = NODE_TYPES[types[st.node_id]]
        network = kind.category == "Networks" and any(p.type == "model" for p in kind.outputs)
        out["networks" if network else "equations"].append(st)
    return out


def _text(statements: list[Statement]) -> str:
    lines: list[str] = []
    for st in statements:
        if st.comment and st.comment != "settings":
            lines.append(f"# {st.comment}")
        lines.append(st.code)
    return "\n".join(lines).strip("\n")


def _heading(key: str) -> Any:
    return _markdown(f"{key}-heading", f"## {SECTIONS[key]}")


def _markdown(cell_id: str, text: str) -> Any:
    return nbformat.v4.new_markdown_cell(text, id=cell_id)


def _code(cell_id: str, text: str) -> Any:
    return nbformat.v4.new_code_cell(text, id=cell_id)
