"""The time-level loss base class: one state against another, or a state against zero."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float


class BaseLoss(eqx.Module):
    """A comparison of two states (or the reduction of one state) to a scalar.

    Subclasses implement `single_batch` on one state of shape `(C, *N)`. Calling the
    loss (or `multi_batch`) on states of shape `(B, C, *N)` maps `single_batch` over
    the leading axis and reduces it with `batch_reduction` (the mean by default).
    Configurations always average over the batch, so they accept only losses with
    the default reduction.

    Losses add and scale: `MSELoss() + 0.1 * MAELoss()` is a `CompositeLoss`.
    """

    batch_reduction: Callable[[Array], Array] = eqx.field(static=True, default=jnp.mean)

    @abstractmethod
    def single_batch(
        self,
        prediction: Float[Array, "C ..."],
        target: Float[Array, "C ..."] | None = None,
    ) -> Float[Array, ""]:
        """Loss of one state `(C, *N)`; without `target` the state is compared to zero."""

    def multi_batch(
        self,
        prediction: Float[Array, "B C ..."],
        target: Float[Array, "B C ..."] | None = None,
    ) -> Float[Array, ""]:
        """Loss of a batch of states `(B, C, *N)`, reduced with `batch_reduction`."""
        if target is None:
            values = jax.vmap(lambda p: self.single_batch(p, None))(prediction)
        else:
            values = jax.vmap(self.single_batch)(prediction, target)
        return self.batch_reduction(values)

    def __call__(
        self,
        prediction: Float[Array, "B C ..."],
        target: Float[Array, "B C ..."] | None = None,
    ) -> Float[Array, ""]:
        """Same as `multi_batch`: the loss of a batch of states."""
        return self.multi_batch(prediction, target)

    def __add__(self, other: BaseLoss) -> BaseLoss:
        from ._composite import CompositeLoss

        if not isinstance(other, BaseLoss):
            return NotImplemented
        return CompositeLoss([self, other], [1.0, 1.0])

    def __mul__(self, weight: float) -> BaseLoss:
        from ._composite import CompositeLoss

        if isinstance(weight, BaseLoss):
            return NotImplemented
        return CompositeLoss([self], [float(weight)])

    __rmul__ = __mul__
