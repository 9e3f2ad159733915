"""The files generated from the catalogues, and the command that rewrites them.

- `src/catalogue.json`: the node catalogue the editor's palette and inspector read;
- `src/geometryCatalogue.json`: the geometry catalogue its canvas and panel read;
- `jno_lab/workbench/document.schema.json`: its primitive and CSG parts.

After changing a node or primitive definition, run `python -m jno_lab.workbench.catalogue`
from the repository root; tests fail while a generated file is stale.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from . import catalogue_json
from . import geometry as geometry_catalogue
from .geometry_schema import document_schema_text

REGENERATE = "python -m jno_lab.workbench.catalogue"
"""The command that rewrites every generated file (from the repository root)."""


def snapshot_text() -> str:
    """The node catalogue snapshot (`src/catalogue.json`) as it should read."""
    return json.dumps(catalogue_json(), indent=2, sort_keys=True) + "\n"


def generated_files(root: str | Path) -> dict[Path, Callable[[], str]]:
    """Each generated file under the repository `root`, with what writes its text."""
    src = Path(root) / "src"
    schema = Path(root) / "jno_lab" / "workbench" / "document.schema.json"
    return {
        src / "catalogue.json": snapshot_text,
        src / "geometryCatalogue.json": geometry_catalogue.snapshot_text,
        schema: lambda: document_schema_text(schema),
    }


def stale_files(root: str | Path) -> list[Path]:
    """The generated files under `root` whose text differs from what the catalogues give.

    Example:
        >>> import pathlib, tempfile
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> [p.name for p in stale_files(root)]  # a folder without the generated files
        ['catalogue.json', 'geometryCatalogue.json', 'document.schema.json']
    """
    stale = []
    for path, text in generated_files(root).items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text():
            stale.append(path)
    return stale


def write_generated_files(root: str | Path) -> list[Path]:
    """Rewrite every generated file under the repository `root`; returns their paths.

    Raises:
        FileNotFoundError: `root` is not the repository root (it has no document schema).
    """
    files = generated_files(root)
    schema = list(files)[-1]
    if not schema.is_file():
        raise FileNotFoundError(
            f"{schema} does not exist: run this from the repository root (or give it as ROOT)"
        )
    written = []
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text(), encoding="utf-8")
        written.append(path)
    return written
