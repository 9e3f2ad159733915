"""`core.print_tree` and `core.print_shapes`: a solver's expressions as text."""

from __future__ import annotations

from typing import Any

from .._lower.program import Program
from .shapes import print_shapes, print_tree


def print_solver_tree(crux: Any) -> str:
    """Print and return the expression trees of the constraints and trackers."""
    tracker_program = crux._tracker_program
    roots = crux._loss_program.roots + (tracker_program.roots if tracker_program else [])
    levels = {**crux._loss_program.levels, **(tracker_program.levels if tracker_program else {})}
    return print_tree(roots, levels)


def print_solver_shapes(crux: Any) -> str:
    """Print and return the trees annotated with each node's shape on the solver's domain."""
    program = Program(crux.constraints + crux.trackers, crux.trainables)
    return print_shapes(program, program.bind(crux.domain))
