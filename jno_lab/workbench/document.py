"""The workbench document (`*.jnolab`): loading, saving, versions.

A document is plain JSON validated against `document.schema.json` (shipped in
the package). Loading never runs anything in it: custom-code nodes and tag
predicates only run when the problem is run.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

FORMAT = "jno-lab-workbench"
VERSION = 1


@cache
def schema() -> dict[str, Any]:
    """The document JSON Schema."""
    text = resources.files("jno_lab.workbench").joinpath("document.schema.json").read_text()
    return json.loads(text)


def new_document(title: str = "Untitled") -> dict[str, Any]:
    """An empty, valid document: the unit square, no nodes, one training phase."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "meta": {"title": title, "description": ""},
        "seed": 42,
        "mesh": [1, 1],
        "geometry": {
            "dimension": 2,
            "primitives": [{"id": "square", "type": "rectangle", "x": [0, 1], "y": [0, 1]}],
            "csg": "square",
            "tags": [],
            "sampling": {"interior": 1024, "boundary": 256},
            "time": None,
        },
        "graph": {"nodes": [], "edges": []},
        "training": {"phases": [{"optimizer": "adam", "learning_rate": 1e-3, "epochs": 1000}]},
        "layout": {},
    }


def load(path: str | Path) -> dict[str, Any]:
    """Read a document (JSON) without validating or running anything in it.

    Permissive: `NaN`, `Infinity`, huge integers and lone surrogates are read
    as they are (validation names them).

    Raises:
        ValueError: naming the file, when it is not UTF-8 text, not JSON, nested
            too deeply to read, holds an integer too long to read, or is not an object.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(
            f"{path}: not UTF-8 text (byte {err.start} cannot be decoded); save it as UTF-8"
        ) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: not valid JSON ({err.msg} at line {err.lineno})") from None
    except RecursionError:
        from .validate import MAX_DEPTH  # validation imports this module

        raise ValueError(
            f"{path}: the JSON is nested too deeply to read; a workbench document has at most "
            f"{MAX_DEPTH} levels of nesting: remove the nesting"
        ) from None
    except ValueError as err:
        if "integer string conversion" not in str(err):
            raise ValueError(f"{path}: not valid JSON ({err})") from None
        raise ValueError(  # Python reads integers of at most 4300 digits (by default)
            f"{path}: an integer in the file is too long to read (more than "
            f"{sys.get_int_max_str_digits()} digits); a document's numbers fit a float64 "
            "(at most 309 digits): shorten it"
        ) from None
    if not isinstance(document, dict):
        raise ValueError(f"{path}: a workbench document is a JSON object")
    return document


def save(document: dict[str, Any], path: str | Path) -> None:
    """Write a document as indented JSON."""
    Path(path).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
