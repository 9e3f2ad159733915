"""Applying one configuration: models re-built, optimizers attached, solve settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jax
import numpy as np
import optax

from .dimensions import (
    ARCHITECTURE_KIND,
    DEFAULT_EPOCHS,
    OPTION_KIND,
    TRAINING_KIND,
    SearchSpace,
)
from .tunable import TunableModule

_MISSING = object()


def configure(
    space: SearchSpace,
    config: Mapping[str, Any],
    pairs: Sequence[tuple[Any, Any]],
    key: jax.Array,
) -> dict[str, Any]:
    """Apply `config` to trainables and return the keyword arguments of `solve`.

    Args:
        space: the sweep's dimensions (their owners are the original trainables).
        config: dimension key -> value.
        pairs: `(original, target)` per trainable: dimensions owned by `original`
            are applied to `target` (a trial's private copy, or the original itself).
        key: PRNG key for re-built tunable modules.

    Returns:
        `epochs`, `batchsize`, `inner_steps` and `constraint_weights` for `core.solve`.
    """
    training = {d.field: config[d.key] for d in space.dimensions if d.kind == TRAINING_KIND}
    for original, target in pairs:
        own = [d for d in space.dimensions if d.owner is original]
        if isinstance(target, TunableModule):
            arch = {d.field: config[d.key] for d in own if d.kind == ARCHITECTURE_KIND}
            for name in target.space.names:
                if name not in arch and name in training:
                    arch[name] = training[name]  # a training setting the model reads too
            target.instantiate(arch, key=key)
        options = {d.field: config[d.key] for d in own if d.kind == OPTION_KIND}
        optimizer = options.get("optimizer", training.get("optimizer", _MISSING))
        lr = options.get("lr", training.get("learning_rate", _MISSING))
        freeze = options.get("freeze")
        if freeze is True:
            target.freeze()
        elif freeze is False or not target.frozen:
            attach_optimizer(target, optimizer, lr)
        if "dtype" in options and options["dtype"] is not None:
            target.dtype(options["dtype"])
        if "lora" in options:
            apply_lora(target, options["lora"])
    return {
        "epochs": _integer(training.get("epochs", DEFAULT_EPOCHS)),
        "batchsize": _integer(training.get("batchsize")),
        "inner_steps": _integer(training.get("inner_steps", 1)),
        "constraint_weights": training.get("weight_schedule"),
    }


def attach_optimizer(target: Any, optimizer: Any = _MISSING, lr: Any = _MISSING) -> None:
    """Give `target` an optimizer and learning rate, keeping what the configuration leaves out.

    Without either, an existing optimizer is kept (else `optax.adam` at the
    default rate); with only `lr`, a factory-made optimizer keeps its factory
    (else `optax.adam`); with only `optimizer`, the current learning rate is kept.
    The target ends up trainable (not frozen).
    """
    if optimizer is _MISSING and lr is _MISSING:
        if target.transform is None:
            target.optimizer(optax.adam)
    elif optimizer is _MISSING:
        if target.transform is not None and target.lr_scale is not None:
            target.scale(lr)
        else:
            target.optimizer(optax.adam, lr=lr)
    elif lr is _MISSING:
        if isinstance(optimizer, optax.GradientTransformation):
            target.optimizer(optimizer)
        else:
            target.optimizer(optimizer, lr=target.lr_scale)
    else:
        target.optimizer(optimizer, lr=lr)
    target.unfreeze()


def apply_lora(target: Any, candidate: Any) -> None:
    """`(rank, alpha)` -> `target.lora(rank, alpha)`; None -> no adapters."""
    if candidate is None:
        if hasattr(target, "_clear_lora"):
            target._clear_lora()
        return
    rank, alpha = candidate
    target.lora(rank, alpha)


def _integer(value: Any) -> Any:
    return int(value) if isinstance(value, np.integer) else value
