"""The non-finite guard of the compiled step: detection, codes and messages.

After every step the losses and the updated parameters and optimizer states are
checked on the device. The first step that is not finite is not applied (the
whole `TrainState` of the step before is kept) and sets `TrainState.halted`, so
every later step is a no-op. `records["nonfinite"]` marks that step
(`NONFINITE_LOSS` or `NONFINITE_PARAMETERS`, 0 elsewhere); the host reads it at
a chunk boundary and ends training there.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .step_state import TrainState

NONFINITE_LOSS = 1
"""`records["nonfinite"]` of a step whose losses were not finite."""
NONFINITE_PARAMETERS = 2
"""`records["nonfinite"]` of a step with finite losses whose update was not finite."""


class NonFiniteWarning(RuntimeWarning):
    """Training stopped at a step whose losses or parameters were not finite (NaN or inf).

    `solve()` warns with it and returns normally: the parameters and optimizer states
    are those after the last finite step, and `statistics.nonfinite` says which step
    and which constraints. Make it an error with `warnings.simplefilter("error",
    jno.NonFiniteWarning)`.

    Example:
        >>> import warnings, optax, jno_lab as jno
        >>> p = jno.np.parameter((1,), init=0.0).optimizer(optax.sgd(1e30))
        >>> crux = jno.core([(p - 3.0).mse], jno.domain.from_array({"interior": [[0.0]]}))
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     stats = crux.solve(100)
        >>> [issubclass(w.category, jno.NonFiniteWarning) for w in caught]
        [True]
        >>> stats.nonfinite["step"], stats.nonfinite["where"], crux.step_count
        (1, 'loss', 1)
    """


def nonfinite_record(
    step: int, code: int, losses: np.ndarray, constraint_names: list[str]
) -> dict[str, Any]:
    """The plain record of a non-finite step (`statistics.nonfinite`).

    `step`: its global index; `code`: its `records["nonfinite"]`; `losses`: the
    per-constraint losses it computed (to name the non-finite ones). The record
    holds plain JSON-safe values only (no NaN or infinity).
    """
    losses = np.asarray(losses, np.float64).reshape(-1)
    where = "loss" if code == NONFINITE_LOSS else "parameters"
    bad = [] if where == "parameters" else np.flatnonzero(~np.isfinite(losses)).tolist()
    return {
        "step": int(step),
        "constraints": [constraint_names[i] for i in bad],
        "where": where,
    }


def nonfinite_summary(record: dict[str, Any]) -> str:
    """A short line for a status display, e.g. "non-finite at step 1234 (pde)"."""
    what = ", ".join(record["constraints"]) or "parameters"
    return f"non-finite at step {record['step']} ({what})"


def nonfinite_message(record: dict[str, Any]) -> str:
    """What a non-finite stop says: the step, the constraints, what to try."""
    step = record["step"]
    if record["where"] == "loss":
        names = ", ".join(record["constraints"]) or "?"
        what = f"the loss of {names} was not finite (NaN or inf) at step {step}"
    else:
        what = (
            f"the losses were finite at step {step} but its update made the parameters or the "
            "optimizer state non-finite (NaN or inf)"
        )
    return (
        f"training stopped: {what}. Its update was not applied: the parameters and optimizer "
        f"states are those before step {step}, after the last finite step. Lower the "
        "learning rate, clip the gradients (optax.clip_by_global_norm), rescale the inputs "
        "or weights of large losses, or look for divisions by zero and logarithms or "
        "square roots of non-positive values in the expressions."
    )


def _float_leaves(tree: Any) -> list[jax.Array]:
    return [
        leaf
        for leaf in jax.tree_util.tree_leaves(tree)
        if jnp.issubdtype(jnp.result_type(leaf), jnp.inexact)
    ]


_SMALL = 1 << 14
"""Arrays of at most this many numbers are checked together, in one reduction."""


def _any_nonfinite(leaves: list[jax.Array]) -> jax.Array:
    """Whether any number in `leaves` is NaN or infinite (a scalar bool).

    The small arrays are concatenated and checked in one reduction: one kernel per
    array would cost a small model more than the check itself. Large arrays are
    checked one by one, so no copy of them is made.
    """
    small = [jnp.ravel(leaf).astype(jnp.float32) for leaf in leaves if leaf.size <= _SMALL]
    parts = [jnp.concatenate(small)] if small else []
    parts += [leaf for leaf in leaves if leaf.size > _SMALL]
    if not parts:
        return jnp.bool_(False)
    finite = jnp.stack([jnp.all(jnp.isfinite(part)) for part in parts])
    return jnp.logical_not(jnp.all(finite))


def _update_nonfinite(old: TrainState, new: TrainState, trainable: tuple[bool, ...]) -> jax.Array:
    """Whether a step made the trained parameters or the optimizer states non-finite.

    Single numbers of an optimizer state that already held an infinity are left
    alone: some optimizers start them so on purpose (the best value so far of
    `optax.contrib.reduce_on_plateau`, the last value of a line search).
    """
    params = _float_leaves([p for p, flag in zip(new.params, trainable, strict=True) if flag])
    old_opt, new_opt = _float_leaves(old.opt_states), _float_leaves(new.opt_states)
    arrays = [n for n in new_opt if n.size > 1]
    bad = _any_nonfinite(params + arrays)
    pairs = [(o, n) for o, n in zip(old_opt, new_opt, strict=True) if n.size == 1]
    if pairs:
        before = jnp.stack([jnp.ravel(o)[0].astype(jnp.float32) for o, _ in pairs])
        after = jnp.stack([jnp.ravel(n)[0].astype(jnp.float32) for _, n in pairs])
        bad = bad | jnp.any(jnp.isfinite(before) & jnp.logical_not(jnp.isfinite(after)))
    return bad


def choose(keep: jax.Array, new: TrainState, old: TrainState) -> TrainState:
    """`new` where `keep`, else `old` (a select per array: no branch, no host round trip)."""
    return jax.tree_util.tree_map(lambda a, b: jnp.where(keep, a, b), new, old)


def step_code(
    old: TrainState, new: TrainState, losses: jax.Array, trainable: tuple[bool, ...]
) -> jax.Array:
    """0 when a step is finite, else why not (its losses first, then its update)."""
    losses_bad = jnp.logical_not(jnp.all(jnp.isfinite(losses)))
    update_bad = _update_nonfinite(old, new, trainable)
    code = jnp.where(update_bad, NONFINITE_PARAMETERS, 0)
    return jnp.where(losses_bad, NONFINITE_LOSS, code).astype(jnp.int32)


__all__ = [
    "NONFINITE_LOSS",
    "NONFINITE_PARAMETERS",
    "NonFiniteWarning",
    "choose",
    "nonfinite_message",
    "nonfinite_record",
    "nonfinite_summary",
    "step_code",
]
