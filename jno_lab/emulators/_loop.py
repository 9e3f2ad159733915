"""The compiled training loop: `lax.scan` over fused update steps, minibatches on device."""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import optax
from jaxtyping import Array, Float, Int, PyTree

from ._mixer import PermutationMixer, TrajectorySubStacker
from .configuration import BaseConfiguration

TRACE_COUNT = [0]
"""How often the fused chunk was traced (each trace is one compilation)."""


def _chunk(
    params: PyTree,
    opt_state: optax.OptState,
    static: PyTree,
    stacker: TrajectorySubStacker,
    mixer: PermutationMixer,
    padded: Int[Array, "E P"],
    first_step: Int[Array, ""],
    num_active: Int[Array, ""],
    config: BaseConfiguration,
    ref_stepper: Any,
    residuum_fn: Any,
    optimizer: optax.GradientTransformation,
    length: int,
) -> tuple[PyTree, optax.OptState, Float[Array, " length"]]:
    """Run up to `length` updates from `first_step`; steps past `num_active` do nothing.

    Masking the tail keeps one compiled function for any number of steps.
    """
    TRACE_COUNT[0] += 1

    def loss_fn(p: PyTree, batch: Array, mask: Array) -> Array:
        model = eqx.combine(p, static)
        return config(model, batch, ref_stepper=ref_stepper, residuum_fn=residuum_fn, mask=mask)

    def update(carry: tuple, step: Array) -> tuple[tuple, Array]:
        p, state = carry
        indices, mask = mixer.device_batch(step, padded)
        loss, grads = jax.value_and_grad(loss_fn)(p, stacker(indices), mask)
        updates, state = optimizer.update(grads, state, p)
        return (eqx.apply_updates(p, updates), state), loss

    def skip(carry: tuple, step: Array) -> tuple[tuple, Array]:
        return carry, jnp.asarray(jnp.nan, jnp.result_type(float))

    def body(carry: tuple, i: Array) -> tuple[tuple, Array]:
        return jax.lax.cond(i < num_active, update, skip, carry, first_step + i)

    (params, opt_state), losses = jax.lax.scan(
        body, (params, opt_state), jnp.arange(length, dtype=jnp.int32)
    )
    return params, opt_state, losses


run_chunk = eqx.filter_jit(_chunk)
