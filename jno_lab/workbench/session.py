"""Training on a background thread with stop / pause / resume.

A `Session` runs a training plan (a list of `Phase`s, each one `core.solve()`
call, through `run_phases`) on a daemon thread, so a Jupyter kernel stays
responsive while a model trains. Stop and pause go to the run's
`jno.RunControl`, which the training loop honours at chunk boundaries: every
`inner_steps` steps. Listeners get events (`started`, `phase`, `progress`,
`paused`, `resumed`, `finished`, `stopped`, `failed`) with a snapshot of
`Session.status`.

A phase that goes non-finite (NaN or inf losses or parameters; `core.solve`
stops at the last finite step) ends the plan: the run fails with the error type
"NonFinite" and `status["nonfinite"]` holds the solver's record.
"""

from __future__ import annotations

import threading
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import jax

from .._solver.callbacks import Callback
from .._solver.run_control import RunControl
from .._solver.step import nonfinite_message
from .phases import Phase, check_plan, run_phases

__all__ = ["Phase", "Session"]

Listener = Callable[[dict[str, Any]], None]

_ACTIVE = ("running", "paused", "stopping")
"""States in which a run owns the solver: `start()` is refused."""


class Session:
    """Train a `jno.core` on a background thread; stop, pause and resume it.

    Requests (`stop`, `pause`, `resume`) may come from any thread and take
    effect at the next chunk boundary (every `Phase.inner_steps` steps). They
    act on `control`, the run's `jno.RunControl`, which a dashboard's buttons
    may drive too. Time spent paused counts neither in `status["elapsed_s"]`
    nor in the solver's `statistics.training_time`. Listeners are called on
    the training thread.

    Args:
        progress_interval: least number of seconds between two `progress`
            events; losses are read from the device only when one is due.

    Example:
        >>> import optax, jno_lab as jno
        >>> from jno_lab.workbench.session import Phase, Session
        >>> dom = jno.domain(constructor=jno.domain.line(mesh_size=0.25))
        >>> (x,) = dom.variable("interior")
        >>> p = jno.np.parameter((1,), init=0.0).optimizer(optax.sgd(0.1))
        >>> crux = jno.core([(p - 3.0).mse], dom)
        >>> session = Session()
        >>> session.start(crux, [Phase(200, inner_steps=50)])  # returns at once
        >>> session.wait(60)
        True
        >>> session.status["state"], session.status["step"]
        ('finished', 200)
    """

    def __init__(self, progress_interval: float = 0.2):
        if not progress_interval >= 0:
            raise ValueError(f"progress_interval must be >= 0 seconds, got {progress_interval!r}")
        self.progress_interval = float(progress_interval)
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._thread: threading.Thread | None = None
        self._crux: Any = None
        self._callbacks: list[Callback] = []
        self._plan: list[Phase] = []
        self._control = RunControl()
        self._reset(0, 0)
        self._state = "idle"

    # -- state (callers hold the lock) ---------------------------------------------------
    def _reset(self, n_phases: int, total_steps: int) -> None:
        self._state = "running"
        self._phase = 0
        self._n_phases = n_phases
        self._base = 0  # steps done before the current phase
        self._step = 0
        self._total_steps = total_steps
        self._losses: list[float] = []
        self._total_loss: float | None = None
        self._error: dict[str, str] | None = None
        self._nonfinite: dict[str, Any] | None = None
        self._t_start: float | None = None
        self._t_end: float | None = None
        self._sec_per_step: float | None = None
        self._rate_origin: tuple[float, int] | None = None  # (elapsed, step) in this phase
        self._last_emit = float("-inf")

    def _elapsed(self, now: float) -> float:
        """Seconds of training so far, pauses excluded."""
        if self._t_start is None:
            return 0.0
        end = self._t_end if self._t_end is not None else now
        return max(0.0, end - self._t_start - self._control.paused_seconds)

    def _snapshot(self) -> dict[str, Any]:
        if self._state == "finished":
            eta: float | None = 0.0
        elif self._state in _ACTIVE and self._sec_per_step is not None:
            eta = self._sec_per_step * max(0, self._total_steps - self._step)
        else:
            eta = None
        return {
            "state": self._state,
            "phase": self._phase,
            "phases": self._n_phases,
            "step": self._step,
            "total_steps": self._total_steps,
            "elapsed_s": self._elapsed(time.monotonic()),
            "eta_s": eta,
            "losses": list(self._losses),
            "total_loss": self._total_loss,
            "error": dict(self._error) if self._error is not None else None,
            "nonfinite": dict(self._nonfinite) if self._nonfinite is not None else None,
        }

    # -- public API ----------------------------------------------------------------------
    @property
    def status(self) -> dict[str, Any]:
        """A snapshot of the run.

        Keys: `state` ("idle", "running", "paused", "stopping", "finished",
        "stopped" or "failed"), `phase` (index of the current or last phase),
        `phases`, `step` (steps done in this run), `total_steps` (sum of the
        phases' epochs), `elapsed_s` (pauses excluded), `eta_s` (None until a
        step time could be measured), `losses` (last per-constraint losses),
        `total_loss`, `error` (None, or a dict with `type`, `message` and
        `traceback` when the run failed) and `nonfinite` (None, or the record of
        the step that went non-finite, `statistics.nonfinite`: `step`,
        `constraints`, `where`; the run then failed with error type
        "NonFinite").
        """
        with self._lock:
            return self._snapshot()

    @property
    def statistics(self) -> Any:
        """The training history (`crux.stats`) of the last run's solver; None before a run."""
        crux = self._crux
        return None if crux is None else crux.stats

    @property
    def control(self) -> RunControl:
        """The run control of the current (or last) run; each `start()` makes a new one."""
        return self._control

    def start(self, crux: Any, phases: Sequence[Phase], callbacks: Sequence[Callback] = ()) -> None:
        """Start training `crux` through `phases` on a daemon thread; returns at once.

        Args:
            crux: the `jno.core` solver to train.
            phases: the training plan, run in order.
            callbacks: more solver callbacks for every phase (e.g. a live dashboard).

        Raises:
            ValueError: the plan is empty, or a phase has `epochs < 1` or an
                `inner_steps` that does not divide its `epochs`.
            TypeError: a plan entry is not a `Phase`, or `crux` has no `solve`.
            RuntimeError: a run is already active (running, paused or stopping).
        """
        plan = check_plan(phases)
        if not callable(getattr(crux, "solve", None)):
            raise TypeError(f"start() needs a jno.core solver, got {type(crux).__name__}")
        with self._lock:
            if self._state in _ACTIVE:
                raise RuntimeError(
                    f"a run is already active (state {self._state!r}); call stop() first"
                )
            self._reset(len(plan), sum(p.epochs for p in plan))
            self._control = RunControl()
            self._control.add_listener(self._on_control)
            self._t_start = time.monotonic()
            self._crux = crux
            self._plan = plan
            self._callbacks = list(callbacks)
            thread = threading.Thread(
                target=self._train, args=(crux, plan), name="jno-workbench-training", daemon=True
            )
            self._thread = thread
            thread.start()

    def stop(self, wait: float | None = None) -> None:
        """Ask the run to stop at the next chunk boundary (a paused run stops at once).

        A no-op when no run is active.

        Args:
            wait: if given, wait up to this many seconds for the thread to end.
        """
        with self._lock:
            active = self._state in ("running", "paused")
            thread = self._thread
        if active:
            self._control.stop()
        if wait is not None and thread is not None and thread is not threading.current_thread():
            thread.join(max(0.0, wait))

    def pause(self) -> None:
        """Ask the run to pause at the next chunk boundary (no-op unless running).

        The state turns "paused" (and a `paused` event fires) once the training
        thread has reached the boundary; it then waits without holding the GIL.
        """
        with self._lock:
            running = self._state == "running"
        if running:
            self._control.pause()

    def resume(self) -> None:
        """Let a paused run go on (or cancel a pause not yet reached)."""
        with self._lock:
            active = self._state in ("running", "paused")
        if active:
            self._control.resume()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the training thread to end.

        Args:
            timeout: seconds to wait at most; None waits for good.

        Returns:
            True when no run is going on any more (finished, stopped, failed or
            never started), False when the timeout ran out first.
        """
        thread = self._thread
        if thread is None:
            return True
        if thread is threading.current_thread():
            return False  # a listener cannot wait for the thread that calls it
        thread.join(timeout)
        return not thread.is_alive()

    def add_listener(self, fn: Listener) -> Callable[[], None]:
        """Call `fn(event)` for every event; returns a function that unsubscribes it.

        `event` is `{"event": name, **status}` with name one of "started",
        "phase", "progress", "paused", "resumed", "finished", "stopped" or
        "failed". Listeners run on the training thread; an exception raised by
        one is reported as a `RuntimeWarning` and training goes on.
        """
        if not callable(fn):
            raise TypeError(f"a listener must be callable, got {type(fn).__name__}")
        with self._lock:
            self._listeners.append(fn)

        def unsubscribe() -> None:
            with self._lock:
                if fn in self._listeners:
                    self._listeners.remove(fn)

        return unsubscribe

    # -- training thread -----------------------------------------------------------------
    def _emit(self, event: str, snapshot: dict[str, Any] | None = None) -> None:
        with self._lock:
            listeners = list(self._listeners)
            if snapshot is None:
                snapshot = self._snapshot()
        for fn in listeners:
            message = {"event": event, **snapshot, "losses": list(snapshot["losses"])}
            try:
                fn(message)
            except Exception as exc:
                warnings.warn(
                    f"workbench listener {fn!r} raised on {event!r} "
                    f"({type(exc).__name__}: {exc}); training goes on",
                    RuntimeWarning,
                    stacklevel=2,
                )

    def _on_control(self, event: str) -> None:
        """Follow the run control: whoever asked (this session, a dashboard's button)."""
        with self._lock:
            if event == "stopping" and self._state in ("running", "paused"):
                self._state = "stopping"
            elif event == "paused" and self._state == "running":
                self._state = "paused"
            elif event == "resumed" and self._state == "paused":
                self._state = "running"
            else:
                return
            snapshot = self._snapshot()
        if event in ("paused", "resumed"):
            self._emit(event, snapshot)

    def _train(self, crux: Any, plan: list[Phase]) -> None:
        self._emit("started")
        try:
            result = run_phases(
                crux,
                plan,
                callbacks=[_Hook(self), *self._callbacks],
                control=self._control,
                on_phase=self._on_phase,
            )
        except BaseException as exc:  # even SystemExit: never leave the session wedged
            with self._lock:
                self._state = "failed"
                self._t_end = time.monotonic()
                self._error = {
                    "type": type(exc).__name__,
                    "message": str(exc),
                    "traceback": "".join(traceback.format_exception(exc)),
                }
                final = self._snapshot()
            self._emit("failed", final)
            return
        if result.nonfinite is not None and result.nonfinite_phase is not None:
            index = result.nonfinite_phase
            self._fail_nonfinite(index, plan[index], result.nonfinite)
            return
        with self._lock:
            self._state = "finished" if self._step >= self._total_steps else "stopped"
            self._t_end = time.monotonic()
            final = self._snapshot()
        self._emit(final["state"], final)

    def _on_phase(self, index: int, steps: int) -> None:
        with self._lock:
            self._phase = index
            self._base = self._step = steps
            self._rate_origin = None
        self._emit("phase")

    def _fail_nonfinite(self, index: int, phase: Phase, record: dict[str, Any]) -> None:
        """End the run as failed: phase `index` stopped at a non-finite step."""
        with self._lock:
            self._state = "failed"
            self._t_end = time.monotonic()
            self._nonfinite = dict(record)
            self._error = {
                "type": "NonFinite",
                "message": f"{phase.label(index)}: {nonfinite_message(record)}",
                "traceback": "",
            }
            final = self._snapshot()
        self._emit("failed", final)

    def _on_phase_end(self, log: dict[str, Any]) -> None:
        """Book a finished `solve()`: its steps and last losses."""
        with self._lock:
            if len(log["total_loss"]):
                self._losses = [float(v) for v in log["losses"][-1]]
                self._total_loss = float(log["total_loss"][-1])
            self._step = self._base + len(log["total_loss"])

    def _on_chunk(self, done: int, at_boundary: bool, records: dict[str, Any]) -> None:
        """Book one chunk (`done` steps into the phase); emit progress when due."""
        now = time.monotonic()
        due = now - self._last_emit >= self.progress_interval
        control = self._control
        pending = control.stop_requested or control.pause_requested
        fetch = due or (at_boundary and pending)
        fetch = fetch and records["total"].shape[0] > 0  # no rows: a chunk cut at step 0
        values = jax.device_get((records["total"], records["losses"])) if fetch else None
        with self._lock:
            self._step = self._base + done
            if values is not None:
                self._total_loss = float(values[0][-1])
                self._losses = [float(v) for v in values[1][-1]]
            if at_boundary:
                elapsed = self._elapsed(now)
                if self._rate_origin is None:  # the first chunk includes compilation
                    self._rate_origin = (elapsed, self._step)
                elif self._step > self._rate_origin[1]:
                    t0, s0 = self._rate_origin
                    self._sec_per_step = (elapsed - t0) / (self._step - s0)
            progress = None
            if due:
                self._last_emit = now
                progress = self._snapshot()
        if progress is not None:
            self._emit("progress", progress)


class _Hook(Callback):
    """The callback a session hands to every phase's `core.solve()`."""

    def __init__(self, session: Session):
        self.session = session
        self.origin = 0

    def on_training_start(self, solver: Any) -> None:
        self.origin = int(solver.step_count)

    def on_epoch_end(self, solver: Any, step: int, records: dict[str, Any]) -> None:
        # `step` counts the steps applied so far. Chunks may be shorter than inner_steps
        # (host-side weight schedules run one step per chunk): the control acts only at
        # multiples of inner_steps, and so does the step-time estimate.
        session = self.session
        done = int(step) - self.origin
        if solver.nonfinite is not None:
            # the chunk's records end with the step that was not applied: leave it out
            records = {"total": records["total"][:-1], "losses": records["losses"][:-1]}
        inner_steps = session._plan[session._phase].inner_steps
        session._on_chunk(done, done % inner_steps == 0, records)

    def on_training_end(self, solver: Any, stats: Any) -> None:
        self.session._on_phase_end(stats.training_logs[-1])
