"""What the compiled step carries from step to step, and its static description."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from .._lower.program import Program
from .tracking import TrackerGroup
from .update import GroupSpec, init_group_states


class TrainState(NamedTuple):
    """Everything that changes from step to step.

    `opt_states[s][i][g]`: optax state of substep `s`, trainable `i`, group `g`;
    `sched_states[i][g]`: state of that group's learning-rate schedule (`dlrs`);
    `balancer_states[b]`: state of balancer `b` (its current weights included);
    `halted`: a step of this run was not finite, so no later step runs (a bool
    scalar; `solve()` starts every call with False, and it is not checkpointed).
    """

    params: tuple[Any, ...]
    opt_states: tuple[Any, ...]
    step: jax.Array
    prev_losses: jax.Array
    key: jax.Array
    sched_states: tuple[Any, ...] = ()
    balancer_states: tuple[Any, ...] = ()
    halted: Any = False


@dataclass(frozen=True, kw_only=True)
class Substep:
    """One stage of alternating optimisation: its constraints, steps and trained models.

    Example:
        >>> sub = Substep(constraints=(1,), repeats=2, active=(True,))
        >>> sub.selection(3).tolist(), sub.selects_all(3)
        ([0.0, 1.0, 0.0], False)
    """

    constraints: tuple[int, ...]
    repeats: int
    active: tuple[bool, ...]  # per trainable: does it appear in these constraints

    def selection(self, n_constraints: int) -> jax.Array:
        """1 for the constraints this substep trains on, 0 for the others."""
        if self.selects_all(n_constraints):
            return jnp.ones((n_constraints,), jnp.float32)
        chosen = jnp.array(self.constraints)
        return jnp.zeros((n_constraints,), jnp.float32).at[chosen].set(1)

    def selects_all(self, n_constraints: int) -> bool:
        """Whether this substep trains on every constraint."""
        return set(self.constraints) == set(range(n_constraints))


@dataclass(frozen=True, kw_only=True)
class StepConfig:
    """The static description of a step: which trainables train, with what."""

    trainable: tuple[bool, ...]
    groups: tuple[tuple[GroupSpec, ...], ...]  # per trainable
    length: int  # steps per compiled call (the scan length)
    masked: bool  # True: a call runs only its first `n_active` steps (one compile for any epochs)
    batchsize: int | None
    batch_size_total: int
    window: int | None = None  # time steps per training step (min_consecutive); None: all
    accumulation: int = 1
    substeps: tuple[Substep, ...] | None = None
    checkpoint: int | None = None  # rows per rematerialised chunk (checkpoint_gradients)
    offload: bool = False  # the data argument holds one pre-drawn mini-batch per step
    balancers: tuple[tuple[int, int], ...] = ()  # (trainable index, first input root) each
    check_finite: bool = True  # the non-finite guard (off only to measure what it costs)

    @property
    def transforms(self) -> tuple[Any, ...]:
        """Per trainable: its groups' transformations (None when nothing trains)."""
        return tuple(
            tuple(g.transform for g in groups) if flag and groups else None
            for groups, flag in zip(self.groups, self.trainable, strict=True)
        )

    @property
    def trained_groups(self) -> tuple[tuple[GroupSpec, ...], ...]:
        """Per trainable: the groups it updates (empty when it does not train)."""
        return tuple(
            groups if flag else () for groups, flag in zip(self.groups, self.trainable, strict=True)
        )

    @property
    def n_group_columns(self) -> int:
        """Learning-rate columns a step records: one per trained parameter group."""
        return sum(len(groups) for groups in self.trained_groups)

    def plan(self, n_constraints: int) -> tuple[Substep, ...]:
        """The substeps of one step; without `substeps`, one over every constraint.

        Example:
            >>> config = StepConfig(
            ...     trainable=(True,), groups=((),), length=1, masked=False,
            ...     batchsize=None, batch_size_total=1,
            ... )
            >>> config.plan(2)
            (Substep(constraints=(0, 1), repeats=1, active=(True,)),)
        """
        if self.substeps is not None:
            return self.substeps
        every = Substep(
            constraints=tuple(range(n_constraints)),
            repeats=1,
            active=(True,) * len(self.trainable),
        )
        return (every,)


@dataclass(frozen=True, kw_only=True, eq=False)
class StepContext:
    """Everything a step is built from that is not an argument of the compiled call.

    `program`'s roots are the constraints, then the balancers' input losses.
    """

    program: Program
    config: StepConfig
    n_constraints: int
    tracker_groups: tuple[TrackerGroup, ...] = ()
    n_trackers: int = 0
    balancer_rules: tuple[Any, ...] = ()
    mesh: Any = None  # a device mesh: the state keeps its `model`-axis sharding


def init_opt_states(params: tuple, config: StepConfig) -> tuple:
    """Initial optax states per trainable (None for those that do not train)."""
    return tuple(
        init_group_states(groups, p) if flag and groups else None
        for p, groups, flag in zip(params, config.groups, config.trainable, strict=True)
    )


def idle_record(n_constraints: int, n_columns: int) -> dict[str, Any]:
    """The record of a step that did not run (same structure as a step's record)."""
    return {
        "total": jnp.zeros((), jnp.float32),
        "losses": jnp.zeros((n_constraints,), jnp.float32),
        "weights": jnp.zeros((n_constraints,), jnp.float32),
        "lrs": jnp.zeros((n_columns,), jnp.float32),
    }
