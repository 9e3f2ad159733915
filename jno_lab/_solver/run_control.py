"""`jno.RunControl`: stop, pause and resume a training run from any thread.

`core.solve(..., control=...)` looks at its control at every chunk boundary:
a stop request ends the run there, a pause request holds the training thread
there (without the GIL) until `resume()` or `stop()`. Time spent held is
counted in `paused_seconds` and left out of the run's `training_time`.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable

__all__ = ["RunControl"]

ControlListener = Callable[[str], None]
"""Called with "stopping", "pausing", "paused" or "resumed"."""


class RunControl:
    """Thread-safe stop / pause / resume requests for a training run.

    Requests may come from any thread; the training loop honours them at its
    next chunk boundary through `wait_at_boundary`. A stop is final: every
    later boundary of every run using this control stops at once.

    Listeners hear of "stopping" and "pausing" (on the requesting thread) and
    of "paused" and "resumed" (on the training thread, when it reaches a
    boundary and when it goes on after one).

    Example:
        >>> import optax, jno_lab as jno
        >>> p = jno.np.parameter((1,), init=0.0).optimizer(optax.sgd(0.1))
        >>> crux = jno.core([(p - 1.0).mse], jno.domain.from_array({"interior": [[0.0]]}))
        >>> control = jno.RunControl()
        >>> events = []
        >>> _ = control.add_listener(events.append)
        >>> def press_stop_when_held(event):
        ...     if event == "paused":
        ...         control.stop()
        >>> _ = control.add_listener(press_stop_when_held)
        >>> control.pause()  # held at the first chunk boundary
        >>> stats = crux.solve(1000, control=control)
        >>> events, 0 < crux.step_count < 1000
        (['pausing', 'paused', 'stopping'], True)
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._go = threading.Event()  # set: the training thread may pass a boundary
        self._go.set()
        self._stop = False
        self._held_since: float | None = None
        self._paused_total = 0.0
        self._listeners: list[ControlListener] = []

    # -- requests (any thread) -----------------------------------------------------------
    def stop(self) -> None:
        """Stop at the next chunk boundary (a held run stops at once)."""
        with self._lock:
            first = not self._stop
            self._stop = True
            self._go.set()
        if first:
            self._notify("stopping")

    def pause(self) -> None:
        """Hold the run at the next chunk boundary until `resume()` or `stop()`."""
        with self._lock:
            if self._stop or not self._go.is_set():
                return
            self._go.clear()
        self._notify("pausing")

    def resume(self) -> None:
        """Let a held run go on (or cancel a pause not reached yet)."""
        with self._lock:
            self._go.set()

    # -- state ---------------------------------------------------------------------------
    @property
    def stop_requested(self) -> bool:
        """Whether `stop()` was called."""
        return self._stop

    @property
    def pause_requested(self) -> bool:
        """Whether a pause was asked for and not resumed yet (reached or not)."""
        return not self._go.is_set()

    @property
    def paused(self) -> bool:
        """Whether the training thread is held at a boundary right now."""
        with self._lock:
            return self._held_since is not None

    @property
    def paused_seconds(self) -> float:
        """Seconds the training thread has been held so far, the current hold included."""
        with self._lock:
            held = 0.0 if self._held_since is None else time.monotonic() - self._held_since
            return self._paused_total + held

    def add_listener(self, fn: ControlListener) -> Callable[[], None]:
        """Call `fn(event)` on every state change; returns a function that unsubscribes it.

        An exception raised by a listener becomes a `RuntimeWarning`; the run goes on.
        """
        if not callable(fn):
            raise TypeError(f"a RunControl listener must be callable, got {type(fn).__name__}")
        with self._lock:
            self._listeners.append(fn)

        subscribed = [True]

        def unsubscribe() -> None:
            with self._lock:
                if subscribed[0] and fn in self._listeners:
                    self._listeners.remove(fn)
                subscribed[0] = False

        return unsubscribe

    # -- the training thread -------------------------------------------------------------
    def wait_at_boundary(self) -> bool:
        """Honour the requests at a chunk boundary; True means: stop the run here.

        Blocks while a pause is requested, until `resume()` or `stop()`.
        """
        if self._stop:
            return True
        if self._go.is_set():
            return False
        with self._lock:
            self._held_since = time.monotonic()
        self._notify("paused")
        self._go.wait()
        with self._lock:
            if self._held_since is not None:
                self._paused_total += time.monotonic() - self._held_since
                self._held_since = None
            stopping = self._stop
        if not stopping:
            self._notify("resumed")
        return stopping

    def _notify(self, event: str) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for fn in listeners:
            try:
                fn(event)
            except Exception as exc:
                warnings.warn(
                    f"RunControl listener {fn!r} raised on {event!r} "
                    f"({type(exc).__name__}: {exc}); the run goes on",
                    RuntimeWarning,
                    stacklevel=3,
                )
