"""The full search space of one solver: training settings, model architectures, model options.

Every searched quantity is a `Dimension` with a key (its name in `crux.best_config`
and the sweep results): training settings by their own name (`"learning_rate"`),
a tunable model's parameters and a model's `tune(...)` options prefixed with the
model's name (`"u_net.hid"`, `"u_net.freeze"`), so two models never clash.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._tune_options import check_option, tune_options
from .space import ARCHITECTURE, TRAINING, ArchSpace, Param, Unique
from .tunable import TunableModule

TRAINING_KEYS = (
    "epochs",
    "optimizer",
    "learning_rate",
    "weight_schedule",
    "batchsize",
    "inner_steps",
)
"""The training settings a sweep space may set."""

DEFAULT_EPOCHS = 1000
"""Epochs per trial when the space does not set them."""

TRAINING_KIND, ARCHITECTURE_KIND, OPTION_KIND = "training", "architecture", "option"


@dataclass(frozen=True, eq=False)
class Dimension:
    """One searched quantity.

    Attributes:
        key: its name in `best_config` and the results rows.
        param: its choices or range.
        kind: "training", "architecture" (a tunable model's parameter) or "option"
            (a `Model.tune` option).
        field: the training key, the parameter's name in its model's space, or the option.
        owner: the model of an architecture or option dimension (None for training).
    """

    key: str
    param: Param
    kind: str
    field: str
    owner: Any = None


@dataclass
class SearchSpace:
    """All dimensions of one sweep, in a fixed order (training, then per model).

    Attributes:
        dimensions: the searched quantities.
        tunables: the tunable models among the solver's trainables.
    """

    dimensions: list[Dimension]
    tunables: list[TunableModule] = field(default_factory=list)

    @property
    def size(self) -> int | None:
        """Number of configurations of a grid (None when a dimension is a range)."""
        total = 1
        for d in self.dimensions:
            if d.param.size is None:
                return None
            total *= d.param.size
        return total

    @property
    def keys(self) -> list[str]:
        """The dimension keys, in order."""
        return [d.key for d in self.dimensions]

    def grid(self) -> Iterator[dict[str, Any]]:
        """Every configuration (key -> value), the last dimension varying fastest.

        Raises:
            ValueError: when a dimension is a range (a grid needs finite choices).
        """
        ranges = [d.key for d in self.dimensions if not isinstance(d.param, Unique)]
        if ranges:
            raise ValueError(
                "a grid search (optimizer=None) needs finite choices, but "
                f"{', '.join(repr(k) for k in ranges)} {'is a' if len(ranges) == 1 else 'are'} "
                "range(s); use .unique(...) or a nevergrad optimizer such as 'NGOpt'"
            )
        keys = self.keys
        choices = [d.param.choices for d in self.dimensions]  # type: ignore[union-attr]
        return (dict(zip(keys, values, strict=True)) for values in itertools.product(*choices))


def build_search_space(trainables: Sequence[Any], space: ArchSpace | None) -> SearchSpace:
    """Collect the dimensions of `space` and of the models among `trainables`.

    A tunable model's parameters are all searched for that model, except those of
    category "training" named like a training setting (`epochs`, ...), which join
    the training settings (so one space may serve both `wrap` and `sweep`).

    Raises:
        TypeError: if `space` is not an ArchSpace.
        ValueError: for unknown training settings, architecture parameters that no
            model owns, a training setting defined twice, or nothing to search.
    """
    if space is not None and not isinstance(space, ArchSpace):
        raise TypeError(
            f"sweep(space=...) must be an ArchSpace (jno.np.tune.space()), got "
            f"{type(space).__name__}"
        )
    tunables = [t for t in trainables if isinstance(t, TunableModule)]
    model_spaces = {id(t.space) for t in tunables}
    training: dict[str, Dimension] = {}
    if space is not None:
        shared = id(space) in model_spaces
        for p in space:
            if shared and not _is_training(p):
                continue  # the model's own parameter, collected below
            _check_training(p)
            training[p.name] = Dimension(p.name, p, TRAINING_KIND, p.name)

    per_model: list[Dimension] = []
    names = _namespaces(trainables)
    for t in trainables:
        prefix = names.get(id(t))
        if prefix is None:
            continue
        if isinstance(t, TunableModule):
            for p in t.space:
                if _is_training(p):
                    known = training.get(p.name)
                    if known is None:
                        training[p.name] = Dimension(p.name, p, TRAINING_KIND, p.name)
                    elif known.param is not p:
                        raise ValueError(
                            f"training setting {p.name!r} is given both by the sweep space "
                            f"and by model {t.describe()!r}'s space; keep one"
                        )
                else:
                    per_model.append(
                        Dimension(f"{prefix}.{p.name}", p, ARCHITECTURE_KIND, p.name, t)
                    )
        for option, candidates in tune_options(t).items():
            check_option(t, option, candidates)
            if option in ("lora", "dtype") and all(c is None for c in candidates):
                continue  # only "as it is": nothing to search
            param = Unique(option, tuple(candidates), TRAINING)
            per_model.append(Dimension(f"{prefix}.{option}", param, OPTION_KIND, option, t))

    dimensions = [*training.values(), *per_model]
    if not dimensions:
        raise ValueError(
            "the search space is empty: give sweep(space=...) with training settings "
            f"({', '.join(TRAINING_KEYS)}), wrap a model with jno.nn.wrap(Class, space=...) "
            "or declare candidates with model.tune(...)"
        )
    return SearchSpace(dimensions, tunables)


def _is_training(p: Param) -> bool:
    return p.category == TRAINING and p.name in TRAINING_KEYS


def _check_training(p: Param) -> None:
    if p.category == ARCHITECTURE:
        raise ValueError(
            f"parameter {p.name!r} of the sweep space has category 'architecture' but belongs "
            "to no model: give that space to jno.nn.wrap(Class, space=...) instead"
        )
    if p.name not in TRAINING_KEYS:
        raise ValueError(
            f"unknown training setting {p.name!r} in the sweep space; known: "
            f"{', '.join(TRAINING_KEYS)} (architecture parameters belong to the space given "
            "to jno.nn.wrap(Class, space=...))"
        )


def _namespaces(trainables: Sequence[Any]) -> dict[int, str]:
    """Prefixes of the models that add dimensions: their names, made unique with `_2`, ..."""
    out: dict[int, str] = {}
    for t in trainables:
        if not isinstance(t, TunableModule) and not tune_options(t):
            continue
        base = name = t.describe()
        n = 1
        while name in out.values():
            n += 1
            name = f"{base}_{n}"
        out[id(t)] = name
    return out
