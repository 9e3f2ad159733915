"""Lowering: root expressions -> one pure JAX function `values(params, data)`.

Per-point parts of the DAG are grouped by domain tag; each group becomes one
per-point function, vmapped over points, time steps and instances. The rest
(reductions, whole-array operations) runs on the resulting arrays. Data (points,
times, normals, tensors) is an argument, never a baked-in constant, so new
points of the same shapes reuse the compiled code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._trace.nodes import Noise, Placeholder, TensorTag, Variable
from .analysis import Analysis, ExpressionError, analyse, canonicalize, describe
from .evaluate import Evaluator, GlobalContext, point_function
from .rows import map_rows

Data = dict[str, Any]


class Program:
    """The lowered form of a list of root expressions.

    Args:
        roots: the expressions whose values are wanted (constraints, trackers, ...).
        trainables: trainables to list first (their order fixes the parameter tuple).
        spatial_dim: spatial coordinates per point; by default those of the domain
            the expressions use (0 without one). `bind` sets it from the domain bound.
    """

    def __init__(
        self,
        roots: Sequence[Placeholder],
        trainables: Sequence[Any] = (),
        spatial_dim: int | None = None,
    ):
        self.original_roots = list(roots)
        self.roots = canonicalize(self.original_roots)
        self.analysis: Analysis = analyse(self.roots)
        self.levels = self.analysis.levels
        known = {id(t) for t in trainables}
        self.trainables = list(trainables) + [
            t for t in self.analysis.trainables if id(t) not in known
        ]
        self.evaluator = Evaluator(self.levels, self.trainables)
        self.exports = self._exports()
        self.uses_normals = self._normal_tags()
        self.tensor_names = sorted(
            {n.tag for r in self.roots for n in r.walk() if isinstance(n, TensorTag)}
        )
        self.spatial_dim = _domain_dim(self.analysis) if spatial_dim is None else spatial_dim
        self.noisy_tags = self._noise_streams()

    # -- structure ---------------------------------------------------------------------
    def _exports(self) -> dict[str, list[Placeholder]]:
        """Per tag, the per-point nodes whose values leave the per-point functions."""
        wanted: dict[tuple, Placeholder] = {}
        for root in self.roots:
            if self.levels[root.key].kind == "point":
                wanted.setdefault(root.key, root)
            for node in root.walk():
                if self.levels[node.key].kind == "point":
                    continue
                for child in node.children:
                    if self.levels[child.key].kind == "point":
                        wanted.setdefault(child.key, child)
        groups: dict[str, list[Placeholder]] = {}
        for key, node in wanted.items():
            groups.setdefault(self.levels[key].tag, []).append(node)  # type: ignore[arg-type]
        return groups

    def _noise_streams(self) -> set[str]:
        """Number the noise terms (each its own random stream); return the tags using noise."""
        tags: set[str] = set()
        for root in self.roots:
            for node in root.walk():
                if isinstance(node, Noise):
                    self.evaluator.noise_slots.setdefault(node.key, len(self.evaluator.noise_slots))
        for tag, nodes in self.exports.items():
            if any(isinstance(n, Noise) for e in nodes for n in e.walk()):
                tags.add(tag)
        return tags

    def _normal_tags(self) -> set[str]:
        return {
            n.tag
            for r in self.roots
            for n in r.walk()
            if isinstance(n, Variable) and n.axis == "normal"
        }

    @property
    def tags(self) -> list[str]:
        return sorted(self.exports)

    # -- data ----------------------------------------------------------------------------
    def bind(self, domain: Any) -> Data:
        """Collect the arrays this program reads from `domain` (as float32 JAX arrays)."""
        groups: dict[str, dict[str, Any]] = {}
        if self.exports and domain is None:
            raise ExpressionError("these expressions use coordinates, but no domain was given")
        for tag in self.tags:
            known = domain.tags()
            if tag not in known:
                raise ExpressionError(
                    f"the expressions use domain tag {tag!r}, which this domain does not have "
                    f"(it has: {', '.join(known)}); evaluate on a domain with that tag"
                )
            entry: dict[str, Any] = {"x": _f32(domain.tag_points(tag))}
            times = domain.times(tag)
            entry["t"] = None if times is None else _f32(times)
            entry["n"] = _f32(domain.normals(tag)) if tag in self.uses_normals else None
            groups[tag] = entry
        tensors = {name: _f32(domain.tensor(name)) for name in self.tensor_names}
        if domain is not None:
            self.spatial_dim = int(domain.spatial_dim)
        return {"groups": groups, "tensors": tensors}

    # -- evaluation ------------------------------------------------------------------------
    def initial_params(self) -> tuple[Any, ...]:
        return tuple(t.get_params() for t in self.trainables)

    def __call__(
        self,
        params: tuple[Any, ...],
        data: Data,
        key: jax.Array | None = None,
        remat_chunk: int | None = None,
    ) -> list[jax.Array]:
        """Values of the roots, in order: per-point roots as `(B, T, N, *F)` arrays.

        `key` seeds stochastic nodes (noise); the solver passes a new key every step.
        `remat_chunk`: evaluate the points that many rows at a time, rematerialised in
        the backward pass (see `rows.map_rows`).
        """
        spatial_dim = self.spatial_dim
        exports: dict[tuple, jax.Array] = {}
        for tag, nodes in self.exports.items():
            f = point_function(self.evaluator, nodes, spatial_dim)
            values = map_rows(
                lambda x, t, n, tens, k, f=f: f(params, x, t, n, tens, k),
                data["groups"][tag],
                data["tensors"],
                key if tag in self.noisy_tags else None,
                remat_chunk,
            )
            exports.update({n.key: v for n, v in zip(nodes, values, strict=True)})
        ctx = GlobalContext(exports, data["tensors"], params, data, key, spatial_dim)
        return [self.evaluator.global_value(r, ctx) for r in self.roots]


def _domain_dim(analysis: Analysis) -> int:
    """Spatial coordinates of the one domain the expressions use (0 for none or several)."""
    if len(analysis.domains) != 1:
        return 0
    return int(analysis.domains[0].spatial_dim)


def _f32(array: Any) -> jax.Array:
    return jnp.asarray(np.asarray(array), dtype=jnp.float32)


def check_scalar(value: jax.Array, node: Placeholder, what: str) -> jax.Array:
    """Reduce a size-1 value to a scalar; raise for anything bigger."""
    if jnp.size(value) != 1:
        raise ExpressionError(
            f"{what} `{describe(node)}` has shape {tuple(jnp.shape(value))}, not a scalar: "
            "reduce it with .mse, .mae, .rmse or jno.np.mean(...)"
        )
    return jnp.reshape(value, ())
