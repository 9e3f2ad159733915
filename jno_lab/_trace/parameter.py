"""Trainable free parameters: `jno.np.parameter(shape, key=, name=)`."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._config import default_key
from .._trainable import Trainable
from .nodes import Placeholder


class Parameter(Placeholder, Trainable):
    """A trainable array used directly in expressions (inverse problems).

    Example:
        >>> import jax, optax, jno_lab as jno
        >>> a = jno.np.parameter((1,), key=jax.random.PRNGKey(0), name="a")
        >>> a.optimizer(optax.adam(1e-2)) is a
        True
        >>> a.value.shape
        (1,)
    """

    kind = "parameter"

    def __init__(
        self,
        shape: tuple[int, ...] | int = (1,),
        *,
        key: jax.Array | None = None,
        name: str = "",
        init: Any = None,
    ):
        Placeholder.__init__(self, name=name)
        Trainable.__init__(self, name)
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        key = default_key() if key is None else key
        if init is None:
            value = jax.random.normal(key, shape, dtype=jnp.float32)
        elif callable(init):
            value = init(key, shape, jnp.float32)
        else:
            value = jnp.broadcast_to(jnp.asarray(init, dtype=jnp.float32), shape)
        self.value: jax.Array = jnp.asarray(value)

    def _static(self) -> tuple:
        return (id(self),)

    def label(self) -> str:
        return self.name or f"param{tuple(self.value.shape)}"

    def initialize(self, weights: Any, *, key: jax.Array | None = None) -> Parameter:
        """Set the value: an array, or an initializer `f(key, shape, dtype)`; returns self."""
        if callable(weights):
            key = default_key() if key is None else key
            self.value = jnp.asarray(weights(key, self.value.shape, self.value.dtype))
        else:
            new = jnp.asarray(np.asarray(weights), dtype=self.value.dtype)
            if new.shape != self.value.shape:
                raise ValueError(
                    f"parameter {self.describe()!r} has shape {self.value.shape}; "
                    f"initialize got shape {new.shape}"
                )
            self.value = new
        return self

    # Trainable protocol used by the solver
    def get_params(self) -> jax.Array:
        return self.value

    def set_params(self, params: jax.Array) -> None:
        self.value = params
