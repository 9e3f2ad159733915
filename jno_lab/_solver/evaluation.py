"""`core.eval` and `core.predict`: expressions evaluated with the current or given parameters.

Each distinct list of expressions is lowered once to a `Program` and compiled
once; the compiled evaluators live in the solver's `_eval_cache` (cleared by
`core.reset_compiled`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import numpy as np

from .._lower.program import Program
from .._trace.nodes import Placeholder
from .binding import PointsBinding


def program_for(crux: Any, operations: list[Placeholder]) -> tuple[Program, Any]:
    """The lowered program of `operations` and its compiled function (cached)."""
    key = tuple(op.key for op in operations)
    if key not in crux._eval_cache:
        program = Program(operations, crux.trainables)
        crux._eval_cache[key] = (program, jax.jit(program.__call__))
    return crux._eval_cache[key]


def evaluate(
    crux: Any,
    operation: Placeholder | Sequence[Placeholder],
    domain: Any,
    min_consecutive: int | None,
    key: Any,
    params: Sequence[Any] | None,
) -> Any:
    """`core.eval`: one array per expression (a single one for a single expression)."""
    single = not isinstance(operation, list | tuple)
    ops = [operation] if single else list(operation)
    for op in ops:
        if not isinstance(op, Placeholder):
            raise TypeError(f"eval expects expressions, got {type(op).__name__}")
    program, fn = program_for(crux, ops)  # type: ignore[arg-type]
    data = program.bind(domain if domain is not None else crux.domain)
    current = _params(crux, program, params, "eval")
    key = jax.random.PRNGKey(crux.rng_seed) if key is None else key
    windows = time_windows(data, min_consecutive)
    if windows is None:
        values = [np.asarray(v) for v in fn(current, data, key)]
    else:
        parts = [fn(current, window, key) for window in windows]
        values = [
            np.concatenate(vs, axis=1) if program.levels[root.key].kind == "point" else np.stack(vs)
            for root, vs in zip(program.roots, zip(*parts, strict=True), strict=True)
        ]
    out = [as_output(program, r, v) for r, v in zip(program.roots, values, strict=True)]
    return out[0] if single else out


def predict(
    crux: Any,
    points: Any,
    operation: Placeholder,
    context: dict[str, Any] | None,
    params: Sequence[Any] | None,
) -> np.ndarray:
    """`core.predict`: `operation` at explicit points."""
    if not isinstance(operation, Placeholder):
        raise TypeError(f"predict expects an expression, got {type(operation).__name__}")
    binding = PointsBinding(points, context)
    program, fn = program_for(crux, [operation])
    data = program.bind(binding.for_program(program))
    current = _params(crux, program, params, "predict")
    values = fn(current, data, jax.random.PRNGKey(crux.rng_seed))
    return as_output(program, program.roots[0], values[0])


def _params(crux: Any, program: Program, params: Sequence[Any] | None, who: str) -> tuple:
    """The program's parameters: `params` for the solver's trainables, current values else."""
    if params is None:
        return program.initial_params()
    given = tuple(params)
    if len(given) != len(crux.trainables):
        raise ValueError(
            f"{who}(params=...) takes one entry per solver trainable ({len(crux.trainables)}, "
            f"in the order of `crux.trainables`, as `crux.live_params()` returns them), "
            f"got {len(given)}"
        )
    # trainables only the evaluated expressions use keep their current values
    extra = program.trainables[len(given) :]
    return given + tuple(t.get_params() for t in extra)


def time_windows(data: dict, window: int | None) -> list[dict] | None:
    """`data` split into runs of `window` time steps (None when one run covers it all)."""
    steps = [g["t"].shape[0] for g in data["groups"].values() if g["t"] is not None]
    longest = max(steps, default=1)
    if window is None or longest <= window:
        return None
    out = []
    for start in range(0, longest, window):
        groups = {}
        for tag, group in data["groups"].items():
            times = group["t"]
            if times is not None and times.shape[0] > window:
                group = {**group, "t": times[start : start + window]}
            groups[tag] = group
        out.append({"groups": groups, "tensors": data["tensors"]})
    return out


def as_output(program: Program, root: Placeholder, value: Any) -> np.ndarray:
    """A host array; per-point values of a scalar feature get a trailing axis of 1."""
    array = np.asarray(value)
    if program.levels[root.key].kind == "point" and array.ndim == 3:
        array = array[..., None]
    return array
