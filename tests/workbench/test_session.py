"""Run control of the workbench: training on a background thread with stop / pause / resume."""

from __future__ import annotations

import itertools
import threading
import time
import warnings

import numpy as np
import optax
import pytest

import jno_lab as jno
from jno_lab.workbench.session import Phase, Session

LONG = 2_000_000  # steps that take seconds: runs that are stopped before they end


def problem(lr: float = 0.1):
    dom = jno.domain(constructor=jno.domain.line(mesh_size=0.25))
    (_x,) = dom.variable("interior")
    p = jno.np.parameter((1,), init=0.0).optimizer(optax.sgd(lr))
    return jno.core([(p - 3.0).mse], dom), p


def wait_until(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


@pytest.fixture
def session():
    s = Session(progress_interval=0.01)
    yield s
    s.stop(wait=30)


def first_progress(s: Session, count: int = 1) -> threading.Event:
    seen = threading.Event()
    progress = []

    def listener(event):
        if event["event"] == "progress":
            progress.append(event)
            if len(progress) >= count:
                seen.set()

    s.add_listener(listener)
    seen.events = progress  # type: ignore[attr-defined]
    return seen


def test_idle_session():
    s = Session()
    status = s.status
    assert status["state"] == "idle"
    assert status["step"] == 0
    assert status["eta_s"] is None
    assert status["error"] is None
    assert s.statistics is None
    s.stop()  # no-op
    s.pause()
    s.resume()
    assert s.status["state"] == "idle"
    assert s.wait(0.1)


def test_two_phases_run_to_the_end_and_configure_runs_before_its_phase(session):
    crux, p = problem(lr=0.0)  # phase 0 cannot move the parameter
    calls = []

    def switch_optimizer():
        calls.append((threading.current_thread() is threading.main_thread(), session.status))
        p.optimizer(optax.sgd(0.1))

    phases = [
        Phase(300, inner_steps=100, name="frozen"),
        Phase(400, inner_steps=50, configure=switch_optimizer, name="sgd"),
    ]
    session.start(crux, phases)
    assert session.wait(60)

    status = session.status
    assert status["state"] == "finished"
    assert status["step"] == status["total_steps"] == 700
    assert status["phase"] == 1
    assert status["phases"] == 2
    assert status["eta_s"] == 0.0
    assert status["elapsed_s"] > 0
    assert status["total_loss"] == pytest.approx(0.0, abs=1e-6)
    assert len(status["losses"]) == 1

    # configure ran once, on the training thread, after phase 0 and before phase 1
    assert len(calls) == 1
    on_main, seen = calls[0]
    assert not on_main
    assert seen["phase"] == 1
    assert seen["step"] == 300

    history = session.statistics.total_loss_history
    assert history.shape == (700,)
    np.testing.assert_allclose(history[:301], 9.0)  # lr 0: flat (step 300 is before its update)
    assert history[310] < history[301] < 9.0  # the new optimizer trains from step 300 on
    assert float(crux.eval(p)[0]) == pytest.approx(3.0, abs=1e-3)


def test_stop_mid_run_ends_at_a_chunk_boundary(session):
    crux, _ = problem()
    seen = first_progress(session, count=2)
    session.start(crux, [Phase(LONG, inner_steps=100)])
    assert seen.wait(30)
    session.stop(wait=30)

    status = session.status
    assert status["state"] == "stopped"
    assert 0 < status["step"] < LONG
    assert status["step"] % 100 == 0
    assert status["eta_s"] is None
    assert session.statistics.epoch.size == status["step"]
    assert status["total_loss"] == pytest.approx(session.statistics.total_loss)
    # by the second progress event a step time was measured
    eta = seen.events[-1]["eta_s"]  # type: ignore[attr-defined]
    assert eta is not None
    assert eta > 0


def test_pause_holds_the_step_and_resume_finishes(session):
    crux, _ = problem()
    events = []
    session.add_listener(lambda e: events.append(e["event"]))
    seen = first_progress(session)
    total = 400_000
    t0 = time.monotonic()
    session.start(crux, [Phase(total, inner_steps=100)])
    assert seen.wait(30)
    session.pause()
    assert wait_until(lambda: session.status["state"] == "paused")

    before = session.status
    time.sleep(0.3)
    after = session.status
    assert after["state"] == "paused"
    assert after["step"] == before["step"] < total
    assert after["step"] % 100 == 0
    assert after["elapsed_s"] == pytest.approx(before["elapsed_s"], abs=0.05)
    assert after["total_loss"] is not None

    session.resume()
    assert session.wait(60)
    wall = time.monotonic() - t0
    status = session.status
    assert status["state"] == "finished"
    assert status["step"] == total
    assert events.index("paused") < events.index("resumed") < events.index("finished")
    # time spent paused counts neither as elapsed nor as training time
    assert status["elapsed_s"] < wall - 0.25
    assert session.statistics.training_time < wall - 0.25


def test_stop_while_paused(session):
    crux, _ = problem()
    seen = first_progress(session)
    session.start(crux, [Phase(LONG, inner_steps=100)])
    assert seen.wait(30)
    session.pause()
    assert wait_until(lambda: session.status["state"] == "paused")
    step = session.status["step"]
    session.stop(wait=30)
    assert session.status["state"] == "stopped"
    assert session.status["step"] == step


def test_second_start_while_active_raises(session):
    crux, _ = problem()
    session.start(crux, [Phase(LONG, inner_steps=100)])
    with pytest.raises(RuntimeError, match=r"already active.*call stop\(\) first"):
        session.start(crux, [Phase(100)])
    session.stop(wait=30)
    assert session.status["state"] == "stopped"
    session.start(crux, [Phase(100)])  # a finished run can be followed by another
    assert session.wait(60)
    assert session.status["state"] == "finished"
    assert session.status["step"] == 100


def test_exception_in_configure_fails_the_run_and_a_new_start_works(session):
    crux, _ = problem()
    events = []
    session.add_listener(lambda e: events.append(e))

    def broken():
        raise ValueError("no optimizer for you")

    session.start(crux, [Phase(100), Phase(100, configure=broken)])
    assert session.wait(60)
    status = session.status
    assert status["state"] == "failed"
    assert status["phase"] == 1
    assert status["step"] == 100
    assert status["error"]["type"] == "ValueError"
    assert status["error"]["message"] == "no optimizer for you"
    assert "Traceback" in status["error"]["traceback"]
    assert "broken" in status["error"]["traceback"]
    assert events[-1]["event"] == "failed"
    assert events[-1]["error"]["message"] == "no optimizer for you"

    session.start(crux, [Phase(200)])
    assert session.wait(60)
    assert session.status["state"] == "finished"
    assert session.status["error"] is None


def test_exception_in_solve_fails_the_run(session):
    crux, _ = problem()
    session.start(crux, [Phase(100, batchsize=5)])  # the problem has one instance
    assert session.wait(60)
    status = session.status
    assert status["state"] == "failed"
    assert "batchsize" in status["error"]["message"]


def test_a_nonfinite_phase_fails_the_run_and_stops_the_plan(session):
    crux, p = problem()
    events = []
    session.add_listener(events.append)
    configured = []

    def too_fast():
        p.optimizer(optax.sgd(1.1))  # |p - 3| grows by 1.2 per step until the loss overflows

    phases = [
        Phase(20, inner_steps=10, name="warm-up"),
        Phase(1000, inner_steps=20, configure=too_fast, name="diverge"),
        Phase(100, configure=lambda: configured.append(True)),
    ]
    with warnings.catch_warnings(record=True) as caught:  # solve() warns on the thread
        warnings.simplefilter("always")
        session.start(crux, phases)
        assert session.wait(60)
    assert any(issubclass(w.category, jno.NonFiniteWarning) for w in caught)
    status = session.status
    record = crux.stats.nonfinite
    assert record is not None
    bad = record["step"]
    assert 20 < bad < 1020
    assert status["state"] == "failed"
    assert status["phase"] == 1
    assert status["step"] == bad  # the steps applied: the last finite one is bad - 1
    assert status["nonfinite"] == record
    assert status["error"]["type"] == "NonFinite"
    message = status["error"]["message"]
    assert f"step {bad}" in message
    assert crux.constraint_names[0] in message
    assert "'diverge'" in message
    assert np.isfinite(status["losses"]).all()
    assert not configured  # the plan stopped
    assert [e["event"] for e in events][-1] == "failed"
    assert events[-1]["nonfinite"] == record
    assert np.isfinite(crux.stats.losses).all()
    assert crux.step_count == bad

    fresh, _ = problem()
    session.start(fresh, [Phase(10, inner_steps=10)])  # a new run starts clean
    assert session.wait(60)
    assert session.status["state"] == "finished"
    assert session.status["nonfinite"] is None
    assert session.status["error"] is None


def test_listeners_get_events_in_order_and_a_raising_listener_is_harmless():
    s = Session()  # default throttle: 0.2 s
    crux, _ = problem()
    events = []

    def broken(event):
        raise KeyError("listener bug")

    s.add_listener(broken)
    s.add_listener(events.append)

    def run_to_the_end() -> bool:
        s.start(crux, [Phase(400_000, inner_steps=100)])
        return s.wait(60)

    with pytest.warns(RuntimeWarning, match="workbench listener .* raised on"):
        assert run_to_the_end()
    assert s.status["state"] == "finished"

    names = [e["event"] for e in events]
    assert names[0] == "started"
    assert names[1] == "phase"
    assert names[-1] == "finished"
    assert "progress" in names
    assert set(names) == {"started", "phase", "progress", "finished"}
    progress = [e for e in events if e["event"] == "progress"]
    steps = [e["step"] for e in progress]
    assert steps == sorted(steps)
    assert all(step % 100 == 0 for step in steps)
    times = [e["elapsed_s"] for e in progress]
    assert all(b - a >= 0.19 for a, b in itertools.pairwise(times))
    assert events[-1]["step"] == 400_000
    assert events[-1]["losses"] == s.status["losses"]


def test_unsubscribed_listener_gets_nothing(session):
    crux, _ = problem()
    events = []
    unsubscribe = session.add_listener(events.append)
    unsubscribe()
    unsubscribe()  # twice is fine
    session.start(crux, [Phase(100)])
    assert session.wait(60)
    assert events == []


def test_main_thread_stays_responsive_while_training(session):
    crux, _ = problem()
    seen = first_progress(session)
    session.start(crux, [Phase(LONG, inner_steps=100)])
    assert seen.wait(30)
    step = session.status["step"]
    slowest = 0.0
    for _ in range(10):
        t = time.monotonic()
        assert sum(range(10_000)) == 49_995_000
        time.sleep(0.05)
        slowest = max(slowest, time.monotonic() - t)
    # a blocked kernel would wait for the whole run (LONG steps: minutes); a loaded
    # 2-core machine may still delay one 50 ms sleep by a second or so
    assert slowest < 3.0
    status = session.status
    assert status["state"] == "running"
    assert status["step"] > step  # training went on meanwhile
    session.stop(wait=30)
    assert session.status["state"] == "stopped"


@pytest.mark.parametrize(
    ("phases", "match"),
    [
        ([], "plan is empty"),
        ([Phase(0)], "phase 0: epochs must be a positive integer"),
        ([Phase(100, inner_steps=50), Phase(100, inner_steps=30)], "phase 1: inner_steps=30"),
        ([Phase(100, inner_steps=0, name="warm")], r"phase 0 \('warm'\): inner_steps=0"),
        ([Phase(100, batchsize=0)], "batchsize"),
    ],
)
def test_invalid_plans_are_refused(phases, match):
    s = Session()
    crux, _ = problem()
    with pytest.raises(ValueError, match=match):
        s.start(crux, phases)
    assert s.status["state"] == "idle"


def test_plan_entries_must_be_phases():
    crux, _ = problem()
    with pytest.raises(TypeError, match="not a Phase"):
        Session().start(crux, [{"epochs": 100}])


def test_progress_interval_must_not_be_negative():
    with pytest.raises(ValueError, match="progress_interval"):
        Session(progress_interval=-1)
