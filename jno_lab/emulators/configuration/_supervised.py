"""Supervised (rollout) training: the network rolls out and meets the reference trajectory."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from ..loss import BaseLoss
from ..loss._mse import DEFAULT_LOSS
from ._base import (
    BaseConfiguration,
    ResiduumFn,
    Stepper,
    check_count,
    check_loss,
    check_weights,
    maybe_cut,
)


class Supervised(BaseConfiguration):
    """Unrolled supervised loss `sum_t w_t * l(f^t(u⁰), u^t)` for t = 1..num_rollout_steps.

    With `cut_bptt=True` the gradient is stopped in the network chain after every
    `cut_bptt_every`-th step (after steps k, 2k, ...), so no cotangent flows from a
    later time level back through that step's output.

    Args:
        num_rollout_steps: how many times the network is applied autoregressively.
        time_level_loss: compares prediction and reference at each level.
        cut_bptt: whether to cut back-propagation through time.
        cut_bptt_every: cut after every k-th step (1: after each step).
        time_level_weights: shape `(num_rollout_steps,)`; default all ones.

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> data = jnp.ones((4, 3, 1, 8))  # 4 windows of 3 snapshots
        >>> float(tx.configuration.Supervised(2)(lambda u: 0.5 * u, data))
        0.8125
    """

    num_rollout_steps: int = eqx.field(static=True)
    time_level_loss: BaseLoss
    cut_bptt: bool = eqx.field(static=True)
    cut_bptt_every: int = eqx.field(static=True)
    time_level_weights: Float[Array, " num_rollout_steps"]

    def __init__(
        self,
        num_rollout_steps: int = 1,
        *,
        time_level_loss: BaseLoss = DEFAULT_LOSS,
        cut_bptt: bool = False,
        cut_bptt_every: int = 1,
        time_level_weights: Float[Array, " num_rollout_steps"] | None = None,
    ):
        self.num_rollout_steps = check_count("Supervised", "num_rollout_steps", num_rollout_steps)
        self.time_level_loss = check_loss("Supervised", time_level_loss)
        self.cut_bptt = bool(cut_bptt)
        self.cut_bptt_every = check_count("Supervised", "cut_bptt_every", cut_bptt_every)
        self.time_level_weights = check_weights(
            "Supervised", "time_level_weights", time_level_weights, self.num_rollout_steps
        )

    @property
    def window_length(self) -> int:
        """The initial condition plus one reference per rollout step."""
        return self.num_rollout_steps + 1

    def sample_loss(
        self,
        stepper: Stepper,
        window: Float[Array, "L C ..."],
        *,
        ref_stepper: Stepper | None = None,
        residuum_fn: ResiduumFn | None = None,
    ) -> Float[Array, ""]:
        """Weighted sum of the time-level losses of one rolled-out window."""
        steps = np.arange(1, self.num_rollout_steps + 1)
        cuts = jnp.asarray(self.cut_bptt & (steps % self.cut_bptt_every == 0))

        def step(u, inputs):
            ref, weight, cut = inputs
            u = stepper(u)
            value = weight * self.time_level_loss.single_batch(u, ref)
            return maybe_cut(u, cut), value

        refs = window[1 : self.num_rollout_steps + 1]
        _, values = jax.lax.scan(step, window[0], (refs, self.time_level_weights, cuts))
        return jnp.sum(values)
