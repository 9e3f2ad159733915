"""Search spaces: named parameters with a finite list of choices or a numeric range."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

TRAINING = "training"
ARCHITECTURE = "architecture"
CATEGORIES = (TRAINING, ARCHITECTURE)


@dataclass(frozen=True, eq=False)
class Unique:
    """A parameter taking one of a finite list of values (any Python objects).

    Attributes:
        name: the parameter's name in its space.
        choices: the candidate values; the first is the default.
        category: "training" (solver settings) or "architecture" (module constructor).
    """

    name: str
    choices: tuple[Any, ...]
    category: str

    @property
    def default(self) -> Any:
        """The first choice."""
        return self.choices[0]

    @property
    def size(self) -> int:
        """Number of choices."""
        return len(self.choices)


@dataclass(frozen=True, eq=False)
class Range:
    """A numeric parameter between `low` and `high` (inclusive).

    Attributes:
        name: the parameter's name in its space.
        low: the lower end, also the default.
        high: the upper end.
        log: searched on a logarithmic scale (needs `low > 0`).
        integer: values are rounded to integers.
        category: "training" or "architecture".
    """

    name: str
    low: float
    high: float
    log: bool
    integer: bool
    category: str

    @property
    def default(self) -> float | int:
        """The low end (an int for integer ranges)."""
        return self.cast(self.low)

    @property
    def size(self) -> None:
        """None: a range has no finite list of values."""
        return None

    def cast(self, value: float) -> float | int:
        """`value` clipped into the range, rounded for integer ranges."""
        value = min(max(float(value), self.low), self.high)
        return round(value) if self.integer else value


Param = Unique | Range


class ArchSpace:
    """A search space: named parameters, each with its choices or range and a category.

    Parameters of category "architecture" are handed to a tunable module's
    constructor (`jno.nn.wrap(Class, space=...)`); those of category "training"
    set the solver (epochs, optimizer, learning_rate, weight_schedule,
    batchsize, inner_steps) in `crux.sweep(space=...)`.

    Example:
        >>> import jno_lab._search.tune as tune
        >>> space = tune.space()
        >>> space.unique("hid", [32, 64], category="architecture")
        ArchSpace(hid: 2 choices [architecture])
        >>> space.range("learning_rate", 1e-4, 1e-1, log=True)
        ArchSpace(hid: 2 choices [architecture], learning_rate: 0.0001..0.1 log [training])
        >>> space.default()
        {'hid': 32, 'learning_rate': 0.0001}
        >>> space.size is None
        True
    """

    def __init__(self) -> None:
        self._params: dict[str, Param] = {}

    # -- declaring parameters ---------------------------------------------------------
    def unique(self, name: str, choices: Sequence[Any], category: str = TRAINING) -> ArchSpace:
        """Add a parameter taking one of `choices` (the first is the default).

        Args:
            name: the parameter's name (unique in this space).
            choices: a non-empty list of values: numbers, functions, schedules, ...
            category: "training" (default) or "architecture".

        Returns:
            self, for chaining.

        Raises:
            ValueError: for an empty list, a duplicate name or an unknown category.
        """
        self._check_new(name, category)
        if isinstance(choices, str | bytes) or not hasattr(choices, "__iter__"):
            raise TypeError(
                f"parameter {name!r}: choices must be a list of values, got "
                f"{type(choices).__name__}"
            )
        values = tuple(choices)
        if not values:
            raise ValueError(f"parameter {name!r}: choices must not be empty")
        self._params[name] = Unique(name, values, category)
        return self

    def range(
        self,
        name: str,
        low: float,
        high: float,
        *,
        log: bool = False,
        integer: bool = False,
        category: str = TRAINING,
    ) -> ArchSpace:
        """Add a numeric parameter in `[low, high]` (the default is `low`).

        Args:
            name: the parameter's name (unique in this space).
            low: the lower end.
            high: the upper end, above `low`.
            log: search on a logarithmic scale (`low` must be positive).
            integer: round the values to integers.
            category: "training" (default) or "architecture".

        Returns:
            self, for chaining.

        Raises:
            ValueError: for a bad range, a duplicate name or an unknown category.
        """
        self._check_new(name, category)
        try:
            lo, hi = float(low), float(high)
        except (TypeError, ValueError):
            raise TypeError(
                f"parameter {name!r}: low and high must be numbers, got {low!r} and {high!r}"
            ) from None
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
            raise ValueError(
                f"parameter {name!r}: need finite low < high, got low={low!r}, high={high!r}"
            )
        if log and lo <= 0:
            raise ValueError(f"parameter {name!r}: a log range needs low > 0, got low={low!r}")
        if integer and math.ceil(lo) > math.floor(hi):
            raise ValueError(f"parameter {name!r}: no integer lies in [{low!r}, {high!r}]")
        if integer:
            lo, hi = float(math.ceil(lo)), float(math.floor(hi))
        self._params[name] = Range(name, lo, hi, bool(log), bool(integer), category)
        return self

    def _check_new(self, name: str, category: str) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"a parameter name must be a non-empty string, got {name!r}")
        if name in self._params:
            raise ValueError(f"parameter {name!r} is already in this space; names must be unique")
        if category not in CATEGORIES:
            raise ValueError(
                f"parameter {name!r}: category must be one of {', '.join(CATEGORIES)}, "
                f"got {category!r}"
            )

    # -- reading -------------------------------------------------------------------------
    @property
    def params(self) -> tuple[Param, ...]:
        """The parameters, in the order they were added."""
        return tuple(self._params.values())

    @property
    def names(self) -> list[str]:
        """The parameter names, in the order they were added."""
        return list(self._params)

    def __getitem__(self, name: str) -> Param:
        if name not in self._params:
            known = ", ".join(self._params) or "none"
            raise KeyError(f"no parameter {name!r} in this space (it has: {known})")
        return self._params[name]

    def __contains__(self, name: object) -> bool:
        return name in self._params

    def __iter__(self) -> Iterator[Param]:
        return iter(self._params.values())

    def __len__(self) -> int:
        return len(self._params)

    def default(self) -> dict[str, Any]:
        """The default configuration: first choice of each list, low end of each range."""
        return {p.name: p.default for p in self._params.values()}

    @property
    def size(self) -> int | None:
        """Number of configurations of a grid over this space (None with a range)."""
        total = 1
        for p in self._params.values():
            if p.size is None:
                return None
            total *= p.size
        return total

    def __repr__(self) -> str:
        parts = []
        for p in self._params.values():
            if isinstance(p, Unique):
                parts.append(f"{p.name}: {p.size} choices [{p.category}]")
            else:
                scale = " log" if p.log else ""
                kind = " int" if p.integer else ""
                parts.append(f"{p.name}: {p.low:g}..{p.high:g}{scale}{kind} [{p.category}]")
        return f"ArchSpace({', '.join(parts)})"
