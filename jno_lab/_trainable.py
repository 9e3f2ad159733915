"""What every trainable object shares: an optimizer, a learning-rate scale, freezing.

Wrapped networks (`jno.nn.wrap`) and free parameters (`jno.np.parameter`) are
trainables. The solver collects them from the constraints, keeps their
parameters as one pytree and updates each with its own optax transformation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import optax

from ._schedules import LearningRateSchedule, as_lr_schedule
from ._tune_options import model_tune
from .provenance import Provenance

DEFAULT_LEARNING_RATE = 1e-3


@dataclass(frozen=True)
class OptimizerGroup:
    """Leaves of one trainable updated by one optax transformation and learning-rate scale.

    `selection` has one flag per array leaf of `get_params()` (None: every leaf);
    `scale` is None (rate 1) or a schedule evaluated in the step.
    """

    selection: tuple[bool, ...] | None
    transform: optax.GradientTransformation
    scale: Any
    label: str


class Trainable:
    """Base of models and parameters: optimizer configuration and freezing."""

    name: str

    def __init__(self, name: str) -> None:
        self.name = name
        self._transform: optax.GradientTransformation | None = None
        self._scale: LearningRateSchedule | None = None
        self._optimizer_provenance: Provenance | None = None
        self._frozen = False
        self.optimizer_generation = 0  # bumped by every optimizer(): fresh optimizer state
        # masked parameter groups: [mask tree, transform, scale] (see `Model.mask`)
        self._masked_groups: list[list[Any]] = []
        self._frozen_masks: list[Any] = []

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
        self._transform, self._scale = resolve_optimizer(opt_fn, lr, self.describe())
        self._optimizer_provenance = optimizer_provenance(opt_fn, self._scale)
        self._frozen = False
        self._masked_groups = []  # a bare optimizer() replaces the parameter groups
        self._frozen_masks = []
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
        made = self.optimizer_provenance
        if made is not None:  # the factory's rate is now this schedule
            self._optimizer_provenance = Provenance(made.factory, made.args, {"lr": self._scale})
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
        return model_tune(self, freeze=freeze, lora=lora, optimizer=optimizer, lr=lr, dtype=dtype)

    def freeze(self) -> Any:
        """Exclude from training (the value stays fixed); returns self."""
        self._frozen = True
        return self

    def unfreeze(self) -> Any:
        """Train again, every leaf (needs an optimizer); returns self."""
        self._frozen = False
        if self._frozen_masks:
            self._frozen_masks = []
            self.optimizer_generation += 1
        return self

    @property
    def frozen(self) -> bool:
        return self._frozen

    def leaf_flags(self, mask_tree: Any) -> tuple[bool, ...]:
        """One flag per array leaf of `get_params()` from a mask tree (see `Model.mask`)."""
        raise TypeError(f"{self.describe()} does not take parameter masks")

    def optimizer_groups(self) -> tuple[OptimizerGroup, ...]:
        """The groups the solver trains, each leaf in at most one (none when frozen).

        Masked groups own the leaves they select (a later mask wins a leaf two
        masks select); the bare `optimizer()` gets the rest; leaves frozen by
        `mask(m).freeze()`, or in no group, stay fixed.
        """
        if self._frozen:
            return ()
        n = self.leaf_count()
        owner: list[int | None] = [None] * n  # -1: the bare optimizer; k: masked group k
        if self._transform is not None:
            owner = [-1] * n
        for k, (mask_tree, _, _) in enumerate(self._masked_groups):
            for j, flag in enumerate(self.leaf_flags(mask_tree)):
                if flag:
                    owner[j] = k
        frozen = [self.leaf_flags(m) for m in self._frozen_masks] + self.extra_frozen_flags()
        for flags in frozen:
            for j, flag in enumerate(flags):
                if flag:
                    owner[j] = None
        groups = []
        if self._transform is not None and -1 in owner:
            selection = tuple(o == -1 for o in owner)
            groups.append(
                OptimizerGroup(
                    None if all(selection) else selection, self._transform, self._scale, ""
                )
            )
        for k, (_, transform, scale) in enumerate(self._masked_groups):
            if k in owner:
                selection = tuple(o == k for o in owner)
                groups.append(OptimizerGroup(selection, transform, scale, f"mask{k}"))
        return tuple(groups)

    def extra_frozen_flags(self) -> list[tuple[bool, ...]]:
        """Further per-leaf flags of leaves kept fixed (LoRA's base weights); none here."""
        return []

    def before_solve(self) -> None:
        """Hook run by `solve()` before it builds the step (e.g. LoRA adds adapters)."""

    def after_solve(self) -> None:
        """Hook run by `solve()` after training (e.g. LoRA merges adapters)."""

    def leaf_count(self) -> int:
        """Number of array leaves of `get_params()`."""
        import jax

        return len(jax.tree_util.tree_leaves(self.get_params()))  # type: ignore[attr-defined]

    @property
    def has_optimizer(self) -> bool:
        """True when some leaves have an optimizer (bare or masked)."""
        return self._transform is not None or bool(self._masked_groups)

    @property
    def optimizer_provenance(self) -> Provenance | None:
        """How the bare optimizer was made: `Provenance("optax.adam", (), {"lr": schedule})`.

        Known for the factory form `optimizer(optax.adam, lr=...)` only; None for a
        ready transformation (`optimizer(optax.adam(1e-3))`) or no optimizer.
        """
        return self._optimizer_provenance

    @property
    def transform(self) -> optax.GradientTransformation | None:
        return self._transform

    @property
    def lr_scale(self) -> LearningRateSchedule | None:
        return self._scale

    def describe(self) -> str:
        """How messages name this object: its name or its kind."""
        return self.name or type(self).__name__


def optimizer_provenance(opt_fn: Any, scale: Any) -> Provenance | None:
    """The provenance of `optimizer(opt_fn, lr=...)` (None for a ready transformation).

    Example:
        >>> import optax
        >>> optimizer_provenance(optax.sgd, None).factory
        'optax.sgd'
        >>> optimizer_provenance(optax.sgd(0.1), None) is None
        True
    """
    if isinstance(opt_fn, optax.GradientTransformation) or not callable(opt_fn):
        return None
    name = getattr(opt_fn, "__name__", "")
    public = f"optax.{name}" if getattr(optax, name, None) is opt_fn else ""
    module = getattr(opt_fn, "__module__", None) or "?"
    return Provenance(
        public or f"{module}.{getattr(opt_fn, '__qualname__', name)}", (), {"lr": scale}
    )


def resolve_optimizer(opt_fn: Any, lr: Any, who: str) -> tuple[Any, Any]:
    """`(transform, scale)` from `optimizer(opt_fn, lr=...)`'s arguments."""
    if isinstance(opt_fn, optax.GradientTransformation):
        if lr is not None:
            raise TypeError(
                f"{who}.optimizer: lr= is for optimizer factories such as "
                "optax.adam; with a ready transformation use .scale(schedule) instead"
            )
        return opt_fn, None
    if callable(opt_fn):
        transform = _call_factory(opt_fn, who)
        return transform, as_lr_schedule(DEFAULT_LEARNING_RATE if lr is None else lr)
    raise TypeError(
        f"{who}.optimizer: expected an optax optimizer or factory, got {type(opt_fn).__name__}"
    )


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
