"""Small timing helpers shared by the benchmark scripts (median-based: the host is noisy)."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import jax


def block(tree: Any) -> Any:
    """Wait for every array in ``tree`` and return it unchanged."""
    return jax.block_until_ready(tree)


def summarize_ms(samples_s: Sequence[float]) -> dict[str, float]:
    """Robust summary of a list of durations given in seconds, reported in milliseconds."""
    ms = sorted(1e3 * s for s in samples_s)
    n = len(ms)
    if n == 0:
        return {"n": 0}
    return {
        "n": n,
        "median_ms": statistics.median(ms),
        "p10_ms": ms[int(0.1 * (n - 1))],
        "p90_ms": ms[int(0.9 * (n - 1))],
        "min_ms": ms[0],
        "mean_ms": statistics.fmean(ms),
    }


def time_interleaved(
    fns: dict[str, Callable[[], Any]], n_reps: int, n_warmup: int = 2
) -> dict[str, dict[str, float]]:
    """Time zero-argument callables round-robin so background noise hits all of them alike.

    Each call is blocked on individually. Returns :func:`summarize_ms` per name.
    """
    for _ in range(n_warmup):
        for fn in fns.values():
            block(fn())
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(n_reps):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            block(fn())
            samples[name].append(time.perf_counter() - t0)
    return {name: summarize_ms(s) for name, s in samples.items()}


def environment() -> dict[str, Any]:
    """Versions and host facts worth storing next to timings."""
    import equinox
    import optax

    env: dict[str, Any] = {
        "python": platform.python_version(),
        "jax": jax.__version__,
        "equinox": equinox.__version__,
        "optax": optax.__version__,
        "backend": jax.default_backend(),
        "devices": [str(d) for d in jax.devices()],
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
    }
    try:
        import folx

        env["folx"] = folx.__version__
    except ImportError:
        env["folx"] = None
    return env
