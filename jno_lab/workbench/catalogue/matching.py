"""What node types use to recognise themselves in a solver (their `match`).

A node type's `match(subject, ctx)` looks at one thing of a `jno.core` (an
expression node, a wrapped network, a tracker call's provenance, a balancer, a
constraint) and returns a `Match` when the node type stands for it, None when
it does not, or raises `NotImportable` when it does but with settings a
document cannot hold. The importer (`workbench.importer`) walks the solver and
asks the catalogue; it holds no per-type knowledge.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import jax
import numpy as np

from ...introspect import OPS, FunctionCall, ModelCall, Op, ParamJacobian, Placeholder, Tracker
from ...introspect import describe as describe
from ...provenance import Provenance


class NotImportable(ValueError):
    """Part of a `jno.core` has no workbench node type (raised by `to_document`)."""


@dataclass(frozen=True)
class Match:
    """What a node type recognised: one node of the document.

    Attributes:
        params: the node's parameters.
        inputs: input port -> what feeds it: an expression, a model, or a nested
            `Match` (a node made only for this one), imported in turn.
        output: the output port the subject is read from.
        name: the stem of the node id ("" : the node type).
        share: matches with the same key are one node (their params merged), e.g.
            the variables of one domain tag.
    """

    params: dict[str, Any]
    inputs: dict[str, Any] = field(default_factory=dict)
    output: str = "out"
    name: str = ""
    share: Hashable | None = None


@dataclass(frozen=True)
class Constraint:
    """A constraint of the solver as a matcher sees it: its loss and weight."""

    index: int
    loss: Placeholder
    weight: float


@dataclass(frozen=True)
class Weighting:
    """The balancer weighting every constraint, with the solver's seed."""

    balancer: Any
    seed: int


@dataclass
class MatchContext:
    """What matchers may ask about the solver being imported."""

    domain: Any
    notes: list[str]
    parents: Counter[int] = field(default_factory=Counter)

    def shared(self, node: Placeholder) -> bool:
        """Whether more than one expression uses `node`."""
        return self.parents[id(node)] > 1


def refuse(node: Placeholder, why: str, hint: str = "") -> NotImportable:
    """The error for an expression node that has no (such) node type."""
    text = f"cannot import `{describe(node)}` ({type(node).__name__}): {why}"
    return NotImportable(f"{text}; {hint}" if hint else text)


def clean_float(value: Any) -> float:
    """A float32 number as the shortest decimal that gives the same float32 back.

    Example:
        >>> clean_float(np.float32(0.1))
        0.1
    """
    arr = np.asarray(value)
    if arr.dtype == np.float32:
        return float(str(np.float32(arr.item())))
    return float(arr.item())


def is_op(node: Any, *ops: str) -> bool:
    """Whether `node` is an operation among `ops`."""
    return isinstance(node, Op) and node.op in ops


def is_global(node: Placeholder) -> bool:
    """Whether the subtree holds a whole-array operation (so it is not per point)."""
    for n in node.walk():
        if isinstance(n, ParamJacobian | Tracker):
            return True
        if isinstance(n, Op) and (
            OPS[n.op].kind == "reduce"
            or (OPS[n.op].kind == "axis" and n.attr_dict.get("axis", -1) != -1)
        ):
            return True
        if isinstance(n, FunctionCall) and n.reduces_axis is not None:
            return True
        if isinstance(n, ModelCall) and not getattr(n.model, "pointwise", True):
            return True
    return False


def made_by(subject: Any, factory: str) -> Provenance | None:
    """The subject when it is the provenance of a call to `factory`, else None."""
    if isinstance(subject, Provenance) and subject.factory == factory:
        return subject
    return None


def seed_of(key: Any) -> int | None:
    """The seed `s` of `jax.random.PRNGKey(s)` when `key` is one, else None.

    Example:
        >>> seed_of(jax.random.PRNGKey(5)), seed_of(None)
        (5, None)
    """
    try:
        data = np.asarray(jax.random.key_data(key))
    except (TypeError, ValueError):
        return None
    if data.shape != (2,) or data[0] != 0:
        return None
    seed = int(data[1])
    return seed if np.array_equal(np.asarray(jax.random.PRNGKey(seed)), data) else None
