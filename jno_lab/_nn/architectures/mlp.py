"""Fully connected network applied to one point at a time."""

# jaxtyping shape strings are not Python expressions.

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, final

import equinox as eqx
import jax
from jaxtyping import Array, Float, PRNGKeyArray

from ...provenance import records
from ._common import (
    activation_name,
    check_point,
    check_positive,
    glorot_linear,
    resolve_activation,
    resolve_key,
)


@final
class MLP(eqx.Module):
    """Multilayer perceptron `in_size -> hidden x depth -> out_size`, applied per point.

    Attributes:
        layers: the affine layers, input layer first and output layer last.
        activation: applied after every layer except the last.
        final_activation: applied after the last layer.
    """

    layers: tuple[eqx.nn.Linear, ...]
    activation: Callable[[Array], Array]
    final_activation: Callable[[Array], Array]

    pointwise: ClassVar[bool] = True

    @property
    def in_size(self) -> int:
        """Size of one input point."""
        return self.layers[0].weight.shape[1]

    @property
    def out_size(self) -> int:
        """Size of the output."""
        return self.layers[-1].weight.shape[0]

    @property
    def output_layer(self) -> eqx.nn.Linear:
        """The last (output) affine layer."""
        return self.layers[-1]

    def __call__(
        self, x: Float[Array, " in_size"], *, key: PRNGKeyArray | None = None
    ) -> Float[Array, " out_size"]:
        """Evaluate the network at one point `x` of shape `(in_size,)`; `key` is ignored."""
        check_point(x, self.in_size, "MLP")
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
        return self.final_activation(self.layers[-1](x))


@records(
    "jno.nn.mlp", key=resolve_key, activation=activation_name, final_activation=activation_name
)
def mlp(
    in_size: int,
    out_size: int = 1,
    hidden: int = 64,
    depth: int = 4,
    activation: str | Callable[[Array], Array] = "tanh",
    *,
    final_activation: str | Callable[[Array], Array] | None = None,
    key: PRNGKeyArray | None = None,
    hidden_dims: int | Sequence[int] | None = None,
    output_dim: int | None = None,
) -> MLP:
    """Build a fully connected network with Glorot-normal weights and zero biases.

    The network maps one point of shape `(in_size,)` to `(out_size,)`; vmap it
    over points for a batch.

    Args:
        in_size: size of one input point.
        out_size: size of the output.
        hidden: width of every hidden layer.
        depth: number of hidden layers (0 gives a single affine map).
        activation: a name ("tanh", "sin", "relu", "gelu", "silu"/"swish",
            "softplus", "sigmoid", "elu", "identity") or any callable.
        final_activation: applied to the output; None means none.
        key: PRNG key for the weights; None uses the global seed.
        hidden_dims: jNO's form of the hidden sizes, overriding `hidden` and
            `depth`: one width (with `depth` layers) or a list of widths.
        output_dim: jNO's name for `out_size`.

    Returns:
        The network.

    Raises:
        ValueError: for an unknown activation name or a non-positive size.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from jno_lab._nn.architectures import mlp
        >>> net = mlp(2, 1, hidden=16, depth=2, key=jax.random.PRNGKey(0))
        >>> net(jnp.zeros(2)).shape
        (1,)
        >>> jax.vmap(net)(jnp.zeros((5, 2))).shape
        (5, 1)
    """
    if output_dim is not None:
        out_size = output_dim
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise ValueError(f"depth must be a non-negative integer, got {depth!r}")
    if hidden_dims is None:
        widths = [hidden] * depth
    elif isinstance(hidden_dims, int):
        widths = [hidden_dims] * depth
    else:
        widths = list(hidden_dims)
    check_positive(
        in_size=in_size, out_size=out_size, **{f"hidden[{i}]": w for i, w in enumerate(widths)}
    )
    act = resolve_activation(activation)
    final_act = resolve_activation(final_activation, name="final_activation")
    sizes = [in_size, *widths, out_size]
    keys = jax.random.split(resolve_key(key), len(sizes) - 1)
    layers = tuple(
        glorot_linear(n_in, n_out, key=k)
        for n_in, n_out, k in zip(sizes[:-1], sizes[1:], keys, strict=True)
    )
    return MLP(layers=layers, activation=act, final_activation=final_act)
