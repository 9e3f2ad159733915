"""Problems a document shows only when lowered: values the emitters refuse, unsafe code.

>>> from jno_lab.workbench.document import new_document
>>> lowering_problems(new_document("empty"))
[]
"""

from __future__ import annotations

from typing import Any

from .validate_problem import Problem, problem


def lowering_problems(document: dict[str, Any]) -> list[Problem]:
    """Problems found by lowering a document that passed every other check.

    Values the emitters refuse and statements outside the allow-list (see
    `allowlist`) become problems naming their node and field; nothing runs.
    """
    from .lowering import LoweringError, lower

    try:
        lower(document)
    except LoweringError as err:
        return [
            problem("unsafe", f"{field}: {message}", node_id, field if node_id else None)
            for node_id, field, message in err.problems
        ]
    except RecursionError:
        return [problem("document", "the document is nested too deeply to lower")]
    return []
