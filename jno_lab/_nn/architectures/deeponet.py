"""Unstacked DeepONet (Lu et al. 2021)."""

# jaxtyping shape strings are not Python expressions.

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, final

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from ...provenance import records
from ._common import activation_name, check_point, check_positive, resolve_activation, resolve_key
from .mlp import MLP, mlp


@final
class DeepONet(eqx.Module):
    """Operator network `G(u)(y) = sum_k b_k(u) t_k(y) + bias`, per output channel.

    The branch sees the input function sampled at `n_sensors` fixed sensors and
    the trunk sees one coordinate `y`; both give `latent * out_size` numbers,
    read as `(out_size, latent)`. The trunk applies its activation to its output
    too, as in Lu et al. (2021). The module is per point in the trunk input:
    vmap over coordinates (and over input functions) for a batch.

    Attributes:
        branch: MLP `n_sensors -> latent * out_size`.
        trunk: MLP `coord_dim -> latent * out_size`.
        bias: one scalar bias per output channel.
        latent: number of basis functions `p` per output channel.
    """

    branch: MLP
    trunk: MLP
    bias: Float[Array, " out_size"]
    latent: int = eqx.field(static=True)

    pointwise: ClassVar[bool] = True

    @property
    def n_sensors(self) -> int:
        """Size of the branch input."""
        return self.branch.in_size

    @property
    def coord_dim(self) -> int:
        """Size of the trunk input."""
        return self.trunk.in_size

    @property
    def out_size(self) -> int:
        """Number of output channels."""
        return self.bias.shape[0]

    def __call__(
        self,
        branch_input: Float[Array, " n_sensors"],
        trunk_input: Float[Array, " coord_dim"],
        *,
        key: PRNGKeyArray | None = None,
    ) -> Float[Array, " out_size"]:
        """Evaluate `G(u)(y)` for sensor values `u` and one coordinate `y`; `key` is ignored."""
        check_point(branch_input, self.n_sensors, "DeepONet branch")
        check_point(trunk_input, self.coord_dim, "DeepONet trunk")
        b = self.branch(branch_input).reshape(self.out_size, self.latent)
        t = self.trunk(trunk_input).reshape(self.out_size, self.latent)
        return jnp.sum(b * t, axis=-1) + self.bias


@records("jno.nn.deeponet", key=resolve_key, activation=activation_name)
def deeponet(
    n_sensors: int,
    coord_dim: int,
    out_size: int = 1,
    latent: int = 64,
    hidden: int = 64,
    depth: int = 3,
    activation: str | Callable[[Array], Array] = "tanh",
    *,
    key: PRNGKeyArray | None = None,
) -> DeepONet:
    """Build an unstacked DeepONet (Lu et al. 2021) with a zero output bias.

    Args:
        n_sensors: number of sensor values the branch receives.
        coord_dim: dimension of the coordinate the trunk receives.
        out_size: number of output channels.
        latent: number of basis functions `p` per output channel.
        hidden: width of the hidden layers of branch and trunk.
        depth: number of hidden layers of branch and trunk.
        activation: a name or a callable (see `mlp`).
        key: PRNG key; None uses the global seed.

    Returns:
        The network; call it as `net(sensor_values, coordinate)`.

    Raises:
        ValueError: for an unknown activation or a non-positive size.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from jno_lab._nn.architectures import deeponet
        >>> net = deeponet(10, 2, out_size=3, latent=8, hidden=16, key=jax.random.PRNGKey(0))
        >>> net(jnp.ones(10), jnp.zeros(2)).shape
        (3,)
        >>> jax.vmap(net, in_axes=(None, 0))(jnp.ones(10), jnp.zeros((5, 2))).shape
        (5, 3)
    """
    check_positive(n_sensors=n_sensors, coord_dim=coord_dim, out_size=out_size, latent=latent)
    act = resolve_activation(activation)
    kb, kt = jax.random.split(resolve_key(key))
    width = latent * out_size
    return DeepONet(
        branch=mlp(n_sensors, width, hidden, depth, act, key=kb),
        trunk=mlp(coord_dim, width, hidden, depth, act, final_activation=act, key=kt),
        bias=jnp.zeros((out_size,)),
        latent=latent,
    )
