"""Emulator training: jno_lab.emulators against the public `trainax` package.

The Trainax quickstart (kernel-2 linear convolution learning 1-D advection at
CFL -0.75, Adam 1e-2, batch 32) for rollouts 1, 5 and 20. Both sides train on the
same data array with the same initial network and keys. For each rollout it
reports the ms per update once compiled (jno_lab: a second call of the same
trainer, all overhead included; trainax: from update 100 on, timed by a
per-update callback, since every trainax call compiles anew), the wall time of
the first call including compilation, the learned-stencil error against the
first-order upwind stencil and the largest relative difference of the two loss
histories. `trainax` runs in a separate interpreter (`--trainax-python`,
default /tmp/trainax-venv/bin/python) so it never touches this environment; if
it is missing the table says so.

Run: `.venv/bin/python benchmarks/emulators.py [--steps 1000]`
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

import jno_lab.emulators as tx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import environment

RESULTS = Path(__file__).resolve().parent / "results"
CFL = -0.75
ROLLOUTS = (1, 5, 20)

TRAINAX_SCRIPT = r"""
import json, sys, time
import importlib.metadata as md
import equinox as eqx, jax, jax.numpy as jnp, numpy as np, optax
import trainax

data = jnp.asarray(np.load(sys.argv[1]))
steps, cfl = int(sys.argv[2]), float(sys.argv[3])
rollouts = [int(r) for r in sys.argv[4].split(",")]
conv = eqx.nn.Conv1d(1, 1, 2, padding="SAME", padding_mode="CIRCULAR", use_bias=False,
                     key=jax.random.PRNGKey(73))
fou = jnp.array([1 + cfl, -cfl])
out = {"version": md.version("trainax"), "results": {}}
for r in rollouts:
    stamps = []
    trainer = trainax.trainer.SupervisedTrainer(
        data, num_rollout_steps=r, optimizer=optax.adam(1e-2),
        num_training_steps=steps, batch_size=32,
        callback_fn=lambda i, model, batch: stamps.append(time.perf_counter()),
    )
    t0 = time.perf_counter()
    model, history, _ = trainer(conv, key=jax.random.PRNGKey(42), spawn_tqdm=False)
    history = np.asarray(jax.block_until_ready(history))
    t1 = time.perf_counter()
    skip = min(100, steps // 2)
    out["results"][str(r)] = {
        "first_call_s": t1 - t0,
        "ms_per_step": 1e3 * (t1 - stamps[skip]) / (steps - skip),
        "stencil_error": float(jnp.linalg.norm(model.weight - fou)),
        "weight": np.asarray(model.weight).ravel().tolist(),
        "loss_history": history.tolist(),
    }
print("TRAINAX_JSON " + json.dumps(out))
"""


def run_jno(data: jax.Array, steps: int) -> dict[str, dict]:
    conv = eqx.nn.Conv1d(
        1,
        1,
        2,
        padding="SAME",
        padding_mode="CIRCULAR",
        use_bias=False,
        key=jax.random.PRNGKey(73),
    )
    fou = jnp.array([1 + CFL, -CFL])
    rows = {}
    for r in ROLLOUTS:
        trainer = tx.trainer.SupervisedTrainer(
            data,
            num_rollout_steps=r,
            optimizer=optax.adam(1e-2),
            num_training_steps=steps,
            batch_size=32,
        )
        t0 = time.perf_counter()
        model, history = trainer(conv, key=jax.random.PRNGKey(42))
        first = time.perf_counter() - t0
        repeats = []
        for _ in range(3):
            t0 = time.perf_counter()
            again, _ = trainer(conv, key=jax.random.PRNGKey(42))
            jax.block_until_ready(again)
            repeats.append(time.perf_counter() - t0)
        rows[str(r)] = {
            "first_call_s": first,
            "ms_per_step": 1e3 * float(np.median(repeats)) / steps,
            "stencil_error": float(jnp.linalg.norm(model.weight - fou)),
            "weight": np.asarray(model.weight).ravel().tolist(),
            "loss_history": np.asarray(history).tolist(),
            "compile_count": trainer.compile_count,
        }
    return rows


def run_trainax(python: str, data: jax.Array, steps: int) -> dict | str:
    if not Path(python).exists():
        return f"not installed ({python} missing; pip install trainax into a separate venv)"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.npy"
        np.save(path, np.asarray(data))
        args = [str(path), str(steps), str(CFL), ",".join(map(str, ROLLOUTS))]
        proc = subprocess.run([python, "-c", TRAINAX_SCRIPT, *args], capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith("TRAINAX_JSON "):
            return json.loads(line[len("TRAINAX_JSON ") :])
    return f"failed to run: {proc.stderr.strip().splitlines()[-1:]}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--trainax-python", default="/tmp/trainax-venv/bin/python")
    args = parser.parse_args()
    data = tx.sample_data.advection_1d_periodic(cfl=CFL, key=jax.random.PRNGKey(0))
    jno = run_jno(data, args.steps)
    ref = run_trainax(args.trainax_python, data, args.steps)
    have_ref = isinstance(ref, dict)
    version = ref["version"] if have_ref else None
    header = (
        f"{'rollout':>7} | {'jno ms/step':>11} | {'trainax ms/step':>15} | {'speedup':>7} | "
        f"{'jno 1st call s':>14} | {'trainax 1st s':>13} | {'jno stencil err':>15} | "
        f"{'trainax stencil err':>19} | {'max rel Δloss':>13}"
    )
    print(
        f"Supervised quickstart, {args.steps} updates, batch 32, data {tuple(data.shape)}; "
        f"trainax {version if have_ref else ref}"
    )
    print(header)
    print("-" * len(header))
    for r in map(str, ROLLOUTS):
        j = jno[r]
        if have_ref:
            t = ref["results"][r]
            jl, tl = np.asarray(j["loss_history"]), np.asarray(t["loss_history"])
            rel = float(np.max(np.abs(jl - tl) / np.abs(tl)))
            j["speedup_per_step"] = t["ms_per_step"] / j["ms_per_step"]
            j["max_rel_loss_difference"] = rel
            j["weight_difference"] = float(np.max(np.abs(np.subtract(j["weight"], t["weight"]))))
            cells = (
                f"{t['ms_per_step']:>15.3f} | {j['speedup_per_step']:>6.1f}x | "
                f"{j['first_call_s']:>14.2f} | {t['first_call_s']:>13.2f} | "
                f"{j['stencil_error']:>15.4f} | {t['stencil_error']:>19.4f} | {rel:>13.1e}"
            )
        else:
            cells = (
                f"{'n/a':>15} | {'n/a':>7} | {j['first_call_s']:>14.2f} | {'n/a':>13} | "
                f"{j['stencil_error']:>15.4f} | {'n/a':>19} | {'n/a':>13}"
            )
        print(f"{r:>7} | {j['ms_per_step']:>11.3f} | {cells}")
    RESULTS.mkdir(exist_ok=True)
    for rows in [jno] + ([ref["results"]] if have_ref else []):
        for row in rows.values():
            row.pop("loss_history", None)
    (RESULTS / "emulators.json").write_text(
        json.dumps(
            {
                "benchmark": "emulators",
                "steps": args.steps,
                "environment": environment(),
                "trainax": ref if have_ref else {"status": ref},
                "jno_lab": jno,
            },
            indent=2,
        )
    )
    print(f"wrote {RESULTS / 'emulators.json'}")


if __name__ == "__main__":
    main()
