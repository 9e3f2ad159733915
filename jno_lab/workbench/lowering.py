"""ONE lowering for Run and Export: document -> `Program` of Python statements.

Every statement is public `jno` API, tagged with the node it came from.
`Program.to_source()` prints them as a script; `Program.execute()` runs the very
same statement texts one by one, so what runs in the workbench and what the
export prints cannot drift. An error while executing names the node whose
statement failed.
"""

from __future__ import annotations

import itertools
import linecache
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .catalogue import NODE_TYPES, EmitContext
from .geometry import geometry_statements
from .graph import Graph, identifier

HEADER = [
    "import jax",
    "import jax.numpy as jnp",
    "import numpy as np",
    "import optax",
    "import shapely",
    "import shapely.affinity",
    "",
    "import jno_lab as jno",
]


@dataclass(frozen=True)
class Statement:
    """One line (or block) of the program and where it came from."""

    code: str
    node_id: str | None = None
    comment: str = ""


@dataclass
class PhaseCode:
    """One training phase: statements that configure the optimizers, then the solve call."""

    configure: list[Statement]
    solve: Statement
    epochs: int
    inner_steps: int
    batchsize: int | None
    weights: list[float] | None


@dataclass
class Program:
    """The lowered document: setup statements and training phases."""

    title: str
    setup: list[Statement]
    phases: list[PhaseCode]
    seed: int
    trainables: list[str] = field(default_factory=list)

    # -- export ------------------------------------------------------------------------
    def to_source(self) -> str:
        """A readable, runnable script using `import jno_lab as jno` and public API only."""
        lines = [f'"""{self.title} - exported from jNO Lab."""', "", *HEADER, ""]
        for st in self.setup:
            if st.comment:
                lines.append(f"# {st.comment}")
            lines.append(st.code)
        for i, phase in enumerate(self.phases):
            lines += ["", f"# training phase {i + 1}"]
            lines += [st.code for st in phase.configure]
            lines.append(phase.solve.code)
        lines += ["", 'stats.plot("history.png")', "stats.summary()", ""]
        return "\n".join(lines)

    # -- run -----------------------------------------------------------------------------
    def execute(self, namespace: dict[str, Any] | None = None) -> Built:
        """Run the setup statements; return the live objects and the phases to train."""
        ns: dict[str, Any] = {} if namespace is None else namespace
        _run("\n".join(h for h in HEADER if h), ns, None)
        for st in self.setup:
            _run(st.code, ns, st.node_id)
        phases = []
        for phase in self.phases:

            def configure(phase: PhaseCode = phase) -> None:
                for st in phase.configure:
                    _run(st.code, ns, st.node_id)

            phases.append((phase, configure))
        return Built(ns, phases)


@dataclass
class Built:
    """Live objects of an executed program: `namespace["crux"]` is the solver."""

    namespace: dict[str, Any]
    phases: list[tuple[PhaseCode, Callable[[], None]]]

    @property
    def crux(self) -> Any:
        """The solver (`jno.core`)."""
        return self.namespace["crux"]

    def train(self) -> Any:
        """Run every phase in this thread (as the exported script does); return statistics."""
        stats = None
        for phase, configure in self.phases:
            configure()
            stats = self.crux.solve(**solve_arguments(phase))
        return stats


def solve_arguments(phase: PhaseCode) -> dict[str, Any]:
    """Keyword arguments of `core.solve` for a phase."""
    return {
        "epochs": phase.epochs,
        "inner_steps": phase.inner_steps,
        "batchsize": phase.batchsize,
        "constraint_weights": phase.weights,
    }


class ExecutionError(RuntimeError):
    """A statement of the program failed; `node_id` names the node it came from."""

    def __init__(self, message: str, node_id: str | None, details: str):
        super().__init__(message)
        self.node_id = node_id
        self.details = details


_SOURCE_IDS = itertools.count()


def _run(code: str, namespace: dict[str, Any], node_id: str | None) -> None:
    # Each statement gets a file name of its own in `linecache`, so that tracebacks
    # show the statement and `inspect.getsource` finds the functions it defines (the
    # importer reads custom functions back from their source).
    where = f"node {node_id}" if node_id else "program"
    filename = f"<jno-lab {where} #{next(_SOURCE_IDS)}>"
    lines = [line + "\n" for line in code.splitlines()]
    linecache.cache[filename] = (len(code), None, lines, filename)
    try:
        exec(compile(code, filename, "exec"), namespace)
    except Exception as err:
        where = f"node {node_id!r}" if node_id else "the program"
        raise ExecutionError(
            f"{where} failed: {type(err).__name__}: {err}", node_id, traceback.format_exc()
        ) from err


# -- lowering ----------------------------------------------------------------------------
def lower(document: dict[str, Any]) -> Program:
    """Lower a VALID document (see `validate`) to a Program."""
    graph = Graph(document)
    setup = [Statement(f"jno.setup(seed={int(document.get('seed', 42))})", None, "settings")]
    setup += [
        Statement(code, None, "geometry" if i == 0 else "")
        for i, code in enumerate(geometry_statements(document["geometry"]))
    ]
    constraints: list[tuple[str, float, str]] = []
    trackers: list[tuple[str, str]] = []
    trainables: list[str] = []
    balancers: list[dict[str, Any]] = []
    for node in graph.order():
        kind = NODE_TYPES[node["type"]]
        if kind.role == "balancer":  # emitted once the constraints are known
            balancers.append(node)
            continue
        params = {**kind.defaults(), **node.get("params", {})}
        inputs = {
            port: identifier(src, src_port)
            for port, (src, src_port) in graph.inputs_of(node["id"]).items()
        }
        outputs = {port.name: identifier(node["id"], port.name) for port in kind.outputs}
        setup += _node_statements(node, EmitContext(node["id"], params, inputs, outputs, document))
        if kind.role == "constraint":
            constraints.append((inputs["loss"], float(params["weight"]), node["id"]))
        elif kind.role == "tracker":
            trackers.append((outputs["tracker"], node["id"]))
        if (kind.outputs and kind.outputs[0].type == "model") or node["type"] == "parameter":
            trainables.append(next(iter(outputs.values())))
    position = {n["id"]: i for i, n in enumerate(document["graph"]["nodes"])}
    constraints.sort(key=lambda c: position[c[2]])
    trackers.sort(key=lambda t: position[t[1]])
    losses = [name for name, _, _ in constraints]
    if balancers:
        (node,) = balancers  # validation allows one
        labels = {n["id"]: n.get("label") or n["id"] for n in document["graph"]["nodes"]}
        losses, weight_trackers = _balanced(node, constraints, labels, document, setup)
        trackers.append((weight_trackers, node["id"]))
    setup.append(Statement(f"constraints = [{', '.join(losses)}]", None, "the problem"))
    tracked = " + ".join(name for name, _ in trackers) if trackers else "[]"
    setup.append(Statement(f"trackers = {tracked}"))
    seed = int(document.get("seed", 42))
    batch, model = document.get("mesh", [1, 1])
    setup.append(
        Statement(
            f"crux = jno.core(constraints + trackers, domain, mesh=({batch}, {model}), "
            f"rng_seed={seed})",
            None,
            "(batch, model) devices: data split over batch, parameters over model",
        )
    )
    weights = [w for _, w, _ in constraints]
    phases = [_phase(phase, trainables, weights) for phase in document["training"]["phases"]]
    title = document.get("meta", {}).get("title") or "jNO Lab problem"
    return Program(title, setup, phases, seed, trainables)


def _node_statements(node: dict[str, Any], ctx: EmitContext) -> list[Statement]:
    """A node's statements, the first headed by a comment naming the node."""
    kind = NODE_TYPES[node["type"]]
    title = node.get("label") or kind.title
    return [
        Statement(code, node["id"], f"{node['id']}: {title}" if i == 0 else "")
        for i, code in enumerate(kind.emit(ctx))
    ]


def _balanced(
    node: dict[str, Any],
    constraints: list[tuple[str, float, str]],
    labels: dict[str, str],
    document: dict[str, Any],
    setup: list[Statement],
) -> tuple[list[str], str]:
    """Emit a balancer over the constraints: their weighted losses, and its weights' trackers."""
    kind = NODE_TYPES[node["type"]]
    params = {**kind.defaults(), **node.get("params", {})}
    weights = identifier(node["id"], "weights")
    listed = "[" + ", ".join(name for name, _, _ in constraints) + "]"
    ctx = EmitContext(node["id"], params, {"losses": listed}, {"weights": weights}, document)
    setup += _node_statements(node, ctx)
    tracked = identifier(node["id"], "tracker")
    names = [f"{node['type']}/{labels[c]}" for _, _, c in constraints]
    logged = ", ".join(f"{weights}[{i}].tracker(name={n!r})" for i, n in enumerate(names))
    setup.append(Statement(f"{tracked} = [{logged}]", node["id"]))
    return [f"{weights}[{i}] * {name}" for i, (name, _, _) in enumerate(constraints)], tracked


def _schedule(value: Any) -> str:
    if isinstance(value, int | float):
        return f"jno.LearningRateSchedule.constant({float(value)!r})"
    args = {k: v for k, v in value.items() if k != "kind"}
    inner = ", ".join(f"{k}={v!r}" for k, v in args.items())
    if value["kind"] == "dlrs":
        return f"jno.fn.adaptive.dlrs({inner})"
    return f"jno.LearningRateSchedule.{value['kind']}({inner})"


def _phase(phase: dict[str, Any], trainables: list[str], weights: list[float]) -> PhaseCode:
    optimizer = phase.get("optimizer", "adam")
    lr = _schedule(phase.get("learning_rate", 1e-3))
    configure = [Statement(f"{t}.optimizer(optax.{optimizer}, lr={lr})") for t in trainables]
    epochs = int(phase["epochs"])
    inner = int(phase.get("inner_steps") or _default_inner_steps(epochs))
    phase_weights = phase.get("weights") or (weights if any(w != 1.0 for w in weights) else None)
    batchsize = phase.get("batchsize")
    args = [str(epochs), f"inner_steps={inner}"]
    if batchsize is not None:
        args.append(f"batchsize={int(batchsize)}")
    if phase_weights is not None:
        args.append(f"constraint_weights={[float(w) for w in phase_weights]!r}")
    solve = Statement(f"stats = crux.solve({', '.join(args)})")
    return PhaseCode(configure, solve, epochs, inner, batchsize, phase_weights)


def _default_inner_steps(epochs: int) -> int:
    """The largest divisor of `epochs` not above 100: stop/pause react within 100 steps."""
    return max(d for d in range(1, min(epochs, 100) + 1) if epochs % d == 0)
