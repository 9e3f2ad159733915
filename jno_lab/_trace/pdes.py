"""Residuals of common PDEs, built from expressions (`jno.fn.poisson`, `jno.fn.heat`, ...).

Each helper returns the residual (zero where the PDE holds); use `.mse` of it as
a constraint. The PDE is written out in each docstring.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._operators import as_node
from .nodes import Placeholder


def _coords(coords: Any) -> tuple[Any, ...]:
    if isinstance(coords, list | tuple):
        if not coords:
            raise TypeError("give at least one spatial coordinate, e.g. [x, y]")
        return tuple(coords)
    return (coords,)


def _laplacian(u: Placeholder, coords: Sequence[Any]) -> Placeholder:
    return u.laplacian(*coords)


def poisson(u: Any, coords: Any, f: Any = 0.0) -> Placeholder:
    """Residual of the Poisson equation  -Δu = f.

    Example:
        >>> import jno_lab as jno
        >>> dom = jno.domain(constructor=jno.domain.rect(mesh_size=0.5))
        >>> x, y = dom.variable("interior")
        >>> r = jno.fn.poisson(x * y, [x, y], f=0.0)
    """
    u = as_node(u)
    return -_laplacian(u, _coords(coords)) - f


def helmholtz(u: Any, coords: Any, k: Any = 1.0, f: Any = 0.0) -> Placeholder:
    """Residual of the Helmholtz equation  Δu + k²u = f."""
    u = as_node(u)
    return _laplacian(u, _coords(coords)) + k**2 * u - f


def heat(u: Any, t: Any, coords: Any, alpha: Any = 1.0, f: Any = 0.0) -> Placeholder:
    """Residual of the heat equation  ∂u/∂t = α Δu + f."""
    u = as_node(u)
    return u.d(t) - alpha * _laplacian(u, _coords(coords)) - f


def wave(u: Any, t: Any, coords: Any, c: Any = 1.0, f: Any = 0.0) -> Placeholder:
    """Residual of the wave equation  ∂²u/∂t² = c² Δu + f."""
    u = as_node(u)
    return u.d(t).d(t) - c**2 * _laplacian(u, _coords(coords)) - f


def advection(u: Any, t: Any, coords: Any, velocity: Any = 1.0) -> Placeholder:
    """Residual of linear advection  ∂u/∂t + a·∇u = 0 (`velocity`: one number per coordinate)."""
    u = as_node(u)
    coords = _coords(coords)
    speeds = velocity if isinstance(velocity, list | tuple) else [velocity] * len(coords)
    if len(speeds) != len(coords):
        raise ValueError(
            f"advection: {len(speeds)} velocity components for {len(coords)} coordinates"
        )
    out = u.d(t)
    for a, x in zip(speeds, coords, strict=True):
        out = out + a * u.d(x)
    return out


def burgers_1d(u: Any, x: Any, t: Any, nu: Any = 0.01) -> Placeholder:
    """Residual of the viscous Burgers equation  ∂u/∂t + u ∂u/∂x = ν ∂²u/∂x²."""
    u = as_node(u)
    return u.d(t) + u * u.d(x) - nu * u.d(x).d(x)


def allen_cahn(u: Any, t: Any, coords: Any, eps: Any = 0.01) -> Placeholder:
    """Residual of the Allen-Cahn equation  ∂u/∂t = ε² Δu + u - u³."""
    u = as_node(u)
    return u.d(t) - eps**2 * _laplacian(u, _coords(coords)) - u + u**3


def navier_stokes_incompressible_2d(
    u: Any, v: Any, p: Any, x: Any, y: Any, t: Any = None, nu: Any = 0.01, rho: Any = 1.0
) -> tuple[Placeholder, Placeholder, Placeholder]:
    """Residuals of the incompressible Navier-Stokes equations in 2-D.

        ∂u/∂t + u ∂u/∂x + v ∂u/∂y = -(1/ρ) ∂p/∂x + ν Δu
        ∂v/∂t + u ∂v/∂x + v ∂v/∂y = -(1/ρ) ∂p/∂y + ν Δv
        ∂u/∂x + ∂v/∂y = 0

    Returns:
        `(momentum_x, momentum_y, continuity)`; steady flow when `t` is None.
    """
    u, v, p = as_node(u), as_node(v), as_node(p)
    mom_x = u * u.d(x) + v * u.d(y) + p.d(x) / rho - nu * u.laplacian(x, y)
    mom_y = u * v.d(x) + v * v.d(y) + p.d(y) / rho - nu * v.laplacian(x, y)
    if t is not None:
        mom_x = u.d(t) + mom_x
        mom_y = v.d(t) + mom_y
    return mom_x, mom_y, u.d(x) + v.d(y)
