"""One run control: stop, pause and resume a `solve()` from any thread; attach; live evaluation."""

from __future__ import annotations

import pickle
import threading
import time
import warnings

import jax.numpy as jnp
import numpy as np
import optax
import pytest

import jno_lab as jno


def problem(lr: float = 0.1):
    dom = jno.domain.from_array({"interior": [[0.0], [1.0]]})
    (x,) = dom.variable("interior")
    p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(lr))
    return jno.core([(p - 3.0).mse], dom), p, x


def wait_until(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


class Steps(jno.Callback):
    """Remembers the step of every chunk."""

    def __init__(self) -> None:
        self.steps: list[int] = []

    def on_epoch_end(self, solver, step, records):
        self.steps.append(step)


def test_a_fresh_control_lets_every_boundary_pass():
    control = jno.RunControl()
    assert not control.stop_requested
    assert not control.pause_requested
    assert not control.paused
    assert control.paused_seconds == 0.0
    assert control.wait_at_boundary() is False


def test_stop_ends_the_run_at_the_next_boundary_of_inner_steps():
    crux, _, _ = problem()
    control = jno.RunControl()

    class StopAfterThree(jno.Callback):
        def on_epoch_end(self, solver, step, records):
            if step == 30:
                control.stop()  # e.g. a button on another thread

    stats = crux.solve(1000, inner_steps=10, callbacks=[StopAfterThree()], control=control)
    assert crux.step_count == 30
    assert stats.epoch.size == 30
    assert crux.control is control
    # a stop is final: the next run with this control ends at its first boundary
    crux.solve(1000, inner_steps=10, callbacks=[Steps()], control=control)
    assert crux.step_count == 40


def test_a_run_without_callbacks_is_stopped_between_fused_chunks():
    crux, _, _ = problem()
    control = jno.RunControl()
    control.stop()
    crux.solve(1000, control=control)
    assert 0 < crux.step_count < 1000


def test_pause_and_resume_from_another_thread_hold_the_step_and_exclude_the_time():
    crux, _, _ = problem()
    control = jno.RunControl()
    events: list[str] = []
    control.add_listener(events.append)
    seen = Steps()
    result: dict = {}

    def train():
        t0 = time.perf_counter()
        result["stats"] = crux.solve(200_000, inner_steps=100, callbacks=[seen], control=control)
        result["wall"] = time.perf_counter() - t0

    thread = threading.Thread(target=train)
    thread.start()
    assert wait_until(lambda: len(seen.steps) >= 2)
    control.pause()
    assert control.pause_requested
    assert wait_until(lambda: control.paused)
    held = crux.step_count
    assert held % 100 == 0
    time.sleep(0.4)
    assert crux.step_count == held
    assert seen.steps[-1] == held
    assert thread.is_alive()
    control.resume()
    thread.join(120)
    assert not thread.is_alive()
    assert crux.step_count == 200_000
    assert events == ["pausing", "paused", "resumed"]
    assert control.paused_seconds >= 0.4
    assert not control.paused
    assert not control.pause_requested
    stats = result["stats"]
    # the training time is the wall time of solve() less the time held
    assert stats.training_time + control.paused_seconds <= result["wall"] + 1e-3
    assert stats.training_time > 0


def test_stop_while_paused_ends_the_run_at_once():
    crux, _, _ = problem()
    control = jno.RunControl()
    seen = Steps()
    thread = threading.Thread(
        target=lambda: crux.solve(10_000_000, inner_steps=50, callbacks=[seen], control=control)
    )
    thread.start()
    assert wait_until(lambda: len(seen.steps) >= 1)
    control.pause()
    assert wait_until(lambda: control.paused)
    held = crux.step_count
    control.stop()
    thread.join(60)
    assert not thread.is_alive()
    assert crux.step_count == held
    assert control.stop_requested
    assert not control.paused


def test_a_pause_asked_before_the_run_and_resumed_by_a_listener():
    crux, _, _ = problem()
    control = jno.RunControl()
    events: list[str] = []
    control.add_listener(events.append)
    control.add_listener(lambda event: event == "paused" and control.resume())
    control.pause()
    control.pause()  # asked twice: one request
    crux.solve(40, inner_steps=10, callbacks=[Steps()], control=control)
    assert crux.step_count == 40
    assert events == ["pausing", "paused", "resumed"]


def test_a_raising_listener_warns_and_the_run_goes_on():
    crux, _, _ = problem()
    control = jno.RunControl()

    def broken(event):
        raise KeyError("listener bug")

    control.add_listener(broken)
    unsubscribe = control.add_listener(broken)
    unsubscribe()
    unsubscribe()  # twice is fine: the first subscription stays
    control.add_listener(lambda event: event == "paused" and control.resume())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        control.pause()
        crux.solve(20, inner_steps=10, callbacks=[Steps()], control=control)
    assert crux.step_count == 20
    assert [str(w.message).split(" raised on ")[1][:10] for w in caught] == [
        "'pausing' ",
        "'paused' (",
        "'resumed' ",
    ]
    assert all(w.category is RuntimeWarning for w in caught)
    with pytest.raises(TypeError, match="listener must be callable"):
        control.add_listener("not a function")  # type: ignore[arg-type]


def test_the_same_losses_with_and_without_a_pause():
    plain, _, _ = problem()
    paused, _, _ = problem()
    control = jno.RunControl()
    control.add_listener(lambda event: event == "paused" and control.resume())
    reference = plain.solve(60, inner_steps=10, callbacks=[Steps()])
    control.pause()
    held = paused.solve(60, inner_steps=10, callbacks=[Steps()], control=control)
    np.testing.assert_array_equal(reference.losses, held.losses)


def test_attached_callbacks_join_every_later_solve_until_detached():
    crux, _, _ = problem()
    seen = Steps()
    crux.attach(seen)
    crux.attach(seen)  # once is enough
    assert crux.attached_callbacks == [seen]
    crux.solve(20, inner_steps=10)
    crux.solve(10, inner_steps=10, callbacks=[Steps()])
    assert seen.steps == [10, 20, 30]
    crux.detach(seen)
    crux.solve(10, inner_steps=10)
    assert seen.steps == [10, 20, 30]
    assert crux.attached_callbacks == []
    with pytest.raises(ValueError, match="is not attached to this solver"):
        crux.detach(seen)
    with pytest.raises(TypeError, match=r"attach\(\) takes a jno.Callback, got function"):
        crux.attach(lambda *a: None)  # type: ignore[arg-type]


def test_a_pickled_solver_leaves_its_attached_callbacks_and_control_behind():
    cloudpickle = pytest.importorskip("cloudpickle")  # optax transforms are local functions
    crux, _, _ = problem()

    class HoldsALock(jno.Callback):
        lock = threading.Lock()  # cannot be pickled

    crux.attach(HoldsALock())
    crux.solve(10)
    copy = pickle.loads(cloudpickle.dumps(crux))
    assert copy.attached_callbacks == []
    assert copy.control is None
    assert copy.step_count == 10


def test_predict_and_eval_with_the_live_parameters_during_a_run():
    crux, p, x = problem(lr=0.1)
    expr = p * x
    points = np.array([[2.0]])
    seen: list[tuple[float, float, float, float]] = []

    class Watch(jno.Callback):
        def on_epoch_end(self, solver, step, records):
            live = solver.live_params()
            seen.append(
                (
                    float(np.ravel(live[0])[0]),
                    float(solver.predict(points, expr, params=live).ravel()[0]),
                    float(solver.predict(points, expr).ravel()[0]),
                    float(solver.eval(p, params=live)[0]),
                )
            )

    crux.solve(30, inner_steps=10, callbacks=[Watch()])
    assert len(seen) == 3
    for live_p, live_value, stored_value, live_eval in seen:
        assert live_value == pytest.approx(2.0 * live_p)
        assert live_eval == pytest.approx(live_p)
        assert stored_value == 0.0  # the solver's parameters change when solve() ends
    # p after k sgd steps on (p - 3)^2: 3 - 3 * 0.8^k
    np.testing.assert_allclose([s[0] for s in seen], 3 - 3 * 0.8 ** np.array([10, 20, 30]))
    assert crux.live_params() is None
    assert float(crux.predict(points, expr).ravel()[0]) == pytest.approx(2.0 * seen[-1][0])


def test_wrong_live_parameters_are_refused_with_the_count():
    crux, p, x = problem()
    with pytest.raises(ValueError, match=r"one entry per solver trainable \(1.*got 2"):
        crux.predict([[1.0]], p * x, params=(jnp.ones(1), jnp.ones(1)))
    with pytest.raises(TypeError, match="predict expects an expression, got str"):
        crux.predict([[1.0]], "p * x")  # type: ignore[arg-type]
