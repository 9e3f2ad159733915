"""`Model.tune(...)`: per-model candidates that a sweep searches along with the rest."""

from __future__ import annotations

from typing import Any

OPTIONS = ("freeze", "lora", "optimizer", "lr", "dtype")
"""The per-model options, in the order a sweep lists them."""

UNSUPPORTED = {"lora": "LoRA", "dtype": "dtype"}
"""Options recorded but not searched by this version (only None candidates are allowed)."""


def model_tune(
    model: Any,
    *,
    freeze: list | None = None,
    lora: list | None = None,
    optimizer: list | None = None,
    lr: list | None = None,
    dtype: list | None = None,
) -> Any:
    """Declare per-model candidates for hyper-parameter sweeps (attached as `Model.tune`).

    During `crux.sweep` every combination is tried together with the training
    space: `optimizer` and `lr` candidates replace the training space's for this
    model; `freeze=[True, False]` trains the model or keeps it fixed. A later call
    replaces the options it names.

    Args:
        model: the model (or parameter) to tune.
        freeze: list of bools.
        lora: list of `(rank, alpha)` tuples or None (only None in this version).
        optimizer: list of optax factories, e.g. `[optax.adam, optax.sgd]`.
        lr: list of learning rates or `LearningRateSchedule`s.
        dtype: list of dtypes or None (only None in this version).

    Returns:
        the model, for chaining.

    Raises:
        ValueError: for an empty list; TypeError for a non-list or non-bool freeze.

    Example:
        >>> import optax, jno_lab as jno
        >>> from jno_lab._search.model_options import model_tune
        >>> p = jno.np.parameter((1,), name="p")
        >>> model_tune(p, freeze=[False, True], lr=[1e-2, 1e-3]) is p
        True
        >>> sorted(p._tune_options)
        ['freeze', 'lr']
    """
    given = {"freeze": freeze, "lora": lora, "optimizer": optimizer, "lr": lr, "dtype": dtype}
    who = getattr(model, "describe", lambda: type(model).__name__)()
    options = dict(getattr(model, "_tune_options", None) or {})
    for name, candidates in given.items():
        if candidates is None:
            continue
        if isinstance(candidates, str | bytes) or not isinstance(candidates, list | tuple):
            raise TypeError(
                f"{who}.tune({name}=...) takes a list of candidates, got "
                f"{type(candidates).__name__}"
            )
        if not candidates:
            raise ValueError(f"{who}.tune({name}=[]): give at least one candidate")
        if name == "freeze" and not all(isinstance(c, bool) for c in candidates):
            raise TypeError(f"{who}.tune(freeze=...) candidates must be True or False")
        options[name] = tuple(candidates)
    model._tune_options = options
    return model


def tune_options(model: Any) -> dict[str, tuple[Any, ...]]:
    """The options recorded by `model_tune` (empty when none), in `OPTIONS` order."""
    recorded = getattr(model, "_tune_options", None) or {}
    return {name: recorded[name] for name in OPTIONS if name in recorded}
