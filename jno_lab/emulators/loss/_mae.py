"""Mean absolute error and its normalized variant."""

from __future__ import annotations

import jax.numpy as jnp
from jaxtyping import Array, Float

from ._base import BaseLoss


class MAELoss(BaseLoss):
    """Mean absolute error `mean(|prediction - target|)` over channels and space.

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> float(tx.loss.MAELoss().single_batch(-jnp.ones((1, 4)), jnp.ones((1, 4))))
        2.0
    """

    def single_batch(
        self,
        prediction: Float[Array, "C ..."],
        target: Float[Array, "C ..."] | None = None,
    ) -> Float[Array, ""]:
        """MAE of one state; the mean magnitude of `prediction` when `target` is None."""
        diff = prediction if target is None else prediction - target
        return jnp.mean(jnp.abs(diff))


class Normalized_MAELoss(BaseLoss):
    """MAE divided by the mean magnitude of the target: `mean(|p - t|) / mean(|t|)`.

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> t = 2.0 * jnp.ones((1, 4))
        >>> float(tx.loss.Normalized_MAELoss().single_batch(jnp.ones((1, 4)), t))
        0.5
    """

    def single_batch(
        self,
        prediction: Float[Array, "C ..."],
        target: Float[Array, "C ..."] | None = None,
    ) -> Float[Array, ""]:
        """Normalized MAE of one state; `target` is required."""
        if target is None:
            raise ValueError(
                "Normalized_MAELoss needs a target: it divides by the target's mean magnitude; "
                "use MAELoss() to reduce a single state such as a residuum"
            )
        return jnp.mean(jnp.abs(prediction - target)) / jnp.mean(jnp.abs(target))
