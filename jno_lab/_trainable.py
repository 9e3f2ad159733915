"""What every trainable object shares: an optimizer, a learning-rate scale, freezing.

Wrapped networks (`jno.nn.wrap`) and free parameters (`jno.np.parameter`) are
trainables. The solver collects them from the constraints, keeps their
parameters as one pytree and updates each with its own optax transformation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import optax

from ._schedules import LearningRateSchedule, as_lr_schedule

DEFAULT_LEARNING_RATE = 1e-3


class Trainable:
    """Base of models and parameters: optimizer configuration and freezing."""

    name: str

    def __init__(self, name: str) -> None:
        self.name = name
        self._transform: optax.GradientTransformation | None = None
        self._scale: LearningRateSchedule | None = None
        self._frozen = False
        self.optimizer_generation = 0  # bumped by every optimizer(): fresh optimizer state

    # -- configuration (each returns self for chaining) ---------------------------
    def optimizer(self, opt_fn: Any, lr: Any = None) -> Any:
        """Attach an optimizer.

        Args:
            opt_fn: an optax transformation (`optax.adam(1e-3)`) or a factory
                (`optax.adam`), then called with learning rate 1 and scaled by `lr`.
            lr: a learning rate or schedule (`LearningRateSchedule`), only with a factory.

        Returns:
            self, for chaining.
        """
        if isinstance(opt_fn, optax.GradientTransformation):
            if lr is not None:
                raise TypeError(
                    f"{self.describe()}.optimizer: lr= is for optimizer factories such as "
                    "optax.adam; with a ready transformation use .scale(schedule) instead"
                )
            self._transform, self._scale = opt_fn, None
        elif callable(opt_fn):
            self._transform = _call_factory(opt_fn, self.describe())
            self._scale = as_lr_schedule(DEFAULT_LEARNING_RATE if lr is None else lr)
        else:
            raise TypeError(
                f"{self.describe()}.optimizer: expected an optax optimizer or factory, got "
                f"{type(opt_fn).__name__}"
            )
        self._frozen = False
        self.optimizer_generation += 1
        return self

    def scale(self, schedule: Any) -> Any:
        """Multiply the updates by `schedule(epoch, losses)` every step; returns self."""
        if self._transform is None:
            raise ValueError(
                f"{self.describe()}.scale(...) needs an optimizer first: call "
                f"{self.describe()}.optimizer(optax.adam(1)).scale(schedule)"
            )
        self._scale = as_lr_schedule(schedule)
        return self

    def set_optimizer(self, opt_fn: Any, lr: Any = None) -> Any:
        """Alias of `optimizer` (for solvers restored with `core.load`)."""
        return self.optimizer(opt_fn, lr=lr)

    def tune(
        self,
        *,
        freeze: list | None = None,
        lora: list | None = None,
        optimizer: list | None = None,
        lr: list | None = None,
        dtype: list | None = None,
    ) -> Any:
        """Declare candidate settings of this model for `core.sweep`; returns self.

        Each argument is a list of candidates, e.g. `lr=[lrs(1e-3), lrs(1e-4)]`.
        """
        from ._search.model_options import model_tune

        return model_tune(self, freeze=freeze, lora=lora, optimizer=optimizer, lr=lr, dtype=dtype)

    def freeze(self) -> Any:
        """Exclude from training (the value stays fixed); returns self."""
        self._frozen = True
        return self

    def unfreeze(self) -> Any:
        """Train again (needs an optimizer); returns self."""
        self._frozen = False
        return self

    @property
    def frozen(self) -> bool:
        return self._frozen

    @property
    def transform(self) -> optax.GradientTransformation | None:
        return self._transform

    @property
    def lr_scale(self) -> LearningRateSchedule | None:
        return self._scale

    def describe(self) -> str:
        """How messages name this object: its name or its kind."""
        return self.name or type(self).__name__


_FACTORY_RESULTS: dict[Callable[..., Any], optax.GradientTransformation] = {}


def _call_factory(factory: Callable[..., Any], who: str) -> optax.GradientTransformation:
    """`factory(1.0)`, one object per factory, so re-attaching it compiles nothing new."""
    if factory in _FACTORY_RESULTS:
        return _FACTORY_RESULTS[factory]
    try:
        transform = factory(1.0)
    except TypeError:
        transform = factory(learning_rate=1.0)
    if not isinstance(transform, optax.GradientTransformation):
        raise TypeError(f"{who}.optimizer: {factory!r}(1.0) did not return an optax optimizer")
    _FACTORY_RESULTS[factory] = transform
    return transform
