"""Micro-benchmark of the input-Laplacian of a tanh MLP alone, by method and input dimension.

For the MLP d-64-64-64-64-1 (tanh) and 4096 uniform random points in (0, 1)^d, each method
is timed on

* ``fwd``:     the Laplacian at all points (B,);
* ``fwd+bwd``: ``jax.value_and_grad`` w.r.t. the network parameters of ``mean(lap**2)``,
  i.e. what a PINN training step pays for its PDE term;

and its Laplacian is compared with ``hessian_trace``'s (max abs difference). Calls are
timed round-robin (one call of each method per round, each blocked on) and reduced to
medians so the noise of a shared host hits every method alike.

Run: ``.venv/bin/python benchmarks/laplacian_methods.py [--reps 40] [--dims 2 3]``
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp

try:  # imported as ``benchmarks.laplacian_methods``
    from . import _timing
    from .poisson2d_reference import (
        FOLX_VERSION,
        N_INTERIOR,
        RESULTS_DIR,
        lap_folx,
        lap_forward,
        lap_hessian_trace,
        lap_jacfwd_jacfwd,
        lap_jacrev_jacrev,
        lap_nested_jvp,
        make_mlp,
    )
except ImportError:  # run as a script: benchmarks/ is sys.path[0]
    import _timing
    from poisson2d_reference import (
        FOLX_VERSION,
        N_INTERIOR,
        RESULTS_DIR,
        lap_folx,
        lap_forward,
        lap_hessian_trace,
        lap_jacfwd_jacfwd,
        lap_jacrev_jacrev,
        lap_nested_jvp,
        make_mlp,
    )

METHODS = {
    "hessian_trace": lap_hessian_trace,  # jacfwd(jacrev)
    "jacfwd_jacfwd": lap_jacfwd_jacfwd,
    "jacrev_jacrev": lap_jacrev_jacrev,
    "nested_jvp": lap_nested_jvp,
    "forward_laplacian": lap_forward,
}
if FOLX_VERSION is not None:
    METHODS["folx"] = lap_folx

REFERENCE = "hessian_trace"
ABS_TOL = 1e-4  # float32; observed differences are far below this


def bench_dim(dim: int, n_points: int, reps: int, seed: int = 0) -> dict[str, Any]:
    k_model, k_x = jax.random.split(jax.random.PRNGKey(seed))
    model = make_mlp(k_model, in_size=dim)
    x = jax.random.uniform(k_x, (n_points, dim), dtype=jnp.float32)
    params, static = eqx.partition(model, eqx.is_inexact_array)

    results: dict[str, dict[str, Any]] = {}
    laps: dict[str, jax.Array] = {}
    fwd_fns, bwd_fns = {}, {}
    for name, lap_fn in METHODS.items():

        def lap_of(p, x, lap_fn=lap_fn):
            return lap_fn(eqx.combine(p, static), x)

        def loss(p, x, lap_of=lap_of):
            return jnp.mean(lap_of(p, x) ** 2)

        fwd = jax.jit(lap_of)
        bwd = jax.jit(jax.value_and_grad(loss))
        t0 = time.perf_counter()
        laps[name] = _timing.block(fwd(params, x))
        t1 = time.perf_counter()
        _timing.block(bwd(params, x))
        t2 = time.perf_counter()
        results[name] = {"compile_fwd_s": t1 - t0, "compile_fwd_bwd_s": t2 - t1}
        fwd_fns[name] = lambda fwd=fwd: fwd(params, x)
        bwd_fns[name] = lambda bwd=bwd: bwd(params, x)

    ref = laps[REFERENCE]
    scale = float(jnp.max(jnp.abs(ref)))
    for name, lap in laps.items():
        diff = float(jnp.max(jnp.abs(lap - ref)))
        results[name]["max_abs_diff_vs_" + REFERENCE] = diff
        assert diff <= ABS_TOL * max(1.0, scale), f"d={dim} {name}: max |dlap| = {diff:.3e}"

    fwd_t = _timing.time_interleaved(fwd_fns, reps)
    bwd_t = _timing.time_interleaved(bwd_fns, reps)
    for name in METHODS:
        results[name]["fwd"] = fwd_t[name]
        results[name]["fwd_bwd"] = bwd_t[name]
    return {"dim": dim, "n_points": n_points, "max_abs_lap_ref": scale, "methods": results}


def print_table(res: dict[str, Any]) -> None:
    dim, methods = res["dim"], res["methods"]
    diff_key = "max_abs_diff_vs_" + REFERENCE
    print(
        f"\nd={dim}: MLP {dim}-64x4-1 tanh, {res['n_points']} points, "
        f"max|lap| = {res['max_abs_lap_ref']:.3g}"
    )
    header = (
        f"{'method':<18} {'fwd ms':>9} {'fwd+bwd ms':>11} {'vs hess':>8} "
        f"{'compile s':>10} {'max|dlap|':>10}"
    )
    print(header)
    print("-" * len(header))
    ref_ms = methods[REFERENCE]["fwd_bwd"]["median_ms"]
    for name, r in methods.items():
        ms = r["fwd_bwd"]["median_ms"]
        compile_s = r["compile_fwd_s"] + r["compile_fwd_bwd_s"]
        print(
            f"{name:<18} {r['fwd']['median_ms']:>9.2f} {ms:>11.2f} {ref_ms / ms:>7.2f}x "
            f"{compile_s:>10.2f} {r[diff_key]:>10.2e}"
        )
    ranking = sorted(methods, key=lambda n: methods[n]["fwd_bwd"]["median_ms"])
    best, second = ranking[0], ranking[1]
    ratio = methods[second]["fwd_bwd"]["median_ms"] / methods[best]["fwd_bwd"]["median_ms"]
    print(f"ranking (fwd+bwd): {' < '.join(ranking)}")
    print(f"fastest: {best}, {ratio:.2f}x faster than the runner-up ({second})")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dims", type=int, nargs="+", default=[2, 3])
    parser.add_argument("--points", type=int, default=N_INTERIOR)
    parser.add_argument("--reps", type=int, default=40, help="timed rounds per method")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "laplacian_methods.json")
    args = parser.parse_args(argv)

    print(
        f"Laplacian alone; medians of {args.reps} interleaved rounds; "
        f"backend {jax.default_backend()}; 'vs hess' = hessian_trace fwd+bwd / method fwd+bwd"
    )
    per_dim = []
    for dim in args.dims:
        res = bench_dim(dim, args.points, args.reps, args.seed)
        print_table(res)
        per_dim.append(res)

    payload = {
        "benchmark": "laplacian_methods",
        "config": {"points": args.points, "reps": args.reps, "seed": args.seed},
        "environment": _timing.environment(),
        "results": per_dim,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nwrote {args.out}")
    return payload


if __name__ == "__main__":
    main()
