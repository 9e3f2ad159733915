"""Pickling a solver: compiled code, live runs and attached callbacks stay behind."""

from __future__ import annotations

from typing import Any

from .programs import build_programs


def solver_getstate(crux: Any) -> dict[str, Any]:
    """`core.__getstate__`: the solver without what is rebuilt or belongs to a run."""
    state = dict(crux.__dict__)
    for name in ("_chunks", "_eval_cache", "_opt_cache"):
        state[name] = {}
    state["_live_state"] = None
    state["_data"] = None  # bound again from the domain on first use
    state["_attached"] = []  # callbacks hold widgets and threads, not solver state
    state["control"] = None
    return state


def solver_setstate(crux: Any, state: dict[str, Any]) -> None:
    """`core.__setstate__`: the state back, structural keys and programs rebuilt."""
    state = dict(state)
    state.pop("_attached_callbacks", None)  # written by older versions
    for name, empty in (("_attached", []), ("_live_state", None), ("control", None)):
        state.setdefault(name, empty)
    crux.__dict__.update(state)
    for root in [*crux.constraints, *crux.trackers]:
        for node in root.walk():  # structural keys hold object ids: recompute them
            node._key = None
    build_programs(crux)
