"""Cost of the training controls on the 2-D Poisson step, relative to the plain step.

Same problem as `poisson2d.py` (MLP 2-64x4-1 tanh, Adam 1e-3). Variants: a
warm-up-cosine schedule, `dlrs`, a fixed and a functional `WeightSchedule`, the
ReLoBRaLo and LbPINNs balancers (full batch, B=1); gradient accumulation, 2
micro-batches of 2 instances against one batch of 4 (B=4 copies of the points);
`checkpoint_gradients` (remat), for which the compiled step's temporary memory
is reported too; the model controls: a softplus `constrain` of every weight,
`lora(rank=4)` adapters and a bfloat16 `dtype`; the sharded code path on a
(1, 1) device mesh. Each: steady ms/step over `--steps` steps (the best of
`--rounds` interleaved rounds: the least disturbed by other load on a shared
machine; the median is recorded too), the overhead against its baseline, and the
compile count.
Writes `results/training_overhead.json`.

Run: `.venv/bin/python benchmarks/training_overhead.py [--steps 500 --rounds 3]`
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax

import jno_lab as jno
from jno_lab import LearningRateSchedule as lrs
from jno_lab import WeightSchedule as ws
from jno_lab._solver.mesh import make_mesh

sys.path.insert(0, str(Path(__file__).resolve().parent))
import poisson2d_reference as ref
from _timing import environment

RESULTS = Path(__file__).resolve().parent / "results"


def build(variant: str, problem: dict, copies: int = 1) -> tuple:
    """`(solver, solve keyword arguments)` of one variant."""
    interior = np.asarray(problem["x_interior"])
    boundary = np.asarray(problem["x_boundary"])
    if copies > 1:
        interior = np.broadcast_to(interior, (copies, *interior.shape)).copy()
        boundary = np.broadcast_to(boundary, (copies, *boundary.shape)).copy()
    dom = jno.domain.from_array({"interior": interior, "boundary": boundary})
    x, y = dom.variable("interior")
    xb, yb = dom.variable("boundary")
    net = jno.nn.wrap(ref.make_mlp(jax.random.PRNGKey(0)), name="u")
    net.optimizer(optax.adam(ref.LEARNING_RATE))
    pi = jno.np.pi
    pde = (-net(x, y).laplacian(x, y) - 2 * pi**2 * jno.np.sin(pi * x) * jno.np.sin(pi * y)).mse
    bc = net(xb, yb).mse
    kwargs: dict = {}
    losses = [pde, bc]
    if variant == "warmup_cosine":
        net.optimizer(optax.adam, lr=lrs.warmup_cosine(10_000, 500, 1e-3, 1e-5))
    elif variant == "dlrs":
        net.optimizer(optax.adam(1)).scale(jno.fn.adaptive.dlrs(1e-3))
    elif variant == "ws_fixed":
        kwargs["constraint_weights"] = ws([1.0, 10.0])
    elif variant == "ws_function":
        kwargs["constraint_weights"] = ws(
            lambda e, L: [1.0, jnp.maximum(1.0, L[1] / (L[0] + 1e-8))]
        )
    elif variant == "relobralo":
        w0, w1 = jno.fn.adaptive.relobralo([pde, bc], alpha=0.99, tau=0.1, seed=42)
        losses = [w0 * pde, w1 * bc]
    elif variant == "lbpinns":
        w0, w1 = jno.fn.adaptive.lbpinns_loss_balancing([pde, bc])
        losses = [w0 * pde, w1 * bc]
    elif variant == "batch4":
        kwargs["batchsize"] = 4
    elif variant == "accumulate2x2":
        kwargs.update(batchsize=2, accumulation_steps=2)
    elif variant == "remat":
        kwargs["checkpoint_gradients"] = True
    elif variant == "constrain":
        net.constrain(jax.nn.softplus)
    elif variant == "lora4":
        net.lora(rank=4, alpha=4.0)
    elif variant == "bf16":
        net.dtype(jnp.bfloat16)
    crux = jno.core(losses, dom, mesh=(1, 1))
    if variant == "sharded":
        # the sharded code path (NamedSharding placement, sharding constraints in the
        # step) on a (1, 1) device mesh: its cost with nothing to split
        crux._device_mesh = make_mesh((1, 1))
    return crux, kwargs


GROUPS = {
    "plain": [
        "plain",
        "warmup_cosine",
        "dlrs",
        "ws_fixed",
        "ws_function",
        "relobralo",
        "lbpinns",
        "constrain",
        "lora4",
        "bf16",
        "sharded",
    ],
    "remat": ["plain", "remat"],
    "batch4": ["batch4", "accumulate2x2"],
}


def temp_bytes(crux) -> int:
    """Temporary (activation) memory of the compiled step, from XLA's memory analysis."""
    config, chunk = list(crux._chunks.items())[-1]
    state = crux._initial_state(config)
    compiled = chunk.lower(
        state, crux._bind(), crux._hyper(None, config), jnp.asarray(1, jnp.int32)
    ).compile()
    return int(compiled.memory_analysis().temp_size_in_bytes)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    problem = ref.make_problem(0)
    names = sorted({n for group in GROUPS.values() for n in group})
    solvers = {}
    for name in names:
        crux, kwargs = build(name, problem, copies=4 if name in GROUPS["batch4"] else 1)
        crux.solve(1, **kwargs)
        solvers[name] = (crux, kwargs)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(args.rounds):
        for name in names:
            crux, kwargs = solvers[name]
            # the B=4 pair costs several plain steps each: fewer steps keep the run short
            steps = max(args.steps // 4, 10) if name in GROUPS["batch4"] else args.steps
            t0 = time.perf_counter()
            crux.solve(steps, **kwargs)
            samples[name].append(1e3 * (time.perf_counter() - t0) / steps)
    rows = {}
    print(f"{'variant':<16}{'baseline':<10}{'ms/step':>9}{'overhead':>10}{'compiles':>9}")
    for baseline, group in (
        ("plain", GROUPS["plain"]),
        ("plain", ["remat"]),
        ("batch4", ["accumulate2x2"]),
    ):
        base = float(np.min(samples[baseline]))
        for name in group:
            ms = float(np.min(samples[name]))
            rows[name] = {
                "baseline": baseline,
                "best_ms": ms,
                "median_ms": float(np.median(samples[name])),
                "overhead_pct": 100 * (ms - base) / base,
                "compiles": solvers[name][0].compile_count,
                "samples_ms": samples[name],
            }
            print(
                f"{name:<16}{baseline:<10}{ms:>9.2f}{rows[name]['overhead_pct']:>9.1f}%"
                f"{solvers[name][0].compile_count:>9}"
            )
    rows["batch4"] = {"baseline": "batch4", "best_ms": float(np.min(samples["batch4"]))}
    plain_mem, remat_mem = temp_bytes(solvers["plain"][0]), temp_bytes(solvers["remat"][0])
    rows["remat"]["temp_bytes"] = remat_mem
    rows["plain"]["temp_bytes"] = plain_mem
    saving = 100 * (plain_mem - remat_mem) / max(plain_mem, 1)
    print(
        f"remat temporary memory: {remat_mem / 1e6:.2f} MB vs {plain_mem / 1e6:.2f} MB "
        f"({saving:.1f} % saved)"
    )
    RESULTS.mkdir(exist_ok=True)
    out = {
        "benchmark": "training_overhead",
        "steps": args.steps,
        "rounds": args.rounds,
        "remat_memory_saving_pct": saving,
        "environment": environment(),
        "results": rows,
    }
    (RESULTS / "training_overhead.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
