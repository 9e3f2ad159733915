"""Display names of constraints and trackers in a solver's statistics."""

from __future__ import annotations

from .._lower.analysis import render
from .._trace.nodes import Placeholder, Tracker


def constraint_display_names(constraints: list[Placeholder]) -> list[str]:
    """The names constraints get in `statistics`: their expression, shortened."""
    return [short(render(c)) for c in constraints]


def tracker_display_names(trackers: list[Tracker]) -> list[str]:
    """The names trackers get in `statistics.trackers`: given, or their expression."""
    return _unique([t.name or short(render(t.expr)) for t in trackers])


def _unique(names: list[str]) -> list[str]:
    """`names` with repeats numbered (`name`, `name#2`, ...), so no tracker hides another.

    Example:
        >>> _unique(["loss", "loss", "mean"])
        ['loss', 'loss#2', 'mean']
    """
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return out


def short(text: str, limit: int = 60) -> str:
    """`text`, cut to `limit` characters with an ellipsis.

    Example:
        >>> short("abcdef", limit=5)
        'ab...'
    """
    return text if len(text) <= limit else text[: limit - 3] + "..."
