"""`jno_lab.workbench.open`: show a problem in the JupyterLab workbench editor.

The problem (a `jno.core`, a document, or a `.jnolab` file) is written as a
document next to the notebook, and a display bundle of type `OPEN_MIME` asks
the jNO Lab extension to open it in an editor. Outside JupyterLab the bundle's
plain-text part tells where the file is.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .document import load, save
from .importer import to_document
from .protocol import OPEN_MIME
from .validate import validate

__all__ = ["OPEN_MIME", "open_in_editor"]

SUFFIX = ".jnolab"


def open_in_editor(
    problem: Any,
    path: str | Path | None = None,
    *,
    title: str | None = None,
    weights: Sequence[float] | None = None,
    overwrite: bool = False,
    display: bool = True,
) -> Path:
    """Write `problem` as a workbench document and open it in the editor.

    Args:
        problem: a `jno.core` (imported with `to_document`), a document (dict),
            or the path of a `.jnolab` file.
        path: where to write the document; default: a `.jnolab` file given as
            `problem` stays where it is, anything else becomes `<title>.jnolab` in
            the working directory (the notebook's), numbered so no file is replaced.
        title: the document title (default: "Imported problem" for a solver,
            else the document's own).
        weights: constraint weights of a solver (see `to_document`).
        overwrite: replace an existing file at an explicit `path`.
        display: publish the bundle that opens the editor (IPython only).

    Returns:
        The path of the written document.

    Raises:
        FileExistsError: `path` exists and `overwrite` is False.
        ValueError: not a document this version can open (the problems are listed);
            a document that merely has graph problems opens, to be fixed in the editor.

    Example:
        >>> import tempfile, jno_lab.workbench as wb
        >>> folder = tempfile.mkdtemp()
        >>> doc = wb.new_document("demo")
        >>> wb.open(doc, f"{folder}/demo.jnolab", display=False).name
        'demo.jnolab'
    """
    document, source = _document(problem, title, weights)
    if path is None and source is not None:
        target = source  # an unchanged file opens where it is
    else:
        target = _target(path, document["meta"].get("title") or "problem", overwrite)
    if source is None or source.resolve() != target.resolve():
        target.parent.mkdir(parents=True, exist_ok=True)
        save(document, target)
    if display:
        _publish(target, document)
    return target


def _document(
    problem: Any, title: str | None, weights: Sequence[float] | None
) -> tuple[dict[str, Any], Path | None]:
    if isinstance(problem, str | Path):
        source = Path(problem)
        if source.suffix != SUFFIX:
            raise ValueError(f"{source}: a workbench document ends in {SUFFIX}")
        document = load(source)
    elif isinstance(problem, dict):
        source, document = None, problem
    else:
        document = to_document(problem, title or "Imported problem", weights=weights)
        return document, None
    if title is not None:
        document = {**document, "meta": {**document.get("meta", {}), "title": title}}
        source = None  # the title changed: write it
    problems = validate(document)
    if any(p["code"] in ("document", "schema", "newer_version") for p in problems):
        listed = "; ".join(p["message"] for p in problems)
        raise ValueError(f"not a workbench document this version can open: {listed}")
    return document, source


def _target(path: str | Path | None, title: str, overwrite: bool) -> Path:
    if path is not None:
        target = Path(path)
        if target.suffix != SUFFIX:
            target = target.with_name(target.name + SUFFIX)
        if target.exists() and not overwrite:
            raise FileExistsError(
                f"{target} exists; pass overwrite=True to replace it, or another path"
            )
        return target
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", title).strip("_") or "problem"
    target, k = Path(stem + SUFFIX), 1
    while target.exists():
        target, k = Path(f"{stem}-{k}{SUFFIX}"), k + 1
    return target


def _publish(path: Path, document: dict[str, Any]) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is None:
        return
    text = f"jNO Lab document written to {path}; open it from the file browser"
    bundle = {
        OPEN_MIME: {"path": _relative(path), "title": document["meta"].get("title", "")},
        "text/plain": text,
    }
    display(bundle, raw=True)


def _relative(path: Path) -> str:
    """The path as the editor resolves it: relative to the kernel's (the notebook's) folder."""
    try:
        return Path(os.path.relpath(path.resolve(), Path.cwd().resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return path.as_posix()
