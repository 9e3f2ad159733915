"""Residuum training: consecutive network states must satisfy a discrete condition."""

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
    required,
)


class Residuum(BaseConfiguration):
    """`sum_t w_t l(R(u_{t+1}, u_t))` along the network rollout `u_{t+1} = f(u_t)`.

    `residuum_fn(u_next, u_prev)` maps two consecutive single states `(C, *N)` to a
    residuum state that vanishes for a consistent pair (for example a discretised
    PDE); the loss compares it to zero. No reference trajectory is needed beyond
    the initial condition. `cut_prev` / `cut_next` stop the gradient through the
    earlier / later input of the residuum; `cut_bptt` cuts the network chain.

    Args:
        num_rollout_steps: network steps.
        time_level_loss: reduces each residuum state to a scalar.
        cut_bptt: whether to cut back-propagation through time.
        cut_bptt_every: cut after every k-th step.
        cut_prev: stop the gradient through `u_prev` in the residuum.
        cut_next: stop the gradient through `u_next` in the residuum.
        time_level_weights: shape `(num_rollout_steps,)`; default ones.

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> config = tx.configuration.Residuum(2)
        >>> data = jnp.ones((4, 1, 1, 8))
        >>> float(config(lambda u: u, data, residuum_fn=lambda n, p: n - p))
        0.0
    """

    needs_residuum_fn = True

    num_rollout_steps: int = eqx.field(static=True)
    time_level_loss: BaseLoss
    cut_bptt: bool = eqx.field(static=True)
    cut_bptt_every: int = eqx.field(static=True)
    cut_prev: bool = eqx.field(static=True)
    cut_next: bool = eqx.field(static=True)
    time_level_weights: Float[Array, " num_rollout_steps"]

    def __init__(
        self,
        num_rollout_steps: int = 1,
        *,
        time_level_loss: BaseLoss = DEFAULT_LOSS,
        cut_bptt: bool = False,
        cut_bptt_every: int = 1,
        cut_prev: bool = False,
        cut_next: bool = False,
        time_level_weights: Float[Array, " num_rollout_steps"] | None = None,
    ):
        name = "Residuum"
        self.num_rollout_steps = check_count(name, "num_rollout_steps", num_rollout_steps)
        self.time_level_loss = check_loss(name, time_level_loss)
        self.cut_bptt = bool(cut_bptt)
        self.cut_bptt_every = check_count(name, "cut_bptt_every", cut_bptt_every)
        self.cut_prev = bool(cut_prev)
        self.cut_next = bool(cut_next)
        self.time_level_weights = check_weights(
            name, "time_level_weights", time_level_weights, self.num_rollout_steps
        )

    @property
    def window_length(self) -> int:
        """Only the initial condition."""
        return 1

    def sample_loss(
        self,
        stepper: Stepper,
        window: Float[Array, "L C ..."],
        *,
        ref_stepper: Stepper | None = None,
        residuum_fn: ResiduumFn | None = None,
    ) -> Float[Array, ""]:
        """Weighted sum of the reduced residua along the rollout of one window."""
        residuum_fn = required(type(self).__name__, "residuum_fn", residuum_fn)
        steps = np.arange(1, self.num_rollout_steps + 1)
        cuts = jnp.asarray(self.cut_bptt & (steps % self.cut_bptt_every == 0))

        def step(prev, inputs):
            weight, cut = inputs
            nxt = stepper(prev)
            a = jax.lax.stop_gradient(nxt) if self.cut_next else nxt
            b = jax.lax.stop_gradient(prev) if self.cut_prev else prev
            value = weight * self.time_level_loss.single_batch(residuum_fn(a, b))
            return maybe_cut(nxt, cut), value

        _, values = jax.lax.scan(step, window[0], (self.time_level_weights, cuts))
        return jnp.sum(values)
