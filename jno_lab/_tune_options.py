"""`Trainable.tune(...)`: per-model candidates that a sweep searches along with the rest."""

from __future__ import annotations

from typing import Any

from ._dtypes import check_dtype

OPTIONS = ("freeze", "lora", "optimizer", "lr", "dtype")
"""The per-model options, in the order a sweep lists them."""


def check_option(model: Any, option: str, candidates: Any) -> None:
    """A ValueError/TypeError for candidates a model cannot take.

    `lora` candidates are `(rank, alpha)` pairs or None (no adapters), and need a
    wrapped network; `dtype` candidates are floating dtypes or None (unchanged).
    """
    who = getattr(model, "describe", lambda: type(model).__name__)()
    if option == "lora":
        for c in candidates:
            if c is None:
                continue
            if not hasattr(model, "lora"):
                raise TypeError(
                    f"{who}.tune(lora=...): {type(model).__name__} has no layers to adapt; "
                    "LoRA candidates are for wrapped networks (jno.nn.wrap)"
                )
            ok = (
                isinstance(c, tuple | list)
                and len(c) == 2
                and isinstance(c[0], int)
                and not isinstance(c[0], bool)
                and c[0] >= 1
                and isinstance(c[1], int | float)
            )
            if not ok:
                raise ValueError(
                    f"{who}.tune(lora=...): each candidate is (rank, alpha) with a positive "
                    f"integer rank, or None; got {c!r}, e.g. lora=[(4, 1.0), None]"
                )
    if option == "dtype":
        for c in candidates:
            if c is None:
                continue
            if not hasattr(model, "dtype"):
                raise TypeError(
                    f"{who}.tune(dtype=...): dtype candidates are for wrapped networks "
                    "(jno.nn.wrap)"
                )
            check_dtype(f"{who}.tune(dtype=...):", c)


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
        lora: list of `(rank, alpha)` tuples or None (no adapters).
        optimizer: list of optax factories, e.g. `[optax.adam, optax.sgd]`.
        lr: list of learning rates or `LearningRateSchedule`s.
        dtype: list of floating dtypes or None (the model's own).

    Returns:
        the model, for chaining.

    Raises:
        ValueError: for an empty list; TypeError for a non-list or non-bool freeze.

    Example:
        >>> import optax, jno_lab as jno
        >>> from jno_lab._tune_options import model_tune
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
        check_option(model, name, candidates)
        options[name] = tuple(candidates)
    model._tune_options = options
    return model


def tune_options(model: Any) -> dict[str, tuple[Any, ...]]:
    """The options recorded by `model_tune` (empty when none), in `OPTIONS` order."""
    recorded = getattr(model, "_tune_options", None) or {}
    return {name: recorded[name] for name in OPTIONS if name in recorded}
