"""The branch-one diverted chain: one reference step from every network state."""

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


class DivertedChainBranchOne(BaseConfiguration):
    """`sum_t w_t l(f(u_t), P(u_t))` with `u_{t+1} = f(u_t)`, `u_0` the initial condition.

    The reference stepper corrects every network step from where the network is;
    the same as `DivertedChain(num_rollout_steps, 1)` at a fraction of the cost.
    `cut_div_chain=True` stops the gradient through the reference step.

    Args:
        num_rollout_steps: network steps in the main chain.
        time_level_loss: compares the network step with the reference step.
        cut_bptt: whether to cut back-propagation through time.
        cut_bptt_every: cut after every k-th step.
        cut_div_chain: whether to stop gradients through the reference step.
        time_level_weights: shape `(num_rollout_steps,)`; default ones.

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> config = tx.configuration.DivertedChainBranchOne(2)
        >>> data = jnp.ones((4, 1, 1, 8))
        >>> float(config(lambda u: u, data, ref_stepper=lambda u: 2.0 * u))
        2.0
    """

    needs_ref_stepper = True

    num_rollout_steps: int = eqx.field(static=True)
    time_level_loss: BaseLoss
    cut_bptt: bool = eqx.field(static=True)
    cut_bptt_every: int = eqx.field(static=True)
    cut_div_chain: bool = eqx.field(static=True)
    time_level_weights: Float[Array, " num_rollout_steps"]

    def __init__(
        self,
        num_rollout_steps: int = 1,
        *,
        time_level_loss: BaseLoss = DEFAULT_LOSS,
        cut_bptt: bool = False,
        cut_bptt_every: int = 1,
        cut_div_chain: bool = False,
        time_level_weights: Float[Array, " num_rollout_steps"] | None = None,
    ):
        name = "DivertedChainBranchOne"
        self.num_rollout_steps = check_count(name, "num_rollout_steps", num_rollout_steps)
        self.time_level_loss = check_loss(name, time_level_loss)
        self.cut_bptt = bool(cut_bptt)
        self.cut_bptt_every = check_count(name, "cut_bptt_every", cut_bptt_every)
        self.cut_div_chain = bool(cut_div_chain)
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
        """Weighted sum of one-step corrections along the network rollout."""
        ref_stepper = required(type(self).__name__, "ref_stepper", ref_stepper)
        steps = np.arange(1, self.num_rollout_steps + 1)
        cuts = jnp.asarray(self.cut_bptt & (steps % self.cut_bptt_every == 0))

        def step(u, inputs):
            weight, cut = inputs
            ref = ref_stepper(u)
            if self.cut_div_chain:
                ref = jax.lax.stop_gradient(ref)
            u = stepper(u)
            value = weight * self.time_level_loss.single_batch(u, ref)
            return maybe_cut(u, cut), value

        _, values = jax.lax.scan(step, window[0], (self.time_level_weights, cuts))
        return jnp.sum(values)
