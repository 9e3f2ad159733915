import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jno_lab.emulators as tx

P = np.random.default_rng(0).normal(size=(4, 2, 5)).astype(np.float32)
T = np.random.default_rng(1).normal(size=(4, 2, 5)).astype(np.float32)

SINGLE = {
    "MSELoss": lambda p, t: np.mean((p - t) ** 2),
    "Normalized_MSELoss": lambda p, t: np.mean((p - t) ** 2) / np.mean(t**2),
    "MAELoss": lambda p, t: np.mean(np.abs(p - t)),
    "Normalized_MAELoss": lambda p, t: np.mean(np.abs(p - t)) / np.mean(np.abs(t)),
    "RMSELoss": lambda p, t: np.sqrt(np.mean((p - t) ** 2)),
    "Normalized_RMSELoss": lambda p, t: np.sqrt(np.mean((p - t) ** 2) / np.mean(t**2)),
}


@pytest.mark.parametrize("name", sorted(SINGLE))
def test_single_and_batched_match_the_formula(name):
    loss = getattr(tx.loss, name)()
    expected = [SINGLE[name](p, t) for p, t in zip(P, T, strict=True)]
    assert float(loss.single_batch(P[0], T[0])) == pytest.approx(expected[0], rel=1e-6)
    assert float(loss(P, T)) == pytest.approx(np.mean(expected), rel=1e-6)
    assert float(loss.multi_batch(P, T)) == pytest.approx(np.mean(expected), rel=1e-6)


def test_lp_loss_and_zero_target():
    lp = tx.loss.LpLoss(p=3)
    expected = np.mean(np.abs(P[1] - T[1]) ** 3) ** (1 / 3)
    assert float(lp.single_batch(P[1], T[1])) == pytest.approx(expected, rel=1e-6)
    assert float(tx.loss.MSELoss()(P)) == pytest.approx(np.mean(P**2), rel=1e-6)
    rel = tx.loss.Normalized_LpLoss(p=1).single_batch(P[2], T[2])
    assert float(rel) == pytest.approx(
        np.mean(np.abs(P[2] - T[2])) / np.mean(np.abs(T[2])), rel=1e-6
    )


def test_composite_is_the_weighted_sum():
    combo = tx.loss.MSELoss() + 0.25 * tx.loss.MAELoss()
    assert isinstance(combo, tx.loss.CompositeLoss)
    assert combo.weights == (1.0, 0.25)
    expected = np.mean(
        [
            SINGLE["MSELoss"](p, t) + 0.25 * SINGLE["MAELoss"](p, t)
            for p, t in zip(P, T, strict=True)
        ]
    )
    assert float(combo(P, T)) == pytest.approx(expected, rel=1e-6)
    nested = tx.loss.CompositeLoss([combo, tx.loss.RMSELoss()], [2.0, 1.0])
    assert nested.weights == (2.0, 0.5, 1.0)


def test_losses_work_on_several_spatial_axes_and_under_jit():
    p2, t2 = jnp.ones((3, 1, 4, 4)), jnp.zeros((3, 1, 4, 4))
    assert float(jax.jit(tx.loss.MSELoss())(p2, t2)) == 1.0


def test_normalized_losses_need_a_target():
    with pytest.raises(ValueError, match="Normalized_MSELoss needs a target"):
        tx.loss.Normalized_MSELoss().single_batch(P[0])
    with pytest.raises(ValueError, match=r"LpLoss\(p=...\) must be a number >= 1"):
        tx.loss.LpLoss(p=0.5)
    with pytest.raises(TypeError, match="CompositeLoss"):
        tx.loss.CompositeLoss([lambda p, t: 0.0])
