"""Noise terms: distribution statistics, per-step regeneration, reproducibility."""

import numpy as np
import optax
import pytest

import jno_lab as jno


@pytest.fixture(scope="module")
def cloud():
    rng = np.random.default_rng(0)
    return jno.domain.from_array({"interior": rng.uniform(size=(4096, 1))})


@pytest.mark.parametrize(
    ("noise", "mean", "std"),
    [
        (jno.noise.gaussian(std=0.5, mean=1.0), 1.0, 0.5),
        (jno.noise.uniform(low=-1.0, high=3.0), 1.0, 4.0 / np.sqrt(12.0)),
        (jno.noise.laplace(scale=0.3), 0.0, 0.3 * np.sqrt(2.0)),
    ],
)
def test_distribution_statistics(cloud, noise, mean, std):
    (x,) = cloud.variable("interior")
    sample = x * 0.0 + noise
    values = jno.core([sample.mse]).eval(sample)[0, 0, :, 0]
    assert values.mean() == pytest.approx(mean, abs=4 * std / np.sqrt(values.size))
    assert values.std() == pytest.approx(std, rel=0.05)


def test_reproducible_and_regenerated_every_step(cloud):
    (x,) = cloud.variable("interior")
    noisy = x + jno.noise.gaussian(std=0.1, ndim=2)
    crux = jno.core([noisy.mse], rng_seed=3)
    first = crux.eval(noisy)
    assert first.shape == (1, 1, 4096, 2)
    np.testing.assert_array_equal(first, jno.core([noisy.mse], rng_seed=3).eval(noisy))
    assert not np.array_equal(first[..., 0], first[..., 1])  # independent components

    p = jno.np.parameter((1,), init=0.0).optimizer(optax.sgd(0.0))
    drift = jno.np.mean(jno.noise.gaussian() + x * 0.0)
    crux = jno.core([(p - x).mse, jno.np.tracker(drift, name="drift")], rng_seed=3)
    a = crux.solve(4).trackers["drift"]
    b = jno.core([(p - x).mse, jno.np.tracker(drift, name="drift")], rng_seed=3).solve(4)
    assert len(set(np.round(a, 7))) == 4  # a new draw every step
    np.testing.assert_array_equal(a, b.trackers["drift"])  # the same under the same seed


def test_noise_errors(cloud):
    with pytest.raises(ValueError, match="unknown noise distribution 'cauchy'"):
        jno.noise.Noise("cauchy")
    with pytest.raises(ValueError, match="gaussian noise takes std, mean and ndim; got width"):
        jno.noise.Noise("gaussian", width=1.0)
    with pytest.raises(ValueError, match="ndim must be a positive integer"):
        jno.noise.gaussian(ndim=0)
    alone = jno.noise.gaussian().mse
    (x,) = cloud.variable("interior")
    with pytest.raises(ValueError, match="noise with no points of its own"):
        jno.core([x.mse]).eval(alone)
