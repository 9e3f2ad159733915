"""Shared pieces of the sample-data generators: initial conditions, Fourier helpers, rollout."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, PRNGKeyArray


def check_positive_int(owner: str, name: str, value: object) -> int:
    """Validate an integer argument of a generator."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{owner}({name}=...) must be a positive integer, got {value!r}")
    return int(value)


def random_fourier_state(
    num_points: int, highest_mode: int, key: PRNGKeyArray, *, amplitude: float = 1.0
) -> Float[Array, " N"]:
    """`sum_m a_m sin(m x) + b_m cos(m x)`, m = 1..highest_mode, a, b ~ U(-1, 1) · amplitude.

    Sampled on `num_points` equispaced points of [0, 2π) (the periodic grid).
    """
    sine_key, cosine_key, _ = jax.random.split(key, 3)
    a = jax.random.uniform(sine_key, (highest_mode,), minval=-1.0, maxval=1.0)
    b = jax.random.uniform(cosine_key, (highest_mode,), minval=-1.0, maxval=1.0)
    x = jnp.linspace(0.0, 2.0 * jnp.pi, num_points + 1)[:-1]
    modes = jnp.arange(1, highest_mode + 1)[:, None] * x[None, :]
    return amplitude * (a @ jnp.sin(modes) + b @ jnp.cos(modes))


def angular_wavenumbers(num_points: int, domain_extent: float) -> Float[Array, " K"]:
    """Wavenumbers `2π m / L` of the real FFT of a periodic grid with `num_points` points."""
    return 2.0 * jnp.pi * jnp.fft.rfftfreq(num_points, d=domain_extent / num_points)


def rollout_trajectories(
    stepper: Callable[[Array], Array], initial: Float[Array, "S C ..."], num_steps: int
) -> Float[Array, "S T1 C ..."]:
    """Apply `stepper` `num_steps` times to each initial state; keep all T+1 snapshots."""

    def one(u0: Array) -> Array:
        def step(u, _):
            nxt = stepper(u)
            return nxt, nxt

        _, later = jax.lax.scan(step, u0, None, length=num_steps)
        return jnp.concatenate([u0[None], later], axis=0)

    return jax.vmap(one)(initial)


def initial_states(
    owner: str, num_points: int, num_samples: int, highest_init_mode: int, key: PRNGKeyArray
) -> Float[Array, "S 1 N"]:
    """Random band-limited initial states with one channel, shape `(S, 1, N)`."""
    if not 1 <= highest_init_mode < num_points // 2:
        raise ValueError(
            f"{owner}(highest_init_mode={highest_init_mode}) must be from 1 to "
            f"num_points // 2 - 1 = {num_points // 2 - 1} so that the grid resolves it"
        )
    keys = jax.random.split(key, num_samples)
    states = jax.vmap(lambda k: random_fourier_state(num_points, highest_init_mode, k))(keys)
    return states[:, None, :]
