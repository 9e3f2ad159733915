"""`jno.diagnostics`: training diagnostics as ready-made trackers.

Each function returns a list of trackers; add them to the constraints:

    crux = jno.core([pde.mse, bc.mse, *jno.diagnostics.gradient_norms([pde.mse, bc.mse], net)])

They run inside the compiled step at their interval (no host callback), and their
values land in `stats.trackers` under the names given here. Defaults keep them
cheap: `benchmarks/diagnostics_overhead.py` measures the cost of each.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

from . import numpy as jnp_expr
from ._lower.analysis import render
from ._trace._operators import _op, as_node
from ._trace.nodes import ParamJacobian, Placeholder, Tracker
from .provenance import Provenance, provenance_of, record

_EPS = 1e-12


class Kind(str, enum.Enum):
    """What a diagnostic tracker logs; its value heads the tracker's name, `<kind>/<label>`.

    Example:
        >>> Kind.GRADIENT_NORM.tracker_name("pde")
        'grad_norm/pde'
        >>> Kind.of_name("ntk_cond/pde"), Kind.of_name("my tracker")
        (<Kind.NTK_CONDITION: 'ntk_cond'>, None)
    """

    GRADIENT_NORM = "grad_norm"
    GRADIENT_COSINE = "grad_cos"
    NTK_EIGENVALUES = "ntk_eig"
    NTK_CONDITION = "ntk_cond"
    NTK_TRACE = "ntk_trace"
    NTK_WEIGHT = "ntk_weight"
    RESIDUAL_MEAN_ABS = "res_mean_abs"
    RESIDUAL_MAX_ABS = "res_max_abs"
    RESIDUAL_STD = "res_std"

    def tracker_name(self, label: str) -> str:
        """The name of this kind's tracker for `label`."""
        return f"{self.value}/{label}"

    @classmethod
    def of_name(cls, name: str) -> Kind | None:
        """The kind a tracker name was made by (for names read back from saved runs)."""
        head, slash, _ = name.partition("/")
        return cls._value2member_map_.get(head) if slash else None  # type: ignore[return-value]


def kind_of(tracker: Any) -> Kind | None:
    """The kind of a tracker made by `jno.diagnostics`, else None (a tracker made by hand).

    Example:
        >>> import jax, jno_lab as jno
        >>> dom = jno.domain(constructor=jno.domain.line(mesh_size=0.25))
        >>> (x,) = dom.variable("interior")
        >>> net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=4, depth=1, key=jax.random.PRNGKey(0)))
        >>> kind_of(residual_stats([net(x)], names=["r"])[2])
        <Kind.RESIDUAL_STD: 'res_std'>
        >>> kind_of(jno.np.tracker(net(x), name="res_std/r")) is None
        True
    """
    made = provenance_of(tracker)
    if made is None or not made.factory.startswith("jno.diagnostics."):
        return None
    return Kind.of_name(tracker.name)


def _made_by(trackers: list[Tracker], factory: str, *args: Any, **kwargs: Any) -> list[Tracker]:
    """Record one call's provenance on every tracker it made."""
    made = Provenance(f"jno.diagnostics.{factory}", args, kwargs)
    return [record(t, made) for t in trackers]


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
    interval = _check_interval(interval)
    trackers = [
        Tracker(jnp_expr.norm(loss.grad(model)), interval, Kind.GRADIENT_NORM.tracker_name(label))
        for loss, label in zip(losses, labels, strict=True)
    ]
    return _made_by(
        trackers, "gradient_norms", tuple(losses), model, interval=interval, names=tuple(labels)
    )


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
            name = Kind.GRADIENT_COSINE.tracker_name(f"{labels[i]}|{labels[j]}")
            out.append(Tracker(cos, _check_interval(interval), name))
    return _made_by(
        out, "gradient_cosines", tuple(losses), model, interval=interval, names=tuple(labels)
    )


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
        out.append(Tracker(eig, interval, Kind.NTK_EIGENVALUES.tracker_name(label)))
        out.append(
            Tracker(
                jnp_expr.max(eig) / (jnp_expr.maximum(jnp_expr.min(eig), _EPS)),
                interval,
                Kind.NTK_CONDITION.tracker_name(label),
            )
        )
        out.append(Tracker(trace, interval, Kind.NTK_TRACE.tracker_name(label)))
    total = traces[0]
    for trace in traces[1:]:
        total = total + trace
    for trace, label in zip(traces, labels, strict=True):
        out.append(Tracker(total / (trace + _EPS), interval, Kind.NTK_WEIGHT.tracker_name(label)))
    return _made_by(
        out, "ntk", tuple(residuals), model, points=points, interval=interval, names=tuple(labels)
    )


def residual_stats(
    residuals: Sequence[Any], interval: int = 100, names: Sequence[str] | None = None
) -> list[Tracker]:
    """Mean |r|, max |r| and standard deviation of each residual over its points."""
    residuals = [as_node(r) for r in residuals]
    labels = _names(residuals, names)
    interval = _check_interval(interval)
    out = []
    for r, label in zip(residuals, labels, strict=True):
        out.append(
            Tracker(jnp_expr.mean(abs(r)), interval, Kind.RESIDUAL_MEAN_ABS.tracker_name(label))
        )
        out.append(
            Tracker(jnp_expr.max(abs(r)), interval, Kind.RESIDUAL_MAX_ABS.tracker_name(label))
        )
        centred = r - jnp_expr.mean(r)
        out.append(
            Tracker(
                jnp_expr.sqrt(jnp_expr.mean(centred * centred)),
                interval,
                Kind.RESIDUAL_STD.tracker_name(label),
            )
        )
    return _made_by(out, "residual_stats", tuple(residuals), interval=interval, names=tuple(labels))


__all__ = ["Kind", "gradient_cosines", "gradient_norms", "kind_of", "ntk", "residual_stats"]
