"""Optimizer updates of one trainable, parameter group by parameter group.

A group is a subset of the trainable's array leaves with its own optax
transformation and learning-rate scale. Leaves outside every group are never
touched, so they stay bit-identical. Optimizers that need the loss itself (a
line search, as in `optax.lbfgs`, or Hessian-vector products, as in
`optax.contrib.sophia`) get `value`, `grad`, `value_fn` and `obj_fn`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

import jax
import jax.numpy as jnp
import optax


@dataclass(frozen=True, kw_only=True)
class GroupSpec:
    """The static part of a parameter group: which leaves, which transformation."""

    selection: tuple[bool, ...] | None  # one flag per array leaf; None: all of them
    transform: optax.GradientTransformation


def _split(params: Any, selection: tuple[bool, ...] | None) -> tuple[list, Any, list]:
    leaves, treedef = jax.tree_util.tree_flatten(params)
    flags = [True] * len(leaves) if selection is None else list(selection)
    if len(flags) != len(leaves):
        raise ValueError(
            f"a parameter mask selects among {len(flags)} leaves but the parameters have "
            f"{len(leaves)}; build the mask from the current module"
        )
    return leaves, treedef, flags


def _sub(leaves: list, flags: list) -> list:
    return [leaf if flag else None for leaf, flag in zip(leaves, flags, strict=True)]


def init_group_states(groups: tuple[GroupSpec, ...], params: Any) -> tuple:
    """Fresh optax states, one per group."""
    out = []
    for group in groups:
        leaves, _, flags = _split(params, group.selection)
        out.append(group.transform.init(_sub(leaves, flags)))
    return tuple(out)


def init_schedule_states(scales: tuple) -> tuple:
    """Fresh schedule states, one per group (empty for plain schedules)."""
    return tuple(() if s is None else s.init_state() for s in scales)


class UpdateInputs(NamedTuple):
    """What an update reads besides the gradients: the step and its losses."""

    epoch: jax.Array  # the step counter, as float32
    prev_losses: jax.Array  # the constraint losses of the step before
    losses: jax.Array  # this step's constraint losses
    total: jax.Array  # the weighted total being minimised


def apply_groups(
    groups: tuple[GroupSpec, ...],
    scales: tuple,
    params: Any,
    grads: Any,
    opt_states: tuple,
    sched_states: tuple,
    inputs: UpdateInputs,
    value_fn: Callable[[Any], jax.Array] | None = None,
) -> tuple[Any, tuple, tuple, list[jax.Array]]:
    """`(new params, opt states, schedule states, learning rate per group)` of one trainable.

    `value_fn`: the total as a function of this trainable's parameters (for
    optimizers that evaluate the loss themselves); None when it is not available.
    """
    leaves, treedef = jax.tree_util.tree_flatten(params)
    grad_leaves = treedef.flatten_up_to(grads)
    new_leaves = list(leaves)
    new_opt, new_sched, lrs = [], [], []
    for group, scale, opt_state, sched_state in zip(
        groups, scales, opt_states, sched_states, strict=True
    ):
        _, _, flags = _split(params, group.selection)
        sub_params = _sub(leaves, flags)
        sub_grads = _sub(grad_leaves, flags)
        extra: dict[str, Any] = {"value": inputs.total, "grad": sub_grads}
        if value_fn is not None:

            def sub_value(sub: list, flags: list = flags) -> jax.Array:
                merged = [s if f else leaf for s, leaf, f in zip(sub, leaves, flags, strict=True)]
                return value_fn(jax.tree_util.tree_unflatten(treedef, merged))

            extra["value_fn"] = sub_value
            extra["obj_fn"] = sub_value  # Hessian estimates (optax.contrib.sophia)
        if isinstance(group.transform, optax.GradientTransformationExtraArgs):
            updates, opt_state = _update_with_extras(
                group.transform, sub_grads, opt_state, sub_params, extra
            )
        else:
            updates, opt_state = group.transform.update(sub_grads, opt_state, sub_params)
        # optax returns updates in the structure of the gradients: a list of leaves here
        update_leaves = cast("list[jax.Array]", updates)
        if scale is None:
            lr = jnp.float32(1.0)
        else:
            lr, sched_state = scale.advance(
                sched_state, inputs.epoch, inputs.prev_losses, inputs.losses
            )
        for j, flag in enumerate(flags):
            if flag:
                leaf = leaves[j]
                new_leaves[j] = (leaf + lr * update_leaves[j]).astype(leaf.dtype)
        new_opt.append(opt_state)
        new_sched.append(sched_state)
        lrs.append(jnp.asarray(lr, jnp.float32))
    return jax.tree_util.tree_unflatten(treedef, new_leaves), tuple(new_opt), tuple(new_sched), lrs


def apply_updates(
    groups: tuple[tuple[GroupSpec, ...], ...],
    *,
    params: tuple,
    grads: tuple,
    opt_states: tuple,
    sched_states: tuple,
    scales: tuple,
    active: tuple[bool, ...],
    inputs: UpdateInputs,
    value_of: Callable[[int, Any], jax.Array] | None,
) -> tuple[tuple, tuple, tuple, list[jax.Array | None]]:
    """One update of every active trainable, group by group.

    `groups[i]`: trainable `i`'s groups (empty when it does not train). Returns
    `(params, opt states, schedule states, learning rates)`, the learning rates
    one per group of every training trainable, None for groups not updated.
    """
    new_params, new_opt, new_sched = list(params), list(opt_states), list(sched_states)
    lrs: list[jax.Array | None] = []
    for i, own_groups in enumerate(groups):
        if not own_groups:
            continue
        if not active[i]:
            lrs += [None] * len(own_groups)
            continue
        value_fn = None if value_of is None else (lambda own, i=i: value_of(i, own))
        new_params[i], new_opt[i], new_sched[i], group_lrs = apply_groups(
            own_groups,
            scales[i],
            params[i],
            grads[i],
            opt_states[i],
            sched_states[i],
            inputs,
            value_fn,
        )
        lrs += group_lrs
    return tuple(new_params), tuple(new_opt), tuple(new_sched), lrs


def _update_with_extras(
    transform: optax.GradientTransformationExtraArgs,
    grads: Any,
    state: Any,
    params: Any,
    extra: dict[str, Any],
) -> tuple[Any, Any]:
    """`transform.update` with the extra arguments it takes.

    optax's line searches refuse keyword arguments they do not consume, and nothing
    in a transformation says which it consumes: `obj_fn` (for Hessian estimates) is
    offered first and, if refused by name, withdrawn (this happens while tracing).
    """
    try:
        return transform.update(grads, state, params, **extra)
    except TypeError as err:
        if "obj_fn" not in str(err):
            raise
    without = {k: v for k, v in extra.items() if k != "obj_fn"}
    return transform.update(grads, state, params, **without)
