"""The general diverted chain: reference branches leave the network's main chain."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
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


class DivertedChain(BaseConfiguration):
    """Branches of `num_branch_steps` reference steps diverted from the network chain.

    The main chain applies the network `num_rollout_steps - num_branch_steps` times.
    From each of its states (the initial condition included) a branch runs the
    network and the reference stepper side by side for `num_branch_steps` steps and
    compares them at each step:

    `L = sum_t w_t sum_b v_b l(f^{b+1}(u_t), P^{b+1}(u_t))`, `u_t = f^t(u⁰)`.

    `num_branch_steps == num_rollout_steps` is supervised rollout training against
    the reference's own trajectory, `num_branch_steps == 1` is the branch-one
    diverted chain. `cut_div_chain=True` stops the gradient into the reference
    branch (the reference then need not be differentiable); `cut_bptt` cuts the
    network chain after steps whose global index (main plus branch) is a multiple
    of `cut_bptt_every`.

    Args:
        num_rollout_steps: total network steps along a branch's end.
        num_branch_steps: length of each branch; at most `num_rollout_steps`.
        time_level_loss: compares network and reference in the branches.
        cut_bptt: whether to cut back-propagation through time.
        cut_bptt_every: cut after every k-th step.
        cut_div_chain: whether to stop gradients into the diverted reference.
        time_level_weights: one per branch, shape
            `(num_rollout_steps - num_branch_steps + 1,)`; default ones.
        branch_level_weights: one per branch step, shape `(num_branch_steps,)`.

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> config = tx.configuration.DivertedChain(3, 2)
        >>> data = jnp.ones((4, 1, 1, 8))  # only initial conditions are needed
        >>> float(config(lambda u: u, data, ref_stepper=lambda u: u))
        0.0
    """

    needs_ref_stepper = True

    num_rollout_steps: int = eqx.field(static=True)
    num_branch_steps: int = eqx.field(static=True)
    time_level_loss: BaseLoss
    cut_bptt: bool = eqx.field(static=True)
    cut_bptt_every: int = eqx.field(static=True)
    cut_div_chain: bool = eqx.field(static=True)
    time_level_weights: Float[Array, " num_branches"]
    branch_level_weights: Float[Array, " num_branch_steps"]

    def __init__(
        self,
        num_rollout_steps: int = 1,
        num_branch_steps: int = 1,
        *,
        time_level_loss: BaseLoss = DEFAULT_LOSS,
        cut_bptt: bool = False,
        cut_bptt_every: int = 1,
        cut_div_chain: bool = False,
        time_level_weights: Float[Array, " num_branches"] | None = None,
        branch_level_weights: Float[Array, " num_branch_steps"] | None = None,
    ):
        name = "DivertedChain"
        self.num_rollout_steps = check_count(name, "num_rollout_steps", num_rollout_steps)
        self.num_branch_steps = check_count(name, "num_branch_steps", num_branch_steps)
        if self.num_branch_steps > self.num_rollout_steps:
            raise ValueError(
                f"DivertedChain(num_branch_steps={num_branch_steps}) must be at most "
                f"num_rollout_steps={num_rollout_steps}: a branch cannot outrun the rollout"
            )
        self.time_level_loss = check_loss(name, time_level_loss)
        self.cut_bptt = bool(cut_bptt)
        self.cut_bptt_every = check_count(name, "cut_bptt_every", cut_bptt_every)
        self.cut_div_chain = bool(cut_div_chain)
        self.time_level_weights = check_weights(
            name,
            "time_level_weights",
            time_level_weights,
            self.num_rollout_steps - self.num_branch_steps + 1,
        )
        self.branch_level_weights = check_weights(
            name, "branch_level_weights", branch_level_weights, self.num_branch_steps
        )

    @property
    def window_length(self) -> int:
        """Only the initial condition: the reference is computed on the fly."""
        return 1

    def _cut(self, index: Array) -> Array:
        return jnp.logical_and(self.cut_bptt, (index + 1) % self.cut_bptt_every == 0)

    def sample_loss(
        self,
        stepper: Stepper,
        window: Float[Array, "L C ..."],
        *,
        ref_stepper: Stepper | None = None,
        residuum_fn: ResiduumFn | None = None,
    ) -> Float[Array, ""]:
        """Sum over branches of the weighted branch losses of one initial condition."""
        ref_stepper = required(type(self).__name__, "ref_stepper", ref_stepper)

        def branch(start, t):
            ref0 = jax.lax.stop_gradient(start) if self.cut_div_chain else start

            def branch_step(carry, inputs):
                pred, ref = carry
                b, weight = inputs
                pred = stepper(pred)
                ref = ref_stepper(ref)
                value = weight * self.time_level_loss.single_batch(pred, ref)
                return (maybe_cut(pred, self._cut(t + b)), ref), value

            inputs = (jnp.arange(self.num_branch_steps), self.branch_level_weights)
            _, values = jax.lax.scan(branch_step, (start, ref0), inputs)
            return jnp.sum(values)

        def main_step(u, inputs):
            t, weight = inputs
            value = weight * branch(u, t)
            u = stepper(u)
            return maybe_cut(u, self._cut(t)), value

        num_branches = self.num_rollout_steps - self.num_branch_steps + 1
        inputs = (jnp.arange(num_branches), self.time_level_weights)
        _, values = jax.lax.scan(main_step, window[0], inputs)
        return jnp.sum(values)
