"""Exact periodic 1-D diffusion data."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from ._common import check_positive_int, initial_states, rollout_trajectories


def make_diffusion_stepper(diffusion_number: float) -> Callable[[Array], Array]:
    """The exact one-step map of `u_t = ν u_xx` on a periodic grid, for states `(C, N)`.

    Mode `m` decays by `exp(-g (2π m / N)²)` per step with `g = ν Δt / Δx²`.

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> step = tx.sample_data.make_diffusion_stepper(0.25)
        >>> float(step(jnp.ones((1, 8))).mean())  # the mean is conserved
        1.0
    """

    def step(u: Float[Array, "C N"]) -> Float[Array, "C N"]:
        n = u.shape[-1]
        scaled_k = 2.0 * jnp.pi * jnp.fft.rfftfreq(n)
        decay = jnp.exp(-diffusion_number * scaled_k**2)
        return jnp.fft.irfft(jnp.fft.rfft(u) * decay, n=n).astype(u.dtype)

    return step


def diffusion_1d_periodic(
    num_points: int = 30,
    num_samples: int = 20,
    *,
    diffusion_number: float = 0.25,
    highest_init_mode: int = 5,
    temporal_horizon: int = 100,
    key: PRNGKeyArray,
) -> Float[Array, "S T1 1 N"]:
    """Reference trajectories of 1-D diffusion (heat equation) with periodic boundaries.

    Solves `u_t = ν u_xx` exactly in Fourier space; the dimensionless
    `diffusion_number = ν Δt / Δx²` sets the decay per step (the explicit
    three-point scheme `[g, 1 - 2g, g]` is stable for g <= 1/2). Initial states as
    in `advection_1d_periodic`.

    Args:
        num_points: grid points N.
        num_samples: number of trajectories S.
        diffusion_number: `ν Δt / Δx²`, must be >= 0.
        highest_init_mode: highest Fourier mode of the initial states (< N / 2).
        temporal_horizon: number of time steps T.
        key: random key for the initial states.

    Returns:
        Array of shape `(S, T+1, 1, N)`.

    Example:
        >>> import jax
        >>> import jno_lab.emulators as tx
        >>> tx.sample_data.diffusion_1d_periodic(key=jax.random.PRNGKey(0)).shape
        (20, 101, 1, 30)
    """
    owner = "diffusion_1d_periodic"
    num_points = check_positive_int(owner, "num_points", num_points)
    num_samples = check_positive_int(owner, "num_samples", num_samples)
    temporal_horizon = check_positive_int(owner, "temporal_horizon", temporal_horizon)
    if not diffusion_number >= 0:
        raise ValueError(
            f"diffusion_1d_periodic(diffusion_number={diffusion_number!r}) must be >= 0"
        )
    u0 = initial_states(owner, num_points, num_samples, highest_init_mode, key)
    return jax.jit(rollout_trajectories, static_argnums=(0, 2))(
        make_diffusion_stepper(diffusion_number), u0, temporal_horizon
    )
