"""Learning-rate and constraint-weight schedules, evaluated inside the compiled step.

A schedule is an equinox module: its numbers are array leaves, so a schedule
with other numbers reuses the compiled step (no recompilation); only its kind
(and a custom function) is static.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp


def _f32(value: Any) -> jax.Array:
    return jnp.asarray(value, dtype=jnp.float32)


def _constant(p: dict[str, jax.Array], epoch: jax.Array) -> jax.Array:
    return p["lr0"]


def _exponential(p: dict[str, jax.Array], epoch: jax.Array) -> jax.Array:
    lr = p["lr0"] * p["decay_rate"] ** (epoch / p["decay_steps"])
    return jnp.maximum(lr, p["lr_end"])


def _cosine(p: dict[str, jax.Array], epoch: jax.Array) -> jax.Array:
    frac = jnp.clip(epoch / p["total_steps"], 0.0, 1.0)
    return p["lr_end"] + 0.5 * (p["lr0"] - p["lr_end"]) * (1.0 + jnp.cos(jnp.pi * frac))


def _warmup_cosine(p: dict[str, jax.Array], epoch: jax.Array) -> jax.Array:
    warm = p["lr0"] * jnp.minimum(1.0, (epoch + 1.0) / jnp.maximum(p["warmup_steps"], 1.0))
    decay_len = jnp.maximum(p["total_steps"] - p["warmup_steps"], 1.0)
    frac = jnp.clip((epoch - p["warmup_steps"]) / decay_len, 0.0, 1.0)
    cos = p["lr_end"] + 0.5 * (p["lr0"] - p["lr_end"]) * (1.0 + jnp.cos(jnp.pi * frac))
    return jnp.where(epoch < p["warmup_steps"], warm, cos)


def _piecewise_constant(p: dict[str, jax.Array], epoch: jax.Array) -> jax.Array:
    index = jnp.sum(epoch >= p["boundaries"])
    return p["values"][index]


_KINDS: dict[str, Callable[[dict[str, jax.Array], jax.Array], jax.Array]] = {
    "constant": _constant,
    "exponential": _exponential,
    "cosine": _cosine,
    "warmup_cosine": _warmup_cosine,
    "piecewise_constant": _piecewise_constant,
}


class LearningRateSchedule(eqx.Module):
    """A learning rate as a function of `(epoch, individual_losses)`.

    Example:
        >>> from jno_lab import LearningRateSchedule as lrs
        >>> round(float(lrs.exponential(1e-3, 0.5, 100, 1e-5)(200, None)), 8)
        0.00025
        >>> round(float(lrs(1e-3)(0, None)), 8)
        0.001
    """

    kind: str = eqx.field(static=True)
    params: dict[str, jax.Array]
    fn: Callable[..., Any] | None = eqx.field(static=True, default=None)

    def __init__(
        self,
        value: float | Callable[..., Any] | None = None,
        *,
        kind: str | None = None,
        params: dict[str, Any] | None = None,
        min_lr: float | None = None,
        max_lr: float | None = None,
    ):
        if kind is None:
            if callable(value):
                kind, params, self.fn = "custom", {}, value
            elif value is None:
                raise TypeError("LearningRateSchedule needs a number or a function (epoch, losses)")
            else:
                kind, params, self.fn = "constant", {"lr0": value}, None
        else:
            self.fn = None
        if kind != "custom" and kind not in _KINDS:
            raise ValueError(f"unknown schedule kind {kind!r}; known: {', '.join(_KINDS)}")
        params = dict(params or {})
        if min_lr is not None and max_lr is not None and min_lr > max_lr:
            raise ValueError(
                f"min_lr={min_lr} is larger than max_lr={max_lr}; give min_lr <= max_lr"
            )
        if min_lr is not None:
            params["min_lr"] = min_lr
        if max_lr is not None:
            params["max_lr"] = max_lr
        self.kind = kind
        self.params = {k: _f32(v) for k, v in params.items()}

    def init_state(self) -> tuple:
        """The schedule's on-device state (none: a plain schedule is a pure function)."""
        return ()

    def advance(
        self, state: tuple, epoch: jax.Array, prev_losses: jax.Array, losses: jax.Array
    ) -> tuple[jax.Array, tuple]:
        """`(lr, new_state)` inside the step; plain schedules see the previous step's losses."""
        return self(epoch, prev_losses), state

    def __call__(self, epoch: Any, losses: Any = None) -> jax.Array:
        """The learning rate at `epoch`, given the previous step's per-constraint losses."""
        epoch = jnp.asarray(epoch, dtype=jnp.float32)
        if self.kind == "custom":
            assert self.fn is not None
            lr = _f32(self.fn(epoch, losses))
        else:
            lr = _KINDS[self.kind](self.params, epoch)
        if "min_lr" in self.params:
            lr = jnp.maximum(lr, self.params["min_lr"])
        if "max_lr" in self.params:
            lr = jnp.minimum(lr, self.params["max_lr"])
        return lr

    # -- factories ------------------------------------------------------------------
    @classmethod
    def dlrs(cls, lr0: float = 1e-3, window: int = 10, **options: Any) -> Any:
        """The loss-adaptive scheduler `jno_lab.dlrs` (see `DynamicLearningRate`)."""
        from ._dlrs import dlrs

        return dlrs(lr0, window, **options)

    @classmethod
    def constant(cls, lr: float, **clamp: Any) -> LearningRateSchedule:
        """A fixed learning rate."""
        return cls(kind="constant", params={"lr0": lr}, **clamp)

    @classmethod
    def exponential(
        cls, lr0: float, decay_rate: float, decay_steps: float, lr_end: float = 0.0, **clamp: Any
    ) -> LearningRateSchedule:
        """`max(lr_end, lr0 * decay_rate ** (t / decay_steps))`."""
        if decay_steps <= 0:
            raise ValueError(f"decay_steps must be positive, got {decay_steps}")
        params = {"lr0": lr0, "decay_rate": decay_rate, "decay_steps": decay_steps}
        return cls(kind="exponential", params={**params, "lr_end": lr_end}, **clamp)

    @classmethod
    def cosine(
        cls, total_steps: int, lr0: float, lr_end: float = 0.0, **clamp: Any
    ) -> LearningRateSchedule:
        """Cosine decay from `lr0` to `lr_end` over `total_steps`."""
        params = {"total_steps": total_steps, "lr0": lr0, "lr_end": lr_end}
        return cls(kind="cosine", params=params, **clamp)

    @classmethod
    def warmup_cosine(
        cls, total_steps: int, warmup_steps: int, lr0: float, lr_end: float = 0.0, **clamp: Any
    ) -> LearningRateSchedule:
        """Linear warm-up to `lr0` over `warmup_steps`, then cosine decay to `lr_end`."""
        if not 0 <= warmup_steps <= total_steps:
            raise ValueError(
                f"warmup_steps must lie in [0, total_steps={total_steps}], got {warmup_steps}"
            )
        params = {
            "total_steps": total_steps,
            "warmup_steps": warmup_steps,
            "lr0": lr0,
            "lr_end": lr_end,
        }
        return cls(kind="warmup_cosine", params=params, **clamp)

    @classmethod
    def piecewise_constant(
        cls, boundaries: Sequence[int], values: Sequence[float], **clamp: Any
    ) -> LearningRateSchedule:
        """`values[i]` between `boundaries[i-1]` and `boundaries[i]`."""
        if len(values) != len(boundaries) + 1:
            raise ValueError(
                f"piecewise_constant needs len(boundaries) + 1 values: got {len(boundaries)} "
                f"boundaries and {len(values)} values"
            )
        params = {"boundaries": list(boundaries), "values": list(values)}
        return cls(kind="piecewise_constant", params=params, **clamp)


def as_lr_schedule(value: Any) -> Any:
    """Accept a schedule, a number or an `(epoch, losses) -> lr` function."""
    if isinstance(value, LearningRateSchedule) or hasattr(value, "advance"):
        return value
    if isinstance(value, bool) or not (callable(value) or isinstance(value, int | float)):
        raise TypeError(
            f"a learning rate must be a number, a LearningRateSchedule or a function "
            f"(epoch, losses) -> lr, got {type(value).__name__}; e.g. lr=lrs.constant(1e-3)"
        )
    return LearningRateSchedule(value)


class WeightSchedule(eqx.Module):
    """Constraint weights: fixed numbers or a function `(epoch, individual_losses) -> weights`.

    Example:
        >>> from jno_lab import WeightSchedule as ws
        >>> ws([1.0, 10.0])(0, None).tolist()
        [1.0, 10.0]
    """

    weights: jax.Array | None
    fn: Callable[..., Any] | None = eqx.field(static=True, default=None)

    def __init__(self, weights: Sequence[float] | Callable[..., Any]):
        if callable(weights):
            self.weights, self.fn = None, weights
        else:
            values = jnp.asarray(weights, dtype=jnp.float32)
            if values.ndim != 1:
                raise ValueError(
                    f"WeightSchedule: give one weight per constraint (a flat list), got shape "
                    f"{tuple(values.shape)}"
                )
            self.weights, self.fn = values, None

    def __call__(self, epoch: Any, losses: Any = None) -> jax.Array:
        """The weights at `epoch` (one per constraint)."""
        if self.fn is None:
            assert self.weights is not None
            return self.weights
        out = self.fn(jnp.asarray(epoch, jnp.float32), losses)
        return jnp.stack([jnp.asarray(w, jnp.float32).reshape(()) for w in out])

    def check(self, n_constraints: int) -> None:
        """Raise unless the schedule gives exactly `n_constraints` weights."""
        if self.weights is not None:
            count = self.weights.shape[0]
        else:
            try:
                shape = jax.eval_shape(
                    self,
                    jax.ShapeDtypeStruct((), jnp.float32),
                    jax.ShapeDtypeStruct((n_constraints,), jnp.float32),
                )
            except jax.errors.ConcretizationTypeError:
                return  # Python control flow: evaluated on the host, checked there
            count = shape.shape[0]
        if count != n_constraints:
            raise ValueError(
                f"constraint_weights has {count} weights but the problem has "
                f"{n_constraints} constraints; give one weight per constraint"
            )
