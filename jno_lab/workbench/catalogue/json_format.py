"""JSON as the frontend's formatter (Prettier) prints it: generated files pass its check."""

from __future__ import annotations

import json
from typing import Any

WIDTH = 80
"""The formatter's line width."""


def format_json(value: Any) -> str:
    """`value` as Prettier prints a JSON file: objects one key a line, short arrays inline.

    Example:
        >>> print(format_json({"a": [1, 2], "b": {"c": None}}), end="")
        {
          "a": [1, 2],
          "b": {
            "c": null
          }
        }
    """
    return _format(value, 0, WIDTH) + "\n"


def _format(value: Any, indent: int, room: int) -> str:
    """`value` at `indent`, with `room` characters left on its first line.

    Arrays go on one line when they fit and hold neither objects nor only
    multi-item arrays (Prettier breaks those).
    """
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(value, dict) and value:
        items = [
            f"{inner}{json.dumps(k)}: "
            + _format(v, indent + 2, WIDTH - indent - 2 - len(json.dumps(k)) - 3)
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value:
        parts = [_format(v, indent + 2, WIDTH - indent - 3) for v in value]
        nested = all(isinstance(v, list | dict) and len(v) > 1 for v in value) and len(value) > 1
        flat = "[" + ", ".join(parts) + "]"
        if "\n" not in flat and not nested and len(flat) <= room:
            return flat
        return "[\n" + ",\n".join(inner + p for p in parts) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False)
