import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jno_lab.emulators as tx

sd = tx.sample_data
KEY = jax.random.PRNGKey(0)


def test_advection_shapes_and_exact_shift():
    data = sd.advection_1d_periodic(
        num_points=16, num_samples=3, cfl=1.0, temporal_horizon=5, key=KEY
    )
    assert data.shape == (3, 6, 1, 16)
    # one cell per step to the right
    np.testing.assert_allclose(data[:, 1], jnp.roll(data[:, 0], 1, axis=-1), atol=1e-5)
    left = sd.advection_1d_periodic(
        num_points=16, num_samples=3, cfl=-0.5, temporal_horizon=4, key=KEY
    )
    np.testing.assert_allclose(left[:, 4], jnp.roll(left[:, 0], -2, axis=-1), atol=1e-5)
    # band-limited initial states with values of order one
    assert 0.3 < float(jnp.max(jnp.abs(data[:, 0]))) < 10


def test_diffusion_decays_each_mode_exactly():
    gamma, n = 0.3, 16
    data = sd.diffusion_1d_periodic(
        num_points=n, num_samples=2, diffusion_number=gamma, temporal_horizon=3, key=KEY
    )
    assert data.shape == (2, 4, 1, n)
    u0_hat, u3_hat = np.fft.rfft(data[:, 0]), np.fft.rfft(data[:, 3])
    k = 2 * np.pi * np.arange(n // 2 + 1) / n
    np.testing.assert_allclose(u3_hat, u0_hat * np.exp(-3 * gamma * k**2), atol=1e-4)
    np.testing.assert_allclose(
        data.mean(axis=-1), data[:, :1].mean(axis=-1).repeat(4, 1), atol=1e-5
    )


def test_burgers_conserves_the_mean_dissipates_energy_and_converges_in_time():
    kw = {"num_points": 32, "num_samples": 2, "temporal_horizon": 20, "key": KEY}
    data = sd.burgers_1d_periodic(**kw)
    assert data.shape == (2, 21, 1, 32)
    means = data.mean(axis=-1)
    np.testing.assert_allclose(means, means[:, :1].repeat(21, 1), atol=1e-5)
    energy = np.asarray((data**2).mean(axis=(-1, -2)))
    assert np.all(np.diff(energy, axis=1) < 0)
    fine = sd.burgers_1d_periodic(num_substeps=16, **kw)
    assert float(jnp.max(jnp.abs(fine - data))) < 1e-4
    assert float(jnp.max(jnp.abs(data[:, -1] - data[:, 0]))) > 0.05  # it evolves


def test_generators_name_bad_arguments():
    with pytest.raises(
        ValueError, match=r"advection_1d_periodic\(num_samples=...\) must be a positive"
    ):
        sd.advection_1d_periodic(num_samples=0, key=KEY)
    with pytest.raises(ValueError, match=r"highest_init_mode=20\) must be from 1 to num_points"):
        sd.advection_1d_periodic(num_points=30, highest_init_mode=20, key=KEY)
    with pytest.raises(ValueError, match="viscosity"):
        sd.burgers_1d_periodic(viscosity=0.0, key=KEY)
    with pytest.raises(ValueError, match="diffusion_number"):
        sd.diffusion_1d_periodic(diffusion_number=-1.0, key=KEY)
