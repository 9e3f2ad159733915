"""`jno.fn`: functional helpers; the module itself is callable.

`jno.fn(fn, [args], name=)` wraps any JAX function into an expression.

Example:
    >>> import jno_lab as jno
    >>> a, b = jno.np.constant(1.0), jno.np.constant(2.0)
    >>> custom = jno.fn(lambda p, q: p**2 + q, [a, b], name="my_op")
    >>> custom.label()
    'my_op'
"""

import sys as _sys
import types as _types
from collections.abc import Callable as _Callable
from collections.abc import Sequence as _Sequence
from typing import Any as _Any

from . import _adaptive as adaptive
from ._trace.functions import (
    function,
    huber,
    log_cosh,
    mae,
    mse,
    relative_l2,
    rmse,
)
from ._trace.pdes import (
    advection,
    allen_cahn,
    burgers_1d,
    heat,
    helmholtz,
    navier_stokes_incompressible_2d,
    poisson,
    wave,
)
from .numpy import (
    abs,
    arccos,
    arcsin,
    arctan,
    cos,
    cosh,
    exp,
    log,
    sin,
    sinh,
    sqrt,
    tan,
    tanh,
)

__all__ = [
    "abs",
    "adaptive",
    "advection",
    "allen_cahn",
    "arccos",
    "arcsin",
    "arctan",
    "burgers_1d",
    "cos",
    "cosh",
    "exp",
    "function",
    "heat",
    "helmholtz",
    "huber",
    "log",
    "log_cosh",
    "mae",
    "mse",
    "navier_stokes_incompressible_2d",
    "poisson",
    "relative_l2",
    "rmse",
    "sin",
    "sinh",
    "sqrt",
    "tan",
    "tanh",
    "wave",
]


class _CallableModule(_types.ModuleType):
    def __call__(
        self,
        fn: _Callable[..., _Any],
        args: _Sequence[_Any] = (),
        name: str = "",
        reduces_axis: int | None = None,
    ) -> _Any:
        return function(fn, args, name=name, reduces_axis=reduces_axis)


_sys.modules[__name__].__class__ = _CallableModule
