"""The importer: a `jno.core` built in Python -> a workbench document.

`to_document(crux)` walks the constraint and tracker expressions of a solver
and writes one workbench node per expression node (the catalogue's node types
and ports), the geometry of its domain and a training plan, so that a problem
written by hand opens in the editor. It is the inverse of the lowering
(`lowering.lower`): importing what a document lowers to gives the document's
graph back, up to node ids. It is one walk: each expression node, network,
tracker call, constraint and balancer is offered to the catalogue, and the node
type whose `match` recognises it (`catalogue.matching`) gives its node; what the
engine made is recognised by the provenance it recorded (`jno_lab.provenance`).

What a document cannot hold is refused with `NotImportable` (a `ValueError`)
naming the expression: arbitrary Python functions, non-scalar constants,
parameter Jacobians outside the ready-made diagnostics, whole-array operations
(`mean`, `concat`, ...), custom networks, batched domains. What it can only
approximate (trained weights, grid points, an unrecognised optimizer) is
imported and listed in the document's description, and in a warning.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..introspect import Model, Op, ParamJacobian, Placeholder, TensorTag, Tracker, Trainable, core
from ..provenance import provenance_of
from ._import_balancer import balancer_of, is_weight
from ._import_geometry import geometry_section
from ._import_networks import network_node
from ._import_training import optimizer_phase
from .catalogue import NODE_TYPES
from .catalogue.matching import (
    Constraint,
    Match,
    MatchContext,
    NotImportable,
    Weighting,
    clean_float,
    describe,
    refuse,
)
from .catalogue.network_provenance import network_provenance
from .document import new_document
from .validate import validate

__all__ = ["ImportApproximationWarning", "NotImportable", "to_document"]

COLUMN_WIDTH = 220
ROW_HEIGHT = 120

Output = tuple[str, str]  # (node id, output port)


class ImportApproximationWarning(UserWarning):
    """The imported document approximates part of the solver (see its description)."""


def to_document(
    crux: Any, title: str = "Imported problem", weights: Sequence[float] | None = None
) -> dict[str, Any]:
    """A workbench document describing a `jno.core`: open a hand-written problem in the editor.

    Every constraint becomes a Constraint node fed by the node graph of its
    expression, with its weight (from `weights`, else the weights of the
    solver's last training step, else 1.0); every tracker a Tracker node (the `jno.diagnostics` sets
    become their diagnostic nodes); networks become network nodes with the
    settings and initial seed read off their modules; the domain becomes the
    geometry section; the first recognised optimizer gives a one-phase
    training plan (else adam at 1e-3), 1000 epochs. Nodes are laid out by
    depth, left to right.

    Args:
        crux: the solver, `jno.core([...], ...)`.
        title: the document title.
        weights: one weight per constraint, as given to `solve(constraint_weights=...)`.

    Returns:
        A valid document (`validate(doc) == []`).

    Raises:
        TypeError: when `crux` is not a `jno.core`.
        ValueError: when `weights` does not hold one finite, non-negative number per
            constraint.
        NotImportable: (a ValueError) naming the first expression, network or
            domain that has no workbench node type.

    Example:
        >>> import jax, optax, shapely, jno_lab as jno
        >>> from jno_lab.workbench.importer import to_document
        >>> dom = jno.domain(shapely.box(0, 0, 1, 1))
        >>> x, y = dom.variable("interior", sample=64)
        >>> net = jno.nn.wrap(jno.nn.mlp(2, 1, hidden=8, depth=1, key=jax.random.PRNGKey(0)))
        >>> _ = net.optimizer(optax.adam, lr=1e-3)
        >>> doc = to_document(jno.core([(net(x, y)[..., 0] - jno.np.sin(x)).mse]))
        >>> sorted(n["type"] for n in doc["graph"]["nodes"])[:4]
        ['call', 'component', 'constraint', 'loss']
    """
    if not isinstance(crux, core):
        raise TypeError(f"to_document expects a jno.core solver, got {type(crux).__name__}")
    return _Importer(crux, _constraint_weights(crux, weights)).document(title)


def _constraint_weights(crux: Any, weights: Sequence[float] | None) -> list[float]:
    n = len(crux.constraints)
    if weights is None:
        logs = crux.stats.training_logs
        if not logs or not len(logs[-1]["weights"]):
            return [1.0] * n
        return [clean_float(w) for w in np.asarray(logs[-1]["weights"][-1])]
    try:
        values = [float(w) for w in weights]
    except (TypeError, ValueError):
        raise ValueError(
            f"weights must be a sequence of {n} numbers (one per constraint), got {weights!r}"
        ) from None
    if len(values) != n or not all(np.isfinite(v) and v >= 0 for v in values):
        raise ValueError(
            f"weights must hold {n} finite, non-negative numbers (one per constraint of the "
            f"solver), got {values}"
        )
    return [clean_float(v) for v in values]


def _ident(text: str, fallback: str) -> str:
    clean = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")
    if not clean:
        return fallback
    return clean if not clean[0].isdigit() else f"n_{clean}"


def _no_node_type(subject: Any) -> NotImportable:
    """The refusal for a subject no node type matches."""
    if isinstance(subject, ParamJacobian):
        return refuse(
            subject,
            "parameter Jacobians have no node type",
            "the workbench computes them only inside its diagnostics "
            "(jno.diagnostics.gradient_norms, gradient_cosines, ntk)",
        )
    if isinstance(subject, TensorTag):
        return refuse(subject, "tensor tags (dom.variable(name, array)) have no node type")
    if isinstance(subject, Op):
        return refuse(
            subject,
            f"the operation {subject.op!r} has no workbench node type",
            "the workbench has arithmetic, math functions, components, derivatives and losses",
        )
    if isinstance(subject, Placeholder):
        return refuse(subject, "it has no workbench node type")
    if isinstance(subject, Model):
        return NotImportable(
            f"network {subject.describe()!r} is a {type(subject.module).__name__}, which has no "
            "workbench node type; the workbench builds MLP, FourierMLP, ModifiedMLP, DeepONet "
            "and FNO (jno.nn.mlp, fourier_mlp, modified_mlp, deeponet, fno)"
        )
    return NotImportable(f"the model is a {type(subject).__name__}, not a wrapped network")


class _Importer:
    """One import: the nodes and edges built so far, memoised by subject identity."""

    def __init__(self, crux: Any, weights: list[float]):
        self.crux = crux
        self.weights = weights
        self.nodes: list[dict[str, Any]] = []
        self.ids: set[str] = set()
        self.edges: list[dict[str, Any]] = []
        self.memo: dict[int, Output] = {}
        self.shared: dict[Any, dict[str, Any]] = {}
        self.notes: list[str] = []
        self.trainables: list[Any] = []
        parents: Counter[int] = Counter()
        seen: set[int] = set()
        for root in [*crux.constraints, *crux.trackers]:
            for node in root.walk():
                if id(node) not in seen:
                    seen.add(id(node))
                    for child in node.children:
                        parents[id(child)] += 1
        self.ctx = MatchContext(crux.domain, self.notes, parents)

    # -- building blocks -------------------------------------------------------------------
    def add(self, kind: str, params: dict[str, Any], base: str) -> str:
        """Append a node of type `kind`; its id is `base` made an identifier, made unique."""
        stem = _ident(base, kind)
        node_id, k = stem, 2
        while node_id in self.ids:
            node_id, k = f"{stem}_{k}", k + 1
        self.ids.add(node_id)
        params = dict(params)
        if params.get("name") == node_id:
            del params["name"]  # the lowering names it after its id anyway
        self.nodes.append({"id": node_id, "type": kind, "params": params})
        return node_id

    def connect(self, source: Output, target: str, port: str) -> None:
        src, src_port = source
        self.edges.append(
            {
                "id": f"{src}.{src_port}->{target}.{port}",
                "source": src,
                "sourcePort": src_port,
                "target": target,
                "targetPort": port,
            }
        )

    # -- the walk over the catalogue -------------------------------------------------------
    def match(self, subject: Any) -> tuple[str, Match | list[Match]] | None:
        """The first node type of the catalogue that recognises `subject`, and its match."""
        for node_type in NODE_TYPES.values():
            if node_type.match is not None:
                found = node_type.match(subject, self.ctx)
                if found:
                    return node_type.type, found
        return None

    def value(self, subject: Any) -> Output:
        """The output that computes `subject` (creating its nodes on first use)."""
        key = id(subject)
        if key not in self.memo:
            found = self.match(subject)
            if found is None and isinstance(subject, Model) and network_provenance(subject) is None:
                found = self._built_by_hand(subject)
            if found is None:
                raise _no_node_type(subject)
            kind, match = found
            if isinstance(match, list):
                raise _no_node_type(subject)
            self.memo[key] = self.build(kind, match, subject)
            if isinstance(subject, Trainable):  # networks first, then parameters
                models = sum(isinstance(t, Model) for t in self.trainables)
                self.trainables.insert(
                    models if isinstance(subject, Model) else len(self.trainables), subject
                )
        return self.memo[key]

    def _built_by_hand(self, model: Model) -> tuple[str, Match]:
        seeds = list(dict.fromkeys([int(self.crux.rng_seed), _global_seed()]))
        kind, params = network_node(model, seeds, self.notes)
        name = model.name or kind
        return kind, Match({**params, "name": name}, output="model", name=name)

    def build(self, kind: str, found: Match, subject: Any) -> Output:
        """The node of a match (inputs first: a topological order), connected to its inputs."""
        if found.share is not None and found.share in self.shared:
            node = self.shared[found.share]
            node["params"].update(found.params)
            return node["id"], found.output
        sources = {port: self._input(kind, given, subject) for port, given in found.inputs.items()}
        node_id = self.add(kind, found.params, found.name or kind)
        if found.share is not None:
            self.shared[found.share] = self.nodes[-1]
        for port, source in sources.items():
            self.connect(source, node_id, port)
        return node_id, found.output

    def _input(self, kind: str, given: Any, subject: Any) -> Output:
        if isinstance(given, Match):  # a node made for this one alone, of the same type
            return self.build(kind, given, subject)
        try:
            return self.value(given)
        except NotImportable as err:
            if isinstance(given, Placeholder) or not isinstance(subject, Placeholder):
                raise
            raise NotImportable(f"cannot import `{describe(subject)}`: {err}") from None

    def place(self, subject: Any, found: tuple[str, Match | list[Match]] | None = None) -> None:
        """Add the node(s) of a root: a constraint, a tracker call, the balancer."""
        found = found or self.match(subject)
        if found is None:
            raise _no_node_type(subject)
        kind, matches = found
        for one in matches if isinstance(matches, list) else [matches]:
            self.build(kind, one, subject)

    def trackers(self, trackers: list[Tracker]) -> None:
        """Trackers by the call that made them: a diagnostic call is its nodes."""
        calls: set[int] = set()
        for t in trackers:
            made = provenance_of(t)
            if made is not None and id(made) in calls:
                continue
            found = None if made is None else self.match(made)
            if found is None:
                self.place(t)
            else:
                calls.add(id(made))
                self.place(made, found)

    # -- the document ----------------------------------------------------------------------------
    def document(self, title: str) -> dict[str, Any]:
        balancer = balancer_of(list(self.crux.constraints))
        for i, root in enumerate(self.crux.constraints):
            loss = root if balancer is None else balancer.inputs[i]
            self.place(Constraint(i, loss, self.weights[i]))
        own = [t for t in self.crux.trackers if is_weight(t.expr, balancer) is None]
        self.trackers(own)  # a balancer's weight trackers come with its node
        if balancer is not None:
            self.place(Weighting(balancer, int(self.crux.rng_seed)))
        doc = new_document(title)
        doc["seed"] = int(self.crux.rng_seed)
        doc["mesh"] = [int(m) for m in self.crux.mesh]
        if _global_seed() != int(self.crux.rng_seed):
            self.notes.append(
                f"the global seed is {_global_seed()} and the solver's rng_seed "
                f"{self.crux.rng_seed}; the document uses {self.crux.rng_seed} for both"
            )
        doc["geometry"] = geometry_section(
            self.crux.domain, {key[1] for key in self.shared if key[0] == "variables"}, self.notes
        )
        doc["graph"] = {"nodes": self.nodes, "edges": self.edges}
        self._layout()
        doc["training"] = {"phases": [optimizer_phase(self.trainables, self.notes)]}
        notes = list(dict.fromkeys(self.notes))
        description = "Imported from Python code (jno.core)."
        if notes:
            description += " Approximations: " + "; ".join(notes) + "."
            warnings.warn(
                "the imported document approximates the solver: " + "; ".join(notes),
                ImportApproximationWarning,
                stacklevel=3,
            )
        doc["meta"]["description"] = description
        problems = validate(doc)
        if problems:  # e.g. a tag name that is not an identifier
            listed = "; ".join(p["message"] for p in problems)
            raise NotImportable(f"the imported document would not be valid: {listed}")
        return doc

    def _layout(self) -> None:
        depth: dict[str, int] = {}
        incoming: dict[str, list[str]] = {}
        for e in self.edges:
            incoming.setdefault(e["target"], []).append(e["source"])
        rows: Counter[int] = Counter()
        for node in self.nodes:  # created inputs first: a topological order
            d = 1 + max((depth[s] for s in incoming.get(node["id"], [])), default=-1)
            depth[node["id"]] = d
            node["position"] = [COLUMN_WIDTH * d, ROW_HEIGHT * rows[d]]
            rows[d] += 1


def _global_seed() -> int:
    from ..introspect import get_seed

    return int(get_seed())
