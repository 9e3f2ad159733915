"""Fourier-feature network (Tancik et al. 2020), applied to one point at a time."""

# jaxtyping shape strings are not Python expressions.

from __future__ import annotations

import math
from collections.abc import Callable
from typing import ClassVar, final

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from ...provenance import records
from ._common import activation_name, check_point, check_positive, resolve_key
from .mlp import MLP, mlp


@final
class FourierMLP(eqx.Module):
    """Random Fourier features `[cos(2 pi B x), sin(2 pi B x)]` followed by an MLP.

    Attributes:
        B: the fixed Gaussian frequency matrix, shape `(n_features, in_size)`.
            Gradients are stopped inside `__call__`, so it is never trained
            by gradient descent.
        mlp: the network applied to the `2 * n_features` features.
    """

    B: Float[Array, "n_features in_size"]
    mlp: MLP

    pointwise: ClassVar[bool] = True

    @property
    def in_size(self) -> int:
        """Size of one input point."""
        return self.B.shape[1]

    @property
    def out_size(self) -> int:
        """Size of the output."""
        return self.mlp.out_size

    @property
    def output_layer(self) -> eqx.nn.Linear:
        """The last (output) affine layer."""
        return self.mlp.output_layer

    def features(self, x: Float[Array, " in_size"]) -> Float[Array, " two_n_features"]:
        """The Fourier features of one point, shape `(2 * n_features,)`."""
        proj = 2.0 * math.pi * (jax.lax.stop_gradient(self.B) @ x)
        return jnp.concatenate([jnp.cos(proj), jnp.sin(proj)])

    def __call__(
        self, x: Float[Array, " in_size"], *, key: PRNGKeyArray | None = None
    ) -> Float[Array, " out_size"]:
        """Evaluate the network at one point `x` of shape `(in_size,)`; `key` is ignored."""
        check_point(x, self.in_size, "FourierMLP")
        return self.mlp(self.features(x))


@records("jno.nn.fourier_mlp", key=resolve_key, activation=activation_name)
def fourier_mlp(
    in_size: int,
    out_size: int,
    hidden: int = 64,
    depth: int = 4,
    n_features: int = 64,
    sigma: float = 1.0,
    activation: str | Callable[[Array], Array] = "tanh",
    *,
    key: PRNGKeyArray | None = None,
) -> FourierMLP:
    """Build a Fourier-feature network (Tancik et al. 2020).

    The entries of `B` are drawn from N(0, sigma^2); a larger `sigma` lets the
    network fit higher frequencies.

    Args:
        in_size: size of one input point.
        out_size: size of the output.
        hidden: width of every hidden layer of the MLP.
        depth: number of hidden layers of the MLP.
        n_features: number of frequencies (the MLP sees twice as many inputs).
        sigma: standard deviation of the frequencies.
        activation: activation of the MLP, a name or a callable (see `mlp`).
        key: PRNG key; None uses the global seed.

    Returns:
        The network.

    Raises:
        ValueError: for an unknown activation, a non-positive size or `sigma`.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from jno_lab._nn.architectures import fourier_mlp
        >>> net = fourier_mlp(2, 1, hidden=16, depth=2, n_features=8, key=jax.random.PRNGKey(0))
        >>> net.B.shape
        (8, 2)
        >>> net(jnp.ones(2)).shape
        (1,)
    """
    check_positive(in_size=in_size, out_size=out_size, n_features=n_features)
    if not sigma > 0:
        raise ValueError(f"sigma must be positive, got {sigma!r}")
    b_key, mlp_key = jax.random.split(resolve_key(key))
    B = sigma * jax.random.normal(b_key, (n_features, in_size))
    net = mlp(2 * n_features, out_size, hidden, depth, activation, key=mlp_key)
    return FourierMLP(B=B, mlp=net)
