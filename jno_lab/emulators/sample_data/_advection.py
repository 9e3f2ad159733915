"""Exact periodic 1-D advection data."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from ._common import check_positive_int, initial_states, rollout_trajectories


def make_advection_stepper(cfl: float) -> Callable[[Array], Array]:
    """The exact one-step map of `u_t + c u_x = 0` on a periodic grid, for states `(C, N)`.

    One step shifts the state by `cfl = c Δt / Δx` cells (a Fourier phase shift),
    which is exact for band-limited states.

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> step = tx.sample_data.make_advection_stepper(1.0)
        >>> (step(jnp.array([[0.0, 1.0, 0.0, 0.0]])).round(6) + 0.0).tolist()
        [[0.0, 0.0, 1.0, 0.0]]
    """

    def step(u: Float[Array, "C N"]) -> Float[Array, "C N"]:
        n = u.shape[-1]
        phase = jnp.exp(-1j * 2.0 * jnp.pi * jnp.fft.rfftfreq(n) * cfl)
        return jnp.fft.irfft(jnp.fft.rfft(u) * phase, n=n).astype(u.dtype)

    return step


def advection_1d_periodic(
    num_points: int = 30,
    num_samples: int = 20,
    *,
    cfl: float = 0.75,
    highest_init_mode: int = 5,
    temporal_horizon: int = 100,
    key: PRNGKeyArray,
) -> Float[Array, "S T1 1 N"]:
    """Reference trajectories of 1-D linear advection with periodic boundaries.

    Solves `u_t + c u_x = 0` on a periodic grid of `num_points` cells with the exact
    Fourier shift by `cfl = c Δt / Δx` cells per step. The initial states are random
    truncated Fourier series up to mode `highest_init_mode` (coefficients
    `U(-1, 1)`), so the solution is exact.

    Args:
        num_points: grid points N.
        num_samples: number of trajectories S.
        cfl: Courant number `c Δt / Δx` (negative: transport to the left).
        highest_init_mode: highest Fourier mode of the initial states (< N / 2).
        temporal_horizon: number of time steps T.
        key: random key for the initial states.

    Returns:
        Array of shape `(S, T+1, 1, N)`: initial state plus T steps, one channel.

    Example:
        >>> import jax
        >>> import jno_lab.emulators as tx
        >>> data = tx.sample_data.advection_1d_periodic(cfl=-0.75, key=jax.random.PRNGKey(0))
        >>> data.shape
        (20, 101, 1, 30)
    """
    owner = "advection_1d_periodic"
    num_points = check_positive_int(owner, "num_points", num_points)
    num_samples = check_positive_int(owner, "num_samples", num_samples)
    temporal_horizon = check_positive_int(owner, "temporal_horizon", temporal_horizon)
    u0 = initial_states(owner, num_points, num_samples, highest_init_mode, key)
    return jax.jit(rollout_trajectories, static_argnums=(0, 2))(
        make_advection_stepper(cfl), u0, temporal_horizon
    )
