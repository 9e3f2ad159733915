"""Validation rollouts: the network's autoregressive error on held-out trajectories."""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, PyTree

from ..loss import BaseLoss, Normalized_RMSELoss
from ._base import BaseCallback

_RELATIVE_L2 = Normalized_RMSELoss()


@eqx.filter_jit
def rollout_errors(
    stepper: Any, trajectories: Float[Array, "S T1 C ..."], metric: BaseLoss, num_steps: int
) -> Float[Array, " T"]:
    """Metric between the network's rollout and `trajectories[:, 1:num_steps+1]`, per step.

    The rollout starts from `trajectories[:, 0]` and is a `lax.scan`; each entry is
    the metric averaged over the trajectories.
    """

    def step(u, ref):
        u = jax.vmap(stepper)(u)
        return u, metric(u, ref)

    refs = jnp.moveaxis(trajectories[:, 1 : num_steps + 1], 1, 0)
    _, errors = jax.lax.scan(step, trajectories[:, 0], refs)
    return errors


class ValidationRollout(BaseCallback):
    """Rolls the network out on held-out trajectories and logs the error.

    Returns the rollout error averaged over the first `num_rollout_steps` steps (a
    float) with `reduce="mean"`, or the error of every step (an array) with
    `reduce="none"`. The trainer's statistics keep the history under `name` in
    `stats.validation`, evaluated also on the final network.

    Args:
        every: validate before every `every`-th update.
        trajectories: held-out data `(S, T+1, C, *N)`.
        metric: time-level loss comparing rollout and reference; default relative L2.
        num_rollout_steps: steps to roll out; default all T.
        reduce: "mean" or "none".
        name: key of the result.

    Example:
        >>> import jax
        >>> import jno_lab.emulators as tx
        >>> data = tx.sample_data.advection_1d_periodic(
        ...     num_samples=2, temporal_horizon=5, cfl=1.0, key=jax.random.PRNGKey(1)
        ... )
        >>> exact = tx.sample_data.make_advection_stepper(1.0)
        >>> value = tx.callback.ValidationRollout(1, data)(0, exact, None)["validation"]
        >>> value < 1e-5
        True
    """

    trajectories: Float[Array, "S T1 C ..."]
    metric: BaseLoss
    num_rollout_steps: int = eqx.field(static=True)
    reduce: str = eqx.field(static=True)

    def __init__(
        self,
        every: int,
        trajectories: Float[Array, "S T1 C ..."],
        *,
        metric: BaseLoss = _RELATIVE_L2,
        num_rollout_steps: int | None = None,
        reduce: str = "mean",
        name: str = "validation",
    ):
        trajectories = jnp.asarray(trajectories)
        if trajectories.ndim < 3 or trajectories.shape[1] < 2:
            raise ValueError(
                "ValidationRollout(trajectories=...) must have shape (S, T+1, C, *N) with at "
                f"least two snapshots, got shape {trajectories.shape}"
            )
        available = trajectories.shape[1] - 1
        steps = available if num_rollout_steps is None else num_rollout_steps
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
            raise ValueError(
                f"ValidationRollout(num_rollout_steps=...) must be an integer, got {steps!r}"
            )
        if not 1 <= steps <= available:
            raise ValueError(
                f"ValidationRollout(num_rollout_steps={steps}) must be from 1 to the "
                f"{available} steps the trajectories hold"
            )
        if not isinstance(metric, BaseLoss):
            raise TypeError(
                f"ValidationRollout(metric=...) must be a tx.loss.* instance, got {metric!r}"
            )
        if reduce not in ("mean", "none"):
            raise ValueError(
                f"ValidationRollout(reduce=...) must be 'mean' or 'none', got {reduce!r}"
            )
        self.trajectories = trajectories
        self.metric = metric
        self.num_rollout_steps = int(steps)
        self.reduce = reduce
        super().__init__(every, name)

    def errors(self, stepper: Any) -> Float[Array, " T"]:
        """The metric at every rollout step for `stepper`."""
        return rollout_errors(stepper, self.trajectories, self.metric, self.num_rollout_steps)

    def callback(self, update_i: int, stepper: eqx.Module, data: PyTree) -> Any:
        """The (mean) rollout error of the network on the held-out trajectories."""
        errors = self.errors(stepper)
        return float(jnp.mean(errors)) if self.reduce == "mean" else np.asarray(errors)
