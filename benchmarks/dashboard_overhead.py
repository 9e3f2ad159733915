"""Cost of watching a run: the 2-D Poisson benchmark trained headless vs with a Dashboard.

Same problem as `poisson2d.py` (4096 interior + 512 boundary points, MLP 2-64x4-1 tanh,
Adam 1e-3). Variants, interleaved round by round (the host is noisy):

* `headless`: `crux.solve(steps)`, no callback (64 fused steps per call);
* `dashboard`: `crux.solve(steps, inner_steps=100, callbacks=[Dashboard()])` with the
  default throttling (4 messages/s) and field view (every 2 s), its comm a recording
  comm that keeps every message as a kernel comm would send it.

Prints steady ms/step (median of `--rounds`), the overhead, and the messages and bytes
sent per second; writes `results/dashboard_overhead.json`. Target: overhead <= 3 %.

Run: `.venv/bin/python benchmarks/dashboard_overhead.py [--steps 500 --rounds 8]`
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from comm.base_comm import BaseComm

from jno_lab.widgets import Dashboard

sys.path.insert(0, str(Path(__file__).resolve().parent))
import poisson2d_reference as ref
from _timing import environment
from diagnostics_overhead import build

RESULTS = Path(__file__).resolve().parent / "results"


class RecordingComm(BaseComm):
    """Keeps what a kernel comm would publish (message count and bytes)."""

    def __init__(self) -> None:
        self.messages = 0
        self.bytes = 0
        super().__init__(target_name="jupyter.widget", primary=True)

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        self.messages += 1
        self.bytes += len(json.dumps(data, default=str)) + sum(len(b) for b in buffers or [])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    problem = ref.make_problem(0)
    headless, watched = build("none", problem), build("none", problem)
    headless.solve(64)  # compile
    warm = Dashboard(field_every=0.0)
    warm.comm = RecordingComm()
    watched.solve(100, inner_steps=100, callbacks=[warm])  # compile step and field view
    samples: dict[str, list[float]] = {"headless": [], "dashboard": []}
    sent = {"messages": 0, "bytes": 0, "seconds": 0.0}
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        headless.solve(args.steps)
        samples["headless"].append(1e3 * (time.perf_counter() - t0) / args.steps)
        dash = Dashboard()
        dash.comm = recorder = RecordingComm()
        t0 = time.perf_counter()
        watched.solve(args.steps, inner_steps=100, callbacks=[dash])
        elapsed = time.perf_counter() - t0
        samples["dashboard"].append(1e3 * elapsed / args.steps)
        sent["messages"] += recorder.messages
        sent["bytes"] += recorder.bytes
        sent["seconds"] += elapsed
    base = float(np.median(samples["headless"]))
    rows = {}
    print(f"{'variant':<12}{'ms/step':>9}{'overhead':>10}")
    for name, values in samples.items():
        ms = float(np.median(values))
        rows[name] = {
            "median_ms": ms,
            "overhead_pct": 100 * (ms - base) / base,
            "samples_ms": values,
        }
        print(f"{name:<12}{ms:>9.2f}{rows[name]['overhead_pct']:>9.1f}%")
    rate = sent["messages"] / sent["seconds"]
    kib = sent["bytes"] / sent["seconds"] / 1024
    print(f"dashboard traffic: {rate:.1f} messages/s, {kib:.1f} KiB/s")
    RESULTS.mkdir(exist_ok=True)
    out = {
        "benchmark": "dashboard_overhead",
        "steps": args.steps,
        "rounds": args.rounds,
        "results": rows,
        "messages_per_s": rate,
        "kib_per_s": kib,
        "environment": environment(),
    }
    (RESULTS / "dashboard_overhead.json").write_text(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
