"""Constraint weights: fixed and `(epoch, losses)` weight schedules inside the step."""

import jax.numpy as jnp
import numpy as np
import optax
import pytest

import jno_lab as jno
from jno_lab import WeightSchedule as ws

from .conftest import assert_no_host_callbacks


def _two_losses():
    dom = jno.domain.from_array({"interior": np.zeros((1, 1))})
    p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(0.1))
    return jno.core([(p - 1.0).mse, (p + 1.0).mse], dom)


def test_fixed_weights_scale_each_constraint():
    crux = _two_losses()
    stats = crux.solve(5, constraint_weights=ws([1.0, 10.0]))
    np.testing.assert_allclose(stats.weights, [[1.0, 10.0]] * 5)
    expected = stats.losses[:, 0] + 10.0 * stats.losses[:, 1]
    np.testing.assert_allclose(stats.total_loss_history, expected, rtol=1e-6)


def test_weight_function_of_epoch_and_previous_losses():
    crux = _two_losses()
    schedule = ws(lambda e, L: [1.0, jnp.maximum(1.0, L[1] / (L[0] + 1e-8)) + 0.0 * e])
    stats = crux.solve(6, constraint_weights=schedule)
    assert_no_host_callbacks(crux)
    prev = np.vstack([[0.0, 0.0], stats.losses[:-1]])
    expected = np.maximum(1.0, prev[:, 1] / (prev[:, 0] + 1e-8))
    np.testing.assert_allclose(stats.weights[:, 1], expected, rtol=1e-6)
    np.testing.assert_allclose(stats.weights[:, 0], 1.0)
    compiled = crux.compile_count
    crux.solve(3, constraint_weights=ws(lambda e, L: [2.0, jnp.maximum(3.0, L[1]) + 0.0 * e]))
    assert crux.compile_count == compiled + 1  # a new function is a new step ...
    crux.solve(3, constraint_weights=ws([4.0, 5.0]))
    crux.solve(3, constraint_weights=ws([6.0, 7.0]))
    assert crux.compile_count == compiled + 2  # ... new numbers are not


def test_wrong_number_of_weights_is_a_clear_error():
    crux = _two_losses()
    with pytest.raises(ValueError, match="constraint_weights has 3 weights but the problem has 2"):
        crux.solve(1, constraint_weights=ws([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="constraint_weights has 1 weights but the problem has 2"):
        crux.solve(1, constraint_weights=ws(lambda e, L: [e]))
    with pytest.raises(ValueError, match="one weight per constraint"):
        ws([[1.0, 2.0]])
