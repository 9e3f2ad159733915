"""The modified MLP of Wang, Teng & Perdikaris (2021), applied to one point at a time."""

# jaxtyping shape strings are not Python expressions.

from __future__ import annotations

from collections.abc import Callable
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
class ModifiedMLP(eqx.Module):
    """MLP whose hidden layers blend two input encodings through learned gates.

    With encoders `U = act(W_u x + b_u)`, `V = act(W_v x + b_v)` and `h = x`,
    each gate layer computes `Z = act(W h + b)` and sets
    `h = (1 - Z) * U + Z * V`; the output is `W_out h + b_out`.

    Attributes:
        encoder_u: the affine part of the `U` encoder.
        encoder_v: the affine part of the `V` encoder.
        layers: the gate layers; the first maps the input, the rest the hidden state.
        output: the output affine layer.
        activation: the activation used by the encoders and the gates.
    """

    encoder_u: eqx.nn.Linear
    encoder_v: eqx.nn.Linear
    layers: tuple[eqx.nn.Linear, ...]
    output: eqx.nn.Linear
    activation: Callable[[Array], Array]

    pointwise: ClassVar[bool] = True

    @property
    def in_size(self) -> int:
        """Size of one input point."""
        return self.encoder_u.weight.shape[1]

    @property
    def out_size(self) -> int:
        """Size of the output."""
        return self.output.weight.shape[0]

    @property
    def output_layer(self) -> eqx.nn.Linear:
        """The last (output) affine layer."""
        return self.output

    def __call__(
        self, x: Float[Array, " in_size"], *, key: PRNGKeyArray | None = None
    ) -> Float[Array, " out_size"]:
        """Evaluate the network at one point `x` of shape `(in_size,)`; `key` is ignored."""
        check_point(x, self.in_size, "ModifiedMLP")
        u = self.activation(self.encoder_u(x))
        v = self.activation(self.encoder_v(x))
        h = x
        for layer in self.layers:
            z = self.activation(layer(h))
            h = (1.0 - z) * u + z * v
        return self.output(h)


@records("jno.nn.modified_mlp", key=resolve_key, activation=activation_name)
def modified_mlp(
    in_size: int,
    out_size: int,
    hidden: int = 64,
    depth: int = 4,
    activation: str | Callable[[Array], Array] = "tanh",
    *,
    key: PRNGKeyArray | None = None,
) -> ModifiedMLP:
    """Build the modified MLP of Wang, Teng & Perdikaris (2021).

    Weights are Glorot-normal and biases zero. The parameter count is
    `3 * (in_size * hidden + hidden) + (depth - 1) * (hidden**2 + hidden)
    + hidden * out_size + out_size`.

    Args:
        in_size: size of one input point.
        out_size: size of the output.
        hidden: width of the encoders and of every gate layer.
        depth: number of gate (hidden) layers, at least 1.
        activation: a name or a callable (see `mlp`).
        key: PRNG key; None uses the global seed.

    Returns:
        The network.

    Raises:
        ValueError: for an unknown activation or a non-positive size.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from jno_lab._nn.architectures import modified_mlp
        >>> net = modified_mlp(2, 1, hidden=16, depth=2, key=jax.random.PRNGKey(0))
        >>> net(jnp.zeros(2)).shape
        (1,)
    """
    check_positive(in_size=in_size, out_size=out_size, hidden=hidden, depth=depth)
    act = resolve_activation(activation)
    ku, kv, ko, *kl = jax.random.split(resolve_key(key), 3 + depth)
    sizes = [in_size, *([hidden] * depth)]
    layers = tuple(
        glorot_linear(n_in, hidden, key=k) for n_in, k in zip(sizes[:-1], kl, strict=True)
    )
    return ModifiedMLP(
        encoder_u=glorot_linear(in_size, hidden, key=ku),
        encoder_v=glorot_linear(in_size, hidden, key=kv),
        layers=layers,
        output=glorot_linear(hidden, out_size, key=ko),
        activation=act,
    )
