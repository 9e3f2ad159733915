"""Loss balancers: each checked against its published rule over 50 steps, in every mode."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import jno_lab as jno
from jno_lab._adaptive.rules import RULES

from .conftest import assert_no_host_callbacks

STEPS = 50
EPS = 1e-12


def _problem(make_weights):
    dom = jno.domain.from_array({"interior": np.linspace(-1.0, 1.0, 6)[:, None]})
    (x,) = dom.variable("interior")
    p = jno.np.parameter((2,), init=0.0, name="p").optimizer(optax.adam(5e-2))
    pde = (p[0] * x + p[1] - (3.0 * x - 1.0)).mse
    bc = (p[1] - 2.0).mse
    w0, w1 = make_weights([pde, bc])
    crux = jno.core([w0 * pde, w1 * bc, w0.tracker(name="w0"), w1.tracker(name="w1")], dom)
    return crux


# -- hand-written references of the published rules (numpy, float64) ----------------------
def _preprocess(mode, losses):
    out, lo, hi = [], np.full(losses.shape[1], np.inf), np.full(losses.shape[1], -np.inf)
    for row in losses:
        lo, hi = np.minimum(lo, row), np.maximum(hi, row)
        if mode == "minmax":
            span, floor = hi - lo, 1e-6 * np.maximum(abs(hi), abs(lo)) + EPS
            scaled = np.clip((row - lo) / np.maximum(span, floor), 0, 1)
            out.append(np.where(span > floor, scaled, 0.0))
        elif mode == "l2":
            out.append(row / max(np.sqrt(np.sum(row**2)), EPS))
        else:
            out.append(row)
    return np.array(out)


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def _relobralo(losses, alpha, tau, expected_rho, seed):
    m = losses.shape[1]
    weights, lam = [np.ones(m)], np.ones(m)
    for k, row in enumerate(losses[:-1]):
        first, prev = (row, row) if k == 0 else (losses[0], losses[k - 1])
        key = jax.random.fold_in(jax.random.PRNGKey(seed), k)
        rho = float(jax.random.bernoulli(key, expected_rho))
        bal_prev = m * _softmax(row / (tau * prev + EPS))
        bal_first = m * _softmax(row / (tau * first + EPS))
        lam = alpha * (rho * lam + (1 - rho) * bal_first) + (1 - alpha) * bal_prev
        weights.append(lam)
    return np.array(weights)


def _softadapt(losses, beta):
    weights = [np.ones(losses.shape[1])]
    for k, row in enumerate(losses[:-1]):
        prev = row if k == 0 else losses[k - 1]
        weights.append(_softmax(beta * (row - prev)))
    return np.array(weights)


def _dwa(losses, temperature):
    m = losses.shape[1]
    weights = [np.ones(m)]
    for k, row in enumerate(losses[:-1]):
        prev = row if k == 0 else losses[k - 1]
        weights.append(m * _softmax((row / (prev + EPS)) / temperature))
    return np.array(weights)


def _lbpinns(losses, init_s, lr_s):
    s = np.full(losses.shape[1], init_s, dtype=float)
    m, v = np.zeros_like(s), np.zeros_like(s)
    weights = [np.exp(-s)]
    for t, row in enumerate(losses[:-1], start=1):
        g = 1.0 - np.exp(-s) * row  # d/ds of exp(-s) L + s
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        s = s - lr_s * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        weights.append(np.exp(-s))
    return np.array(weights)


def _rlw(losses, alpha, seed):
    m = losses.shape[1]
    weights = [np.ones(m)]
    for k in range(len(losses) - 1):
        key = jax.random.fold_in(jax.random.PRNGKey(seed), k)
        weights.append(np.asarray(jax.random.dirichlet(key, np.full(m, alpha))))
    return np.array(weights)


CASES = {
    "relobralo": (
        lambda L, mode: jno.fn.adaptive.relobralo(
            L, alpha=0.9, tau=0.5, expected_rho=0.5, seed=3, mode=mode
        ),
        lambda losses: _relobralo(losses, 0.9, 0.5, 0.5, 3),
    ),
    "softadapt": (
        lambda L, mode: jno.fn.adaptive.softadapt(L, beta=5.0, mode=mode),
        lambda losses: _softadapt(losses, 5.0),
    ),
    "dwa": (
        lambda L, mode: jno.fn.adaptive.dwa(L, temperature=0.5, mode=mode),
        lambda losses: _dwa(losses, 0.5),
    ),
    "lbpinns": (
        lambda L, mode: jno.fn.adaptive.lbpinns_loss_balancing(L, init_s=0.3, lr_s=5e-2, mode=mode),
        lambda losses: _lbpinns(losses, 0.3, 5e-2),
    ),
    "rlw": (
        lambda L, mode: jno.fn.adaptive.rlw(L, alpha=0.7, seed=5, mode=mode),
        lambda losses: _rlw(losses, 0.7, 5),
    ),
}


@pytest.mark.parametrize("mode", ["raw", "minmax", "l2"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_balancer_matches_its_published_rule(name, mode):
    make, reference = CASES[name]
    crux = _problem(lambda L: make(L, mode))
    stats = crux.solve(STEPS)
    raw = stats.balancer_inputs[0]
    used = stats.balancer_weights[0]
    assert raw.shape == used.shape == (STEPS, 2)
    expected = reference(_preprocess(mode, raw.astype(np.float64)))
    np.testing.assert_allclose(used, expected, rtol=2e-5, atol=1e-7)
    # the weights really weight the losses, and .tracker() logs them
    np.testing.assert_allclose(stats.losses, used * raw, rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(stats.trackers["w0"], used[:, 0], rtol=1e-6)
    np.testing.assert_allclose(stats.trackers["w1"], used[:, 1], rtol=1e-6)
    assert np.ptp(used[1:, 0]) > 1e-4  # the weights moved
    if name == "relobralo" and mode == "raw":
        assert_no_host_callbacks(crux)


def test_balancer_state_carries_over_repeated_solves():
    crux = _problem(lambda L: jno.fn.adaptive.lbpinns_loss_balancing(L, lr_s=5e-2))
    first = crux.solve(20)
    stats = crux.solve(30)
    assert first is stats
    raw = stats.balancer_inputs[0]
    np.testing.assert_allclose(stats.balancer_weights[0], _lbpinns(raw, 0.0, 5e-2), rtol=2e-5)
    assert crux.compile_count == 1


def test_weights_evaluate_to_the_latest_values():
    crux = _problem(lambda L: jno.fn.adaptive.dwa(L))
    stats = crux.solve(5)
    w0 = crux.balancers[0].weights()[0]
    # after the last step, the weights are the ones the next step would use
    raw = stats.balancer_inputs[0]
    np.testing.assert_allclose(float(crux.eval(w0)), _dwa(np.vstack([raw, raw[-1]]), 2.0)[-1, 0])


def test_bad_balancer_arguments_are_clear_errors():
    p = jno.np.parameter((1,), init=0.0)
    loss = (p - 1.0).mse
    with pytest.raises(ValueError, match="mode='max' is not one of 'raw', 'minmax', 'l2'"):
        jno.fn.adaptive.dwa([loss, loss], mode="max")
    with pytest.raises(TypeError, match="expects a list of loss expressions"):
        jno.fn.adaptive.relobralo(loss)
    with pytest.raises(TypeError, match="loss 1 is a float"):
        jno.fn.adaptive.softadapt([loss, 1.0])
    with pytest.raises(ValueError, match="alpha must lie in"):
        jno.fn.adaptive.relobralo([loss, loss], alpha=1.5)
    with pytest.raises(ValueError, match="temperature must be positive"):
        jno.fn.adaptive.dwa([loss, loss], temperature=0.0)
    with pytest.raises(ValueError, match="init_s needs one value per loss"):
        jno.fn.adaptive.lbpinns_loss_balancing([loss, loss], init_s=[0.0, 0.0, 1.0])
    w0, _ = jno.fn.adaptive.rlw([loss, loss])
    with pytest.raises(TypeError, match="are not trained"):
        w0.children[0].optimizer(optax.adam(1e-3))


@pytest.mark.parametrize("rule", ["dwa", "relobralo"])
def test_a_loss_growing_from_normalised_zero_gives_finite_weights(rule):
    # min-max preprocessing makes a falling loss 0 and a rising one 1: the next ratio
    # divides by zero, which must saturate the softmax, not make it NaN
    losses = jnp.array([0.0, 1.0], jnp.float32)
    state = {"prev": jnp.zeros(2), "first": jnp.zeros(2), "weights": jnp.ones(2)}
    numbers = {"temperature": 1.5, "tau": 0.1, "alpha": 0.0, "expected_rho": 1.0}
    step = jax.jit(lambda s, L: RULES[rule](s, numbers, L, jnp.int32(2), jax.random.PRNGKey(0)))
    weights, _ = step(state, losses)
    np.testing.assert_allclose(weights, [0.0, 2.0], atol=1e-6)
