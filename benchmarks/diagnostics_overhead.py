"""Cost of trackers and built-in diagnostics on the 2-D Poisson step, at their default intervals.

Same problem as `poisson2d.py` (4096 interior + 512 boundary points, MLP 2-64x4-1 tanh,
Adam 1e-3). For each variant: steady ms/step over `--steps` steps (median of `--rounds`
interleaved rounds), the overhead against the run without diagnostics, and the compile
count. Writes `results/diagnostics_overhead.json`.

Run: `.venv/bin/python benchmarks/diagnostics_overhead.py [--steps 1000 --rounds 3]`
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import jax
import numpy as np
import optax

import jno_lab as jno

sys.path.insert(0, str(Path(__file__).resolve().parent))
import poisson2d_reference as ref

RESULTS = Path(__file__).resolve().parent / "results"


def build(variant: str, problem: dict, every_step: bool = False):
    dom = jno.domain.from_array(
        {
            "interior": np.asarray(problem["x_interior"]),
            "boundary": np.asarray(problem["x_boundary"]),
        }
    )
    x, y = dom.variable("interior")
    xb, yb = dom.variable("boundary")
    net = jno.nn.wrap(ref.make_mlp(jax.random.PRNGKey(0)), name="u")
    net.optimizer(optax.adam(ref.LEARNING_RATE))
    pi = jno.np.pi
    u = net(x, y)
    pde = -u.laplacian(x, y) - 2 * pi**2 * jno.np.sin(pi * x) * jno.np.sin(pi * y)
    bc = net(xb, yb)
    losses = [pde.mse, bc.mse]
    iv = {"interval": 1} if every_step else {}
    names = {"names": ["pde", "bc"]}
    extra = {
        "none": [],
        "tracker@100": [
            jno.np.tracker(jno.np.mean(abs(u)), interval=1 if every_step else 100, name="mean|u|")
        ],
        "gradient_norms@100": jno.diagnostics.gradient_norms(losses, net, **iv, **names),
        "gradient_cosines@100": jno.diagnostics.gradient_cosines(losses, net, **iv, **names),
        "ntk(64 pts)@500": jno.diagnostics.ntk([pde, bc], net, **iv, **names),
        "residual_stats@100": jno.diagnostics.residual_stats([pde, bc], **iv, **names),
    }[variant]
    return jno.core([*losses, *extra], dom)


VARIANTS = [
    "none",
    "tracker@100",
    "gradient_norms@100",
    "gradient_cosines@100",
    "ntk(64 pts)@500",
    "residual_stats@100",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--every-steps", type=int, default=100)
    args = parser.parse_args()
    problem = ref.make_problem(0)
    solvers = {}
    first = {}
    for name in VARIANTS:
        crux = build(name, problem)
        t0 = time.perf_counter()
        crux.solve(1)
        first[name] = time.perf_counter() - t0
        solvers[name] = crux
    samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(args.rounds):
        for name in VARIANTS:
            t0 = time.perf_counter()
            solvers[name].solve(args.steps)
            samples[name].append(1e3 * (time.perf_counter() - t0) / args.steps)
    # The cost of ONE evaluation: the same diagnostics computed at every step.
    every = {name: build(name, problem, every_step=True) for name in VARIANTS}
    cost_samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for crux in every.values():
        crux.solve(1)
    for _ in range(args.rounds):
        for name in VARIANTS:
            t0 = time.perf_counter()
            every[name].solve(args.every_steps)
            cost_samples[name].append(1e3 * (time.perf_counter() - t0) / args.every_steps)
    base = float(np.median(samples["none"]))
    base_every = float(np.median(cost_samples["none"]))
    rows = {}
    print(
        f"{'variant':<24}{'ms/step':>9}{'measured':>10}{'ms/eval':>9}"
        f"{'expected':>10}{'compiles':>9}"
    )
    for name in VARIANTS:
        ms = float(np.median(samples[name]))
        per_eval = float(np.median(cost_samples[name])) - base_every
        interval = int(name.rsplit("@", 1)[1]) if "@" in name else 1
        rows[name] = {
            "median_ms": ms,
            "overhead_pct": 100 * (ms - base) / base,
            "cost_per_evaluation_ms": per_eval,
            "expected_overhead_pct": 100 * per_eval / interval / base,
            "compiles": solvers[name].compile_count,
            "first_step_s": first[name],
            "samples_ms": samples[name],
        }
        print(
            f"{name:<24}{ms:>9.2f}{rows[name]['overhead_pct']:>9.1f}%{per_eval:>9.2f}"
            f"{rows[name]['expected_overhead_pct']:>9.2f}%{solvers[name].compile_count:>9}"
        )
    RESULTS.mkdir(exist_ok=True)
    out = {"benchmark": "diagnostics_overhead", "steps": args.steps, "rounds": args.rounds}
    (RESULTS / "diagnostics_overhead.json").write_text(
        json.dumps({**out, "results": rows}, indent=2)
    )


if __name__ == "__main__":
    main()
