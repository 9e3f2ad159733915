"""Differentiation scheme strings: `"automatic_differentiation[:mode]"`.

A first-order mode is "forward" or "reverse"; a second-order mode is
"outer-over-inner" with outer, inner in {fwd, rev}. The bare
"automatic_differentiation" means: the configured default (`jno.setup`,
`.jno.toml`) if there is one, else the fastest exact method for the node.
"""

from __future__ import annotations

from .._config import get_diff_type, get_hessian_type

AD = "automatic_differentiation"
FD = "finite_difference"
FIRST_ORDER = ("forward", "reverse")
SECOND_ORDER = ("fwd-over-rev", "fwd-over-fwd", "rev-over-rev", "rev-over-fwd")
FD_SUBSCHEMES = ("lsq", "uniform", "inverse_distance", "cotangent")
AUTO = "auto"


def _known(order: int) -> list[str]:
    modes = FIRST_ORDER + SECOND_ORDER if order == 2 else FIRST_ORDER
    return [AD] + [f"{AD}:{m}" for m in modes] + [FD] + [f"{FD}:{s}" for s in FD_SUBSCHEMES]


def check_scheme(scheme: str, order: int) -> None:
    """Raise for an unknown scheme string, or for finite differences (meshes only)."""
    if not isinstance(scheme, str):
        raise TypeError(f"scheme must be a string, got {type(scheme).__name__}")
    head, _, mode = scheme.partition(":")
    if head == FD and (not mode or mode in FD_SUBSCHEMES):
        raise NotImplementedError(
            f"scheme={scheme!r} needs a meshed domain (finite differences on mesh operators), "
            "which jno_lab does not build yet; use scheme='automatic_differentiation'"
        )
    if head != AD or (mode and mode not in FIRST_ORDER + SECOND_ORDER):
        raise ValueError(f"unknown scheme {scheme!r}; known schemes: {', '.join(_known(order))}")


def first_order_mode(scheme: str) -> str:
    """Resolve a first-order scheme to "forward", "reverse" or "auto"."""
    _, _, mode = scheme.partition(":")
    if mode in FIRST_ORDER:
        return mode
    if mode in SECOND_ORDER:  # a second-order string on a first derivative: use its inner mode
        return "forward" if mode.endswith("fwd") else "reverse"
    return get_diff_type() or AUTO


def second_order_mode(scheme: str) -> str:
    """Resolve a second-order scheme to "outer-over-inner" or "auto"."""
    _, _, mode = scheme.partition(":")
    if mode in SECOND_ORDER:
        return mode
    if mode in FIRST_ORDER:  # shorthand: "forward" is fwd-over-fwd
        return "fwd-over-fwd" if mode == "forward" else "rev-over-rev"
    return get_hessian_type() or AUTO
