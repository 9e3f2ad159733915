"""Learning rates: schedule values, the rate actually applied, dlrs, clamps, recompilation."""

import math

import jax.numpy as jnp
import numpy as np
import optax
import pytest

import jno_lab as jno
from jno_lab import LearningRateSchedule as lrs

from .conftest import assert_no_host_callbacks


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        (lrs.constant(1e-3), {0: 1e-3, 500: 1e-3}),
        (lrs(2e-3), {0: 2e-3, 10**6: 2e-3}),
        (
            lrs.exponential(lr0=1e-3, decay_rate=0.9, decay_steps=1000, lr_end=1e-5),
            {0: 1e-3, 1000: 9e-4, 2500: 1e-3 * 0.9**2.5, 10**6: 1e-5},
        ),
        (
            lrs.cosine(total_steps=5000, lr0=1e-3, lr_end=1e-6),
            {0: 1e-3, 2500: 1e-6 + 0.5 * (1e-3 - 1e-6), 5000: 1e-6, 9000: 1e-6},
        ),
        (
            lrs.warmup_cosine(total_steps=5000, warmup_steps=500, lr0=1e-3, lr_end=1e-6),
            {
                0: 1e-3 / 500,
                249: 1e-3 * 250 / 500,
                500: 1e-3,
                2750: 1e-6 + 0.5 * (1e-3 - 1e-6),
                5000: 1e-6,
            },
        ),
        (
            lrs.piecewise_constant(boundaries=[1000, 3000], values=[1e-3, 5e-4, 1e-4]),
            {0: 1e-3, 999: 1e-3, 1000: 5e-4, 2999: 5e-4, 3000: 1e-4},
        ),
        (lrs(lambda epoch, losses: 1e-4 * (0.9 ** (epoch / 500))), {0: 1e-4, 1000: 0.81e-4}),
    ],
)
def test_schedule_values_at_chosen_epochs(schedule, expected):
    for epoch, value in expected.items():
        assert float(schedule(epoch, jnp.zeros(2))) == pytest.approx(value, rel=1e-5)


@pytest.mark.parametrize(
    "schedule",
    [
        lrs.constant(1e-3, min_lr=2e-3),
        lrs.exponential(1e-1, 0.5, 1, min_lr=2e-3, max_lr=5e-2),
        lrs.cosine(10, 1e-1, 0.0, min_lr=2e-3, max_lr=5e-2),
        lrs.warmup_cosine(10, 2, 1e-1, 0.0, min_lr=2e-3, max_lr=5e-2),
        lrs.piecewise_constant([2], [1.0, 0.0], min_lr=2e-3, max_lr=5e-2),
        lrs(lambda e, losses: 10.0 - e, min_lr=2e-3, max_lr=5e-2),
    ],
)
def test_every_schedule_is_clamped(schedule):
    values = [float(schedule(e, None)) for e in range(0, 40)]
    assert min(values) >= 2e-3 * (1 - 1e-6)
    assert max(values) <= 5e-2 * (1 + 1e-6)
    assert any(v == pytest.approx(2e-3) for v in values)
    if "max_lr" in schedule.params:
        assert any(v == pytest.approx(5e-2) for v in values)


def _sgd_quadratic(attach):
    """p starts at 0, loss (p - 1)^2 (gradient 2 (p - 1)); `attach` sets the optimizer."""
    p = jno.np.parameter((1,), init=0.0, name="p")
    attach(p)
    crux = jno.core([(p - 1.0).mse], jno.domain.from_array(np.zeros((1, 1))))
    return crux, p


def _sgd_reference(rates):
    p, out = 0.0, []
    for lr in rates:
        out.append(p)
        p = p - lr * 2.0 * (p - 1.0)
    return p


def test_both_optimizer_forms_apply_the_same_rate():
    schedule = lrs.exponential(0.2, 0.5, 4, 0.01)
    factory, _ = _sgd_quadratic(lambda p: p.optimizer(optax.sgd, lr=schedule))
    scaled, _ = _sgd_quadratic(lambda p: p.optimizer(optax.sgd(1)).scale(schedule))
    a, b = factory.solve(12), scaled.solve(12)
    expected = [0.2 * 0.5 ** (e / 4) for e in range(12)]
    np.testing.assert_allclose(a.learning_rates[:, 0], expected, rtol=1e-6)
    np.testing.assert_array_equal(a.learning_rates, b.learning_rates)
    np.testing.assert_array_equal(a.losses, b.losses)
    p_final = _sgd_reference(expected)
    assert float(factory.eval(factory.trainables[0])[0]) == pytest.approx(p_final, rel=1e-5)


def test_traced_custom_schedule_reads_epoch_and_losses():
    # halve the rate whenever the previous loss was below 0.5: jnp.where compiles
    schedule = lrs(lambda e, losses: jnp.where(losses[0] < 0.5, 0.05, 0.1) * (e < 100))
    crux, _ = _sgd_quadratic(lambda p: p.optimizer(optax.sgd, lr=schedule))
    stats = crux.solve(6)
    assert_no_host_callbacks(crux)
    # replay: p_0 = 0; rate of step k sees the loss before step k-1's update (0 at k = 0)
    p, prev, rates = 0.0, 0.0, []
    for _ in range(6):
        rate = 0.05 if prev < 0.5 else 0.1
        rates.append(rate)
        prev = (p - 1.0) ** 2
        p = p - rate * 2 * (p - 1.0)
    np.testing.assert_allclose(stats.learning_rates[:, 0], rates, rtol=1e-6)


def test_new_schedule_numbers_reuse_the_compiled_step():
    crux, p = _sgd_quadratic(lambda p: p.optimizer(optax.sgd, lr=lrs.cosine(10, 0.1, 0.0)))
    crux.solve(3)
    assert crux.compile_count == 1
    p.optimizer(optax.sgd, lr=lrs.cosine(50, 0.3, 0.01))
    crux.solve(3)
    p.optimizer(optax.sgd, lr=jno.fn.adaptive.dlrs(0.1, window=4))
    crux.solve(3)
    compiled = crux.compile_count
    p.optimizer(optax.sgd, lr=jno.fn.adaptive.dlrs(0.01, window=4, increment_factor=0.3))
    crux.solve(3)
    assert crux.compile_count == compiled == 2
    assert_no_host_callbacks(crux)


def _dlrs_reference(totals, lr0, window, dec, stag, inc, min_lr, max_lr):
    """Dharanalakota et al.'s rule, written out step by step."""
    rates, history, lr = [], [], None
    for total in totals:
        total = max(total, 1e-12)
        if lr is None:
            history, lr = [total], min(max(lr0, min_lr), max_lr)
        else:
            history = [*history, total][-window:]
            slope = (history[-1] - history[0]) / max(sum(history) / len(history), 1e-12)
            unit = 10.0 ** math.floor(math.log10(lr))
            change = dec if slope > 1 else stag if slope > 0 else -inc
            lr = min(max(lr - unit * change, min_lr), max_lr)
        rates.append(lr)
    return rates


def test_dlrs_follows_its_published_rule():
    # a noisy problem: SGD with a large rate makes the loss rise and fall
    dom = jno.domain.from_array({"interior": np.linspace(-1.0, 1.0, 5)[:, None]})
    (x,) = dom.variable("interior")
    p = jno.np.parameter((2,), init=0.0, name="p")
    schedule = jno.fn.adaptive.dlrs(0.9, window=4, min_lr=1e-3, max_lr=2.0)
    p.optimizer(optax.sgd(1)).scale(schedule)
    target = 3.0 * x - 1.0
    crux = jno.core([(p[0] * x + p[1] - target).mse, (p[1] + 1.0).mse], dom)
    stats = crux.solve(40)
    totals = stats.losses.sum(axis=1)
    expected = _dlrs_reference(totals, 0.9, 4, 0.5, 0.1, 0.1, 1e-3, 2.0)
    np.testing.assert_allclose(stats.learning_rates[:, 0], expected, rtol=1e-5)
    assert len(set(np.round(np.diff(expected), 8))) > 1  # more than one case occurred
    assert_no_host_callbacks(crux)


def test_rates_are_recorded_per_model():
    dom = jno.domain.from_array({"interior": np.zeros((1, 1))})
    a = jno.np.parameter((1,), init=0.0, name="a").optimizer(optax.sgd, lr=lrs(0.1))
    b = jno.np.parameter((1,), init=0.0, name="b").optimizer(optax.sgd, lr=lrs.cosine(4, 0.2))
    c = jno.np.parameter((1,), init=0.0, name="c").freeze()
    crux = jno.core([(a - 1.0).mse + (b - c).mse], dom)
    stats = crux.solve(4)
    names = stats.learning_rate_names
    assert sorted(names) == ["a", "b"]  # the frozen c has no rate
    rates = dict(zip(names, stats.learning_rates.T, strict=True))
    np.testing.assert_allclose(rates["a"], 0.1)
    np.testing.assert_allclose(
        rates["b"], [0.1 * (1 + math.cos(math.pi * e / 4)) for e in range(4)], rtol=1e-6
    )


def test_bad_learning_rates_are_clear_errors():
    p = jno.np.parameter((1,), init=0.0, name="p")
    with pytest.raises(TypeError, match="a learning rate must be a number"):
        p.optimizer(optax.adam, lr="fast")
    with pytest.raises(ValueError, match=r"min_lr=.* is larger than max_lr"):
        lrs.constant(1e-3, min_lr=1.0, max_lr=0.1)
    with pytest.raises(ValueError, match=r"dlrs: window must be an integer >= 2"):
        jno.fn.adaptive.dlrs(1e-3, window=1)
    with pytest.raises(TypeError, match=r"use \.scale"):
        p.optimizer(optax.adam(1e-3), lr=1e-3)
    with pytest.raises(ValueError, match=r"needs an optimizer first"):
        jno.np.parameter((1,), name="q").scale(lrs(1e-3))
