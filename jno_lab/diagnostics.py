"""`jno.diagnostics`: training diagnostics as ready-made trackers.

Each function returns a list of trackers; add them to the constraints:

    crux = jno.core([pde.mse, bc.mse, *jno.diagnostics.gradient_norms([pde.mse, bc.mse], net)])

They run inside the compiled step at their interval (no host callback), and their
values land in `stats.trackers` under the names given here. Defaults keep them
cheap: `benchmarks/diagnostics_overhead.py` measures the cost of each.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import numpy as jnp_expr
from ._lower.analysis import render
from ._trace._operators import _op, as_node
from ._trace.nodes import ParamJacobian, Placeholder, Tracker

_EPS = 1e-12


def _names(items: Sequence[Placeholder], names: Sequence[str] | None) -> list[str]:
    if names is None:
        return [render(item)[:40] for item in items]
    if len(names) != len(items):
        raise ValueError(f"got {len(names)} names for {len(items)} expressions")
    return list(names)


def _check_interval(interval: int) -> int:
    if not isinstance(interval, int) or interval < 1:
        raise ValueError(f"interval must be a positive integer, got {interval!r}")
    return interval


def gradient_norms(
    losses: Sequence[Any], model: Any, interval: int = 100, names: Sequence[str] | None = None
) -> list[Tracker]:
    """‖∇θ Lᵢ‖ for each loss Lᵢ w.r.t. the parameters of `model` (or `model.mask(m)`).

    Example:
        >>> import jax, jno_lab as jno
        >>> dom = jno.domain(constructor=jno.domain.line(mesh_size=0.25))
        >>> (x,) = dom.variable("interior")
        >>> net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=4, depth=1, key=jax.random.PRNGKey(0)))
        >>> [t.name for t in jno.diagnostics.gradient_norms([net(x).mse], net, names=["fit"])]
        ['grad_norm/fit']
    """
    losses = [as_node(loss) for loss in losses]
    labels = _names(losses, names)
    return [
        Tracker(jnp_expr.norm(loss.grad(model)), _check_interval(interval), f"grad_norm/{label}")
        for loss, label in zip(losses, labels, strict=True)
    ]


def gradient_cosines(
    losses: Sequence[Any], model: Any, interval: int = 100, names: Sequence[str] | None = None
) -> list[Tracker]:
    """Cosine between the parameter gradients of every pair of losses (in [-1, 1]).

    Near +1 the two losses pull the weights the same way; near -1 they conflict.
    """
    losses = [as_node(loss) for loss in losses]
    if len(losses) < 2:
        raise ValueError("gradient_cosines needs at least two losses to compare")
    labels = _names(losses, names)
    grads = [loss.grad(model) for loss in losses]
    out = []
    for i in range(len(losses)):
        for j in range(i + 1, len(losses)):
            gi, gj = grads[i], grads[j]
            cos = jnp_expr.dot(gi, gj) / (jnp_expr.norm(gi) * jnp_expr.norm(gj) + _EPS)
            out.append(Tracker(cos, _check_interval(interval), f"grad_cos/{labels[i]}|{labels[j]}"))
    return out


def ntk(
    residuals: Sequence[Any],
    model: Any,
    points: int = 64,
    interval: int = 500,
    names: Sequence[str] | None = None,
) -> list[Tracker]:
    """Neural-tangent-kernel diagnostics per residual on a fixed random subset of points.

    For each residual rᵢ with Jacobian Jᵢ = ∂rᵢ/∂θ on `points` points, Kᵢ = Jᵢ Jᵢᵀ:
    `ntk_eig/<name>` (the eigenvalue spectrum, ascending), `ntk_cond/<name>`
    (largest over smallest eigenvalue), `ntk_trace/<name>` (tr Kᵢ / points) and
    `ntk_weight/<name>` (Σⱼ tr Kⱼ / tr Kᵢ: the NTK-based loss weight of Wang, Yu
    and Perdikaris, 2022).
    """
    residuals = [as_node(r) for r in residuals]
    labels = _names(residuals, names)
    interval = _check_interval(interval)
    if not isinstance(points, int) or points < 1:
        raise ValueError(f"points must be a positive integer, got {points!r}")
    traces, out = [], []
    for residual, label in zip(residuals, labels, strict=True):
        jac = residual.grad(model)  # validates the model and the mask
        jac = ParamJacobian(jac.target, jac.model, jac.mask, subset=points)  # type: ignore[attr-defined]
        flat = _op("rows", jac[0])  # (points * features, P)
        kernel = flat @ flat.T
        eig = jnp_expr.eigvalsh(kernel)
        trace = jnp_expr.sum(eig) / points
        traces.append(trace)
        out.append(Tracker(eig, interval, f"ntk_eig/{label}"))
        out.append(
            Tracker(
                jnp_expr.max(eig) / (jnp_expr.maximum(jnp_expr.min(eig), _EPS)),
                interval,
                f"ntk_cond/{label}",
            )
        )
        out.append(Tracker(trace, interval, f"ntk_trace/{label}"))
    total = traces[0]
    for trace in traces[1:]:
        total = total + trace
    for trace, label in zip(traces, labels, strict=True):
        out.append(Tracker(total / (trace + _EPS), interval, f"ntk_weight/{label}"))
    return out


def residual_stats(
    residuals: Sequence[Any], interval: int = 100, names: Sequence[str] | None = None
) -> list[Tracker]:
    """Mean |r|, max |r| and standard deviation of each residual over its points."""
    residuals = [as_node(r) for r in residuals]
    labels = _names(residuals, names)
    interval = _check_interval(interval)
    out = []
    for r, label in zip(residuals, labels, strict=True):
        out.append(Tracker(jnp_expr.mean(abs(r)), interval, f"res_mean_abs/{label}"))
        out.append(Tracker(jnp_expr.max(abs(r)), interval, f"res_max_abs/{label}"))
        centred = r - jnp_expr.mean(r)
        out.append(
            Tracker(jnp_expr.sqrt(jnp_expr.mean(centred * centred)), interval, f"res_std/{label}")
        )
    return out


__all__ = ["gradient_cosines", "gradient_norms", "ntk", "residual_stats"]
