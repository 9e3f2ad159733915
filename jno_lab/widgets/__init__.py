"""Widgets: the live training dashboard, for the workbench and any notebook.

Example:
    >>> from jno_lab.widgets import Dashboard  # doctest: +SKIP
    >>> stats = crux.solve(5000, callbacks=[Dashboard()])  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

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
