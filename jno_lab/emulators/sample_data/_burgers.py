"""Viscous Burgers data on a periodic 1-D grid (pseudo-spectral, integrating-factor RK4)."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from ._common import (
    angular_wavenumbers,
    check_positive_int,
    initial_states,
    rollout_trajectories,
)


def make_burgers_stepper(
    num_points: int,
    *,
    domain_extent: float = 1.0,
    dt: float = 0.005,
    viscosity: float = 0.02,
    num_substeps: int = 4,
) -> Callable[[Array], Array]:
    """One step of `Δt` of `u_t + ½ (u²)_x = ν u_xx` for states `(C, N)`.

    Fourier pseudo-spectral in space with the 2/3 dealiasing rule; in time the
    diffusion is integrated exactly (integrating factor) and the convection with
    classical RK4 on `num_substeps` substeps.

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> step = tx.sample_data.make_burgers_stepper(16)
        >>> float(step(jnp.ones((1, 16))).mean())  # a constant state stays put
        1.0
    """
    k = angular_wavenumbers(num_points, domain_extent)
    keep = jnp.arange(k.shape[0]) < (2 * (num_points // 2)) // 3 + 1
    h = dt / num_substeps
    half = jnp.exp(-viscosity * k**2 * h / 2)
    full = half**2

    def convection(u_hat: Array) -> Array:
        u = jnp.fft.irfft(u_hat * keep, n=num_points)
        return -0.5j * k * jnp.fft.rfft(u * u) * keep

    def substep(v: Array, _: None) -> tuple[Array, None]:
        k1 = convection(v)
        k2 = convection(half * (v + 0.5 * h * k1))
        k3 = convection(half * v + 0.5 * h * k2)
        k4 = convection(full * v + h * half * k3)
        v = full * v + h / 6 * (full * k1 + 2 * half * (k2 + k3) + k4)
        return v, None

    def step(u: Float[Array, "C N"]) -> Float[Array, "C N"]:
        v, _ = jax.lax.scan(substep, jnp.fft.rfft(u), None, length=num_substeps)
        return jnp.fft.irfft(v, n=num_points).astype(u.dtype)

    return step


def burgers_1d_periodic(
    num_points: int = 64,
    num_samples: int = 20,
    *,
    domain_extent: float = 1.0,
    dt: float = 0.005,
    viscosity: float = 0.02,
    num_substeps: int = 4,
    highest_init_mode: int = 3,
    temporal_horizon: int = 100,
    key: PRNGKeyArray,
) -> Float[Array, "S T1 1 N"]:
    """Reference trajectories of the viscous Burgers equation with periodic boundaries.

    Solves `u_t + u u_x = ν u_xx` (conservative form `u_t + ½ (u²)_x = ν u_xx`) on
    [0, L) with `make_burgers_stepper`. Initial states are random truncated Fourier
    series (coefficients `U(-1, 1)`); they steepen into viscous shocks.

    Args:
        num_points: grid points N.
        num_samples: number of trajectories S.
        domain_extent: period L of the domain.
        dt: time between saved snapshots.
        viscosity: ν > 0.
        num_substeps: RK4 substeps per saved step (raise it for large states or dt).
        highest_init_mode: highest Fourier mode of the initial states (< N / 2).
        temporal_horizon: number of saved time steps T.
        key: random key for the initial states.

    Returns:
        Array of shape `(S, T+1, 1, N)`.

    Example:
        >>> import jax
        >>> import jno_lab.emulators as tx
        >>> key = jax.random.PRNGKey(0)
        >>> tx.sample_data.burgers_1d_periodic(num_samples=2, key=key).shape
        (2, 101, 1, 64)
    """
    owner = "burgers_1d_periodic"
    num_points = check_positive_int(owner, "num_points", num_points)
    num_samples = check_positive_int(owner, "num_samples", num_samples)
    temporal_horizon = check_positive_int(owner, "temporal_horizon", temporal_horizon)
    num_substeps = check_positive_int(owner, "num_substeps", num_substeps)
    if not viscosity > 0:
        raise ValueError(f"burgers_1d_periodic(viscosity={viscosity!r}) must be > 0")
    u0 = initial_states(owner, num_points, num_samples, highest_init_mode, key)
    stepper = make_burgers_stepper(
        num_points,
        domain_extent=domain_extent,
        dt=dt,
        viscosity=viscosity,
        num_substeps=num_substeps,
    )
    return jax.jit(rollout_trajectories, static_argnums=(0, 2))(stepper, u0, temporal_horizon)
