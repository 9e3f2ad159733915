"""`jno.np` / `jno.numpy`: NumPy-style functions that build expressions.

Example:
    >>> import jno_lab as jno
    >>> dom = jno.domain(constructor=jno.domain.line(mesh_size=0.5))
    >>> (x,) = dom.variable("interior")
    >>> expr = jno.np.sin(jno.np.pi * x) + jno.np.exp(-x)
"""

import math as _math

from ._search import tune
from ._search.sweep import run_sweep as _run_sweep
from ._solver.sweeping import install_sweep_runner as _install_sweep_runner
from ._trace.functions import UNARY as _UNARY
from ._trace.functions import (
    arctan2,
    clip,
    concat,
    concatenate,
    constant,
    dot,
    eigvalsh,
    function,
    grad,
    laplacian,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    norm,
    stack,
    sum,
    tracker,
    transpose,
    where,
)
from ._trace.parameter import Parameter as _Parameter

_install_sweep_runner(_run_sweep)  # `core.sweep` reaches the search through this

pi = _math.pi
e = _math.e

sin = _UNARY["sin"]
cos = _UNARY["cos"]
tan = _UNARY["tan"]
exp = _UNARY["exp"]
log = _UNARY["log"]
log1p = _UNARY["log1p"]
expm1 = _UNARY["expm1"]
sqrt = _UNARY["sqrt"]
abs = _UNARY["abs"]
sign = _UNARY["sign"]
square = _UNARY["square"]
tanh = _UNARY["tanh"]
sinh = _UNARY["sinh"]
cosh = _UNARY["cosh"]
arcsin = _UNARY["arcsin"]
arccos = _UNARY["arccos"]
arctan = _UNARY["arctan"]
arcsinh = _UNARY["arcsinh"]
arccosh = _UNARY["arccosh"]
arctanh = _UNARY["arctanh"]
sigmoid = _UNARY["sigmoid"]
softplus = _UNARY["softplus"]
relu = _UNARY["relu"]


def parameter(shape=(1,), *, key=None, name: str = "", init=None) -> _Parameter:
    """A trainable array used directly in expressions (give it an optimizer).

    Example:
        >>> import jax, jno_lab as jno
        >>> a = jno.np.parameter((1,), key=jax.random.PRNGKey(0), name="a")
        >>> a.name
        'a'
    """
    return _Parameter(shape, key=key, name=name, init=init)


__all__ = [
    "abs",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "clip",
    "concat",
    "concatenate",
    "constant",
    "cos",
    "cosh",
    "dot",
    "e",
    "eigvalsh",
    "exp",
    "expm1",
    "function",
    "grad",
    "laplacian",
    "log",
    "log1p",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "norm",
    "parameter",
    "pi",
    "relu",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "softplus",
    "sqrt",
    "square",
    "stack",
    "sum",
    "tan",
    "tanh",
    "tracker",
    "transpose",
    "tune",
    "where",
]
