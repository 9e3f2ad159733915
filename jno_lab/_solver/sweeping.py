"""The runner behind `core.sweep`.

The search (`jno_lab._search`) sits above the solver: it builds and trains
solvers. So the solver does not import it; the public facade (`jno_lab.numpy`,
which also exposes the search spaces as `jno.np.tune`) installs the search's
runner here when `jno_lab` is imported.

Example:
    >>> import jno_lab
    >>> from jno_lab._search.sweep import run_sweep as search_runner
    >>> sweep_runner() is search_runner
    True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SweepRunner = Callable[..., Any]
"""`runner(crux, space, optimizer, budget, devices, *, score) -> statistics`."""

_installed: list[SweepRunner] = []


def install_sweep_runner(runner: SweepRunner) -> None:
    """Make `runner` the one `core.sweep` calls (a later install replaces it)."""
    _installed[:] = [runner]


def sweep_runner() -> SweepRunner:
    """The installed runner; a RuntimeError when none is."""
    if not _installed:
        raise RuntimeError(
            "core.sweep has no search installed: import jno_lab (its jno_lab.numpy facade "
            "installs the sweep runner) before calling sweep()"
        )
    return _installed[0]


def run_sweep(crux: Any, *args: Any, **kwargs: Any) -> Any:
    """Run the installed sweep on solver `crux` (see `jno_lab._search.sweep.run_sweep`)."""
    return sweep_runner()(crux, *args, **kwargs)
