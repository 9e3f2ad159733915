"""One loop runs training plans: the workbench's Run equals the exported script, pauses included."""

from __future__ import annotations

import copy
import threading
import time
from pathlib import Path
from typing import Any

import jax.numpy as jnp
import numpy as np
import optax
import pytest

import jno_lab as jno
from jno_lab.widgets.progress import ProgressBar
from jno_lab.workbench.document import load
from jno_lab.workbench.headless import train
from jno_lab.workbench.lowering import lower
from jno_lab.workbench.phases import Phase, document_plan, run_phases
from jno_lab.workbench.session import Session

REPO = Path(__file__).resolve().parents[2]


def tiny_poisson() -> dict[str, Any]:
    """The Poisson example in two short phases (Adam, then SGD) on few points."""
    doc = copy.deepcopy(load(REPO / "examples" / "poisson.jnolab"))
    doc["geometry"]["sampling"] = {"interior": 32, "boundary": 16}
    doc["training"]["phases"] = [
        {"optimizer": "adam", "learning_rate": 1e-3, "epochs": 40, "inner_steps": 10},
        {"optimizer": "sgd", "learning_rate": 1e-4, "epochs": 20, "inner_steps": 10},
    ]
    for node in doc["graph"]["nodes"]:
        if node["type"] == "mlp":
            node.setdefault("params", {}).update(hidden=8, depth=1)
    return doc


def exported_losses(doc: dict[str, Any]) -> np.ndarray:
    """The losses of the exported script, run plainly."""
    source = lower(doc).to_source().replace('stats.plot("history.png")', "")
    namespace: dict = {}
    exec(compile(source, "exported.py", "exec"), namespace)
    return namespace["stats"].losses


def test_a_session_run_paused_midway_gives_the_exported_scripts_losses():
    doc = tiny_poisson()
    built = lower(doc).execute()
    session = Session(progress_interval=0.0)
    events: list[dict] = []
    pause_once = threading.Event()

    def listener(event: dict) -> None:
        events.append(event)
        if event["event"] == "progress" and event["step"] == 20 and not pause_once.is_set():
            pause_once.set()
            session.pause()  # reached at the boundary after this chunk: step 20

    session.add_listener(listener)
    session.start(built.crux, document_plan(built))
    deadline = time.monotonic() + 120
    while session.status["state"] != "paused" and time.monotonic() < deadline:
        time.sleep(0.01)
    status = session.status
    assert status["state"] == "paused"
    assert status["step"] == 20
    assert session.control.paused
    time.sleep(0.2)
    assert session.status["step"] == 20
    session.resume()
    assert session.wait(120)
    assert session.status["state"] == "finished"
    assert session.status["step"] == 60
    names = [e["event"] for e in events]
    assert names.index("paused") < names.index("resumed") < names.index("finished")
    assert session.control.paused_seconds >= 0.2

    losses = session.statistics.losses
    # the script runs without callbacks, in fused chunks of another length: the same
    # steps, compiled differently, agree to float32 rounding
    np.testing.assert_allclose(losses, exported_losses(doc), rtol=1e-5, atol=0)
    # the command line's loop, with a callback as the Session has: the same to the bit
    again = lower(doc).execute()
    bar = ProgressBar(total=60, disable=True)
    np.testing.assert_array_equal(train(again, [bar]).losses, losses)


def test_built_train_and_run_phases_train_the_same_steps():
    doc = tiny_poisson()
    trained = lower(doc).execute()
    stats = trained.train()
    assert stats.epoch.size == 60
    built = lower(doc).execute()
    result = run_phases(built.crux, document_plan(built))
    assert (result.steps, result.phase, result.stopped, result.nonfinite) == (60, 1, False, None)
    np.testing.assert_array_equal(result.stats.losses, stats.losses)


def problem():
    p = jno.np.parameter((1,), init=0.0).optimizer(optax.sgd(0.1))
    crux = jno.core([(p - 3.0).mse], jno.domain.from_array({"interior": [[0.0]]}))
    return crux, p


def test_a_stopped_control_stops_the_whole_plan_and_says_where():
    crux, _ = problem()
    control = jno.RunControl()
    started: list[tuple[int, int]] = []

    class StopAt(jno.Callback):
        def on_epoch_end(self, solver, step, records):
            if step == 30:
                control.stop()

    phases = [Phase(20, inner_steps=10), Phase(40, inner_steps=10), Phase(10)]
    result = run_phases(
        crux,
        phases,
        callbacks=[StopAt()],
        control=control,
        on_phase=lambda index, steps: started.append((index, steps)),
    )
    assert started == [(0, 0), (1, 20)]
    assert (result.steps, result.phase, result.stopped) == (30, 1, True)
    assert crux.step_count == 30


def test_a_nonfinite_phase_ends_the_plan():
    crux, p = problem()
    configured: list[bool] = []
    phases = [
        Phase(10, inner_steps=10),
        Phase(2000, inner_steps=10, configure=lambda: p.optimizer(optax.sgd(1.1))),
        Phase(10, configure=lambda: configured.append(True)),
    ]
    with pytest.warns(jno.NonFiniteWarning):
        result = run_phases(crux, phases)
    assert (result.phase, result.nonfinite_phase) == (1, 1)
    assert result.nonfinite is not None
    assert result.nonfinite["step"] == crux.step_count == result.steps
    assert not configured


def test_a_script_like_plan_trains_on_after_a_nonfinite_phase():
    crux, p = problem()
    phases = [
        Phase(2000, inner_steps=10, configure=lambda: p.optimizer(optax.sgd(1.1))),
        Phase(10, inner_steps=10, configure=lambda: p.set_params(jnp.zeros(1))),  # start anew
    ]
    with pytest.warns(jno.NonFiniteWarning):
        result = run_phases(crux, phases, stop_on_nonfinite=False)
    assert (result.phase, result.nonfinite_phase, result.stopped) == (1, 0, False)
    assert result.steps == result.nonfinite["step"] + 10 == crux.step_count


def test_the_dashboard_stop_button_stops_every_phase_of_a_session():
    pytest.importorskip("anywidget")
    from jno_lab.widgets import Dashboard

    crux, _ = problem()
    dash = Dashboard(field_every=1e9)
    session = Session(progress_interval=0.0)
    clicked = threading.Event()

    def click_stop(event: dict) -> None:
        if event["event"] == "progress" and event["step"] >= 30 and not clicked.is_set():
            clicked.set()
            dash.stop()  # no controller: it acts on the run's own control

    session.add_listener(click_stop)
    session.start(crux, [Phase(100, inner_steps=10), Phase(100, inner_steps=10)], [dash])
    assert session.wait(60)
    assert dash.control is session.control
    assert session.status["state"] == "stopped"
    assert 30 <= session.status["step"] < 100
    assert dash.status["state"] == "stopped"
