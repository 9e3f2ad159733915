"""Widgets: the live training dashboard, for the workbench and any notebook.

Example (in a notebook the dashboard draws live; elsewhere it is a progress bar):
    >>> import optax, jno_lab as jno
    >>> from jno_lab.widgets import Dashboard
    >>> p = jno.np.parameter((1,), init=0.0).optimizer(optax.sgd(0.1))
    >>> crux = jno.core([(p - 1.0).mse], jno.domain.from_array({"interior": [[0.0]]}))
    >>> stats = crux.solve(100, inner_steps=50, callbacks=[Dashboard(field_every=1e9)])
    >>> stats.losses.shape
    (100, 1)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .dashboard import Dashboard as Dashboard
    from .progress import ProgressBar as ProgressBar

__all__ = ["Dashboard", "ProgressBar"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the command line and headless runs need no widget stack.
    if name == "Dashboard":
        from .dashboard import Dashboard

        return Dashboard
    if name == "ProgressBar":
        from .progress import ProgressBar

        return ProgressBar
    raise AttributeError(f"module 'jno_lab.widgets' has no attribute {name!r}")
