"""The problem record every validation check returns, and the limits the checks share.

>>> problem("cycle", "the graph has a cycle: a -> a", "a")
{'code': 'cycle', 'message': 'the graph has a cycle: a -> a', 'node_id': 'a', 'port': None}
"""

from __future__ import annotations

from typing import TypedDict

from .catalogue.geometry import CSG_MAX_DEPTH

MAX_DEPTH = 100
"""Most levels of JSON nesting a document may have (the document object is level 1).

Enough for any CSG tree within `MAX_CSG_DEPTH` (two levels per operation); far
below Python's recursion limit for the recursive checks that run afterwards."""

MAX_CSG_DEPTH = CSG_MAX_DEPTH
"""Most nested operations in a CSG tree (one operation takes any number of shapes)."""

MAX_LISTED = 100
"""Most problems about single values listed one by one (the rest are counted)."""


class Problem(TypedDict):
    """One validation problem; `node_id`/`port` say where (None for document-level ones)."""

    code: str
    message: str
    node_id: str | None
    port: str | None


def problem(
    code: str, message: str, node_id: str | None = None, port: str | None = None
) -> Problem:
    """A Problem record.

    >>> problem("plan", "the training plan has no phase")["node_id"] is None
    True
    """
    return {"code": code, "message": message, "node_id": node_id, "port": port}
