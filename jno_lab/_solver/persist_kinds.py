"""The table of expression-node kinds a saved graph may hold, and checks of their parts.

Each `NodeKind` names a node class in the file and says how many operands
(children) such a node has; the reader accepts nothing else. Operations are
checked against the engine's own operation table (`OPS`): their operand count
and the static attributes their functions take.

Example:
    >>> KINDS[Laplacian], kind_named("laplacian").order
    ('laplacian', 2)
    >>> arity("add"), arity("sin"), sorted(attr_names("sum"))
    ((2, 2), (1, 1), ['axis'])
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Any, Literal, TypeGuard

from .._adaptive.balancer import BalancerWeights
from .._trace._ops import OPS
from .._trace.nodes import (
    Constant,
    Derivative,
    FunctionCall,
    Hessian,
    Laplacian,
    ModelCall,
    Noise,
    Op,
    ParamJacobian,
    Placeholder,
    TensorTag,
    Tracker,
    Variable,
)
from .._trace.parameter import Parameter
from .archive import Bad


@dataclass(frozen=True, kw_only=True)
class NodeKind:
    """One kind of expression node in a saved graph.

    `operands`: "none" (a leaf), "one", "inputs" (at least one) or "any";
    `order`: the derivative order of a derivative kind, else None.
    """

    name: str
    cls: type[Placeholder]
    operands: Literal["none", "one", "inputs", "any"]
    order: int | None = None


NODE_KINDS: tuple[NodeKind, ...] = (
    NodeKind(name="variable", cls=Variable, operands="none"),
    NodeKind(name="tensor", cls=TensorTag, operands="none"),
    NodeKind(name="constant", cls=Constant, operands="none"),
    NodeKind(name="op", cls=Op, operands="any"),
    NodeKind(name="function", cls=FunctionCall, operands="any"),
    NodeKind(name="model", cls=ModelCall, operands="inputs"),
    NodeKind(name="derivative", cls=Derivative, operands="one", order=1),
    NodeKind(name="laplacian", cls=Laplacian, operands="one", order=2),
    NodeKind(name="hessian", cls=Hessian, operands="one", order=2),
    NodeKind(name="param_jacobian", cls=ParamJacobian, operands="one"),
    NodeKind(name="noise", cls=Noise, operands="none"),
    NodeKind(name="tracker", cls=Tracker, operands="one"),
    NodeKind(name="parameter", cls=Parameter, operands="none"),
    NodeKind(name="balancer_weights", cls=BalancerWeights, operands="none"),
)
"""Every node kind of the file format, in the order messages list them."""

KINDS: dict[type, str] = {kind.cls: kind.name for kind in NODE_KINDS}
"""Expression node class -> its kind in the file (exact classes only)."""

_BY_NAME: dict[str, NodeKind] = {kind.name: kind for kind in NODE_KINDS}


def kind_named(name: str, where: str = "node") -> NodeKind:
    """The node kind called `name`, or `Bad` listing the known ones."""
    kind = _BY_NAME.get(name)
    if kind is None:
        raise Bad(f"{where}: unknown node kind {name!r}; known: {', '.join(_BY_NAME)}")
    return kind


def check_operands(kind: NodeKind, count: int, where: str) -> None:
    """`Bad` unless a node of `kind` may have `count` operands."""
    if kind.operands == "none" and count:
        raise Bad(f"{where}: a {kind.name} node has no operands")
    if kind.operands == "one" and count != 1:
        raise Bad(f"{where}: a {kind.name} node has exactly one operand")
    if kind.operands == "inputs" and not count:
        raise Bad(f"{where}: a {kind.name} call has at least one input")


# operations whose operand count the signature of their function does not show (ufuncs)
FIXED_ARITY = {"add": 2, "sub": 2, "mul": 2, "maximum": 2, "minimum": 2, "neg": 1}
FIXED_ARITY.update(where=3, clip=3)

BALANCER_NUMBERS = {
    "relobralo": {"alpha", "tau", "expected_rho"},
    "softadapt": {"beta"},
    "dwa": {"temperature"},
    "lbpinns": {"init_s", "lr_s"},
    "rlw": {"alpha"},
}
"""The numbers each balancer rule reads (a kind not listed here takes any)."""


def arity(op: str) -> tuple[int, int | None]:
    """How many operands the engine gives operation `op` (least, most; None: any)."""
    if op in FIXED_ARITY:
        return FIXED_ARITY[op], FIXED_ARITY[op]
    try:
        params = list(inspect.signature(OPS[op].fn).parameters.values())
    except (TypeError, ValueError):
        return 0, None
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return 1, None
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    required = sum(1 for p in params if p.kind in positional and p.default is p.empty)
    return required, required


def attr_names(op: str) -> set[str]:
    """The static attributes operation `op` takes (its function's keyword-only arguments)."""
    fn = OPS[op].fn
    if getattr(fn, "__module__", "").startswith("jno_lab."):
        params = inspect.signature(fn).parameters.values()
        return {p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY}
    return {"axis"} if OPS[op].kind == "axis" else set()


def plain(value: Any, where: str) -> Any:
    """An attribute value: None, a bool, int, float, string or a tuple of these."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, tuple):
        return tuple(plain(v, where) for v in value)
    raise Bad(f"{where}: attribute values are numbers, strings, None or tuples of them")


def is_index(key: Any, depth: int = 0) -> bool:
    """Whether `key` is an index as `Placeholder.__getitem__` records it."""
    if key is None or key == "...":
        return True
    if isinstance(key, int) and not isinstance(key, bool):
        return True
    if isinstance(key, tuple) and key and key[0] == "slice":
        return len(key) == 4 and all(
            v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in key[1:]
        )
    return isinstance(key, tuple) and depth == 0 and all(is_index(k, 1) for k in key)


def check_attr(op: str, name: str, value: Any, where: str) -> None:
    if name == "axis":
        axes = value if isinstance(value, tuple) else (value,)
        if value is not None and not all(
            isinstance(a, int) and not isinstance(a, bool) for a in axes
        ):
            raise Bad(f"{where}: axis must be None, an integer or a tuple of integers")
    elif name == "index" and not is_index(value):
        raise Bad(f"{where}: {value!r} is not an index (integers, slices, '...', None)")
    elif name == "ord" and not (value is None or value in ("fro", "nuc") or is_number(value)):
        raise Bad(f"{where}: {value!r} is not a norm order (a number, 'fro', 'nuc' or None)")
    elif name == "delta" and not (is_number(value) and math.isfinite(value) and value > 0):
        raise Bad(f"{where}: delta must be a positive number, got {value!r}")


def is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)
