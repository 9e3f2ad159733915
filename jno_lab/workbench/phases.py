"""Training plans: phases run one after another on one solver, under one run control.

A `Phase` is one `core.solve()` call, with a `configure` step run right before
it (attach optimizers, freeze models, ...). `run_phases` is the one loop that
runs a plan: the workbench's Run (`Session`), `Built.train` and the command
line all use it, so they train the same steps as the exported script, which
calls `crux.solve(...)` once per phase.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .._solver.callbacks import Callback
from .._solver.run_control import RunControl

__all__ = ["Phase", "PlanResult", "check_plan", "document_plan", "run_phases"]


@dataclass
class Phase:
    """One entry of a training plan: one `core.solve()` call.

    Attributes:
        epochs: training steps of this phase.
        inner_steps: chunk length; stop and pause act after whole chunks, so it
            must divide `epochs`. Longer chunks mean less Python between steps.
        batchsize: instances per step (None: all of them), as in `core.solve`.
        constraint_weights: weights or a weight schedule, as in `core.solve`.
        configure: called on the training thread right before this phase's
            `solve` (attach optimizers, freeze models, ...).
        name: a label for messages and user interfaces.
    """

    epochs: int
    inner_steps: int = 50
    batchsize: int | None = None
    constraint_weights: Any = None
    configure: Callable[[], None] | None = None
    name: str = ""

    def label(self, index: int) -> str:
        """`phase 1 ('warm-up')`: how messages name phase `index`."""
        return f"phase {index}" + (f" ({self.name!r})" if self.name else "")


@dataclass
class PlanResult:
    """How a plan ended.

    Attributes:
        stats: the solver's statistics (every `solve()` so far).
        steps: steps this plan trained.
        phase: index of the last phase that started (-1: none did).
        stopped: the run control stopped the plan before its end.
        nonfinite: the record of the first step that went non-finite
            (`statistics.nonfinite`), else None.
        nonfinite_phase: the index of the phase it happened in, else None.
    """

    stats: Any
    steps: int
    phase: int
    stopped: bool
    nonfinite: dict[str, Any] | None = None
    nonfinite_phase: int | None = None


def run_phases(
    crux: Any,
    phases: Sequence[Phase],
    *,
    callbacks: Sequence[Callback] = (),
    control: RunControl | None = None,
    on_phase: Callable[[int, int], None] | None = None,
    stop_on_nonfinite: bool = True,
) -> PlanResult:
    """Run each phase's `configure`, then its `solve`, in order, on this thread.

    The control is honoured before every phase and, by `solve`, within each
    one; a phase that goes non-finite ends the plan (unless
    `stop_on_nonfinite=False`: then the next phase trains on from the last
    finite state, as a script calling `solve()` once per phase does).

    Args:
        crux: the `jno.core` solver.
        phases: the plan.
        callbacks: solver callbacks for every phase.
        control: stops and pauses the whole plan (default: a new one).
        on_phase: called as `on_phase(index, steps so far)` when a phase starts,
            before its `configure`.
        stop_on_nonfinite: end the plan at a phase that goes non-finite.

    Example:
        >>> import optax, jno_lab as jno
        >>> p = jno.np.parameter((1,), init=0.0).optimizer(optax.sgd(0.0))
        >>> crux = jno.core([(p - 1.0).mse], jno.domain.from_array({"interior": [[0.0]]}))
        >>> faster = Phase(30, inner_steps=10, configure=lambda: p.optimizer(optax.sgd(0.5)))
        >>> result = run_phases(crux, [Phase(20, inner_steps=10), faster])
        >>> result.steps, result.phase, result.stopped, round(float(crux.eval(p)[0]), 3)
        (50, 1, False, 1.0)
    """
    control = control if control is not None else RunControl()
    steps, index = 0, -1
    first_nonfinite: tuple[int, dict[str, Any]] | None = None
    for index, phase in enumerate(phases):
        if control.wait_at_boundary():
            return _result(crux, steps, index - 1, True, first_nonfinite)
        if on_phase is not None:
            on_phase(index, steps)
        if phase.configure is not None:
            phase.configure()
        if control.stop_requested:
            return _result(crux, steps, index, True, first_nonfinite)
        logs = crux.stats.training_logs
        before = len(logs)
        crux.solve(
            phase.epochs,
            batchsize=phase.batchsize,
            inner_steps=phase.inner_steps,
            callbacks=list(callbacks),
            constraint_weights=phase.constraint_weights,
            control=control,
        )
        log = crux.stats.training_logs[-1] if len(crux.stats.training_logs) > before else None
        if log is not None:
            steps += len(log["total_loss"])
            if log.get("nonfinite") is not None and first_nonfinite is None:
                first_nonfinite = (index, dict(log["nonfinite"]))
        if first_nonfinite is not None and stop_on_nonfinite:
            break
        if control.stop_requested:
            return _result(crux, steps, index, True, first_nonfinite)
    return _result(crux, steps, index, False, first_nonfinite)


def _result(
    crux: Any, steps: int, phase: int, stopped: bool, nonfinite: tuple[int, dict] | None
) -> PlanResult:
    where, record = nonfinite if nonfinite is not None else (None, None)
    return PlanResult(crux.stats, steps, phase, stopped, record, where)


def document_plan(built: Any) -> list[Phase]:
    """The phases of an executed document program (`Built.phases`) as a plan."""
    from .lowering import solve_arguments

    return [Phase(**solve_arguments(code), configure=configure) for code, configure in built.phases]


def check_plan(phases: Sequence[Phase]) -> list[Phase]:
    """The plan as a list; raises for an empty plan or a phase that cannot run.

    Raises:
        ValueError: the plan is empty, or a phase has `epochs < 1`, an
            `inner_steps` that does not divide its `epochs`, or a bad `batchsize`.
        TypeError: an entry is not a `Phase`, or its `configure` is not callable.
    """
    plan = list(phases)
    if not plan:
        raise ValueError("the training plan is empty: give at least one Phase")
    for i, phase in enumerate(plan):
        if not isinstance(phase, Phase):
            raise TypeError(f"phase {i} is a {type(phase).__name__}, not a Phase")
        label = phase.label(i)
        if not _positive_int(phase.epochs):
            raise ValueError(f"{label}: epochs must be a positive integer, got {phase.epochs!r}")
        if not _positive_int(phase.inner_steps) or phase.epochs % phase.inner_steps:
            raise ValueError(
                f"{label}: inner_steps={phase.inner_steps!r} must be a positive integer "
                f"dividing epochs={phase.epochs}"
            )
        if phase.batchsize is not None and not _positive_int(phase.batchsize):
            raise ValueError(
                f"{label}: batchsize must be None or a positive integer, got {phase.batchsize!r}"
            )
        if phase.configure is not None and not callable(phase.configure):
            raise TypeError(f"{label}: configure must be callable, got {phase.configure!r}")
    return plan


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1
