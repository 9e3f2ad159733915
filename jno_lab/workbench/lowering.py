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

from . import allowlist, emit
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
    """The lowered document: setup statements and training phases.

    `code_nodes` lists the nodes whose text runs as Python code (custom functions
    marked as code): `execute` refuses them unless the document is trusted.
    """

    title: str
    setup: list[Statement]
    phases: list[PhaseCode]
    seed: int
    trainables: list[str] = field(default_factory=list)
    code_nodes: list[str] = field(default_factory=list)

    # -- export ------------------------------------------------------------------------
    def to_source(self) -> str:
        """A readable, runnable script using `import jno_lab as jno` and public API only."""
        text = f"{emit.comment(self.title)} - exported from jNO Lab."
        # A plain docstring when the text cannot end or escape it; a repr literal otherwise.
        docstring = f'"""{text}"""' if not {'"', "\\"} & set(text) else emit.string(text, "title")
        lines = [docstring, "", *HEADER, ""]
        for st in self.setup:
            if st.comment:
                lines.append(f"# {emit.comment(st.comment)}")
            lines.append(st.code)
        for i, phase in enumerate(self.phases):
            lines += ["", f"# training phase {i + 1}"]
            lines += [st.code for st in phase.configure]
            lines.append(phase.solve.code)
        lines += ["", 'stats.plot("history.png")', "stats.summary()", ""]
        return "\n".join(lines)

    # -- run -----------------------------------------------------------------------------
    def execute(self, namespace: dict[str, Any] | None = None, *, trusted: bool = False) -> Built:
        """Run the setup statements; return the live objects and the phases to train.

        Args:
            namespace: where the statements run (default: a new dict).
            trusted: the user trusts the document's code (see `code_nodes`); without
                it a program with code nodes raises `UntrustedCode` and nothing runs.
        """
        if self.code_nodes and not trusted:
            raise UntrustedCode(self.code_nodes)
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
        from .phases import document_plan, run_phases

        return run_phases(self.crux, document_plan(self), stop_on_nonfinite=False).stats


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


class UntrustedCode(PermissionError):
    """The program holds code from the document, and the document is not trusted."""

    def __init__(self, node_ids: list[str]):
        names = ", ".join(repr(n) for n in node_ids)
        super().__init__(
            f"the document holds Python code (custom function nodes {names}) and is not "
            "trusted: read the code, then trust the document (the editor asks; "
            "`jno-lab run --trust`; `execute(trusted=True)`) to run it"
        )
        self.node_ids = list(node_ids)


class LoweringError(ValueError):
    """Document values that cannot become code; `problems` says where, each one.

    Each problem is `(node_id, field, message)`; node_id is None outside the graph.
    """

    def __init__(self, problems: list[tuple[str | None, str, str]]):
        node, where, message = problems[0]
        at = f"node {node!r}, {where}" if node else where
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{at}: {message}{more}")
        self.problems = problems


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
    """Lower a VALID document (see `validate`) to a Program.

    Document values reach the statements only through the emitters (`emit`),
    and the finished program is checked against the allow-list (`allowlist`).

    Raises:
        LoweringError: values that cannot be emitted or a program outside the
            allow-list, each naming its node and field.
    """
    problems: list[tuple[str | None, str, str]] = []
    try:
        seed = int(emit.integer(document.get("seed", 42), "seed", 0))
    except emit.UnsafeValue as err:
        problems.append((None, err.field, err.reason))
        seed = 0
    setup = [Statement(f"jno.setup(seed={seed})", None, "settings")]
    try:
        setup += [
            Statement(code, None, "geometry" if i == 0 else "")
            for i, code in enumerate(geometry_statements(document["geometry"]))
        ]
    except emit.UnsafeValue as err:
        problems.append((None, err.field, err.reason))
    graph = Graph(document)
    constraints: list[tuple[str, float, str]] = []
    trackers: list[tuple[str, str]] = []
    trainables: list[str] = []
    balancers: list[dict[str, Any]] = []
    code_nodes: list[str] = []
    for node in graph.order():
        kind = NODE_TYPES[node["type"]]
        if kind.role == "balancer":  # emitted once the constraints are known
            balancers.append(node)
            continue
        params = {**kind.defaults(), **node.get("params", {})}
        try:
            inputs = {
                port: _identifier(src, src_port)
                for port, (src, src_port) in graph.inputs_of(node["id"]).items()
            }
            outputs = {port.name: _identifier(node["id"], port.name) for port in kind.outputs}
            ctx = EmitContext(node["id"], params, inputs, outputs, document)
            setup += _node_statements(node, ctx)
            if kind.role == "constraint":
                weight = float(emit.number(params["weight"], "weight"))
                constraints.append((inputs["loss"], weight, node["id"]))
        except emit.UnsafeValue as err:
            problems.append((node["id"], err.field, err.reason))
            continue
        if NODE_TYPES[node["type"]].code and params.get("code"):
            code_nodes.append(node["id"])
        if kind.role == "tracker":
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
        try:
            losses, weight_trackers = _balanced(node, constraints, labels, document, setup)
            trackers.append((weight_trackers, node["id"]))
        except emit.UnsafeValue as err:
            problems.append((node["id"], err.field, err.reason))
    setup.append(Statement(f"constraints = [{', '.join(losses)}]", None, "the problem"))
    tracked = " + ".join(name for name, _ in trackers) if trackers else "[]"
    setup.append(Statement(f"trackers = {tracked}"))
    mesh = document.get("mesh", [1, 1])
    try:
        batch, model = (emit.integer(v, f"mesh/{i}", 1) for i, v in enumerate(mesh))
    except (emit.UnsafeValue, ValueError) as err:
        problems.append((None, "mesh", str(getattr(err, "reason", err))))
        batch, model = "1", "1"
    setup.append(
        Statement(
            f"crux = jno.core(constraints + trackers, domain, mesh=({batch}, {model}), "
            f"rng_seed={seed})",
            None,
            "(batch, model) devices: data split over batch, parameters over model",
        )
    )
    weights = [w for _, w, _ in constraints]
    phases = []
    for i, phase in enumerate(document["training"]["phases"]):
        try:
            phases.append(_phase(phase, trainables, weights, f"training/phases/{i}"))
        except emit.UnsafeValue as err:
            problems.append((None, err.field, err.reason))
    title = document.get("meta", {}).get("title") or "jNO Lab problem"
    if not isinstance(title, str):
        title = "jNO Lab problem"
    program = Program(title, setup, phases, seed, trainables, code_nodes)
    if not problems:
        problems = allowlist.check(program)
    if problems:
        raise LoweringError(problems)
    return program


def _identifier(node_id: str, port: str) -> str:
    """`identifier(node_id, port)`, checked to be a plain Python name."""
    return emit.name(identifier(node_id, emit.name(port, "port")), "id")


def _node_statements(node: dict[str, Any], ctx: EmitContext) -> list[Statement]:
    """A node's statements, the first headed by a comment naming the node."""
    kind = NODE_TYPES[node["type"]]
    title = node.get("label") or kind.title
    head = emit.comment(f"{node['id']}: {title}")
    return [
        Statement(code, node["id"], head if i == 0 else "") for i, code in enumerate(kind.emit(ctx))
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
    weights = _identifier(node["id"], "weights")
    listed = "[" + ", ".join(name for name, _, _ in constraints) + "]"
    ctx = EmitContext(node["id"], params, {"losses": listed}, {"weights": weights}, document)
    setup += _node_statements(node, ctx)
    tracked = _identifier(node["id"], "tracker")
    names = [emit.string(f"{node['type']}/{labels[c]}", "label") for _, _, c in constraints]
    logged = ", ".join(f"{weights}[{i}].tracker(name={n})" for i, n in enumerate(names))
    setup.append(Statement(f"{tracked} = [{logged}]", node["id"]))
    return [f"{weights}[{i}] * {name}" for i, (name, _, _) in enumerate(constraints)], tracked


SCHEDULES = ("constant", "exponential", "cosine", "warmup_cosine", "piecewise_constant", "dlrs")
"""Learning-rate kinds a phase may name (`jno.LearningRateSchedule.<kind>`, or dlrs)."""

OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop", "lion", "adabelief")
"""Optimizers a phase may name (`optax.<name>`)."""


def schedule_keys(kind: str) -> frozenset[str]:
    """The keyword arguments a learning-rate kind takes (from the engine's signatures)."""
    import inspect

    import jno_lab as jno

    target = jno.fn.adaptive.dlrs if kind == "dlrs" else getattr(jno.LearningRateSchedule, kind)
    params = inspect.signature(target).parameters.values()
    keys = {p.name for p in params if p.kind is not inspect.Parameter.VAR_KEYWORD}
    return frozenset(keys | {"min_lr", "max_lr"})


def _literal(value: Any, field: str) -> str:
    """An integer, a finite float, or a list of them, as a literal."""
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v, f"{field}/{i}") for i, v in enumerate(value)) + "]"
    if isinstance(value, int) and not isinstance(value, bool):
        return emit.integer(value, field)
    return emit.number(value, field)


def _schedule(value: Any, where: str) -> str:
    if not isinstance(value, dict):
        return f"jno.LearningRateSchedule.constant({emit.number(value, where)})"
    kind = emit.keyword(value.get("kind"), SCHEDULES, f"{where}/kind")
    known = schedule_keys(kind)
    inner = ", ".join(
        f"{emit.keyword(k, known, f'{where}/{k}')}={_literal(v, f'{where}/{k}')}"
        for k, v in value.items()
        if k != "kind"
    )
    if kind == "dlrs":
        return f"jno.fn.adaptive.dlrs({inner})"
    return f"jno.LearningRateSchedule.{kind}({inner})"


def _phase(
    phase: dict[str, Any], trainables: list[str], weights: list[float], where: str
) -> PhaseCode:
    optimizer = emit.keyword(phase.get("optimizer", "adam"), OPTIMIZERS, f"{where}/optimizer")
    lr = _schedule(phase.get("learning_rate", 1e-3), f"{where}/learning_rate")
    configure = [Statement(f"{t}.optimizer(optax.{optimizer}, lr={lr})") for t in trainables]
    epochs = int(emit.integer(phase["epochs"], f"{where}/epochs", 1))
    given = phase.get("inner_steps")
    inner = int(emit.integer(given, f"{where}/inner_steps", 1)) if given else None
    inner = inner or _default_inner_steps(epochs)
    phase_weights = phase.get("weights") or (weights if any(w != 1.0 for w in weights) else None)
    batchsize = phase.get("batchsize")
    args = [str(epochs), f"inner_steps={inner}"]
    if batchsize is not None:
        batchsize = int(emit.integer(batchsize, f"{where}/batchsize", 1))
        args.append(f"batchsize={batchsize}")
    if phase_weights is not None:
        args.append(f"constraint_weights={emit.numbers(phase_weights, f'{where}/weights')}")
        phase_weights = [float(w) for w in phase_weights]
    solve = Statement(f"stats = crux.solve({', '.join(args)})")
    return PhaseCode(configure, solve, epochs, inner, batchsize, phase_weights)


def _default_inner_steps(epochs: int) -> int:
    """The largest divisor of `epochs` not above 100: stop/pause react within 100 steps."""
    return max(d for d in range(1, min(epochs, 100) + 1) if epochs % d == 0)
