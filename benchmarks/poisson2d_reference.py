"""Hand-written JAX + optax + equinox reference solvers for the 2-D Poisson problem.

    -Δu = 2π² sin(πx) sin(πy)  on (0, 1)²,   u = 0 on the boundary,
    exact solution u = sin(πx) sin(πy).

MLP 2-64-64-64-64-1 (tanh), 4096 interior + 512 boundary collocation points, Adam(1e-3),
float32, full batch, loss = mean(residual²) + mean(u_b²). The variants differ only in how
the Laplacian of the network w.r.t. its input is computed:

* ``hessian_trace``      ``jnp.trace(jax.hessian(u)(p))`` per point (jacfwd over jacrev), vmapped
* ``nested_jvp``         sum_i jvp(jvp(u, e_i), e_i) per point (d forward-over-forward), vmapped
* ``forward_laplacian``  hand-written: value, input-Jacobian and Laplacian pushed through each
                         dense layer and tanh, batch-first (see :func:`lap_forward`)
* ``folx``               ``folx.forward_laplacian`` per point, vmapped (only if folx is
                         installed and agrees with the Hessian on a smoke test)

Importable API (``sys.path`` must contain ``benchmarks/``, or import it as
``benchmarks.poisson2d_reference`` from the repository root):

* :func:`make_problem` ``(seed=0) -> dict`` of ``x_interior``, ``f_interior``, ``x_boundary``,
  ``x_test`` (101x101 grid), ``u_test``;
* :func:`make_mlp` ``(key, in_size=2)``; :func:`init_state` ``(model, optimizer=None)``
  ``-> (params, opt_state)``; :func:`combine` ``(params, model) -> model``;
* :data:`LAPLACIANS` ``name -> lap(model, x (B, d)) -> (B,)`` (plus ``lap_jacfwd_jacfwd`` and
  ``lap_jacrev_jacrev``);
* :data:`VARIANTS` ``name -> (model, problem, optimizer=None) -> step``, where
  ``step(params, opt_state) -> (params, opt_state, loss_terms)`` is jitted with donation;
* :func:`relative_l2` ``(model, points, exact=None) -> float``;
* :func:`time_steps` ``(step, state, n_warmup, n_steps, *, t_start=None) -> dict``.

Run: ``.venv/bin/python benchmarks/poisson2d_reference.py [--steps 300] [--rounds 30]``
(``--steps`` timed steps per variant after 1 + ``--warmup`` untimed ones).
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

try:  # imported as ``benchmarks.poisson2d_reference``
    from . import _timing
except ImportError:  # run as a script from anywhere: benchmarks/ is sys.path[0]
    import _timing

RESULTS_DIR = Path(__file__).resolve().parent / "results"

N_INTERIOR = 4096
N_PER_EDGE = 128
N_TEST = 101
WIDTH = 64
DEPTH = 4  # hidden layers
LEARNING_RATE = 1e-3

Array = jax.Array
Laplacian = Callable[[eqx.Module, Array], Array]  # (model, x (B, d)) -> Δu(x) (B,)


# --------------------------------------------------------------------------- problem
def exact_solution(points: Array) -> Array:
    return jnp.sin(jnp.pi * points[:, 0]) * jnp.sin(jnp.pi * points[:, 1])


def source(points: Array) -> Array:
    """Right-hand side f with -Δu = f."""
    return 2.0 * jnp.pi**2 * exact_solution(points)


def make_test_grid(n: int = N_TEST) -> Array:
    """``n x n`` uniform grid on the closed unit square, flattened to ``(n², 2)``."""
    t = jnp.linspace(0.0, 1.0, n, dtype=jnp.float32)
    xx, yy = jnp.meshgrid(t, t, indexing="ij")
    return jnp.stack([xx.ravel(), yy.ravel()], axis=1)


def boundary_points(key: Array, n_per_edge: int = N_PER_EDGE) -> Array:
    """``4 * n_per_edge`` points, uniform random along each edge of the unit square."""
    t = jax.random.uniform(key, (4, n_per_edge), dtype=jnp.float32)
    zeros, ones = jnp.zeros(n_per_edge), jnp.ones(n_per_edge)
    edges = [
        jnp.stack([t[0], zeros], axis=1),  # y = 0
        jnp.stack([ones, t[1]], axis=1),  # x = 1
        jnp.stack([t[2], ones], axis=1),  # y = 1
        jnp.stack([zeros, t[3]], axis=1),  # x = 0
    ]
    return jnp.concatenate(edges, axis=0)


def make_problem(seed: int = 0) -> dict[str, Array]:
    """Collocation points, source values and the test grid (all float32, fixed by ``seed``)."""
    k_int, k_bnd = jax.random.split(jax.random.PRNGKey(seed))
    x_interior = jax.random.uniform(k_int, (N_INTERIOR, 2), dtype=jnp.float32)
    x_boundary = boundary_points(k_bnd)
    x_test = make_test_grid()
    return {
        "x_interior": x_interior,
        "f_interior": source(x_interior),
        "x_boundary": x_boundary,
        "x_test": x_test,
        "u_test": exact_solution(x_test),
    }


def make_mlp(key: Array, in_size: int = 2) -> eqx.nn.MLP:
    """``in_size``-64-64-64-64-1 tanh MLP, called on one point of shape ``(in_size,)``."""
    return eqx.nn.MLP(
        in_size=in_size,
        out_size="scalar",
        width_size=WIDTH,
        depth=DEPTH,
        activation=jnp.tanh,
        key=key,
    )


def relative_l2(model: eqx.Module, points: Array, exact: Array | None = None) -> float:
    """``‖u_θ - u‖₂ / ‖u‖₂`` on ``points`` (the 101x101 test grid in the benchmark)."""
    exact = exact_solution(points) if exact is None else exact
    pred = jax.vmap(model)(points)
    return float(jnp.linalg.norm(pred - exact) / jnp.linalg.norm(exact))


# --------------------------------------------------------------------------- Laplacians
# Every Laplacian takes the model and a batch of points (B, d) and returns Δu at each (B,).
# The autodiff ones are written per point and vmapped.
def _per_point(point_lap: Callable[[eqx.Module, Array], Array]) -> Laplacian:
    @functools.wraps(point_lap)
    def batched(model: eqx.Module, x: Array) -> Array:
        return jax.vmap(lambda p: point_lap(model, p))(x)

    return batched


@_per_point
def lap_hessian_trace(model: eqx.Module, p: Array) -> Array:
    return jnp.trace(jax.hessian(model)(p))  # jax.hessian = jacfwd(jacrev(.))


@_per_point
def lap_jacfwd_jacfwd(model: eqx.Module, p: Array) -> Array:
    return jnp.trace(jax.jacfwd(jax.jacfwd(model))(p))


@_per_point
def lap_jacrev_jacrev(model: eqx.Module, p: Array) -> Array:
    return jnp.trace(jax.jacrev(jax.jacrev(model))(p))


@_per_point
def lap_nested_jvp(model: eqx.Module, p: Array) -> Array:
    """Σ_i ∂²u/∂x_i²: for each unit vector e_i, a jvp of (the jvp of u along e_i) along e_i."""

    def directional(q: Array, e: Array) -> Array:
        return jax.jvp(model, (q,), (e,))[1]

    total = jnp.zeros((), p.dtype)
    for e in jnp.eye(p.shape[0], dtype=p.dtype):
        total = total + jax.jvp(lambda q, e=e: directional(q, e), (p,), (e,))[1]
    return total


def lap_forward(model: eqx.nn.MLP, x: Array) -> Array:
    """Hand-written forward Laplacian of a tanh ``eqx.nn.MLP`` on a batch ``x`` of shape (B, d).

    Pushes, layer by layer and for the whole batch at once, the value ``z`` (B, n), its
    Jacobian w.r.t. the input ``g`` (B, d, n) and its Laplacian ``lap`` (B, n):

    * dense ``y = W h + b``:  ``z ← z Wᵀ + b``,  ``g ← g Wᵀ``,  ``lap ← lap Wᵀ``;
    * ``h = tanh(z)``:  ``g ← tanh'(z) g``,  ``lap ← tanh'(z) lap + tanh''(z) Σ_i g_i²``,
      with ``tanh' = 1 - t²`` and ``tanh'' = -2 t (1 - t²)``.

    Starts from ``g = I``, ``lap = 0``; the last layer has no activation. Batch-first layouts
    keep every product a plain matmul contracting the last axis (faster on CPU than
    ``vmap`` of the per-point version).
    """
    batch, d = x.shape
    z = x
    g = jnp.broadcast_to(jnp.eye(d, dtype=x.dtype), (batch, d, d))
    lap = jnp.zeros((batch, d), x.dtype)
    n_layers = len(model.layers)
    for i, layer in enumerate(model.layers):
        w_t = layer.weight.T  # (n_in, n_out)
        z = z @ w_t
        if layer.bias is not None:
            z = z + jnp.reshape(layer.bias, (-1,))
        g = g @ w_t
        lap = lap @ w_t
        if i < n_layers - 1:  # hidden layers: tanh; the final activation is the identity
            t = jnp.tanh(z)
            dt = 1.0 - t * t
            d2t = -2.0 * t * dt
            lap = dt * lap + d2t * jnp.sum(g * g, axis=1)
            g = dt[:, None, :] * g
            z = t
    return lap[:, 0]


def _folx_works() -> str | None:
    """``folx.__version__`` if folx imports and agrees with the Hessian on a smoke test."""
    try:
        import folx
    except ImportError:
        return None
    try:
        model = make_mlp(jax.random.PRNGKey(1))
        x = jnp.array([[0.3, 0.7], [0.9, 0.2]], jnp.float32)
        got = lap_folx(model, x)
        ref = lap_hessian_trace(model, x)
        if not bool(jnp.allclose(got, ref, rtol=1e-4, atol=1e-4)):
            return None
    except Exception:  # any incompatibility with this jax: just leave the variant out
        return None
    return folx.__version__


@_per_point
def lap_folx(model: eqx.Module, p: Array) -> Array:
    import folx

    return folx.forward_laplacian(model)(p).laplacian


FOLX_VERSION = _folx_works()

LAPLACIANS: dict[str, Laplacian] = {
    "hessian_trace": lap_hessian_trace,
    "nested_jvp": lap_nested_jvp,
    "forward_laplacian": lap_forward,
}
if FOLX_VERSION is not None:
    LAPLACIANS["folx"] = lap_folx


# --------------------------------------------------------------------------- training
def init_state(model: eqx.Module, optimizer: optax.GradientTransformation | None = None):
    """``(params, opt_state)`` for a step built by one of :data:`VARIANTS`."""
    optimizer = optax.adam(LEARNING_RATE) if optimizer is None else optimizer
    params = eqx.filter(model, eqx.is_inexact_array)
    return params, optimizer.init(params)


def combine(params: Any, model: eqx.Module) -> eqx.Module:
    """Rebuild a callable model from trained ``params`` and the static part of ``model``."""
    static = eqx.filter(model, eqx.is_inexact_array, inverse=True)
    return eqx.combine(params, static)


def make_step(
    laplacian: Laplacian,
    model: eqx.Module,
    problem: dict[str, Array],
    optimizer: optax.GradientTransformation | None = None,
) -> Callable[[Any, Any], tuple[Any, Any, dict[str, Array]]]:
    """Jitted ``step(params, opt_state) -> (params, opt_state, loss_terms)``, buffers donated.

    ``loss_terms`` are evaluated at the incoming ``params`` (before the update).
    """
    optimizer = optax.adam(LEARNING_RATE) if optimizer is None else optimizer
    static = eqx.filter(model, eqx.is_inexact_array, inverse=True)

    def loss_fn(params, x_int, f_int, x_bnd):
        net = eqx.combine(params, static)
        lap = laplacian(net, x_int)
        residual = -lap - f_int
        u_b = jax.vmap(net)(x_bnd)
        pde = jnp.mean(residual**2)
        bc = jnp.mean(u_b**2)
        return pde + bc, {"pde": pde, "bc": bc}

    @functools.partial(jax.jit, donate_argnums=(0, 1))
    def _step(params, opt_state, x_int, f_int, x_bnd):
        (loss, terms), grads = jax.value_and_grad(loss_fn, has_aux=True)(
            params, x_int, f_int, x_bnd
        )
        updates, opt_state = optimizer.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        return params, opt_state, {"loss": loss, **terms}

    data = (problem["x_interior"], problem["f_interior"], problem["x_boundary"])

    def step(params, opt_state):
        return _step(params, opt_state, *data)

    return step


VARIANTS: dict[str, Callable[..., Callable]] = {
    name: functools.partial(make_step, lap) for name, lap in LAPLACIANS.items()
}
"""``VARIANTS[name](model, problem, optimizer=None) -> step``."""


def run_timed(step: Callable, state: tuple[Any, Any], n_steps: int):
    """``n_steps`` individually blocked steps -> ``(state, last loss_terms, seconds per step)``."""
    params, opt_state = state
    terms: dict[str, Array] = {}
    samples = []
    for _ in range(n_steps):
        t0 = time.perf_counter()
        params, opt_state, terms = _timing.block(step(params, opt_state))
        samples.append(time.perf_counter() - t0)
    return (params, opt_state), terms, samples


def time_steps(
    step: Callable,
    state: tuple[Any, Any],
    n_warmup: int,
    n_steps: int,
    *,
    t_start: float | None = None,
) -> dict[str, Any]:
    """Run ``1 + n_warmup + n_steps`` steps of ``step`` from ``state``, timing them.

    * ``first_step_s``: from ``t_start`` (pass ``time.perf_counter()`` taken before building
      the step; defaults to now) to the end of the first step, i.e. build + trace + compile +
      one execution, blocked on.
    * ``median_ms`` (and ``p10_ms``, ``p90_ms``, ``min_ms``, ``mean_ms``, ``n``): steady state
      over ``n_steps`` individually blocked calls, after ``n_warmup`` untimed ones.
    * ``samples_s``: the raw per-step durations (seconds).
    * ``loss_first`` / ``loss_last``: loss terms of the first and last step (floats).
    * ``state``: the final ``(params, opt_state)`` (pop it before writing JSON).
    """
    t0 = time.perf_counter() if t_start is None else t_start
    params, opt_state, terms = _timing.block(step(*state))
    first_step_s = time.perf_counter() - t0
    loss_first = {k: float(v) for k, v in terms.items()}
    state, _, _ = run_timed(step, (params, opt_state), n_warmup)
    state, last, samples = run_timed(step, state, n_steps)
    terms = last or terms
    return {
        "first_step_s": first_step_s,
        **_timing.summarize_ms(samples),
        "n_warmup": n_warmup,
        "n_steps_total": 1 + n_warmup + n_steps,
        "samples_s": samples,
        "loss_first": loss_first,
        "loss_last": {k: float(v) for k, v in terms.items()},
        "state": state,
    }


# --------------------------------------------------------------------------- script
def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=300, help="timed steps per variant")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps after the first")
    parser.add_argument("--rounds", type=int, default=30, help="interleaving rounds of timed steps")
    parser.add_argument("--seed", type=int, default=0, help="collocation points seed")
    parser.add_argument("--init-seed", type=int, default=0, help="network init seed")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "poisson2d_reference.json")
    args = parser.parse_args(argv)

    problem = make_problem(args.seed)
    assert problem["x_interior"].dtype == jnp.float32, "expected float32 (x64 must be off)"

    # Timed steps are split into rounds that alternate between the variants, so that load
    # from other processes on a shared host is spread over all of them alike. Round 0 goes
    # through time_steps (first step + warmup + first chunk), later rounds just add samples.
    chunks = [len(c) for c in np.array_split(np.arange(args.steps), max(1, args.rounds))]
    results: dict[str, dict[str, Any]] = {}
    steps: dict[str, Callable] = {}
    for name in args.variants:
        model = make_mlp(jax.random.PRNGKey(args.init_seed))  # same init for every variant
        optimizer = optax.adam(LEARNING_RATE)
        state = init_state(model, optimizer)
        t_start = time.perf_counter()
        steps[name] = VARIANTS[name](model, problem, optimizer)
        results[name] = time_steps(steps[name], state, args.warmup, chunks[0], t_start=t_start)
    for chunk in chunks[1:]:
        for name, res in results.items():
            res["state"], terms, samples = run_timed(steps[name], res["state"], chunk)
            res["samples_s"].extend(samples)
            res["loss_last"] = {k: float(v) for k, v in terms.items()}
    for res in results.values():
        params, _ = res.pop("state")
        res.update(_timing.summarize_ms(res["samples_s"]))
        res["n_steps_total"] = 1 + args.warmup + args.steps
        res["relative_l2"] = relative_l2(
            combine(params, make_mlp(jax.random.PRNGKey(args.init_seed))),
            problem["x_test"],
            problem["u_test"],
        )

    # Same maths, same initial parameters: the step-0 losses must agree.
    ref_name = args.variants[0]
    ref = results[ref_name]["loss_first"]["loss"]
    for name, res in results.items():
        got = res["loss_first"]["loss"]
        rel = abs(got - ref) / abs(ref)
        res["loss0_rel_diff_vs_" + ref_name] = rel
        assert rel <= 1e-5, f"{name}: step-0 loss {got!r} vs {ref_name} {ref!r} (rel {rel:.2e})"

    n_total = 1 + args.warmup + args.steps
    header = (
        f"{'variant':<18} {'first-step s':>12} {'median ms/step':>15} {'p10-p90 ms':>15} "
        f"{'loss@0':>10} {'loss@end':>10} {'rel L2':>9}"
    )
    print(f"2-D Poisson, MLP 2-64x4-1 tanh, {N_INTERIOR}+{4 * N_PER_EDGE} pts, Adam 1e-3, fp32")
    print(f"{n_total} steps per variant ({args.steps} timed); backend {jax.default_backend()}")
    print(header)
    print("-" * len(header))
    fastest = min(r["median_ms"] for r in results.values())
    for name, r in results.items():
        print(
            f"{name:<18} {r['first_step_s']:>12.2f} {r['median_ms']:>15.2f} "
            f"{r['p10_ms']:>7.1f}-{r['p90_ms']:<7.1f} {r['loss_first']['loss']:>10.4f} "
            f"{r['loss_last']['loss']:>10.4f} {r['relative_l2']:>9.4f}"
        )
    for name, r in results.items():
        print(f"  {name}: {r['median_ms'] / fastest:.2f}x the fastest median")

    payload = {
        "benchmark": "poisson2d_reference",
        "config": {
            "n_interior": N_INTERIOR,
            "n_boundary": 4 * N_PER_EDGE,
            "width": WIDTH,
            "depth": DEPTH,
            "lr": LEARNING_RATE,
            "steps_timed": args.steps,
            "warmup": args.warmup,
            "steps_total": n_total,
            "seed": args.seed,
            "init_seed": args.init_seed,
            "test_grid": f"{N_TEST}x{N_TEST}",
        },
        "environment": _timing.environment(),
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=2, default=_json_default) + "\n")
    print(f"wrote {args.out}")
    return payload


def _json_default(obj: Any) -> Any:
    if isinstance(obj, (np.generic, jax.Array)):
        value = np.asarray(obj).item()
        return None if isinstance(value, float) and not math.isfinite(value) else value
    raise TypeError(f"not JSON serializable: {type(obj)!r}")


if __name__ == "__main__":
    main()
