"""Sample requests, per-tag random streams and unit-cube point sequences.

Every tag of every problem instance draws from its own stream, seeded from the
global seed (`jno_lab._config.get_seed()`), the tag name and the instance index,
so that sampling is reproducible and tags do not influence each other.
"""

from __future__ import annotations

import warnings
import zlib
from typing import Any

import numpy as np

from .._config import get_seed

SAMPLERS = ("uniform", "sobol", "halton", "grid")
_ALIASES = {None: "uniform", "random": "uniform"}


def parse_sample(sample: Any) -> tuple[int, str]:
    """Normalise a sample request `n` or `(n, sampler)` to `(n, sampler_name)`.

    Args:
        sample: a positive int, or a pair of a positive int and one of
            None, "uniform", "sobol", "halton", "grid".

    Returns:
        The count and the canonical sampler name.

    Raises:
        ValueError: for a non-positive count or an unknown sampler.

    Example:
        >>> parse_sample(8)
        (8, 'uniform')
        >>> parse_sample((16, "sobol"))
        (16, 'sobol')
    """
    if isinstance(sample, tuple | list) and len(sample) == 2:
        n, sampler = sample
    else:
        n, sampler = sample, None
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"sample count must be a positive integer, got {n!r}")
    name = _ALIASES.get(sampler, sampler)
    if name not in SAMPLERS:
        raise ValueError(
            f"unknown sampler {sampler!r}; choose one of None, {', '.join(map(repr, SAMPLERS))}"
        )
    return int(n), str(name)


def is_sample_request(value: Any) -> bool:
    """Whether `value` reads as a sample request (`n` or `(n, sampler)`) rather than an array."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | np.integer):
        return True
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], int | np.integer)
        and (value[1] is None or isinstance(value[1], str))
    )


def instance_rng(tag: str, instance: int) -> np.random.Generator:
    """The random generator of one tag of one problem instance, from the global seed.

    Example:
        >>> a = instance_rng("interior", 0).random()
        >>> a == instance_rng("interior", 0).random()
        True
        >>> a == instance_rng("boundary", 0).random()
        False
    """
    seed = int(get_seed()) % (1 << 63)
    return np.random.default_rng([seed, zlib.crc32(tag.encode()), int(instance)])


class UnitSequence:
    """An endless sequence of points in the unit cube `[0, 1)^d`.

    Successive `draw` calls continue the sequence (for Sobol and Halton the
    low-discrepancy sequence goes on; for "uniform" fresh pseudo-random draws).

    Args:
        d: the dimension.
        sampler: "uniform", "sobol" or "halton" (scrambled, seeded from `rng`).
        rng: the generator the sequence is seeded from.

    Example:
        >>> seq = UnitSequence(2, "halton", np.random.default_rng(0))
        >>> seq.draw(4).shape
        (4, 2)
    """

    def __init__(self, d: int, sampler: str, rng: np.random.Generator):
        self.d = d
        self._rng = rng
        self._engine: Any = None
        if sampler in ("sobol", "halton"):
            from scipy.stats import qmc

            engine_cls = qmc.Sobol if sampler == "sobol" else qmc.Halton
            try:
                self._engine = engine_cls(d, scramble=True, rng=rng)
            except TypeError:  # scipy < 1.15 names the argument `seed`
                self._engine = engine_cls(d, scramble=True, seed=rng)  # pyright: ignore[reportCallIssue] -- scipy < 1.15
        elif sampler != "uniform":
            raise ValueError(f"sampler {sampler!r} is not a random sequence")

    def draw(self, m: int) -> np.ndarray:
        """Return the next `m` points, shape `(m, d)`."""
        if self._engine is None:
            return self._rng.random((m, self.d))
        with warnings.catch_warnings():  # Sobol balance warnings for counts not 2^k
            warnings.simplefilter("ignore")
            return np.asarray(self._engine.random(m), dtype=float)


def evenly_chosen(m: int, n: int) -> np.ndarray:
    """Indices of `n` of `m >= n` items spread evenly (first and last included).

    Example:
        >>> evenly_chosen(10, 4).tolist()
        [0, 3, 6, 9]
    """
    if n == 1:
        return np.array([0])
    return np.round(np.linspace(0, m - 1, n)).astype(int)
