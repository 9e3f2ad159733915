"""The importer: a `jno.core` built in Python -> a workbench document.

`to_document(crux)` walks the constraint and tracker expressions of a solver
and writes one workbench node per expression node (the catalogue's node types
and ports), the geometry of its domain and a training plan, so that a problem
written by hand opens in the editor. It is the inverse of the lowering
(`lowering.lower`): importing what a document lowers to gives the document's
graph back, up to node ids.

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
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._lower.analysis import describe
from .._nn.model import Model
from .._solver.core import core
from .._trace._ops import OPS
from .._trace.nodes import (
    Constant,
    Derivative,
    FunctionCall,
    Hessian,
    Laplacian,
    ModelCall,
    Noise,
    Op,
    ParamJacobian,
    Placeholder,
    TensorTag,
    Tracker,
    Variable,
)
from .._trace.parameter import Parameter
from . import emit
from ._import_balancer import balancer_node, balancer_of, is_weight
from ._import_function import (
    ARG_NAMES,
    FOLDABLE_OPS,
    function_expression,
    number_text,
    op_expression,
)
from ._import_geometry import geometry_section
from ._import_networks import NotImportable, clean_float, network_node, optimizer_phase
from .catalogue.nodes_losses import REDUCTIONS
from .catalogue.nodes_math import SCHEMES, UNARY
from .document import new_document
from .validate import validate

__all__ = ["ImportApproximationWarning", "NotImportable", "to_document"]

COLUMN_WIDTH = 220
ROW_HEIGHT = 120
_BINARY = ("add", "sub", "mul", "div", "pow")
_NOISE_ARGS = {"gaussian": ("std", "mean"), "uniform": ("low", "high"), "laplace": ("scale", "loc")}
_GLOBAL_OPS = frozenset(op for op, spec in OPS.items() if spec.kind == "reduce")

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


def _refuse(node: Placeholder, why: str, hint: str = "") -> NotImportable:
    text = f"cannot import `{describe(node)}` ({type(node).__name__}): {why}"
    return NotImportable(f"{text}; {hint}" if hint else text)


def _scalar(node: Constant) -> float | None:
    """The value of a finite scalar constant, else None."""
    if node.value.ndim != 0:
        return None
    value = float(node.value.item())
    return value if np.isfinite(value) else None


def _index(node: Op) -> int | None:
    """`k` for `u[..., k]` (or `u[k]` on a per-point value) with k >= 0, else None."""
    index = node.attr_dict.get("index")
    if isinstance(index, tuple) and len(index) == 2 and index[0] == "...":
        index = index[1]
    elif not isinstance(index, int) or _is_global(node.children[0]):
        return None
    return index if isinstance(index, int) and not isinstance(index, bool) and index >= 0 else None


def _is_global(node: Placeholder) -> bool:
    """Whether the subtree holds a whole-array operation (so it is not per point)."""
    for n in node.walk():
        if isinstance(n, ParamJacobian | Tracker):
            return True
        if isinstance(n, Op) and (
            n.op in _GLOBAL_OPS or (OPS[n.op].kind == "axis" and n.attr_dict.get("axis", -1) != -1)
        ):
            return True
        if isinstance(n, FunctionCall) and n.reduces_axis is not None:
            return True
        if isinstance(n, ModelCall) and not getattr(n.model, "pointwise", True):
            return True
    return False


class _Importer:
    """One import: the nodes and edges built so far, memoised by expression identity."""

    def __init__(self, crux: Any, weights: list[float]):
        self.crux = crux
        self.weights = weights
        self.nodes: list[dict[str, Any]] = []
        self.ids: set[str] = set()
        self.edges: list[dict[str, Any]] = []
        self.memo: dict[int, Output] = {}
        self.models: dict[int, str] = {}
        self.variables: dict[str, dict[str, Any]] = {}
        self.notes: list[str] = []
        self.seeds = list(dict.fromkeys([int(crux.rng_seed), _global_seed()]))
        roots = [*crux.constraints, *crux.trackers]
        self.parents: Counter[int] = Counter()
        self.trainables: list[Any] = []
        seen: set[int] = set()
        for root in roots:
            for node in root.walk():
                if id(node) in seen:
                    continue
                seen.add(id(node))
                for child in node.children:
                    self.parents[id(child)] += 1

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

    def op_node(self, kind: str, params: dict[str, Any], inputs: dict[str, Output]) -> Output:
        node_id = self.add(kind, params, kind)
        for port, source in inputs.items():
            self.connect(source, node_id, port)
        return node_id, "out"

    # -- expressions ---------------------------------------------------------------------------
    def value(self, node: Placeholder) -> Output:
        """The output that computes `node` (creating its nodes on first use)."""
        key = id(node)
        if key not in self.memo:
            self.memo[key] = self._make(node)
        return self.memo[key]

    def _make(self, node: Placeholder) -> Output:
        if isinstance(node, Variable):
            return self._variable(node)
        if isinstance(node, Parameter):
            return self._parameter(node)
        if isinstance(node, Constant):
            return self._constant(node)
        if isinstance(node, Noise):
            first, second = _NOISE_ARGS[node.distribution]
            params = {
                "distribution": node.distribution,
                "a": float(node.params[first]),
                "b": float(node.params[second]),
                "ndim": int(node.ndim),
            }
            return self.add("noise", params, "noise"), "out"
        if isinstance(node, ModelCall):
            return self._call(node)
        if isinstance(node, Op):
            return self._op(node)
        if isinstance(node, Derivative):
            return self._derivative(node)
        if isinstance(node, Laplacian | Hessian):
            return self._second_order(node)
        if isinstance(node, FunctionCall):
            return self._function(node)
        if isinstance(node, ParamJacobian):
            raise _refuse(
                node,
                "parameter Jacobians have no node type",
                "the workbench computes them only inside its diagnostics "
                "(jno.diagnostics.gradient_norms, gradient_cosines, ntk)",
            )
        if isinstance(node, TensorTag):
            raise _refuse(node, "tensor tags (dom.variable(name, array)) have no node type")
        raise _refuse(node, "it has no workbench node type")

    def _variable(self, var: Variable) -> Output:
        if var.domain is not self.crux.domain:
            raise _refuse(var, "it belongs to another domain than the solver's")
        if var.dim > 1:
            raise _refuse(var, "the workbench has 1-D and 2-D geometries only")
        node = self.variables.get(var.tag)
        if node is None:
            self.add("variables", {"tag": var.tag}, var.tag)
            node = self.variables[var.tag] = self.nodes[-1]
        if var.axis == "temporal":
            return node["id"], "t"
        if var.axis == "normal":
            node["params"]["normals"] = True
            return node["id"], ("nx", "ny")[var.dim]
        return node["id"], ("x", "y")[var.dim]

    def _parameter(self, param: Parameter) -> Output:
        value = np.asarray(param.value)
        if value.ndim != 1:
            raise _refuse(
                param,
                f"a parameter of shape {value.shape}; the Trainable-parameter node is a vector",
                "use jno.np.parameter((n,), ...)",
            )
        init = clean_float(value[0])
        if not np.all(value == value[0]):
            self.notes.append(
                f"parameter {param.describe()!r} starts from {init} in every entry (its first "
                "entry); the document cannot hold other initial values"
            )
        self.trainables.append(param)  # once: values are memoised per expression node
        name = param.name or "param"
        params = {"size": int(value.size), "init": init, "name": name}
        return self.add("parameter", params, name), "out"

    def _constant(self, const: Constant) -> Output:
        value = _scalar(const)
        if value is None:
            raise _refuse(
                const,
                f"a constant of shape {const.value.shape}; the Constant node holds one finite "
                "number",
                "use scalar constants (one per value)",
            )
        return self.add("constant", {"value": clean_float(const.value)}, "const"), "out"

    def _op(self, node: Op) -> Output:
        op, children = node.op, node.children
        if op == "mul" and isinstance(children[0], Constant) and self.parents[id(children[0])] == 1:
            factor = _scalar(children[0])
            if factor is not None:  # `c * a` is what a Scale node lowers to
                return self.op_node(
                    "scale",
                    {"factor": clean_float(children[0].value)},
                    {"a": self.value(children[1])},
                )
        if op in _BINARY:
            a, b = children
            return self.op_node(op, {}, {"a": self.value(a), "b": self.value(b)})
        if op == "neg":
            return self.op_node("neg", {}, {"a": self.value(children[0])})
        if op in UNARY:
            return self.op_node("math", {"function": op}, {"a": self.value(children[0])})
        if op == "getitem":
            index = _index(node)
            if index is None:
                raise _refuse(
                    node,
                    "the Output-component node picks one component `u[..., k]` with k >= 0",
                    "index with [..., k]",
                )
            return self.op_node("component", {"index": index}, {"value": self.value(children[0])})
        if op in REDUCTIONS:
            if node.attr_dict.get("delta", 1.0) != 1.0:
                raise _refuse(node, "the Loss node's Huber loss has delta = 1", "use delta=1.0")
            return self._loss("loss", {"kind": op}, {"residual": self.value(children[0])})
        if op == "relative_l2":
            pred, ref = children
            inputs = {"prediction": self.value(pred), "reference": self.value(ref)}
            return self._loss("relative_l2", {}, inputs)
        if op == "concat" and node.attr_dict.get("axis", -1) == -1 and 2 <= len(children) <= 8:
            if any(_is_global(c) for c in children):
                raise _refuse(node, "concatenating whole-array values has no node type")
            sources = [self.value(child) for child in children]  # inputs first: the layout
            node_id = self.add("concat", {"inputs": len(children)}, "concat")
            for i, source in enumerate(sources):
                self.connect(source, node_id, f"in{i + 1}")
            return node_id, "out"
        if op in FOLDABLE_OPS:
            return self._folded(node)
        raise _refuse(
            node,
            f"the operation {op!r} has no workbench node type",
            "the workbench has arithmetic, math functions, components, derivatives and losses",
        )

    def _loss(self, kind: str, params: dict[str, Any], inputs: dict[str, Output]) -> Output:
        node_id, _ = self.op_node(kind, params, inputs)
        return node_id, "loss"

    # -- derivatives ---------------------------------------------------------------------------
    def _scheme(self, node: Placeholder, scheme: str) -> dict[str, Any]:
        if scheme not in SCHEMES:
            raise _refuse(node, f"scheme {scheme!r} is not one of the workbench's")
        return {} if scheme == SCHEMES[0] else {"scheme": scheme}

    def _derivative(self, node: Derivative) -> Output:
        # `u.d(x).d(x)` and a Derivative node of order 2 lower to the same folded node;
        # it comes back as one node per run of equal variables (a mixed derivative for
        # two different ones), the form a document writes with the nodes' `order`
        params = self._scheme(node, node.scheme)
        out = self.value(node.target)
        rest = node.variables
        if len(rest) == 2 and rest[0].key != rest[1].key:
            inputs = {"target": out, "first": self.value(rest[0]), "second": self.value(rest[1])}
            return self.op_node("mixed_derivative", params, inputs)
        runs: list[tuple[Variable, int]] = []
        for var in rest:
            if runs and runs[-1][0].key == var.key and runs[-1][1] < 4:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            else:
                runs.append((var, 1))
        for var, order in runs:
            inputs = {"target": out, "variable": self.value(var)}
            out = self.op_node("derivative", {"order": order, **params}, inputs)
        return out

    def _second_order(self, node: Laplacian | Hessian) -> Output:
        kind = "laplacian" if isinstance(node, Laplacian) else "hessian"
        if len(node.variables) > 3:
            raise _refuse(
                node, f"a {kind} over {len(node.variables)} variables; the node takes 1 to 3"
            )
        params = {"dims": len(node.variables), **self._scheme(node, node.scheme)}
        inputs = {"target": self.value(node.target)}
        for i, var in enumerate(node.variables):
            inputs[f"var{i + 1}"] = self.value(var)
        return self.op_node(kind, params, inputs)

    # -- networks --------------------------------------------------------------------------------
    def _network(self, model: Any, call: ModelCall) -> Output:
        if id(model) not in self.models:
            if not isinstance(model, Model):
                raise _refuse(call, f"the model is a {type(model).__name__}, not a wrapped network")
            try:
                kind, params = network_node(model, self.seeds, self.notes)
            except NotImportable as err:
                raise NotImportable(f"cannot import `{describe(call)}`: {err}") from None
            name = model.name or kind
            self.models[id(model)] = self.add(kind, {**params, "name": name}, name)
            self.trainables.insert(sum(isinstance(t, Model) for t in self.trainables), model)
        return self.models[id(model)], "model"

    def _call(self, node: ModelCall) -> Output:
        model_out = self._network(node.model, node)
        args = list(node.children)
        if (
            len(args) == 1
            and isinstance(args[0], Op)
            and args[0].op == "concat"
            and args[0].attr_dict.get("axis", -1) == -1
            and node.model.positional_arity() == 1
        ):
            args = list(args[0].children)  # net(concat([x, y])) is net(x, y) for one-input nets
        if len(args) > 8:
            raise _refuse(node, f"a network called on {len(args)} inputs; the call node takes 8")
        sources = [self.value(arg) for arg in args]  # inputs first: a topological order
        node_id = self.add("call", {"inputs": len(args)}, "call")
        self.connect(model_out, node_id, "model")
        for i, source in enumerate(sources):
            self.connect(source, node_id, f"in{i + 1}")
        return node_id, "out"

    # -- custom functions ------------------------------------------------------------------------
    def _function(self, node: FunctionCall) -> Output:
        hint = "build it from jno.np operations (jno.np.sin, +, *, .d(x), ...) instead"
        if node.reduces_axis is not None:
            raise _refuse(node, "a function reducing over an axis has no node type", hint)
        expression, why = function_expression(node.fn, len(node.children))
        if expression is None:
            raise _refuse(
                node,
                f"the Python function {node.name!r} has no source expression a document can "
                f"hold ({why})",
                hint,
            )
        name = "" if node.name == "<lambda>" else node.name
        return self._function_node(expression, list(node.children), name, node)

    def _function_node(
        self, expression: str, inputs: list[Placeholder], name: str, node: Placeholder
    ) -> Output:
        if len(inputs) > 4:
            raise _refuse(node, f"{len(inputs)} inputs; a Custom-function node takes 1 to 4")
        if not inputs:
            raise _refuse(node, "a function of no expression input has no node type")
        params: dict[str, Any] = {"inputs": len(inputs), "expression": expression}
        try:
            emit.expression(expression, "expression", ARG_NAMES[: len(inputs)])
        except emit.UnsafeValue:
            params["code"] = True  # beyond the grammar: Python code, run once trusted
        if name:
            params["name"] = name
        sources = [self.value(arg) for arg in inputs]
        node_id = self.add("function", params, name or "function")
        for i, source in enumerate(sources):
            self.connect(source, node_id, f"in{i + 1}")
        return node_id, "out"

    def _folded(self, node: Op) -> Output:
        """Elementwise ops without a node type, folded into one Custom-function node."""
        leaves: list[Placeholder] = []

        def text(n: Placeholder) -> str:
            if isinstance(n, Constant) and n.value.ndim == 0:
                return number_text(n.value.item())
            if (
                isinstance(n, Op)
                and n.op in FOLDABLE_OPS
                and (n is node or self.parents[id(n)] == 1)
            ):
                return op_expression(n.op, [text(c) for c in n.children])
            for i, leaf in enumerate(leaves):
                if leaf is n:
                    return ARG_NAMES[i] if i < len(ARG_NAMES) else f"_{i}"
            leaves.append(n)
            i = len(leaves) - 1
            return ARG_NAMES[i] if i < len(ARG_NAMES) else f"_{i}"

        expression = text(node)
        if any(_is_global(leaf) for leaf in leaves):
            raise _refuse(
                node,
                f"{node.op!r} of a whole-array value has no node type",
                "apply it per point, before the loss",
            )
        return self._function_node(expression, leaves, "", node)

    # -- roots -------------------------------------------------------------------------------------
    def constraint(self, index: int, root: Placeholder) -> None:
        is_loss = isinstance(root, Op) and (root.op in REDUCTIONS or root.op == "relative_l2")
        if not is_loss:
            raise NotImportable(
                f"cannot import constraint {index + 1} `{describe(root)}`: a Constraint node takes "
                "a loss (residual.mse, .mae, .rmse, jno.fn.huber, jno.fn.log_cosh, "
                "jno.fn.relative_l2); sums and weights of losses have no node type: give each "
                "loss its own constraint (weights go to solve(constraint_weights=...))"
            )
        out = self.value(root)
        node_id = self.add("constraint", {"weight": self.weights[index]}, f"constraint{index + 1}")
        self.connect(out, node_id, "loss")

    def trackers(self, trackers: list[Tracker]) -> None:
        by_name: dict[str, list[Tracker]] = {}
        for t in trackers:
            by_name.setdefault(t.name, []).append(t)
        used: set[int] = set()
        for t in trackers:
            if id(t) in used:
                continue
            for match in (self._gradient_norm, self._gradient_cosine, self._ntk, self._stats):
                consumed = match(t, by_name)
                if consumed:
                    used |= {id(c) for c in consumed}
                    break
            else:
                self._tracker(t)
                used.add(id(t))

    def _tracker(self, t: Tracker) -> None:
        params: dict[str, Any] = {"interval": int(t.interval)}
        if t.name:
            params["name"] = t.name
        source = self.value(t.expr)
        node_id = self.add("tracker", params, t.name or "tracker")
        self.connect(source, node_id, "value")

    def _diagnostic(
        self, kind: str, t: Tracker, label: str, inputs: dict[str, Output], **extra: Any
    ) -> None:
        params = {"interval": int(t.interval), "name": label, **extra}
        node_id = self.add(kind, params, label or kind)
        for port, source in inputs.items():
            self.connect(source, node_id, port)

    def _loss_input(self, node: Placeholder, t: Tracker) -> Output:
        if not (isinstance(node, Op) and (node.op in REDUCTIONS or node.op == "relative_l2")):
            raise NotImportable(
                f"cannot import tracker {t.name!r}: its loss `{describe(node)}` is not a loss node"
            )
        return self.value(node)

    def _jacobian_model(self, jac: Placeholder, t: Tracker) -> Any:
        if not isinstance(jac, ParamJacobian):
            return None
        if jac.mask is not None:
            raise NotImportable(
                f"cannot import tracker {t.name!r}: a parameter mask (net.mask(m)) has no "
                "workbench setting"
            )
        calls = [n for n in jac.target.walk() if isinstance(n, ModelCall) and n.model is jac.model]
        return self._network(jac.model, calls[0]) if calls else None

    def _gradient_norm(self, t: Tracker, by_name: dict[str, list[Tracker]]) -> list[Tracker]:
        e = t.expr
        if not (t.name.startswith("grad_norm/") and isinstance(e, Op) and e.op == "norm"):
            return []
        jac = e.children[0]
        model = self._jacobian_model(jac, t)
        if model is None or jac.subset is not None or e.attr_dict.get("axis") is not None:
            return []
        label = t.name.split("/", 1)[1]
        loss = self._loss_input(jac.target, t)
        self._diagnostic("gradient_norm", t, label, {"loss": loss, "model": model})
        return [t]

    def _gradient_cosine(self, t: Tracker, by_name: dict[str, list[Tracker]]) -> list[Tracker]:
        e = t.expr
        if not (t.name.startswith("grad_cos/") and isinstance(e, Op) and e.op == "div"):
            return []
        dot = e.children[0]
        if not (isinstance(dot, Op) and dot.op == "dot" and len(dot.children) == 2):
            return []
        first, second = dot.children
        model = self._jacobian_model(first, t)
        if model is None or self._jacobian_model(second, t) != model:
            return []
        left, _, right = t.name.split("/", 1)[1].partition("|")
        label = (
            left[:-2] if left.endswith("_1") and right == left[:-2] + "_2" else f"{left}|{right}"
        )
        inputs = {
            "first": self._loss_input(first.target, t),
            "second": self._loss_input(second.target, t),
            "model": model,
        }
        self._diagnostic("gradient_cosine", t, label, inputs)
        return [t]

    def _ntk(self, t: Tracker, by_name: dict[str, list[Tracker]]) -> list[Tracker]:
        e = t.expr
        if not (t.name.startswith("ntk_eig/") and isinstance(e, Op) and e.op == "eigvalsh"):
            return []
        jac = _find(e, lambda n: isinstance(n, ParamJacobian))
        model = None if jac is None else self._jacobian_model(jac, t)
        if model is None or jac.subset is None:
            return []
        label = t.name.split("/", 1)[1]
        consumed = [t]
        for prefix in ("ntk_cond/", "ntk_trace/", "ntk_weight/"):
            consumed += [c for c in by_name.get(prefix + label, []) if c.interval == t.interval]
        inputs = {"residual": self.value(jac.target), "model": model}
        self._diagnostic("ntk", t, label, inputs, points=int(jac.subset))
        return consumed

    def _stats(self, t: Tracker, by_name: dict[str, list[Tracker]]) -> list[Tracker]:
        e = t.expr
        if not (t.name.startswith("res_mean_abs/") and isinstance(e, Op) and e.op == "mean"):
            return []
        inner = e.children[0]
        if not (isinstance(inner, Op) and inner.op == "abs") or e.attr_dict.get("axis") is not None:
            return []
        label = t.name.split("/", 1)[1]
        consumed = [t]
        for prefix in ("res_max_abs/", "res_std/"):
            consumed += [c for c in by_name.get(prefix + label, []) if c.interval == t.interval]
        if len(consumed) != 3:
            return []
        self._diagnostic("residual_stats", t, label, {"residual": self.value(inner.children[0])})
        return consumed

    # -- the document ----------------------------------------------------------------------------
    def document(self, title: str) -> dict[str, Any]:
        balancer = balancer_of(list(self.crux.constraints))
        for i, root in enumerate(self.crux.constraints):
            self.constraint(i, root if balancer is None else balancer.inputs[i])
        own = [t for t in self.crux.trackers if is_weight(t.expr, balancer) is None]
        self.trackers(own)  # a balancer's weight trackers come with its node
        if balancer is not None:
            params = balancer_node(balancer, int(self.crux.rng_seed), self.notes)
            self.add(balancer.kind, params, balancer.kind)
        doc = new_document(title)
        doc["seed"] = int(self.crux.rng_seed)
        doc["mesh"] = [int(m) for m in self.crux.mesh]
        if _global_seed() != int(self.crux.rng_seed):
            self.notes.append(
                f"the global seed is {_global_seed()} and the solver's rng_seed "
                f"{self.crux.rng_seed}; the document uses {self.crux.rng_seed} for both"
            )
        doc["geometry"] = geometry_section(self.crux.domain, set(self.variables), self.notes)
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


def _find(root: Placeholder, test: Callable[[Placeholder], bool]) -> Any:
    for node in root.walk():
        if test(node):
            return node
    return None


def _global_seed() -> int:
    from .._config import get_seed

    return int(get_seed())
