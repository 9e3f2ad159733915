"""Who proposes the configurations of a sweep: an exhaustive grid or a nevergrad optimizer.

Both are driven from one thread in rounds: `ask(n)` gives up to n new
configurations (an empty list when the search is over), `tell` reports their
scores. A nevergrad optimizer often proposes a configuration it has seen
before; it is told the known score at once and asked again, so the budget
counts trained configurations only.
"""

from __future__ import annotations

import difflib
import itertools
import math
import warnings
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._config import get_seed
from .dimensions import SearchSpace
from .space import Range, Unique

MAX_REPEATS = 20
"""Known configurations proposed in a row before a random untried one is taken instead."""

FAILED_LOSS = 1e18
"""What nevergrad is told for a failed trial (it warns about and clips infinite losses)."""

_SUGGESTED = ("NGOpt", "OnePlusOne", "CMA", "DE", "RandomSearch", "TwoPointsDE", "PSO")


@dataclass(frozen=True)
class Proposal:
    """One configuration to train.

    Attributes:
        config: dimension key -> value.
        token: a hashable identity of the configuration (choice indices, range values).
    """

    config: dict[str, Any]
    token: Hashable


class GridSearch:
    """Every configuration of a finite space, in `itertools.product` order."""

    def __init__(self, space: SearchSpace) -> None:
        self._configs = space.grid()  # raises for ranges, before any training
        self._count = 0
        self.total: int | None = space.size

    def ask(self, n: int) -> list[Proposal]:
        """The next `n` configurations (fewer at the end)."""
        out: list[Proposal] = []
        for config in self._configs:
            out.append(Proposal(config, self._count))
            self._count += 1
            if len(out) == n:
                break
        return out

    def tell(self, proposals: Sequence[Proposal], scores: Sequence[float]) -> None:
        """Nothing to learn: a grid tries everything."""


class NevergradSearch:
    """Configurations proposed by a nevergrad optimizer, `budget` trained ones at most.

    Args:
        factory: a nevergrad optimizer class or configured optimizer.
        space: the sweep's dimensions.
        budget: number of configurations to train.
        workers: configurations trained side by side per round.
    """

    def __init__(self, factory: Any, space: SearchSpace, budget: int, workers: int) -> None:
        import nevergrad as ng

        self._space = space
        self._parametrization = ng.p.Tuple(*(_ng_param(d.param) for d in space.dimensions))
        self._parametrization.random_state = np.random.RandomState(get_seed())
        try:
            self._optimizer = factory(
                parametrization=self._parametrization, budget=budget, num_workers=workers
            )
        except Exception as err:
            raise ValueError(
                f"could not build nevergrad optimizer {_describe(factory)} for this space "
                f"with {workers} worker(s): {err}"
            ) from err
        self.total: int | None = budget
        self._budget = budget
        self._trained = 0
        self._asks = 0
        self._max_asks = 50 * budget + 100
        self._not_asked_errors = (ng.errors.TellNotAskedNotSupportedError,)
        self._scores: dict[Hashable, float] = {}
        self._pending: dict[Hashable, list[Any]] = {}

    def ask(self, n: int) -> list[Proposal]:
        """Up to `n` configurations not tried before (none once the budget is spent)."""
        with _quiet():
            return self._ask(n)

    def _ask(self, n: int) -> list[Proposal]:
        out: list[Proposal] = []
        n = min(n, self._budget - self._trained)
        repeats = 0
        while len(out) < n and self._asks < self._max_asks and not self._exhausted():
            if repeats >= MAX_REPEATS:  # the optimizer is stuck on known configurations
                candidate, repeats = self._untried(), 0
            else:
                candidate = self._optimizer.ask()
            self._asks += 1
            token = self._token(candidate.value)
            if token in self._scores:
                self._tell(candidate, self._scores[token])
                repeats += 1
            elif token in self._pending:
                self._pending[token].append(candidate)
                repeats += 1
            else:
                self._pending[token] = [candidate]
                out.append(Proposal(self._config(candidate.value), token))
                repeats = 0
        self._trained += len(out)
        return out

    def tell(self, proposals: Sequence[Proposal], scores: Sequence[float]) -> None:
        """Report the scores of `proposals` (and of the duplicates asked meanwhile)."""
        with _quiet():
            for proposal, score in zip(proposals, scores, strict=True):
                self._scores[proposal.token] = score
                for candidate in self._pending.pop(proposal.token, []):
                    self._tell(candidate, score)

    def _tell(self, candidate: Any, score: float) -> None:
        # an optimizer that learns only from its own proposals ignores the others
        with suppress(*self._not_asked_errors):
            self._optimizer.tell(candidate, _loss(score))

    def _token(self, value: Sequence[Any]) -> Hashable:
        return tuple(_token(d.param, v) for d, v in zip(self._space.dimensions, value, strict=True))

    def _untried(self) -> Any:
        """A random configuration not yet tried (any random one for an infinite space)."""
        dims = self._space.dimensions
        known = self._scores.keys() | self._pending.keys()
        value: tuple | None = None
        for _ in range(1000):
            sample = self._parametrization.sample().value
            if self._space.size is None or self._token(sample) not in known:
                value = sample
                break
        if value is None:  # a nearly exhausted space: walk it in order
            sizes = [range(d.param.size) for d in dims]  # type: ignore[arg-type]
            value = next(v for v in itertools.product(*sizes) if tuple(v) not in known)
        return self._parametrization.spawn_child(new_value=tuple(value))

    def _exhausted(self) -> bool:
        size = self._space.size
        return size is not None and len(self._scores) + len(self._pending) >= size

    def _config(self, value: Sequence[Any]) -> dict[str, Any]:
        config = {}
        for d, v in zip(self._space.dimensions, value, strict=True):
            p = d.param
            config[d.key] = p.choices[int(v)] if isinstance(p, Unique) else p.cast(v)
        return config


def make_search(
    optimizer: Any, space: SearchSpace, budget: int | None, workers: int
) -> GridSearch | NevergradSearch:
    """The proposer for `optimizer`: None -> grid (budget ignored), else nevergrad.

    Raises:
        ValueError: for an unknown optimizer name, or a nevergrad search without a
            positive budget.
        TypeError: for an optimizer that is neither a name, a class nor a factory.
    """
    factory = resolve_optimizer(optimizer)
    if factory is None:
        return GridSearch(space)
    if isinstance(budget, bool) or not isinstance(budget, int | np.integer) or budget < 1:
        raise ValueError(
            f"a nevergrad search needs budget= (a positive number of trials), got {budget!r}; "
            "use optimizer=None for a grid over every combination"
        )
    return NevergradSearch(factory, space, int(budget), workers)


def resolve_optimizer(optimizer: Any) -> Any:
    """A nevergrad optimizer class or configured optimizer for `optimizer` (None stays None).

    Raises:
        ValueError: for a name that `ng.optimizers.registry` does not know.
        TypeError: for an optimizer instance or anything not callable.
    """
    if optimizer is None:
        return None
    import nevergrad as ng

    if isinstance(optimizer, str):
        registry = ng.optimizers.registry
        if optimizer not in registry:
            close = difflib.get_close_matches(optimizer, list(registry), n=5)
            some = ", ".join(close or [s for s in _SUGGESTED if s in registry])
            raise ValueError(
                f"unknown nevergrad optimizer {optimizer!r}; valid names include: {some} "
                "(see nevergrad.optimizers.registry), or None for a grid search"
            )
        return registry[optimizer]
    if isinstance(optimizer, ng.optimizers.base.Optimizer):
        raise TypeError(
            "give the nevergrad optimizer's class or name (e.g. ng.optimizers.NGOpt or "
            "'NGOpt'), not an instance: the sweep builds it for its own search space"
        )
    if not callable(optimizer):
        raise TypeError(
            f"optimizer= must be a nevergrad optimizer name, class or factory, or None; got "
            f"{type(optimizer).__name__}"
        )
    return optimizer


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence nevergrad's numerical warnings (e.g. log(0) on discrete choices)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=RuntimeWarning, module="nevergrad")
        yield


def _ng_param(param: Unique | Range) -> Any:
    import nevergrad as ng

    if isinstance(param, Unique):
        return ng.p.Choice(list(range(param.size)))
    if param.log:
        out = ng.p.Log(lower=param.low, upper=param.high)
    else:
        out = ng.p.Scalar(lower=param.low, upper=param.high)
    return out.set_integer_casting() if param.integer else out


def _token(param: Unique | Range, value: Any) -> Hashable:
    return int(value) if isinstance(param, Unique) else param.cast(value)


def _loss(score: float) -> float:
    return score if math.isfinite(score) and score < FAILED_LOSS else FAILED_LOSS


def _describe(factory: Any) -> str:
    return getattr(factory, "__name__", None) or repr(factory)
