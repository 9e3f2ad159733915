"""Weighted sums of time-level losses."""

from __future__ import annotations

from collections.abc import Sequence

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float

from ._base import BaseLoss


class CompositeLoss(BaseLoss):
    """The weighted sum `sum_i w_i * loss_i` of time-level losses.

    Built directly or with arithmetic on losses (`MSELoss() + 0.5 * MAELoss()`).

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> loss = tx.loss.MSELoss() + 0.5 * tx.loss.MAELoss()
        >>> float(loss.single_batch(2.0 * jnp.ones((1, 4))))
        5.0
    """

    # keyword-only: the base class's `batch_reduction` has a default
    losses: tuple[BaseLoss, ...] = eqx.field(kw_only=True)
    weights: tuple[float, ...] = eqx.field(static=True, kw_only=True)

    def __init__(self, losses: Sequence[BaseLoss], weights: Sequence[float] | None = None):
        losses = tuple(losses)
        if not losses or not all(isinstance(loss, BaseLoss) for loss in losses):
            raise TypeError(
                "CompositeLoss(losses=...) needs a non-empty list of time-level losses "
                f"(tx.loss.BaseLoss instances), got {losses!r}"
            )
        weights = tuple(float(w) for w in (weights if weights is not None else [1.0] * len(losses)))
        if len(weights) != len(losses):
            raise ValueError(
                f"CompositeLoss(weights=...) needs one weight per loss: got {len(weights)} "
                f"weights for {len(losses)} losses"
            )
        flat_losses: list[BaseLoss] = []
        flat_weights: list[float] = []
        for loss, weight in zip(losses, weights, strict=True):
            if isinstance(loss, CompositeLoss):
                flat_losses.extend(loss.losses)
                flat_weights.extend(weight * w for w in loss.weights)
            else:
                flat_losses.append(loss)
                flat_weights.append(weight)
        self.batch_reduction = jnp.mean
        self.losses = tuple(flat_losses)
        self.weights = tuple(flat_weights)

    def single_batch(
        self,
        prediction: Float[Array, "C ..."],
        target: Float[Array, "C ..."] | None = None,
    ) -> Float[Array, ""]:
        """Weighted sum of the member losses on one state."""
        total = jnp.zeros(())
        for loss, weight in zip(self.losses, self.weights, strict=True):
            total = total + weight * loss.single_batch(prediction, target)
        return total
