"""jno_lab against hand-written JAX on the 2-D Poisson problem, in one process.

Same points, same initial network, same optimizer as `poisson2d_reference.py`.
Prints a table (first step, steady ms/step, ratio to the fastest hand-written
variant, relative L2 after the steps) and writes `results/poisson2d.json`.

Run: `.venv/bin/python benchmarks/poisson2d.py [--steps 300]`
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
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


def build_solver(problem: dict, model) -> tuple:
    dom = jno.domain.from_array(
        {
            "interior": np.asarray(problem["x_interior"]),
            "boundary": np.asarray(problem["x_boundary"]),
        }
    )
    x, y = dom.variable("interior")
    xb, yb = dom.variable("boundary")
    net = jno.nn.wrap(model, name="u").optimizer(optax.adam(ref.LEARNING_RATE))
    pi = jno.np.pi
    u = net(x, y)
    pde = -u.laplacian(x, y) - 2 * pi**2 * jno.np.sin(pi * x) * jno.np.sin(pi * y)
    return jno.core([pde.mse, net(xb, yb).mse], dom), net


def time_jno(problem: dict, steps: int, chunk: int) -> dict:
    model = ref.make_mlp(jax.random.PRNGKey(0))
    crux, net = build_solver(problem, model)
    t0 = time.perf_counter()
    crux.solve(1)
    first_step_s = time.perf_counter() - t0
    crux.solve(chunk, inner_steps=chunk)  # compiles the fused chunk
    rounds = []
    for _ in range(max(steps // chunk, 1)):
        t0 = time.perf_counter()
        crux.solve(chunk, inner_steps=chunk)
        rounds.append((time.perf_counter() - t0) / chunk)
    done = 1 + chunk + chunk * len(rounds)
    return {
        "first_step_s": first_step_s,
        "median_ms": 1e3 * float(np.median(rounds)),
        "steps_total": done,
        "relative_l2": ref.relative_l2(net.module, problem["x_test"], problem["u_test"]),
        "loss_last": float(crux.stats.total_loss),
    }


def time_reference(name: str, problem: dict, steps: int) -> dict:
    model = ref.make_mlp(jax.random.PRNGKey(0))
    t_start = time.perf_counter()
    step = ref.VARIANTS[name](model, problem)
    result = ref.time_steps(step, ref.init_state(model), 10, steps, t_start=t_start)
    params, _ = result.pop("state")
    result.pop("samples_s", None)
    result["relative_l2"] = ref.relative_l2(
        ref.combine(params, model), problem["x_test"], problem["u_test"]
    )
    return result


STARTUP_SCRIPT = """
import jax, optax
import jno_lab as jno

dom = jno.domain(constructor=jno.domain.rect(mesh_size=0.05))
x, y = dom.variable("interior", sample=4096)
xb, yb = dom.variable("boundary", sample=512)
net = jno.nn.wrap(jno.nn.mlp(2, 1, hidden=64, depth=4, key=jax.random.PRNGKey(0)))
net.optimizer(optax.adam(1e-3))
u = net(x, y)
pi = jno.np.pi
pde = -u.laplacian(x, y) - 2 * pi**2 * jno.np.sin(pi * x) * jno.np.sin(pi * y)
jno.core([pde.mse, net(xb, yb).mse]).solve(1)
print("FIRST_STEP_DONE", flush=True)
"""
"""A user's script with jno_lab only: the same problem, points sampled by jno_lab."""


def script_start_to_first_step() -> float:
    code = STARTUP_SCRIPT
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "FIRST_STEP_DONE" in out.stdout, out.stderr
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--chunk", type=int, default=50)
    args = parser.parse_args()
    problem = ref.make_problem(0)
    rows = {name: time_reference(name, problem, args.steps) for name in ref.VARIANTS}
    rows["jno_lab"] = time_jno(problem, args.steps, args.chunk)
    fastest = min((r["median_ms"], n) for n, r in rows.items() if n != "jno_lab")
    startup = script_start_to_first_step()
    print(f"{'variant':<20}{'first step s':>14}{'ms/step':>10}{'ratio':>8}{'rel L2':>10}")
    for name, r in rows.items():
        r["ratio_to_fastest"] = r["median_ms"] / fastest[0]
        print(
            f"{name:<20}{r['first_step_s']:>14.2f}{r['median_ms']:>10.1f}"
            f"{r['ratio_to_fastest']:>8.2f}{r['relative_l2']:>10.3f}"
        )
    print(
        f"fastest hand-written: {fastest[1]}; jno_lab script start to first step: {startup:.2f} s"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "poisson2d.json").write_text(
        json.dumps(
            {
                "benchmark": "poisson2d",
                "steps": args.steps,
                "chunk": args.chunk,
                "fastest_reference": fastest[1],
                "script_start_to_first_step_s": startup,
                "environment": {
                    "jax": jax.__version__,
                    "backend": jax.default_backend(),
                    "machine": platform.machine(),
                },
                "results": rows,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
