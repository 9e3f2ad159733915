"""The mix chain: a network rollout continued by reference-solver steps."""

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


class MixChain(BaseConfiguration):
    """Network steps, then reference steps on the network's output, all against data.

    The chain is `u_t = f^t(u⁰)` for t <= R = `num_rollout_steps`, then
    `u_t = P^{t-R}(u_R)` for R < t <= R + `num_post_physics_steps`, and the loss is
    `sum_t w_t l(u_t, u^t_ref)`. Gradients flow back through the reference steps
    into the network (so the reference must be differentiable); `cut_bptt` acts on
    the network part only.

    Args:
        num_rollout_steps: network steps at the start of the chain.
        num_post_physics_steps: reference steps after the network steps.
        time_level_loss: compares the chain with the reference trajectory.
        cut_bptt: whether to cut back-propagation through time in the network part.
        cut_bptt_every: cut after every k-th network step.
        time_level_weights: shape `(num_rollout_steps + num_post_physics_steps,)`.

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> config = tx.configuration.MixChain(1, 1)
        >>> data = jnp.ones((4, 3, 1, 8))
        >>> float(config(lambda u: u, data, ref_stepper=lambda u: u))
        0.0
    """

    needs_ref_stepper = True

    num_rollout_steps: int = eqx.field(static=True)
    num_post_physics_steps: int = eqx.field(static=True)
    time_level_loss: BaseLoss
    cut_bptt: bool = eqx.field(static=True)
    cut_bptt_every: int = eqx.field(static=True)
    time_level_weights: Float[Array, " num_levels"]

    def __init__(
        self,
        num_rollout_steps: int = 1,
        num_post_physics_steps: int = 1,
        *,
        time_level_loss: BaseLoss = DEFAULT_LOSS,
        cut_bptt: bool = False,
        cut_bptt_every: int = 1,
        time_level_weights: Float[Array, " num_levels"] | None = None,
    ):
        name = "MixChain"
        self.num_rollout_steps = check_count(name, "num_rollout_steps", num_rollout_steps)
        self.num_post_physics_steps = check_count(
            name, "num_post_physics_steps", num_post_physics_steps
        )
        self.time_level_loss = check_loss(name, time_level_loss)
        self.cut_bptt = bool(cut_bptt)
        self.cut_bptt_every = check_count(name, "cut_bptt_every", cut_bptt_every)
        self.time_level_weights = check_weights(
            name,
            "time_level_weights",
            time_level_weights,
            self.num_rollout_steps + self.num_post_physics_steps,
        )

    @property
    def window_length(self) -> int:
        """The initial condition plus one reference per chain level."""
        return self.num_rollout_steps + self.num_post_physics_steps + 1

    def sample_loss(
        self,
        stepper: Stepper,
        window: Float[Array, "L C ..."],
        *,
        ref_stepper: Stepper | None = None,
        residuum_fn: ResiduumFn | None = None,
    ) -> Float[Array, ""]:
        """Weighted sum over the network levels and the post-physics levels."""
        ref_stepper = required(type(self).__name__, "ref_stepper", ref_stepper)
        r, p = self.num_rollout_steps, self.num_post_physics_steps
        cuts = jnp.asarray(self.cut_bptt & (np.arange(1, r + 1) % self.cut_bptt_every == 0))
        weights = self.time_level_weights

        def network_step(u, inputs):
            ref, weight, cut = inputs
            u = stepper(u)
            value = weight * self.time_level_loss.single_batch(u, ref)
            return maybe_cut(u, cut), value

        def physics_step(u, inputs):
            ref, weight = inputs
            u = ref_stepper(u)
            return u, weight * self.time_level_loss.single_batch(u, ref)

        u, net_values = jax.lax.scan(
            network_step, window[0], (window[1 : r + 1], weights[:r], cuts)
        )
        _, phys_values = jax.lax.scan(physics_step, u, (window[r + 1 : r + p + 1], weights[r:]))
        return jnp.sum(net_values) + jnp.sum(phys_values)


MixChainPostPhysics = MixChain
"""The Trainax name of `MixChain`."""
