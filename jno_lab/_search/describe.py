"""JSON-friendly descriptions of configuration values (for `crux.sweep_results`)."""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from .._schedules import LearningRateSchedule, WeightSchedule


def describe_value(value: Any) -> Any:
    """A JSON-friendly stand-in for `value`: numbers and strings as they are, functions by name.

    Schedules become dicts of their kind and numbers, arrays lists, other
    objects their `repr`.

    Example:
        >>> import jax.numpy as jnp
        >>> from jno_lab import LearningRateSchedule as lrs
        >>> describe_value(jnp.tanh)
        'tanh'
        >>> describe_value(lrs.constant(1e-3))
        {'kind': 'constant', 'lr0': 0.001}
        >>> describe_value([1, None, 2.5])
        [1, None, 2.5]
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, np.generic):
        return _numbers(value) if isinstance(value, np.floating) else describe_value(value.item())
    if isinstance(value, LearningRateSchedule):
        if value.kind == "custom":
            return {"kind": "custom", "fn": _name(value.fn)}
        return {"kind": value.kind, **{k: _numbers(v) for k, v in value.params.items()}}
    if isinstance(value, WeightSchedule):
        if value.fn is not None:
            return {"kind": "custom", "fn": _name(value.fn)}
        return {"kind": "weights", "weights": _numbers(value.weights)}
    if isinstance(value, list | tuple):
        return [describe_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): describe_value(v) for k, v in value.items()}
    if hasattr(value, "shape") and hasattr(value, "dtype") and not callable(value):
        return _numbers(value)
    if isinstance(value, functools.partial):
        args = [describe_value(a) for a in value.args]
        kwargs = {k: describe_value(v) for k, v in value.keywords.items()}
        return {"fn": _name(value.func), "args": args, "kwargs": kwargs}
    return _name(value)


def _numbers(array: Any) -> Any:
    """Plain Python numbers; float32 ones in shortest form (1e-3, not 0.0010000000474...)."""
    values = np.asarray(array)
    if values.dtype == np.float32:
        flat = [float(str(v)) for v in values.ravel()]
        out = np.asarray(flat, dtype=object).reshape(values.shape).tolist()
    else:
        out = values.tolist()
    if isinstance(out, float) and not math.isfinite(out):
        return str(out)
    return out


def _name(value: Any) -> str:
    name = getattr(value, "__name__", None)
    if isinstance(name, str):
        return name
    text = repr(value)
    return text if len(text) <= 80 else type(value).__name__
