"""Floating dtypes a model's parameters may take (`Model.dtype`, `tune(dtype=...)`).

Example:
    >>> check_dtype("u", "bfloat16").name
    'bfloat16'
    >>> check_dtype("u", "int32")
    Traceback (most recent call last):
    ...
    ValueError: u.dtype(...) takes a floating dtype: ... got 'int32'
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

FLOAT_DTYPES = ("bfloat16", "float16", "float32", "float64")


def check_dtype(who: str, dtype: Any) -> Any:
    """`dtype` as a numpy dtype; a ValueError for non-floating types or float64 without x64."""
    try:
        resolved = jnp.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved is None or resolved.name not in FLOAT_DTYPES:
        raise ValueError(
            f"{who}.dtype(...) takes a floating dtype: jnp.bfloat16, jnp.float16, jnp.float32 "
            f"or jnp.float64; got {dtype!r}"
        )
    if resolved.name == "float64" and not jax.config.read("jax_enable_x64"):
        raise ValueError(
            f"{who}.dtype(jnp.float64) needs 64-bit JAX: set JAX_ENABLE_X64=1 or call "
            'jax.config.update("jax_enable_x64", True) before building models and domains'
        )
    return resolved
