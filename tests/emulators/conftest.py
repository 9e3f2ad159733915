"""Tiny shared data and models for the emulator tests (module-level, compiled once)."""

import equinox as eqx
import jax
import jax.numpy as jnp
import pytest

import jno_lab.emulators as tx

CFL = -0.75


class Stencil(eqx.Module):
    """A periodic two-point linear stencil u_i -> w0 u_i + w1 u_{i+1}, written out by hand."""

    weight: jax.Array

    def __call__(self, u):
        return self.weight[0] * u + self.weight[1] * jnp.roll(u, -1, axis=-1)


@pytest.fixture(scope="session")
def tiny_data():
    """3 trajectories, 6 steps (7 snapshots), 1 channel, 8 points."""
    return tx.sample_data.advection_1d_periodic(
        num_points=8,
        num_samples=3,
        cfl=CFL,
        highest_init_mode=3,
        temporal_horizon=6,
        key=jax.random.PRNGKey(0),
    )


@pytest.fixture(scope="session")
def stencil():
    return Stencil(jnp.array([0.6, 0.3]))


@pytest.fixture(scope="session")
def ref_stepper():
    return tx.sample_data.make_advection_stepper(CFL)
