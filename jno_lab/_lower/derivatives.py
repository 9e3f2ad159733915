"""Coordinate derivatives of a per-point function `g(z)`, for every scheme string.

`z` is one point's coordinate vector; `indices` pick coordinates. The default
("auto") methods are the fastest exact ones measured in
`benchmarks/laplacian_methods.py`: a forward Laplacian (folx) for Laplacians,
nested forward-mode `jvp` along unit directions for other derivatives; neither
builds a full Jacobian or Hessian. Explicit scheme
strings are honoured literally, e.g. "fwd-over-rev" computes
`jacfwd(jacrev(g))` on the selected coordinates, as `jax.hessian` does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import folx
import jax
import jax.numpy as jnp

from .._trace._schemes import AUTO, first_order_mode, second_order_mode

Fn = Callable[[jax.Array], jax.Array]
_AD = {"fwd": jax.jacfwd, "rev": jax.jacrev, "forward": jax.jacfwd, "reverse": jax.jacrev}


def _unit(z: jax.Array, index: int) -> jax.Array:
    return jnp.zeros_like(z).at[index].set(1.0)


def _directional(g: Fn, direction: jax.Array) -> Fn:
    def dg(z: jax.Array) -> jax.Array:
        return jax.jvp(g, (z,), (direction,))[1]

    return dg


def _restricted(g: Fn, z: jax.Array, indices: Sequence[int]) -> tuple[Fn, jax.Array]:
    """`g` as a function of the selected coordinates only, and their current values."""
    if list(indices) == list(range(z.shape[0])):
        return g, z
    idx = jnp.asarray(indices)

    def h(s: jax.Array) -> jax.Array:
        return g(z.at[idx].set(s))

    return h, z[idx]


def _jacobian_entry(g: Fn, z: jax.Array, index: int, mode: str) -> Fn:
    """D g / d z[index] as a function of z, computed by `mode` ("forward"/"reverse")."""
    if mode in (AUTO, "forward"):
        return _directional(g, _unit(z, index))

    def dg(zz: jax.Array) -> jax.Array:
        return jax.jacrev(g)(zz)[..., index]

    return dg


def _hessian_block(g: Fn, z: jax.Array, indices: Sequence[int], mode: str) -> jax.Array:
    """Second derivatives w.r.t. the selected coordinates: shape (*F, k, k)."""
    h, s = _restricted(g, z, indices)
    if mode == AUTO:
        mode = "fwd-over-fwd"
    outer, _, inner = mode.partition("-over-")
    return _AD[outer](_AD[inner](h))(s)


def partial(g: Fn, z: jax.Array, indices: Sequence[int], scheme: str) -> jax.Array:
    """Mixed partial derivative of `g` at `z` along `indices`, in order."""
    order = len(indices)
    if order == 2 and _is_second_order_string(scheme):
        unique = list(dict.fromkeys(indices))
        block = _hessian_block(g, z, unique, second_order_mode(scheme))
        return block[..., unique.index(indices[0]), unique.index(indices[1])]
    mode = first_order_mode(scheme)
    f = g
    for index in indices:
        f = _jacobian_entry(f, z, index, mode)
    return f(z)


def laplacian(g: Fn, z: jax.Array, indices: Sequence[int], scheme: str) -> jax.Array:
    """Sum of the pure second derivatives of `g` at `z` along each of `indices`."""
    mode = second_order_mode(scheme)
    if mode == AUTO:
        # Forward Laplacian (folx): value, input Jacobian and Laplacian pushed through the
        # function in one pass; 1.6-1.8x faster than nested jvp for a PINN step
        # (benchmarks/laplacian_methods.py).
        h, s = _restricted(g, z, list(dict.fromkeys(indices)))
        return folx.forward_laplacian(h, sparsity_threshold=0)(s).laplacian
    block = _hessian_block(g, z, list(dict.fromkeys(indices)), mode)
    return jnp.trace(block, axis1=-2, axis2=-1)


def hessian(g: Fn, z: jax.Array, indices: Sequence[int], scheme: str) -> jax.Array:
    """Matrix of second derivatives along `indices`: features `(*F, k, k)`."""
    return _hessian_block(g, z, indices, second_order_mode(scheme))


def _is_second_order_string(scheme: str) -> bool:
    return "-over-" in scheme
