"""Headless use of workbench documents: what `jno-lab run`, `validate` and `export` do.

`run_document` validates a document, lowers it (the same lowering as the
workbench's Run and Export), trains every phase with a terminal progress bar and
writes `statistics.json`, `loss.png` and `field.png`. Mistakes in the user's
file (missing, not JSON, invalid) raise `DocumentError` with a readable message;
the command line prints it without a traceback.

Example (the repository's `examples/heat_1d.jnolab`, trained for 20 steps):
    >>> import pathlib, tempfile, jno_lab
    >>> from jno_lab.workbench.headless import run_document
    >>> examples = pathlib.Path(jno_lab.__file__).parents[1] / "examples"
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "run"
    >>> result = run_document(examples / "heat_1d.jnolab", epochs=20, out=out, progress=False)
    >>> sorted(p.name for p in result.files)
    ['field.png', 'loss.png', 'statistics.json']
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import Callback, RunControl
from ..widgets.progress import ProgressBar
from ..widgets.raster import masked_grid
from .document import load
from .geometry import primitive_name
from .graph import identifier
from .lowering import Built, UntrustedCode, lower
from .phases import document_plan, run_phases
from .validate import Problem, validate

__all__ = [
    "DocumentError",
    "ProgressBar",
    "RunResult",
    "check_document",
    "format_problem",
    "override_epochs",
    "plot_fields",
    "read_document",
    "run_document",
    "statistics_json",
    "train",
]


class DocumentError(Exception):
    """The user's file cannot be run: unreadable, not JSON, or an invalid document.

    Attributes:
        problems: the validation problems (empty when the file could not be read).
        exit_code: 2 when the file could not be read or parsed, 1 for an invalid document.
    """

    def __init__(self, message: str, problems: Sequence[Problem] = (), exit_code: int = 1):
        super().__init__(message)
        self.problems = list(problems)
        self.exit_code = exit_code


def format_problem(problem: Problem) -> str:
    """One line `node_id:port: message` (`document` where no node is concerned).

    Example:
        >>> format_problem(
        ...     {"code": "c", "message": "not connected", "node_id": "lap", "port": "var1"}
        ... )
        'lap:var1: not connected'
    """
    where = problem.get("node_id") or "document"
    if problem.get("port"):
        where += f":{problem['port']}"
    return f"{where}: {problem['message']}"


def read_document(path: str | Path) -> dict[str, Any]:
    """Read a document file, without validating it.

    Raises:
        DocumentError: the file is missing or unreadable, not JSON, or not a JSON object
            (exit code 2).
    """
    path = Path(path)
    if not path.is_file():
        reason = "is a folder, not a document" if path.is_dir() else "does not exist"
        raise DocumentError(f"{path}: {reason}", exit_code=2)
    try:
        return load(path)
    except (OSError, UnicodeDecodeError) as err:
        raise DocumentError(f"{path}: cannot read it ({err})", exit_code=2) from None
    except ValueError as err:
        raise DocumentError(str(err), exit_code=2) from None


def check_document(document: dict[str, Any], name: str = "document") -> None:
    """Raise `DocumentError` (exit code 1) listing every problem when `document` is invalid."""
    problems = validate(document)
    if problems:
        lines = "\n".join(format_problem(p) for p in problems)
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise DocumentError(f"{name}: {count}\n{lines}", problems)


def override_epochs(document: dict[str, Any], epochs: int) -> dict[str, Any]:
    """A copy of `document` whose every phase trains `epochs` steps.

    A phase's `inner_steps` becomes the largest divisor of `epochs` not above it,
    so that it still divides the epochs. Learning-rate schedules are unchanged.

    Example:
        >>> doc = {"training": {"phases": [{"epochs": 4000, "inner_steps": 100}]}}
        >>> override_epochs(doc, 30)["training"]["phases"]
        [{'epochs': 30, 'inner_steps': 30}]
        >>> override_epochs(doc, 250)["training"]["phases"][0]["inner_steps"]
        50
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    out = copy.deepcopy(document)
    for phase in out["training"]["phases"]:
        phase["epochs"] = epochs
        inner = phase.get("inner_steps")
        if inner:
            phase["inner_steps"] = max(
                d for d in range(1, min(int(inner), epochs) + 1) if epochs % d == 0
            )
    return out


# -- training ------------------------------------------------------------------------------
def train(
    built: Built, callbacks: Sequence[Callback] = (), control: RunControl | None = None
) -> Any:
    """Train every phase of an executed program, as `Built.train()` does, with callbacks.

    Args:
        built: the executed program.
        callbacks: solver callbacks for every phase (e.g. a progress bar).
        control: stops or pauses the whole run from another thread.

    Returns:
        The solver's statistics after the last phase.
    """
    plan = document_plan(built)
    return run_phases(
        built.crux, plan, callbacks=callbacks, control=control, stop_on_nonfinite=False
    ).stats


# -- results -------------------------------------------------------------------------------
def _number(value: Any) -> float | None:
    """A plain JSON number (None for NaN and infinities)."""
    value = float(value)
    return value if math.isfinite(value) else None


def _numbers(array: Any) -> Any:
    """Nested lists of plain JSON numbers (None for NaN and infinities)."""
    array = np.asarray(array, dtype=np.float64)
    if array.ndim == 0:
        return _number(array)
    if np.isfinite(array).all():
        return array.tolist()
    return [_numbers(a) for a in array]


def _dumps(record: dict[str, Any]) -> str:
    """JSON with one top-level key per line (the long histories stay on their line)."""
    items = (f"  {json.dumps(k)}: {json.dumps(v, allow_nan=False)}" for k, v in record.items())
    return "{\n" + ",\n".join(items) + "\n}\n"


def _label(node: dict[str, Any]) -> str:
    params = node.get("params", {})
    return params.get("name") or node.get("label") or node["id"]


def statistics_json(built: Built, document: dict[str, Any]) -> dict[str, Any]:
    """The training record of a run as plain JSON.

    Keys: `title`, `epochs` (steps trained), `training_time` (seconds),
    `total_loss` (final weighted total), `constraints` (one entry per constraint
    node, in document order: `name`, `node_id`, `expression`, `final_loss`),
    `history` (`epoch`, `total_loss` and `losses`: constraint name -> loss per
    step), `trackers` (name -> `epoch` and `values`), `parameters` (trainable
    parameter nodes: name -> final values) and `trainable_params`.
    """
    stats = built.crux.stats
    nodes = document["graph"]["nodes"]
    constraint_nodes = [n for n in nodes if n["type"] == "constraint"]
    losses = stats.losses
    names = [_label(n) for n in constraint_nodes]
    constraints = [
        {
            "name": name,
            "node_id": node["id"],
            "expression": expression,
            "final_loss": _number(losses[-1, i]) if len(losses) else None,
        }
        for i, (name, node, expression) in enumerate(
            zip(names, constraint_nodes, stats.constraint_names, strict=True)
        )
    ]
    epochs = stats.tracker_epochs
    trackers = {
        name: {"epoch": [int(e) for e in epochs[name]], "values": _numbers(values)}
        for name, values in stats.trackers.items()
    }
    namespace = built.namespace
    parameters = {
        _label(n): _numbers(np.ravel(built.crux.eval(namespace[identifier(n["id"], "out")])))
        for n in nodes
        if n["type"] == "parameter"
    }
    total = stats.total_loss
    return {
        "title": document.get("meta", {}).get("title", ""),
        "epochs": int(stats.epoch.size),
        "training_time": _number(stats.training_time),
        "total_loss": None if total is None else _number(total),
        "constraints": constraints,
        "history": {
            "epoch": [int(e) for e in stats.epoch],
            "total_loss": _numbers(stats.total_loss_history),
            "losses": {name: _numbers(losses[:, i]) for i, name in enumerate(names)},
        },
        "trackers": trackers,
        "parameters": parameters,
        "trainable_params": int(stats.trainable_params),
    }


def _shape(built: Built, tree: Any) -> Any:
    """The shapely geometry of a CSG tree, from the primitives in the namespace."""
    if isinstance(tree, str):
        return built.namespace[primitive_name(tree)]
    first, *rest = (_shape(built, arg) for arg in tree["args"])
    for other in rest:
        first = getattr(first, tree["op"])(other)
    return first


@dataclass
class FieldGrid:
    """Points where the fields are drawn: `points` (N, D) and, for 2-D, the grid and mask."""

    points: np.ndarray
    shape: tuple[int, ...]
    extent: tuple[float, ...]
    mask: np.ndarray | None = None
    context: dict[str, Any] = field(default_factory=dict)
    time: float | None = None


def field_grid(built: Built, document: dict[str, Any], resolution: int = 160) -> FieldGrid:
    """A regular grid over the geometry's bounding box (1-D: a line of points).

    For a 2-D geometry `mask` is True inside the shape (boundary included); with
    a time axis the grid is at the last time step.
    """
    geometry = document["geometry"]
    time_axis = geometry.get("time")
    context: dict[str, Any] = {}
    t_last = None
    if time_axis:
        t_last = float(time_axis["t1"])
        context["__time__"] = np.array([t_last])
    if int(geometry["dimension"]) == 1:
        (interval,) = [p for p in geometry["primitives"] if p["type"] == "interval"]
        x0, x1 = (float(v) for v in interval["x"])
        xs = np.linspace(x0, x1, 4 * resolution)
        return FieldGrid(xs[:, None], (xs.size,), (x0, x1), None, context, t_last)
    grid = masked_grid(_shape(built, geometry["csg"]), resolution)
    return FieldGrid(grid.points, grid.shape, grid.extent, grid.mask, context, t_last)


def _field_values(built: Built, document: dict[str, Any], grid: FieldGrid) -> list:
    """(call node id, first output component on the grid) for every distinct call output."""
    out: list[tuple[str, np.ndarray]] = []
    for node in document["graph"]["nodes"]:
        if node["type"] != "call":
            continue
        expr = built.namespace.get(identifier(node["id"], "out"))
        try:
            raw = built.crux.predict(points=grid.points, operation=expr, context=grid.context)
        except Exception:  # e.g. a network that takes more than the coordinates
            continue
        values = np.asarray(raw, dtype=np.float64)
        n = grid.points.shape[0]
        if values.ndim < 3 or values.shape[2] != n:
            continue
        first = values[0, -1].reshape(n, -1)[:, 0]
        if not any(np.allclose(first, kept, rtol=1e-6, atol=1e-9) for _, kept in out):
            out.append((node["id"], first))
    return out


def plot_fields(built: Built, document: dict[str, Any], path: str | Path) -> Path:
    """Draw the first output of every distinct network call over the domain; save a PNG.

    Each `call` node's output (`<node id>_out`) is evaluated with
    `crux.predict` on `field_grid`; calls that give the same values (the same
    network on the same coordinates, e.g. on interior and boundary points) are
    drawn once. 2-D fields are masked outside the shape; 1-D fields are line
    plots; with a time axis, the last time step is drawn.

    Returns:
        The path written.
    """
    from matplotlib.figure import Figure

    grid = field_grid(built, document)
    fields = _field_values(built, document, grid)
    n = max(1, len(fields))
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(5.0 * cols, 4.2 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    when = "" if grid.time is None else f" at t = {grid.time:g}"
    if not fields:
        axes[0, 0].text(0.5, 0.5, "no network output to draw", ha="center", va="center")
        axes[0, 0].set_axis_off()
    for ax, (node_id, values) in zip(axes.ravel(), fields, strict=False):
        title = f"{node_id}[0]{when}"
        if grid.mask is None:
            ax.plot(grid.points[:, 0], values, linewidth=1.5)
            ax.set_xlabel("x")
            ax.set_ylabel(f"{node_id}[0]")
            ax.grid(True, alpha=0.3)
        else:
            image = np.ma.masked_array(values.reshape(grid.shape), mask=~grid.mask)
            mesh = ax.imshow(image, origin="lower", extent=grid.extent, cmap="viridis")
            fig.colorbar(mesh, ax=ax, shrink=0.85)
            ax.set_xlabel("x")
            ax.set_ylabel("y")
            ax.set_aspect("equal")
        ax.set_title(title)
    for ax in axes.ravel()[len(fields) if fields else 1 :]:
        ax.set_axis_off()
    fig.suptitle(document.get("meta", {}).get("title", ""))
    path = Path(path)
    fig.savefig(path, dpi=100)
    return path


# -- the run -------------------------------------------------------------------------------
@dataclass
class RunResult:
    """What `run_document` produced: the output folder, its files, the record, the objects."""

    out: Path
    files: list[Path]
    statistics: dict[str, Any]
    built: Built


def default_out(path: str | Path) -> Path:
    """`./jno-lab-run/<file stem>/`."""
    return Path("jno-lab-run") / Path(path).stem


def _nonfinite(
    nonfinite: dict[str, Any] | None, constraints: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The engine's non-finite record, with the document's constraint names and node ids."""
    if not nonfinite:
        return None
    by_expression = {c["expression"]: c for c in constraints}
    named = [by_expression.get(name) for name in nonfinite.get("constraints", [])]
    return {
        **nonfinite,
        "constraints": [
            c["name"] if c else n for c, n in zip(named, nonfinite["constraints"], strict=True)
        ],
        "node_ids": [c["node_id"] for c in named if c],
    }


def check_out(folder: Path) -> None:
    """Make sure the output folder can be created and written, before any training.

    Raises:
        DocumentError: naming the folder and why (exit code 2).
    """
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if folder.exists() and not folder.is_dir():
        raise DocumentError(f"--out {folder}: exists and is not a folder", exit_code=2)
    if existing is not None and not existing.is_dir():
        raise DocumentError(f"--out {folder}: {existing} is a file, not a folder", exit_code=2)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".jno-lab-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise DocumentError(
            f"--out {folder}: cannot write there ({err.strerror or err}); choose another folder",
            exit_code=2,
        ) from None


def run_document(
    path: str | Path,
    epochs: int | None = None,
    out: str | Path | None = None,
    progress: bool = True,
    trusted: bool = False,
    **tqdm_args: Any,
) -> RunResult:
    """Validate, lower, execute and train a document file; write its results.

    Args:
        path: the `.jnolab` file.
        epochs: if given, every phase trains this many steps (see `override_epochs`).
        out: the output folder (default `./jno-lab-run/<stem>/`), created if needed.
        progress: show a terminal progress bar.
        trusted: run the document's code (custom functions marked as code); without
            it such a document is refused before anything runs.
        **tqdm_args: passed to the progress bar (e.g. `file=`).

    Returns:
        The run's files (`statistics.json`, `loss.png`, `field.png`) and record.

    Raises:
        DocumentError: the file cannot be read, the document is invalid, holds
            untrusted code, or `out` cannot be written (all before training).
        ExecutionError: a node's statement failed (`node_id` says which).
    """
    document = read_document(path)
    check_document(document, str(path))
    if epochs is not None:
        document = override_epochs(document, epochs)
    folder = Path(out) if out is not None else default_out(path)
    check_out(folder)
    program = lower(document)
    if program.code_nodes and not trusted:
        raise DocumentError(f"{path}: {UntrustedCode(program.code_nodes)}", exit_code=1)
    built = program.execute(trusted=True)
    total = sum(phase.epochs for phase, _ in built.phases)
    bar = ProgressBar(total, len(built.phases), disable=not progress, **tqdm_args)
    try:
        stats = train(built, [bar])
    finally:
        bar.close()
    record = statistics_json(built, document)
    record["nonfinite"] = _nonfinite(getattr(stats, "nonfinite", None), record["constraints"])
    stats_path = folder / "statistics.json"
    stats_path.write_text(_dumps(record), "utf-8")
    loss_path = folder / "loss.png"
    stats.plot(loss_path)
    field_path = plot_fields(built, document, folder / "field.png")
    return RunResult(folder, [stats_path, loss_path, field_path], record, built)
