"""The live dashboard as a solver callback: exact data, throttling, controls, overlays."""

from __future__ import annotations

import threading
import time
from typing import Any

import jax
import numpy as np
import optax
import pytest
import shapely
from comm.base_comm import BaseComm

import jno_lab as jno
from jno_lab.widgets import Dashboard
from jno_lab.widgets.field import FieldView
from jno_lab.widgets.figures import layout_json, smooth
from jno_lab.widgets.history import History


class RecordingComm(BaseComm):
    """A comm that keeps what the widget publishes (the front end's side of the wire)."""

    def __init__(self, **kwargs: Any) -> None:
        self.published: list[tuple[str, dict, list[bytes]]] = []
        super().__init__(**kwargs)

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        self.published.append((msg_type, data or {}, [bytes(b) for b in buffers or []]))

    def custom(self) -> list[tuple[dict, list[bytes]]]:
        """The custom messages sent to the front end, with their buffers."""
        return [
            (data["content"], buffers)
            for kind, data, buffers in self.published
            if kind == "comm_msg" and data.get("method") == "custom"
        ]


def record(widget: Any) -> RecordingComm:
    """Give `widget` a recording comm (what a kernel comm would carry)."""
    recorder = RecordingComm(target_name="jupyter.widget", primary=True)
    widget.comm = recorder
    return recorder


def decode(content: dict, buffers: list[bytes]) -> dict[str, dict[str, np.ndarray]]:
    """An `append` message's columns as arrays."""
    return {
        name: {col: np.frombuffer(buffers[i], "<f8") for col, i in spec.items()}
        for name, spec in content["sources"].items()
    }


class Problem:
    """A Poisson problem on an L-shaped domain (a CSG difference), a gradient-norm tracker."""

    def __init__(self) -> None:
        shape = shapely.box(0, 0, 1, 1).difference(shapely.box(0.5, 0.5, 1, 1))
        self.dom = jno.domain(shape)
        x, y = self.dom.variable("interior", sample=64)
        xb, yb = self.dom.variable("boundary", sample=32)
        self.x, self.y = x, y
        self.net = jno.nn.wrap(
            jno.nn.mlp(2, 1, hidden=8, depth=1, key=jax.random.PRNGKey(0)), name="u"
        )
        self.net.optimizer(optax.adam(1e-2))
        u = self.net(x, y)[..., 0]
        self.u = u
        self.pde = -u.laplacian(x, y) - 1.0
        self.crux = jno.core(
            [
                self.pde.mse,
                self.net(xb, yb).mse,
                *jno.diagnostics.gradient_norms([self.pde.mse], self.net, interval=5),
            ]
        )


@pytest.fixture(scope="module")
def problem() -> Problem:
    return Problem()


def _layout_sources(item: dict) -> dict[str, dict[str, np.ndarray]]:
    """The column data of every named source of a bokeh JSON item."""
    out = {}
    for model in _models(item["doc"]):
        attributes = model.get("attributes", {})
        if model["name"] == "ColumnDataSource" and "name" in attributes and "data" in attributes:
            entries = attributes["data"]["entries"]
            out[attributes["name"]] = {
                k: np.asarray([_number(x) for x in v]) for k, v in entries if _numbers(v)
            }
    return out


def _numbers(values) -> bool:
    return isinstance(values, list) and all(
        isinstance(x, float | int) or (isinstance(x, dict) and x.get("type") == "number")
        for x in values
    )


def _number(value) -> float:
    """A JSON number, or bokeh's encoding of NaN and infinities."""
    return float(value["value"]) if isinstance(value, dict) else float(value)


def _front_end_state(recorder) -> dict[str, dict[str, np.ndarray]]:
    """What the front end holds after every message: layouts reset it, appends extend it
    (each must start exactly where its source ends)."""
    state: dict[str, dict[str, np.ndarray]] = {}
    for content, buffers in recorder.custom():
        if content["type"] == "layout":
            state = _layout_sources(content["item"])
            for name, length in content["lengths"].items():
                assert state[name]["step"].size == length
        elif content["type"] == "append":
            for name, columns in decode(content, buffers).items():
                if "index" in columns:  # a latest-value source (NTK spectrum)
                    state[name] = columns
                    continue
                have = state[name]["step"].size
                assert content["starts"][name] == have, "a gap or a repeat"
                for col, values in columns.items():
                    state[name][col] = np.concatenate([state[name][col], values])
    return state


def test_the_front_end_receives_exactly_what_the_statistics_hold(problem: Problem):
    dash = Dashboard(rate=1000.0, field_every=0.0)
    recorder = record(dash)
    stats = problem.crux.solve(60, inner_steps=10, callbacks=[dash])
    got = _front_end_state(recorder)
    n = stats.epoch.size
    assert n == 60
    np.testing.assert_array_equal(got["losses"]["step"], stats.epoch)
    np.testing.assert_array_equal(got["losses"]["total"], stats.total_loss_history)
    np.testing.assert_array_equal(got["losses"]["c0"], stats.losses[:, 0])
    np.testing.assert_array_equal(got["losses"]["c1"], stats.losses[:, 1])
    np.testing.assert_array_equal(got["weights"]["c1"], stats.weights[:, 1])
    np.testing.assert_array_equal(got["lrs"]["m0"], stats.learning_rates[:, 0])
    (name,) = stats.trackers
    np.testing.assert_array_equal(got["t0"]["step"], stats.tracker_epochs[name])
    np.testing.assert_array_equal(got["t0"]["value"], stats.trackers[name].reshape(-1))
    kinds = [c["type"] for c, _ in recorder.custom()]
    assert kinds[0] == "layout"
    assert "field" in kinds
    assert dash.status["state"] == "finished"
    assert dash.status["step"] == problem.crux._step


def test_updates_are_throttled_and_the_last_rows_always_arrive(problem: Problem):
    dash = Dashboard(rate=2.0, field_every=1e9)
    recorder = record(dash)
    start = time.perf_counter()
    stats = problem.crux.solve(400, inner_steps=10, callbacks=[dash])
    elapsed = time.perf_counter() - start
    appends = [c for c, _ in recorder.custom() if c["type"] == "append"]
    assert len(appends) <= 2.0 * elapsed + 2  # 200 chunks, a handful of messages
    assert len(appends) < 40
    got = _front_end_state(recorder)
    np.testing.assert_array_equal(got["losses"]["step"], stats.epoch[-400:])


def test_stop_from_the_front_end_ends_training_at_the_next_chunk(problem: Problem):
    dash = Dashboard(field_every=1e9)
    record(dash)
    before = problem.crux._step

    class ClickStop:
        def on_training_start(self, solver):
            self.chunks = 0

        def on_epoch_end(self, solver, step, records):
            self.chunks += 1
            if self.chunks == 3:  # the front end's Stop, through the widget's message handler
                content = {"type": "control", "action": "stop"}
                dash._handle_msg(
                    {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
                )

        def on_training_end(self, solver, stats):
            pass

    problem.crux.solve(1000, inner_steps=10, callbacks=[ClickStop(), dash])
    assert problem.crux._step - before == 30
    assert dash.status["state"] == "stopped"


def test_pause_holds_the_run_until_resume(problem: Problem):
    dash = Dashboard(field_every=1e9)
    record(dash)
    done = threading.Event()
    before = problem.crux._step

    def train():
        problem.crux.solve(3000, inner_steps=10, callbacks=[dash])
        done.set()

    thread = threading.Thread(target=train)
    thread.start()
    deadline = time.monotonic() + 60
    while (dash.history is None or not dash.history.steps_done) and time.monotonic() < deadline:
        time.sleep(0.01)
    dash.pause()
    while dash.status.get("state") != "paused" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert dash.status["state"] == "paused"
    assert problem.crux.live_params() is not None
    held = dash.history.steps_done
    time.sleep(0.5)
    assert dash.history.steps_done == held
    assert not done.is_set()
    dash.resume()
    thread.join(60)
    assert done.is_set()
    assert problem.crux._step - before == 3000
    assert dash.status["state"] == "finished"


def test_a_finished_run_and_an_overlay_are_drawn_from_their_statistics(problem: Problem):
    first = problem.crux.solve(20, inner_steps=10, callbacks=[Dashboard(field_every=1e9)])
    history = History.from_statistics(first)
    np.testing.assert_array_equal(history.sources["losses"].array("total"),
                                  first.total_loss_history)  # fmt: skip
    item = layout_json([("a", history), ("b", History.from_statistics(first))])
    sources = {
        ref["attributes"]["name"]: ref["attributes"]["data"]
        for ref in _models(item["doc"])
        if ref.get("name") == "ColumnDataSource"
    }
    assert {"losses", "losses@1", "weights", "t0", "t0@1"} <= set(sources)
    shown = Dashboard([first, first], names=["a", "b"])
    assert shown.status["state"] == "finished"


def _models(tree):
    """Every serialized bokeh model in a JSON document."""
    if isinstance(tree, dict):
        if tree.get("type") == "object" and "name" in tree:
            yield tree
        for value in tree.values():
            yield from _models(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _models(value)


def test_the_field_view_evaluates_expressions_on_the_shape():
    shape = shapely.box(0, 0, 2, 1).difference(shapely.box(1, 0.5, 2, 1))
    dom = jno.domain(shape)
    x, y = dom.variable("interior", sample=32)
    crux = jno.core([(jno.np.sin(x) * y - 0.0).mse])
    view = FieldView(crux, field=jno.np.sin(x) * y, residual=x + 0.0 * y, resolution=20)
    frames = view.evaluate(0)
    values = frames.values["solution"]
    assert values.shape == (1, 10, 20)
    gx, gy = view.grid.points[:, 0], view.grid.points[:, 1]
    inside = shapely.intersects_xy(shape, gx, gy)
    flat = values[0].reshape(-1)
    np.testing.assert_allclose(flat[inside], np.sin(gx[inside]) * gy[inside], rtol=1e-5,
                               atol=1e-6)  # fmt: skip
    assert np.isnan(flat[~inside]).all()
    assert len(view.grid.outline) == 1


def test_smoothing_is_a_log_space_moving_average():
    raw = np.array([1.0, 100.0, 100.0, -1.0, 1.0])
    out = smooth(raw, 0.5)
    np.testing.assert_allclose(out[:3], [1.0, 10.0, 10**1.5])
    assert out[3] == -1.0  # not a loss value: passed through
    np.testing.assert_array_equal(smooth(raw[:3], 0.0), raw[:3])


def test_bad_arguments_name_the_argument(problem: Problem):
    with pytest.raises(ValueError, match="rate must be a positive"):
        Dashboard(rate=0)
    with pytest.raises(ValueError, match=r"smoothing must lie in \[0, 1\)"):
        Dashboard(smoothing=1.0)
    dash = Dashboard(field="u")
    with pytest.raises(TypeError, match=r"Dashboard\(solution=...\) takes an expression"):
        problem.crux.solve(10, inner_steps=10, callbacks=[dash])


def test_outside_a_notebook_a_progress_bar_is_shown(problem: Problem, capsys):
    dash = Dashboard(field_every=1e9)
    problem.crux.solve(20, inner_steps=10, callbacks=[dash])
    assert dash._bar is not None
    assert dash._bar.bar.n == 20


def test_a_nonfinite_run_is_shown_as_such_without_its_bad_step():
    dom = jno.domain(constructor=jno.domain.line(mesh_size=0.25))
    (x,) = dom.variable("interior")
    net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=4, depth=1, key=jax.random.PRNGKey(0)), name="u")
    net.optimizer(optax.sgd(1.0))
    p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(1.1))
    # the parameter's loss grows by 1.44 per step until it overflows; the network's is fine
    crux = jno.core([(net(x) - x).mse * 0.0, (p - 3.0).mse], dom)
    dash = Dashboard(rate=1000.0, field_every=0.0)
    recorder = record(dash)
    with pytest.warns(jno.NonFiniteWarning):
        stats = crux.solve(400, inner_steps=20, callbacks=[dash])
    bad = stats.nonfinite["step"]
    assert 20 < bad < 400
    assert dash.status["state"] == "nonfinite"
    assert dash.status["message"] == f"non-finite at step {bad} ({crux.constraint_names[1]})"
    assert dash.status["step"] == bad
    assert dash.history.steps_done == bad
    got = _front_end_state(recorder)
    np.testing.assert_array_equal(got["losses"]["step"], np.arange(bad))
    np.testing.assert_array_equal(got["losses"]["c1"], stats.losses[:, 1])
    assert np.isfinite(got["losses"]["total"]).all()
    assert dash._bar is not None  # outside a notebook: the bar counts the applied steps
    assert dash._bar.bar.n == bad
    # a later finite run of the same dashboard clears the message
    p.optimizer(optax.sgd(0.0))
    net.optimizer(optax.sgd(0.0))
    crux2 = jno.core([(net(x) - x).mse], dom)
    crux2.solve(20, inner_steps=20, callbacks=[dash])
    assert dash.status["state"] == "finished"
    assert dash.status["message"] == ""


def test_attach_reports_every_later_solve(problem: Problem):
    dash = Dashboard.attach(problem.crux, field_every=1e9)
    try:
        problem.crux.solve(10, inner_steps=10)
        problem.crux.solve(10, inner_steps=10)
        assert dash.history.steps_done == problem.crux._step
        assert dash.status["phase"] == 2
    finally:
        dash.detach()
    problem.crux.solve(10, inner_steps=10)
    assert dash.history.steps_done == problem.crux._step - 10


def test_a_time_dependent_field_has_one_frame_per_drawn_time_step():
    dom = jno.domain(constructor=jno.domain.rect(mesh_size=0.25), time=(0, 1, 30))
    x, y, t = dom.variable("interior")
    crux = jno.core([(x * t - y).mse])
    view = FieldView(crux, field=x * t + 0.0 * y, resolution=8, max_times=5)
    frames = view.evaluate(0)
    assert len(frames.times) == 5
    np.testing.assert_allclose(frames.times, np.array([0, 7, 14, 22, 29]) / 29, atol=1e-9)
    values = frames.values["solution"]
    assert values.shape == (5, 8, 8)
    gx = view.grid.points[:, 0].reshape(8, 8)
    for k, time_value in enumerate(frames.times):
        np.testing.assert_allclose(values[k], gx * time_value, rtol=1e-5, atol=1e-6)
    assert "residual" in view.exprs  # the first constraint's residual, by default


def test_an_emulator_training_run_is_watched_with_its_validation_error():
    import equinox as eqx
    import jax.numpy as jnp

    import jno_lab.emulators as tx

    data = tx.sample_data.advection_1d_periodic(
        cfl=-0.75, num_points=12, num_samples=4, temporal_horizon=6, key=jax.random.PRNGKey(0)
    )
    val = tx.sample_data.advection_1d_periodic(
        cfl=-0.75, num_points=12, num_samples=2, temporal_horizon=6, key=jax.random.PRNGKey(1)
    )
    conv = eqx.nn.Conv1d(1, 1, 2, padding="SAME", padding_mode="CIRCULAR", use_bias=False,
                         key=jax.random.PRNGKey(3))  # fmt: skip
    trainer = tx.trainer.SupervisedTrainer(
        data, num_rollout_steps=2, optimizer=optax.adam(3e-2), num_training_steps=20,
        batch_size=4, callback_fn=tx.callback.ValidationRollout(5, val, name="val"),
    )  # fmt: skip
    dash = Dashboard()
    recorder = record(dash)
    losses = trainer(conv, key=jax.random.PRNGKey(0), callbacks=[dash])[1]
    got = _front_end_state(recorder)
    np.testing.assert_allclose(got["losses"]["total"], np.asarray(losses), rtol=1e-6)
    np.testing.assert_array_equal(got["losses"]["step"], np.arange(20))
    assert dash.history.tracker_names == ["val"]
    val_steps = got["t0"]["step"]
    assert val_steps.tolist() == [5.0, 10.0, 15.0]
    assert jnp.all(jnp.isfinite(got["t0"]["value"]))
    assert dash.status["state"] == "finished"
    assert dash.status["step"] == 20
