"""Checks of a schema-valid document's training plan.

>>> from jno_lab.workbench.document import new_document
>>> training_problems(new_document("no phases"))
[]
"""

from __future__ import annotations

from typing import Any

from .validate_problem import Problem, problem


def training_problems(document: dict[str, Any]) -> list[Problem]:
    """Problems of the training plan: phases, their steps and weights."""
    phases = document["training"]["phases"]
    if not phases:
        return [problem("empty_plan", "the training plan has no phase")]
    n_constraints = sum(1 for n in document["graph"]["nodes"] if n.get("type") == "constraint")
    out = []
    for i, phase in enumerate(phases):
        inner = phase.get("inner_steps")
        if inner and phase["epochs"] % inner:
            out.append(
                problem(
                    "plan",
                    f"phase {i + 1}: inner_steps={inner} must divide epochs={phase['epochs']}",
                )
            )
        weights = phase.get("weights")
        if weights is not None and len(weights) != n_constraints:
            out.append(
                problem(
                    "plan", f"phase {i + 1}: {len(weights)} weights for {n_constraints} constraints"
                )
            )
    return out
