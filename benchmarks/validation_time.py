"""Time of `validate()` and `lower()` on large workbench documents: both must scale linearly.

The document is one long chain: a constant, then alternately `scale` (one edge in)
and `add` (two edges in: the previous node and the constant again, so the constant
feeds half of all nodes), then a loss and a constraint. It is valid, so every
check runs to the end. For each size it prints the median seconds of `validate`
and of `lower` (over `--reps` calls, after one warm-up call on the smallest size)
and the time per node; writes `results/validation_time.json`. Targets on a
2-core host: `validate` below 2 s at 10 000 nodes and below 20 s at 100 000.

Run: `.venv/bin/python benchmarks/validation_time.py [--sizes 1000 10000 100000 --reps 3]`
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jno_lab.workbench.document import new_document
from jno_lab.workbench.lowering import lower
from jno_lab.workbench.validate import validate

RESULTS = Path(__file__).resolve().parent / "results"


def chain_document(n_nodes: int) -> dict[str, Any]:
    """A valid document of `n_nodes` nodes (at least 4) in one chain, about 1.5 edges per node."""
    document = new_document(f"chain of {n_nodes} nodes")
    nodes: list[dict[str, Any]] = [{"id": "c0", "type": "constant", "params": {"value": 2.0}}]
    edges: list[dict[str, Any]] = []

    def edge(source: str, target: str, port: str) -> None:
        edges.append({"source": source, "sourcePort": "out", "target": target, "targetPort": port})

    previous = "c0"
    for i in range(1, n_nodes - 2):
        node_id = f"n{i}"
        if i % 2:
            nodes.append({"id": node_id, "type": "scale", "params": {"factor": 0.5}})
        else:
            nodes.append({"id": node_id, "type": "add"})
            edge("c0", node_id, "b")
        edge(previous, node_id, "a")
        previous = node_id
    nodes += [{"id": "loss", "type": "loss"}, {"id": "fit", "type": "constraint"}]
    edge(previous, "loss", "residual")
    edges.append({"source": "loss", "sourcePort": "loss", "target": "fit", "targetPort": "loss"})
    document["graph"] = {"nodes": nodes, "edges": edges}
    return document


def median_seconds(fn: Callable[[], Any], reps: int) -> float:
    """Median wall time of `reps` calls of `fn`."""
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    warm = chain_document(min(args.sizes))
    assert validate(warm) == [], validate(warm)[:3]
    lower(warm)
    rows = []
    print(f"{'nodes':>8}{'edges':>8}{'validate s':>12}{'lower s':>10}{'validate us/node':>18}")
    for n in args.sizes:
        document = chain_document(n)
        problems = validate(document)
        assert problems == [], problems[:3]
        statements = len(lower(document).setup)
        t_validate = median_seconds(lambda document=document: validate(document), args.reps)
        t_lower = median_seconds(lambda document=document: lower(document), args.reps)
        n_edges = len(document["graph"]["edges"])
        print(f"{n:>8}{n_edges:>8}{t_validate:>12.3f}{t_lower:>10.3f}{1e6 * t_validate / n:>18.1f}")
        rows.append(
            {
                "nodes": n,
                "edges": n_edges,
                "statements": statements,
                "validate_s": t_validate,
                "lower_s": t_lower,
            }
        )
    RESULTS.mkdir(exist_ok=True)
    out = {
        "benchmark": "validation_time",
        "reps": args.reps,
        "environment": {
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "machine": platform.machine(),
        },
        "results": rows,
    }
    (RESULTS / "validation_time.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
