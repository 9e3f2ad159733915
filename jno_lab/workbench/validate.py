"""Validation of a workbench document: every problem at once, each naming node and port.

Nothing in the document is executed: expressions are parsed into the
restricted grammar, custom code is only parsed, and a runnable document is
lowered and checked against the allow-list (`lowering_problems`).

Documents are shared files and may be crafted: before anything recursive runs
(JSON Schema, the CSG helpers, the lowering), one iterative pass bounds the
nesting (`MAX_DEPTH` levels of JSON, `MAX_CSG_DEPTH` CSG operations) and names
every value no document may hold (a float that is not finite, an integer too
large for a float64, a string or key with a lone surrogate). Those problems come
alone; the other checks run once they are fixed. Every check costs time linear
in the size of the document.
"""

from __future__ import annotations

from typing import Any

from .document import VERSION
from .validate_geometry import _geometry_problems, known_tags
from .validate_graph import graph_problems
from .validate_lowering import lowering_problems
from .validate_problem import MAX_CSG_DEPTH, MAX_DEPTH, MAX_LISTED, Problem, problem
from .validate_schema import schema_problems
from .validate_training import training_problems
from .validate_values import value_problems

__all__ = [
    "MAX_CSG_DEPTH",
    "MAX_DEPTH",
    "MAX_LISTED",
    "Problem",
    "known_tags",
    "lowering_problems",
    "problem",
    "validate",
    "value_problems",
]


def validate(document: Any) -> list[Problem]:
    """All problems of `document` (an empty list when it can be run).

    >>> [p["code"] for p in validate([])]
    ['document']
    """
    if not isinstance(document, dict):
        return [problem("document", "a workbench document is a JSON object")]
    problems = value_problems(document)
    if problems:
        return problems
    version = document.get("version")
    if isinstance(version, int) and version > VERSION:
        return [
            problem(
                "newer_version",
                f"this document has format version {version}, newer than this jNO Lab "
                f"understands ({VERSION}); upgrade with `pip install -U jno_lab`",
            )
        ]
    problems = schema_problems(document)
    if problems:
        return problems
    problems += _geometry_problems(document["geometry"])
    problems += graph_problems(document)
    problems += training_problems(document)
    if not problems:
        problems += lowering_problems(document)
    return problems
