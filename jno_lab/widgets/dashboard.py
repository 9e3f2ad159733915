"""`Dashboard`: the live training dashboard, an anywidget that is also a solver callback.

Data flow: after every chunk of steps the solver hands the chunk's records to
`on_epoch_end`; they are appended to a `History` (host arrays) and, at most
`rate` times a second, the rows not yet sent go to the front end as one
message with binary buffers (`append`, keyed by each source's start row, so
the front end can tell a gap or a repeat and ask for a full `layout` again).
The full state (a bokeh document holding every point so far) is sent whenever
a view asks (`sync`: on render, a page reload or a second view). The field
view is evaluated every `field_every` seconds at a chunk boundary.

A run that went non-finite (`core.solve` stops at the last finite step) ends in
the state "nonfinite", its `message` naming the step and the constraints.

Stop and Pause/Resume act on the `jno.RunControl` of the run being watched
(`solver.control`; or on a `controller` such as the workbench's `Session`), so
they take effect at the next chunk boundary. A cell running `crux.solve(...)`
holds the kernel's main thread; the dashboard then serves its comm on a kernel
subshell (ipykernel 7), so the clicks arrive at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anywidget
import numpy as np
import traitlets

from .._solver.callbacks import Callback
from .._solver.run_control import RunControl
from .._solver.step import nonfinite_summary
from .concurrent_comm import serve_concurrently
from .field import FieldFrames, FieldView
from .figures import layout_json
from .history import History
from .progress import ProgressBar

__all__ = ["Dashboard"]

_STATIC = Path(__file__).with_name("static")
_ESM = _STATIC / "dashboard.js"
_MISSING_ESM = """
export default { render({ el }) {
  el.textContent = "The jNO Lab dashboard front end is not built: run `jlpm build` " +
    "in the jno_lab source tree (or install a released wheel).";
} };
"""


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class Dashboard(anywidget.AnyWidget, Callback):
    """Live losses, weights, learning rates, trackers, diagnostics and fields of a run.

    Use it as a callback (`crux.solve(5000, callbacks=[Dashboard()])`), attach it
    to a solver (`Dashboard.attach(crux)`: every later `solve()` reports to it),
    or show a finished run (`Dashboard(stats)`, `Dashboard([stats_a, stats_b])`
    to overlay two). Outside a notebook it shows a terminal progress bar.

    Args:
        stats: finished runs to show (a `statistics` object or a list of them);
            with a live run they are drawn dashed, for comparison.
        field: the expression drawn in the field view (default: the first
            network output of the constraints).
        residual: the residual drawn beside it (default: the first constraint's).
        epochs: steps of the whole run, for the progress bar and ETA (default:
            what `solve()` was asked for).
        rate: at most this many updates per second reach the front end.
        field_every: seconds between two refreshes of the field view.
        smoothing: initial smoothing of the loss curves (0: raw, < 1).
        names: run names in the legends, one per run (live run first).

    Example:
        >>> import optax, jno_lab as jno
        >>> from jno_lab.widgets import Dashboard
        >>> p = jno.np.parameter((1,), init=0.0).optimizer(optax.sgd(0.1))
        >>> crux = jno.core([(p - 1.0).mse], jno.domain.from_array({"interior": [[0.0]]}))
        >>> dash = Dashboard(field_every=1e9)  # outside a notebook: a terminal progress bar
        >>> stats = crux.solve(200, inner_steps=100, callbacks=[dash])
        >>> dash.status["state"], dash.status["step"], dash.control is crux.control
        ('finished', 200, True)
    """

    _esm = _ESM if _ESM.is_file() else _MISSING_ESM
    _css = Path(__file__).with_name("dashboard.css")

    status = traitlets.Dict().tag(sync=True)
    """Progress: step, total, rate, elapsed, eta, phase, state, message.

    `state`: "idle", "running", "pausing", "paused", "stopped", "finished" or
    "nonfinite" (the run stopped at a NaN or infinite step; `message` then says
    which, e.g. "non-finite at step 1234 (pde)")."""
    smoothing = traitlets.Float(0.9).tag(sync=True)
    field_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    field_times = traitlets.List(traitlets.Float()).tag(sync=True)
    bokeh_version = traitlets.Unicode().tag(sync=True)

    def __init__(
        self,
        stats: Any = None,
        *,
        field: Any = None,
        residual: Any = None,
        epochs: int | None = None,
        rate: float = 4.0,
        field_every: float = 2.0,
        smoothing: float = 0.9,
        names: Sequence[str] | None = None,
    ):
        import bokeh

        if rate <= 0:
            raise ValueError(f"rate must be a positive number of updates per second, got {rate}")
        if not 0 <= smoothing < 1:
            raise ValueError(f"smoothing must lie in [0, 1), got {smoothing}")
        super().__init__(smoothing=float(smoothing), bokeh_version=bokeh.__version__)
        finished = (
            [] if stats is None else list(stats) if isinstance(stats, list | tuple) else [stats]
        )
        self._finished = [History.from_statistics(s) for s in finished]
        self._names = list(names or [])
        self._field_expr, self._residual_expr = field, residual
        self._epochs = epochs
        self._interval = 1.0 / float(rate)
        self._field_every = float(field_every)
        self._lock = threading.RLock()
        self._live: History | None = None
        self._field: FieldView | None = None
        self._frames: FieldFrames | None = None
        self._sent: dict[str, int] = {}
        self._layout_sources: set[str] = set()
        self._layout_id = 0
        self._last_flush = float("-inf")
        self._last_field = float("-inf")
        self._started = 0.0
        self._first_step = 0
        self._chunk_origin = 0
        self._phase = 0
        self._control: RunControl = RunControl()  # the watched run's, from on_training_start on
        self._own_control = True  # a solver without a control (an emulator trainer)
        self._unsubscribe: Any = None
        self._paused_origin = 0.0
        self._bar: ProgressBar | None = None
        self.messages_sent = 0
        """How many data messages went to the front end (for benchmarks and tests)."""
        self.on_msg(self._on_custom)
        self.status = {"state": "idle" if not finished else "finished", "phase": 0}

    # -- construction helpers -------------------------------------------------------------
    @classmethod
    def attach(cls, solver: Any, **options: Any) -> Dashboard:
        """A dashboard that every later `solver.solve()` reports to (until `detach`)."""
        dash = cls(**options)
        solver.attach(dash)
        dash._attached_to = solver
        return dash

    _attached_to: Any = None

    def detach(self) -> None:
        """Stop receiving the attached solver's runs (a no-op when not attached)."""
        solver, self._attached_to = self._attached_to, None
        if solver is not None:
            solver.detach(self)

    # -- controls --------------------------------------------------------------------------
    controller: Any = None
    """What the Stop/Pause/Resume buttons drive instead of the watched run's control:
    anything with `stop()`, `pause()` and `resume()`, e.g. the workbench's training
    `Session` (which runs several phases and must stop all of them)."""

    @property
    def control(self) -> RunControl:
        """The run control the buttons act on: the watched run's (`solver.control`)."""
        return self._control

    def stop(self) -> None:
        """Stop the run at the next chunk boundary (the statistics keep what ran)."""
        if self.controller is not None:
            self.controller.stop()
            return
        self._control.stop()

    def pause(self) -> None:
        """Hold the run at the next chunk boundary until `resume()` (or `stop()`)."""
        if self.controller is not None:
            self.controller.pause()
            self._set_status(state="paused")
            return
        control = self._control
        if not (control.stop_requested or control.pause_requested):
            self._set_status(state="pausing")  # before the request: "paused" may follow at once
        control.pause()

    def resume(self) -> None:
        """Continue a paused run."""
        if self.controller is not None:
            self.controller.resume()
            self._set_status(state="running")
            return
        self._control.resume()

    @property
    def stop_requested(self) -> bool:
        """Whether Stop was pressed (or `stop()` called) since the run started."""
        return self._control.stop_requested

    def _on_control(self, event: str) -> None:
        """Show what the run control did, whoever asked for it."""
        if event == "paused":
            self._flush(self._live.steps_done if self._live is not None else 0)
            self._set_status(state="paused")
        elif event == "resumed":
            self._set_status(state="running")

    @property
    def history(self) -> History | None:
        """The live run's history (None before any run)."""
        return self._live

    def _on_custom(self, _widget: Any, content: Any, buffers: list[Any]) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "sync":
            self._send_layout()
        elif kind == "need-bokeh":
            self._send_bokeh()
        elif kind == "control":
            action = content.get("action")
            if action == "stop":
                self.stop()
            elif action == "pause":
                self.pause()
            elif action == "resume":
                self.resume()

    # -- callback hooks --------------------------------------------------------------------
    def on_training_start(self, solver: Any) -> None:
        """Start (or continue) the live history; serve the controls during the run."""
        self._watch(solver)
        with self._lock:
            self._phase += 1
            self._first_step = max(_solver_step(solver), self._live.steps_done if self._live else 0)
            self._chunk_origin = _solver_step(solver)
            if self._live is None:
                self._live = _history_for(solver)
                self._field = _field_view(solver, self._field_expr, self._residual_expr)
                self._sent = {}
            self._started = time.perf_counter()
            self._total = self._epochs or getattr(solver, "solve_epochs", None)
        if _in_kernel():
            if self.comm is not None and threading.current_thread() is threading.main_thread():
                serve_concurrently(self.comm)
        elif self._bar is None:
            self._bar = ProgressBar(total=self._total)
        if self._bar is not None:
            self._bar.on_training_start(solver)
        self._set_status(state="running", phase=self._phase, step=self._first_step, message="")
        self._send_layout()

    def on_epoch_end(self, solver: Any, step: int, records: dict[str, Any]) -> bool:
        """Record the chunk; send updates when due; act on Stop and Pause."""
        import jax

        if self._bar is not None:
            self._bar.on_epoch_end(solver, step, records)
        host = jax.device_get(records)
        with self._lock:
            live = self._live
            assert live is not None, "on_training_start was not called"
            count = int(step) - self._chunk_origin
            self._chunk_origin = int(step)
            # An emulator trainer counts from 0 in every call: continue the history.
            first = max(live.steps_done, int(step) - count)
            live.append_records(host, first, count)
            step = live.steps_done
        now = time.perf_counter()
        if now - self._last_field >= self._field_every and self._field is not None:
            self._refresh_field(solver, int(step))
        if now - self._last_flush >= self._interval:
            self._flush(int(step))
        if self._own_control and self._control.wait_at_boundary():
            solver.stop_training = True  # what a solver without a control honours
            return True
        return False

    def on_training_end(self, solver: Any, stats: Any) -> None:
        """Send what is left and the final field; show the final state."""
        step = self._live.steps_done if self._live is not None else _solver_step(solver)
        if self._field is not None:
            self._refresh_field(solver, step, final=True)
        self._flush(step)
        nonfinite = getattr(solver, "nonfinite", None)
        if nonfinite is not None:
            self._set_status(
                state="nonfinite", step=step, eta=None, message=nonfinite_summary(nonfinite)
            )
        elif self._control.stop_requested or getattr(solver, "stop_training", False):
            self._set_status(state="stopped", step=step, eta=None)
        else:
            self._set_status(state="finished", step=step, eta=0.0)
        if self._bar is not None:
            self._bar.on_training_end(solver, stats)

    def _watch(self, solver: Any) -> None:
        """Take the run control of the run that starts (or a new one of our own).

        The phases of a plan share one control: the dashboard stays subscribed
        to it between them, so a pause there shows too.
        """
        found = getattr(solver, "control", None)
        self._own_control = not isinstance(found, RunControl)
        control = found if isinstance(found, RunControl) else RunControl()
        if control is not self._control or self._unsubscribe is None:
            if self._unsubscribe is not None:
                self._unsubscribe()
            self._control = control
            self._unsubscribe = control.add_listener(self._on_control)
        self._paused_origin = control.paused_seconds

    # -- sending ---------------------------------------------------------------------------
    def _runs(self) -> list[tuple[str, History]]:
        histories = ([self._live] if self._live is not None else []) + self._finished
        names = self._names + [f"run {i + 1}" for i in range(len(self._names), len(histories))]
        return list(zip(names, histories, strict=False))

    def _send_layout(self) -> None:
        if self.comm is None:
            return
        with self._lock:
            runs = self._runs()
            if not runs:
                return
            item = layout_json(runs, self._field, self._frames, smoothing=self.smoothing)
            lengths = runs[0][1].lengths()
            self._sent = dict(lengths)
            self._layout_sources = set(runs[0][1].sources)
            self._layout_id += 1
        self.send({"type": "layout", "layout": self._layout_id, "item": item, "lengths": lengths})
        if self._frames is not None:
            self._send_field(self._frames)

    def _flush(self, step: int) -> None:
        self._last_flush = time.perf_counter()
        with self._lock:
            if self._live is None:
                return
            rows = self._live.since(self._sent)
            starts = {name: self._sent.get(name, 0) for name in rows}
            self._sent = self._live.lengths()
            new_plots = bool(set(rows) - self._layout_sources)
        self._update_progress(step)
        if new_plots:  # e.g. a tracker's first value: its plot is not drawn yet
            self._send_layout()
            return
        if not rows or self.comm is None:
            return
        buffers: list[bytes] = []
        sources: dict[str, dict[str, int]] = {}
        for name, columns in rows.items():
            sources[name] = {}
            for column, values in columns.items():
                sources[name][column] = len(buffers)
                buffers.append(np.ascontiguousarray(values, dtype="<f8").tobytes())
        message = {
            "type": "append",
            "layout": self._layout_id,
            "starts": starts,
            "sources": sources,
        }
        self.send(message, buffers)
        self.messages_sent += 1

    def _refresh_field(self, solver: Any, step: int, final: bool = False) -> None:
        self._last_field = time.perf_counter()
        view = self._field
        assert view is not None
        params: tuple | None = None
        if not final and callable(getattr(solver, "live_params", None)):  # an emulator has none
            params = solver.live_params()
        frames = view.evaluate(step, params)
        with self._lock:
            self._frames = frames
        self.field_names = list(frames.values)
        self.field_times = frames.times
        self._send_field(frames)

    def _send_field(self, frames: FieldFrames) -> None:
        if self.comm is None or not frames.values:
            return
        names = list(frames.values)
        buffers = [np.ascontiguousarray(frames.values[n], dtype="<f4").tobytes() for n in names]
        shapes = [list(frames.values[n].shape) for n in names]
        self.send(
            {
                "type": "field",
                "layout": self._layout_id,
                "step": frames.step,
                "names": names,
                "shapes": shapes,
                "times": frames.times,
            },
            buffers,
        )

    def _send_bokeh(self) -> None:
        from bokeh.resources import INLINE

        script = "\n".join(INLINE.js_raw).encode("utf-8")
        self.send({"type": "bokeh-js", "version": self.bokeh_version}, [script])

    # -- progress --------------------------------------------------------------------------
    def _update_progress(self, step: int) -> None:
        paused = self._control.paused_seconds - self._paused_origin
        elapsed = max(0.0, time.perf_counter() - self._started - paused)
        done = step - self._first_step
        rate = done / elapsed if elapsed > 0 and done > 0 else 0.0
        total = getattr(self, "_total", None)
        eta = None
        if total and rate > 0:
            eta = max(0.0, (self._first_step + total - step) / rate)
        self._set_status(
            step=step,
            rate=rate,
            elapsed=elapsed,
            eta=eta,
            total=(self._first_step + total) if total else None,
        )

    def _set_status(self, **fields: Any) -> None:
        self.status = {**self.status, **fields}


def _solver_step(solver: Any) -> int:
    """Steps the solver (a `jno.core`, or an emulator trainer) has done."""
    return int(getattr(solver, "step_count", getattr(solver, "step", 0)) or 0)


def _history_for(solver: Any) -> History:
    """An empty history laid out for `solver`: a `jno.core` or an emulator trainer."""
    lr_names = list(getattr(solver, "learning_rate_names", []) or [])
    if not lr_names:
        trainables = getattr(solver, "trainables", [])
        lr_names = [t.describe() for t in trainables if not getattr(t, "frozen", False)]
    trackers = list(getattr(solver, "trackers", []) or [])
    intervals = [int(t.interval) for t in trackers]
    names = list(getattr(solver, "tracker_names", []) or [])
    weighted = hasattr(solver, "constraints")  # a jno.core; an emulator trainer is not
    names_of_losses = getattr(solver, "constraint_names", ["loss"])
    return History(names_of_losses, lr_names, names, intervals, weighted=weighted)


def _field_view(solver: Any, field: Any, residual: Any) -> FieldView | None:
    try:
        return FieldView(solver, field, residual)
    except TypeError:  # a `field=` or `residual=` that is not an expression
        raise
    except Exception:  # a domain the field view cannot draw (e.g. a batched grid)
        return None
