"""Helpers shared by the architectures: activations, initialisation, keys."""

from __future__ import annotations

from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, PRNGKeyArray

from ..._config import default_key


def _identity(x: Array) -> Array:
    return x


ACTIVATIONS: dict[str, Callable[[Array], Array]] = {
    "tanh": jnp.tanh,
    "sin": jnp.sin,
    "relu": jax.nn.relu,
    "gelu": jax.nn.gelu,
    "silu": jax.nn.silu,
    "swish": jax.nn.silu,
    "softplus": jax.nn.softplus,
    "sigmoid": jax.nn.sigmoid,
    "elu": jax.nn.elu,
    "identity": _identity,
}


def resolve_activation(
    activation: str | Callable[[Array], Array] | None, *, name: str = "activation"
) -> Callable[[Array], Array]:
    """Return the activation function for a name or a callable (None means identity).

    Raises:
        ValueError: for an unknown name; the message lists the known names.
        TypeError: for anything that is neither a string nor callable.
    """
    if activation is None:
        return _identity
    if isinstance(activation, str):
        try:
            return ACTIVATIONS[activation.lower()]
        except KeyError:
            known = ", ".join(sorted(ACTIVATIONS))
            raise ValueError(
                f"{name}={activation!r} is not known; choose one of {known}, or pass a callable"
            ) from None
    if callable(activation):
        return activation
    raise TypeError(f"{name} must be a name or a callable, got {type(activation).__name__}")


def activation_name(activation: object) -> object:
    """The name of a built-in activation (given by name or as its function), else as given.

    Example:
        >>> import jax.numpy as jnp
        >>> activation_name(jnp.tanh), activation_name("Swish")
        ('tanh', 'silu')
    """
    if isinstance(activation, str):
        activation = ACTIVATIONS.get(activation.lower(), activation)
    for name, fn in ACTIVATIONS.items():
        if fn is activation:
            return name
    return activation


def resolve_key(key: PRNGKeyArray | None) -> PRNGKeyArray:
    """Return `key`, or the key made from the global seed when `key` is None."""
    return default_key() if key is None else key


def check_positive(**values: int) -> None:
    """Raise ValueError unless every given size is a positive integer."""
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


def glorot_linear(in_size: int, out_size: int, *, key: PRNGKeyArray) -> eqx.nn.Linear:
    """An `eqx.nn.Linear` with Glorot/Xavier-normal weights and zero biases."""
    # Only the structure of eqx.nn.Linear is wanted: building it abstractly skips
    # its own (discarded) random draws, which would cost a compilation per shape.
    linear = eqx.filter_eval_shape(eqx.nn.Linear, in_size, out_size, key=key)
    dtype = linear.weight.dtype
    std = (2.0 / (in_size + out_size)) ** 0.5
    weight = std * jax.random.normal(key, (out_size, in_size), dtype=dtype)
    bias = jnp.zeros((out_size,), dtype=dtype)
    return eqx.tree_at(lambda lin: (lin.weight, lin.bias), linear, (weight, bias))


def check_point(x: Array, size: int, owner: str) -> None:
    """Raise ValueError unless `x` is one point of shape `(size,)` (checked at trace time)."""
    if x.shape != (size,):
        raise ValueError(
            f"{owner} is applied per point: expected an input of shape ({size},), got "
            f"{tuple(x.shape)}; use jax.vmap over points for a batch"
        )
