"""Non-finite training ends cleanly: the bad step is not applied, training stops, it is recorded."""

import dataclasses
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import jno_lab as jno

from .conftest import assert_no_host_callbacks


@pytest.fixture(scope="module")
def point():
    return jno.domain.from_array({"interior": np.zeros((1, 1))})


def _diverging(point, rate: float = 1.6, momentum: float | None = 0.5) -> tuple:
    """`(p - 3)**2` under SGD at a rate that makes it grow until it overflows."""
    p = jno.np.parameter((1,), init=0.0, name="p")
    p.optimizer(optax.sgd(rate, momentum=momentum))
    return jno.core([(p - 3.0).mse], point, rng_seed=7), p


def _solve(crux, epochs: int, **kwargs):
    """`(statistics, warnings)` of one `solve()` call."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stats = crux.solve(epochs, **kwargs)
    return stats, [w for w in caught if issubclass(w.category, jno.NonFiniteWarning)]


def _leaves(tree) -> list[np.ndarray]:
    return [np.asarray(leaf) for leaf in jax.tree_util.tree_leaves(tree)]


def _assert_same_state(crux, reference) -> None:
    """Parameters, optimizer states, step counter and key are bit-equal."""
    a, b = crux._final_state, reference._final_state
    for name in ("params", "opt_states", "step", "prev_losses", "key"):
        for x, y in zip(_leaves(getattr(a, name)), _leaves(getattr(b, name)), strict=True):
            np.testing.assert_array_equal(x, y, err_msg=name)
    assert crux.step_count == reference.step_count


class Recorder(jno.Callback):
    """What a callback sees of a run: its chunks and how it ended."""

    def __init__(self):
        self.chunks: list[tuple[int, int, object, np.ndarray]] = []
        self.end = None

    def on_epoch_end(self, solver, step, records):
        flags = np.asarray(records["nonfinite"])
        self.chunks.append((step, len(flags), solver.nonfinite, flags))

    def on_training_end(self, solver, stats):
        self.end = (solver.nonfinite, stats.nonfinite)


@pytest.mark.parametrize("callbacks", [False, True], ids=["fused", "callbacks"])
def test_divergence_stops_at_the_last_finite_step(point, callbacks):
    crux, _ = _diverging(point)
    recorder = Recorder()
    extra = {"callbacks": [recorder], "inner_steps": 16} if callbacks else {}
    stats, caught = _solve(crux, 960, **extra)
    record = stats.nonfinite
    bad = record["step"]
    assert 64 < bad < 960 - 64  # not in the first fused chunk, and chunks were left
    assert record == stats.training_logs[-1]["nonfinite"]
    assert record["where"] == "loss"
    assert record["constraints"] == ["(p - 3).mse"]
    assert np.isfinite(stats.training_logs[-1]["losses"]).all()  # no row of the bad step
    # the history stops at the last finite step: no NaN or inf rows
    assert stats.epoch.tolist() == list(range(bad))
    assert np.isfinite(stats.losses).all()
    assert np.isfinite(stats.total_loss_history).all()
    assert crux.step_count == bad
    # the parameters and optimizer state are those of a run of exactly `bad` steps
    reference, _ = _diverging(point)
    ref_stats, ref_caught = _solve(reference, bad)
    assert not ref_caught
    assert ref_stats.nonfinite is None
    _assert_same_state(crux, reference)
    np.testing.assert_array_equal(stats.losses, ref_stats.losses)
    assert np.isfinite(crux.eval(jno.np.parameter((1,), init=0.0) * 0.0))
    # the warning names the step, the constraint and a fix
    assert len(caught) == 1
    message = str(caught[0].message)
    assert f"step {bad}" in message
    assert "(p - 3).mse" in message
    assert "learning rate" in message
    assert issubclass(jno.NonFiniteWarning, RuntimeWarning)
    if callbacks:
        # every chunk before the bad one was whole; the last one ends with the bad step
        *before, last = recorder.chunks
        assert all(flags.size == 16 and not flags.any() for _, _, _, flags in before)
        assert all(seen is None for _, _, seen, _ in before)
        step, rows, seen, flags = last
        assert step == bad
        assert seen == record
        assert flags[-1] == 1
        assert not flags[:-1].any()
        assert rows == bad - before[-1][0] + 1
        assert recorder.end == (record, record)


def test_a_nonfinite_update_is_not_applied(point):
    p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.adam(0.1))
    q = jno.np.parameter((1,), init=0.0, name="q").optimizer(optax.sgd(1e38))
    crux = jno.core([(p - 1.0).mse, (q - 3.0).mse], point)
    stats, caught = _solve(crux, 5)
    assert stats.nonfinite == {
        "step": 0,
        "where": "parameters",
        "constraints": [],
    }
    assert stats.epoch.size == 0
    assert crux.step_count == 0
    assert float(crux.eval(p)[0]) == 0.0
    assert float(crux.eval(q)[0]) == 0.0
    assert "step 0" in str(caught[0].message)


def test_the_record_names_only_the_nonfinite_constraints(point):
    p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(0.1))
    q = jno.np.parameter((1,), init=1.0, name="q").optimizer(optax.sgd(1.0))
    crux = jno.core([(p - 1.0).mse, (jno.np.sqrt(q) + 1.0).mse], point)
    stats, _ = _solve(crux, 10)  # q: 1 -> -1 after one step, where sqrt(q) is NaN
    assert stats.nonfinite["step"] == 1
    assert stats.nonfinite["where"] == "loss"
    assert stats.nonfinite["constraints"] == [crux.constraint_names[1]]
    assert stats.epoch.tolist() == [0]
    np.testing.assert_allclose(crux.eval(q), [-1.0])  # after step 0, before step 1
    np.testing.assert_allclose(crux.eval(p), [0.2])


def test_training_on_after_a_nonfinite_stop(point):
    p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(0.1))
    crux = jno.core([(p - 3.0).mse], point)
    _solve(crux, 5)
    p.optimizer(optax.sgd(3e38))  # a phase at a rate that overflows at once
    stats, caught = _solve(crux, 10)
    assert len(caught) == 1
    assert stats.nonfinite["step"] == 5
    assert stats.nonfinite["where"] == "parameters"
    assert crux.nonfinite == stats.nonfinite
    kept = float(crux.eval(p)[0])
    assert 0.0 < kept < 3.0
    p.optimizer(optax.sgd(0.1))  # the user's fix: a lower rate again
    stats, caught = _solve(crux, 20)
    assert not caught
    assert crux.nonfinite is None
    assert "nonfinite" not in stats.training_logs[-1]
    assert stats.nonfinite["step"] == 5  # the latest record of the whole history
    assert stats.epoch.tolist() == list(range(25))
    assert abs(float(crux.eval(p)[0]) - 3.0) < abs(kept - 3.0)


def _poisson_like(seed: int = 0):
    """A tiny PINN: an MLP on a handful of points under Adam."""
    dom = jno.domain.from_array({"interior": np.linspace(0.1, 0.9, 6).reshape(1, 6, 1)})
    (x,) = dom.variable("interior")
    net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=8, depth=2, key=jax.random.PRNGKey(seed)), name="u")
    net.optimizer(optax.adam(1e-2))
    return jno.core([(net(x).d(x) - jno.np.cos(x)).mse, (net(x) * 0.1).mse], dom), net


def _guard_off(crux) -> None:
    make = crux._config
    crux._config = lambda *a, **k: dataclasses.replace(make(*a, **k), check_finite=False)


@pytest.mark.parametrize("callbacks", [False, True], ids=["fused", "callbacks"])
def test_a_finite_run_is_bit_identical_without_the_guard(callbacks):
    extra = {"callbacks": [jno.Callback()], "inner_steps": 10} if callbacks else {}
    guarded, _ = _poisson_like()
    plain, _ = _poisson_like()
    _guard_off(plain)
    a, caught = _solve(guarded, 70, **extra)
    b, _ = _solve(plain, 70, **extra)
    assert not caught
    assert a.nonfinite is None
    np.testing.assert_array_equal(a.losses, b.losses)
    np.testing.assert_array_equal(a.total_loss_history, b.total_loss_history)
    for x, y in zip(_leaves(guarded._final_state), _leaves(plain._final_state), strict=True):
        np.testing.assert_array_equal(x, y)
    assert_no_host_callbacks(guarded)


def test_a_finite_run_matches_a_plain_optax_loop(point):
    p = jno.np.parameter((1,), init=0.5, name="p").optimizer(optax.adam(0.05))
    crux = jno.core([(p - 1.0).mse, (3.0 * p + 2.0).mse], point)
    stats, caught = _solve(crux, 30)
    assert not caught

    def losses(value):
        return jnp.stack([jnp.mean((value - 1.0) ** 2), jnp.mean((3.0 * value + 2.0) ** 2)])

    value = jnp.full((1,), 0.5, jnp.float32)
    opt = optax.adam(0.05)
    state = opt.init(value)
    expected = []
    for _ in range(30):
        expected.append(np.asarray(losses(value)))
        grads = jax.grad(lambda v: jnp.sum(losses(v)))(value)
        updates, state = opt.update(grads, state, value)
        value = optax.apply_updates(value, updates)
    np.testing.assert_allclose(stats.losses, np.stack(expected), rtol=1e-5)  # jit vs eager
    np.testing.assert_allclose(crux.eval(p), value, rtol=1e-5)


def test_optimizer_states_that_start_infinite_are_not_flagged(point):
    # its best value stays inf until `accumulation_size` losses were seen
    plateau = optax.contrib.reduce_on_plateau(patience=2, accumulation_size=5)
    transform = optax.chain(optax.sgd(0.1), plateau)
    assert not np.isfinite(transform.init(jnp.zeros(1))[1].best_value)
    p = jno.np.parameter((1,), init=0.0, name="p").optimizer(transform)
    crux = jno.core([(p - 1.0).mse], point)
    stats, caught = _solve(crux, 20)
    assert not caught
    assert stats.nonfinite is None
    assert stats.epoch.size == 20


def test_the_step_has_no_host_callbacks(point):
    crux, _ = _diverging(point)
    _solve(crux, 3)
    assert_no_host_callbacks(crux)  # the masked, fused step
    _solve(crux, 4, callbacks=[jno.Callback()], inner_steps=2)
    assert_no_host_callbacks(crux)  # the plain step of callback runs
