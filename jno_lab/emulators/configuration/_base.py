"""The configuration base class: how the emulator and the reference interplay in one loss."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, PyTree

from ..loss import BaseLoss

Stepper = Callable[[Any], Any]
"""A map from one state `(C, *N)` to the next state of the same shape."""

ResiduumFn = Callable[[Any, Any], Any]
"""`residuum_fn(u_next, u_prev)`: a state whose zero means the pair is consistent."""


def required(owner: str, name: str, value: Callable | None) -> Callable:
    """`value`, which `owner` cannot work without (a ref_stepper or residuum_fn)."""
    if value is None:
        raise ValueError(f"{owner} needs a {name}=... to compute its loss")
    return value


def maybe_cut(x: PyTree, cut: Array) -> PyTree:
    """Return `x` with its gradient stopped where the traced boolean `cut` is true."""
    return jax.tree_util.tree_map(lambda a: jnp.where(cut, jax.lax.stop_gradient(a), a), x)


def check_loss(owner: str, loss: Any) -> BaseLoss:
    """Validate the `time_level_loss` argument of a configuration."""
    if not isinstance(loss, BaseLoss):
        raise TypeError(
            f"{owner}(time_level_loss=...) must be a time-level loss such as "
            f"tx.loss.MSELoss(), got {loss!r}"
        )
    if loss.batch_reduction is not jnp.mean:
        raise ValueError(
            f"{owner}(time_level_loss=...) got a loss with batch_reduction="
            f"{loss.batch_reduction!r}: configurations average over the (masked) minibatch; "
            "pass the loss with its default batch_reduction"
        )
    return loss


def check_count(owner: str, name: str, value: Any, minimum: int = 1) -> int:
    """Validate an integer constructor argument."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{owner}({name}=...) must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_weights(owner: str, name: str, weights: Any, length: int) -> Array:
    """Validate time-level weights; None means all ones."""
    if weights is None:
        return jnp.ones((length,))
    array = jnp.asarray(weights, dtype=jnp.result_type(float))
    if array.shape != (length,):
        raise ValueError(
            f"{owner}({name}=...) must have shape ({length},), one weight per level, "
            f"got shape {array.shape}"
        )
    return array


class BaseConfiguration(eqx.Module):
    """A loss built from the emulator, data and possibly the reference stepper.

    Subclasses implement `sample_loss` on one window of data `(L, C, *N)` (the
    first snapshot is the initial condition) with the rollout written as a
    `lax.scan`. Calling the configuration on a batch `(B, L, C, *N)` gives the
    (masked) mean of the per-window losses, which for the default mean batch
    reduction equals the Trainax sum of batch-averaged time-level losses.
    """

    needs_ref_stepper: ClassVar[bool] = False
    needs_residuum_fn: ClassVar[bool] = False

    @property
    @abstractmethod
    def window_length(self) -> int:
        """Number of snapshots (including the initial condition) one window must have."""

    @abstractmethod
    def sample_loss(
        self,
        stepper: Stepper,
        window: Float[Array, "L C ..."],
        *,
        ref_stepper: Stepper | None = None,
        residuum_fn: ResiduumFn | None = None,
    ) -> Float[Array, ""]:
        """Loss of one window; the rollout starts at `window[0]`."""

    def check_window(self, window_shape: tuple[int, ...]) -> None:
        """Raise a clear error if windows of `window_shape` are too short."""
        if len(window_shape) < 2 or window_shape[0] < self.window_length:
            raise ValueError(
                f"{type(self).__name__} needs windows of at least {self.window_length} "
                f"snapshots (time axis first, then channels), got a window of shape "
                f"{tuple(window_shape)}; use longer sub-trajectories or fewer rollout steps"
            )

    def __call__(
        self,
        stepper: Stepper,
        data: Float[Array, "B L C ..."],
        *,
        ref_stepper: Stepper | None = None,
        residuum_fn: ResiduumFn | None = None,
        mask: Float[Array, " B"] | None = None,
    ) -> Float[Array, ""]:
        """Mean loss over a batch of windows; `mask` (0/1 per window) drops padded windows."""
        data = jnp.asarray(data)
        self.check_window(data.shape[1:])
        if self.needs_ref_stepper and ref_stepper is None:
            raise ValueError(f"{type(self).__name__} needs a ref_stepper=... to be called")
        if self.needs_residuum_fn and residuum_fn is None:
            raise ValueError(f"{type(self).__name__} needs a residuum_fn=... to be called")
        losses = jax.vmap(
            lambda w: self.sample_loss(stepper, w, ref_stepper=ref_stepper, residuum_fn=residuum_fn)
        )(data)
        if mask is None:
            return jnp.mean(losses)
        mask = mask.astype(losses.dtype)
        return jnp.sum(mask * losses) / jnp.maximum(jnp.sum(mask), 1.0)
