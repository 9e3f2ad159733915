"""Mean squared error and its normalized variant."""

from __future__ import annotations

import jax.numpy as jnp
from jaxtyping import Array, Float

from ._base import BaseLoss


def _mean_square(x: Array) -> Array:
    return jnp.mean(jnp.square(x))


class MSELoss(BaseLoss):
    """Mean squared error `mean((prediction - target)²)` over channels and space.

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> float(tx.loss.MSELoss().single_batch(jnp.ones((1, 4)), jnp.zeros((1, 4))))
        1.0
    """

    def single_batch(
        self,
        prediction: Float[Array, "C ..."],
        target: Float[Array, "C ..."] | None = None,
    ) -> Float[Array, ""]:
        """MSE of one state; the mean square of `prediction` when `target` is None."""
        diff = prediction if target is None else prediction - target
        return _mean_square(diff)


class Normalized_MSELoss(BaseLoss):
    """MSE divided by the mean square of the target: `mean((p - t)²) / mean(t²)`.

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> t = 2.0 * jnp.ones((1, 4))
        >>> float(tx.loss.Normalized_MSELoss().single_batch(jnp.zeros((1, 4)), t))
        1.0
    """

    def single_batch(
        self,
        prediction: Float[Array, "C ..."],
        target: Float[Array, "C ..."] | None = None,
    ) -> Float[Array, ""]:
        """Normalized MSE of one state; `target` is required."""
        if target is None:
            raise ValueError(
                "Normalized_MSELoss needs a target: it divides by the target's mean square; "
                "use MSELoss() to reduce a single state such as a residuum"
            )
        return _mean_square(prediction - target) / _mean_square(target)


DEFAULT_LOSS = MSELoss()
"""The default time-level loss of every configuration and trainer."""
