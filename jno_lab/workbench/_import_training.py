"""The importer's training plan: the optimizers the trainables were given -> one phase.

`.optimizer(optax.adam, lr=...)` records its factory and rate
(`Trainable.optimizer_provenance`), the form the lowering writes. A ready
transformation (`.optimizer(optax.adam(1e-3))`, the spec's other form) records
nothing: it is recognised by its updates on fixed gradients, compared with each
optimizer a phase can name; one that matches none is reported and the default used.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np
import optax

from ..introspect import DynamicLearningRate, LearningRateSchedule
from .catalogue.matching import clean_float

OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop", "lion", "adabelief")
"""Optimizers a training phase can name (the document schema's list)."""


def learning_rate(scale: LearningRateSchedule | DynamicLearningRate | None) -> Any:
    """A learning-rate schedule as a document learning rate (None when it is custom).

    Example:
        >>> import jno_lab as jno
        >>> learning_rate(jno.LearningRateSchedule.constant(0.002))
        0.002
    """

    def num(v: np.ndarray) -> Any:
        out = clean_float(v)
        return int(out) if out.is_integer() and abs(out) >= 1 else out

    if isinstance(scale, DynamicLearningRate):
        numbers = {k: num(np.asarray(v)) for k, v in scale.params.items()}
        return {"kind": "dlrs", "window": scale.window, **numbers}
    if not isinstance(scale, LearningRateSchedule) or scale.kind == "custom":
        return None
    values = {k: np.asarray(v) for k, v in scale.params.items()}
    clamps = {k: num(values.pop(k)) for k in ("min_lr", "max_lr") if k in values}
    if scale.kind == "constant" and not clamps:
        return num(values["lr0"])
    if scale.kind == "constant":
        return {"kind": "constant", "lr": num(values["lr0"]), **clamps}
    args: dict[str, Any] = {}
    for k, v in values.items():
        args[k] = [num(x) for x in v.ravel()] if v.ndim else num(v)
    return {"kind": scale.kind, **args, **clamps}


def _recorded(trainable: Any) -> tuple[str, Any] | None:
    """(optimizer, learning rate) from the optimizer's provenance, when a phase can hold it."""
    made = trainable.optimizer_provenance
    if made is None or not made.factory.startswith("optax."):
        return None
    name = made.factory.removeprefix("optax.")
    lr = learning_rate(made.kwargs.get("lr"))
    return None if name not in OPTIMIZERS or lr is None else (name, lr)


def _updates(transform: Any) -> list[np.ndarray]:
    """The updates `transform` makes on three fixed gradients of a fixed vector."""
    params = jnp.asarray([0.5, -1.0, 2.0, 0.25])
    grads = ([0.3, -0.2, 0.05, 1.0], [-0.1, 0.4, 0.2, -0.7], [0.25, 0.1, -0.6, 0.3])
    state = transform.init(params)
    out = []
    for g in grads:
        updates, state = transform.update(jnp.asarray(g), state, params)
        out.append(np.asarray(updates, dtype=np.float64))
        params = optax.apply_updates(params, updates)
    return out


def _probe(transform: Any) -> tuple[str, float] | None:
    """(optimizer, learning rate) of a ready optax transformation, found by its updates."""
    try:
        seen = _updates(transform)
    except Exception:  # a transformation that cannot run on a flat vector: not identified
        return None
    for name in OPTIMIZERS:
        reference = _updates(getattr(optax, name)(1.0))
        pick = int(np.argmax(np.abs(reference[0])))
        if reference[0][pick] == 0:
            continue
        lr = float(f"{seen[0][pick] / reference[0][pick]:.6g}")
        if lr > 0 and all(
            np.allclose(s, lr * r, rtol=1e-4, atol=1e-9)
            for s, r in zip(seen, reference, strict=True)
        ):
            return name, lr
    return None


def _ready(trainable: Any) -> tuple[str, Any] | None:
    """(optimizer, learning rate) of a ready transformation, when a phase can hold it."""
    scale = trainable.lr_scale
    unscaled = scale is None or (
        isinstance(scale, LearningRateSchedule)
        and scale.kind == "constant"
        and float(scale.params["lr0"]) == 1.0
    )
    if not unscaled and not isinstance(scale, DynamicLearningRate):
        return None
    probed = _probe(trainable.transform)
    if probed is None:
        return None
    if unscaled:
        return probed
    # .optimizer(opt(1)).scale(dlrs): the rate is the schedule's
    return (probed[0], learning_rate(scale)) if probed[1] == 1 else None


def optimizer_phase(trainables: list[Any], notes: list[str]) -> dict[str, Any]:
    """One training phase from the optimizers attached to the trainables.

    The first trainable with a recognised optimizer decides (the workbench trains
    every trainable with the phase's optimizer); otherwise adam at 1e-3.
    """
    phase: dict[str, Any] = {"optimizer": "adam", "learning_rate": 1e-3, "epochs": 1000}
    found: list[tuple[str, Any]] = []
    for t in trainables:
        if t.frozen:
            notes.append(f"{t.describe()!r} is frozen; the document trains it")
        if t.transform is None:
            continue
        recorded = _recorded(t) if t.optimizer_provenance is not None else _ready(t)
        if recorded is None:
            notes.append(
                f"the optimizer of {t.describe()!r} was not recognised (a phase names one of "
                f"{', '.join(OPTIMIZERS)} with a learning rate or schedule); the document uses "
                "adam with learning rate 1e-3"
            )
            continue
        found.append(recorded)
    if found:
        phase["optimizer"], phase["learning_rate"] = found[0]
        if any(f != found[0] for f in found[1:]):
            notes.append(
                "the trainables have different optimizers; the document trains all of them with "
                f"{found[0][0]} (the workbench has one optimizer per phase)"
            )
    return phase
