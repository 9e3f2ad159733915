"""Discrete Lp norms of the error (RMSE is p = 2) and their normalized variants."""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float

from ._base import BaseLoss


def _mean_lp(x: Array, p: float) -> Array:
    return jnp.mean(jnp.abs(x) ** p) ** (1.0 / p)


def _check_p(p: float) -> float:
    if not isinstance(p, (int, float)) or isinstance(p, bool) or p < 1:
        raise ValueError(f"LpLoss(p=...) must be a number >= 1, got {p!r}")
    return float(p)


class LpLoss(BaseLoss):
    """Mean-based Lp norm of the error: `(mean(|prediction - target|^p))^(1/p)`.

    The mean (not the sum) over channels and space makes the value independent of
    the resolution; `p=2` is the RMSE.

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> float(tx.loss.LpLoss(p=3).single_batch(2.0 * jnp.ones((1, 4))))
        2.0
    """

    p: float = eqx.field(static=True, converter=_check_p, default=2.0)

    def single_batch(
        self,
        prediction: Float[Array, "C ..."],
        target: Float[Array, "C ..."] | None = None,
    ) -> Float[Array, ""]:
        """Lp error of one state; the Lp norm of `prediction` when `target` is None."""
        diff = prediction if target is None else prediction - target
        return _mean_lp(diff, self.p)


class Normalized_LpLoss(BaseLoss):
    """Lp norm of the error divided by the Lp norm of the target.

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> t = 4.0 * jnp.ones((1, 4))
        >>> float(tx.loss.Normalized_LpLoss(p=1).single_batch(jnp.ones((1, 4)), t))
        0.75
    """

    p: float = eqx.field(static=True, converter=_check_p, default=2.0)

    def single_batch(
        self,
        prediction: Float[Array, "C ..."],
        target: Float[Array, "C ..."] | None = None,
    ) -> Float[Array, ""]:
        """Relative Lp error of one state; `target` is required."""
        if target is None:
            raise ValueError(
                "Normalized_LpLoss needs a target: it divides by the target's Lp norm; "
                "use LpLoss() to reduce a single state such as a residuum"
            )
        return _mean_lp(prediction - target, self.p) / _mean_lp(target, self.p)


class RMSELoss(LpLoss):
    """Root mean squared error `sqrt(mean((prediction - target)²))` (LpLoss with p = 2).

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> float(tx.loss.RMSELoss().single_batch(3.0 * jnp.ones((2, 4))))
        3.0
    """

    def __init__(self, *, batch_reduction=jnp.mean):
        super().__init__(batch_reduction=batch_reduction, p=2.0)


class Normalized_RMSELoss(Normalized_LpLoss):
    """RMSE divided by the root mean square of the target (relative L2 error).

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> t = 2.0 * jnp.ones((1, 4))
        >>> float(tx.loss.Normalized_RMSELoss().single_batch(jnp.ones((1, 4)), t))
        0.5
    """

    def __init__(self, *, batch_reduction=jnp.mean):
        super().__init__(batch_reduction=batch_reduction, p=2.0)
