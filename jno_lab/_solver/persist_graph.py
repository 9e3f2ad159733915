"""The expression graph of a saved solver: nodes of the engine's kinds, children by index.

`GraphWriter` lists every node a solver's constraints and trackers reach,
dependencies first, each as its kind, its static attributes (JSON values only)
and the indices of its operands; with them the domains (`persist_domain`), the
models (`persist_models`) and the names of custom functions. `GraphReader`
rebuilds the nodes from such a list: kinds, operation names, attribute names,
schemes, noise and balancer kinds are checked against the engine's own tables,
and a node may only refer to nodes listed before it.

Example:
    >>> import jno_lab as jno
    >>> from jno_lab._solver.archive import ArrayWriter
    >>> writer = GraphWriter(ArrayWriter())
    >>> a = jno.np.constant(2.0)
    >>> writer.node((jno.np.sin(a) * a).mse)
    3
    >>> [(n["kind"], n.get("op"), n["children"]) for n in writer.nodes]
    [('constant', None, []), ('op', 'sin', [0]), ('op', 'mul', [1, 0]), ('op', 'mse', [2])]
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._adaptive.balancer import Balancer, BalancerWeights
from .._adaptive.normalise import MODES
from .._adaptive.rules import RULES
from .._nn.model import Model
from .._nn.precision import FLOAT_DTYPES, check_dtype
from .._trace._ops import OPS
from .._trace._schemes import check_scheme
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
from .archive import (
    Archive,
    ArrayWriter,
    Bad,
    as_bool,
    as_dict,
    as_float,
    as_int,
    as_list,
    as_str,
    decode,
    encode,
    field,
)
from .persist_domain import decode_domain, encode_domain
from .persist_models import build_skeleton, fill, is_param, network_recipe

KINDS: dict[type, str] = {
    Variable: "variable",
    TensorTag: "tensor",
    Constant: "constant",
    Op: "op",
    FunctionCall: "function",
    ModelCall: "model",
    Derivative: "derivative",
    Laplacian: "laplacian",
    Hessian: "hessian",
    ParamJacobian: "param_jacobian",
    Noise: "noise",
    Tracker: "tracker",
    Parameter: "parameter",
    BalancerWeights: "balancer_weights",
}
"""Expression node class -> its kind in the file (exact classes only)."""

_OPERATORS = {"derivative": (Derivative, 1), "laplacian": (Laplacian, 2), "hessian": (Hessian, 2)}
_LEAVES = ("variable", "tensor", "constant", "noise", "parameter", "balancer_weights")
_ONE_CHILD = ("derivative", "laplacian", "hessian", "param_jacobian", "tracker")

# operations whose operand count the signature of their function does not show (ufuncs)
_FIXED_ARITY = {"add": 2, "sub": 2, "mul": 2, "maximum": 2, "minimum": 2, "neg": 1}
_FIXED_ARITY.update(where=3, clip=3)

BALANCER_NUMBERS = {
    "relobralo": {"alpha", "tau", "expected_rho"},
    "softadapt": {"beta"},
    "dwa": {"temperature"},
    "lbpinns": {"init_s", "lr_s"},
    "rlw": {"alpha"},
}
"""The numbers each balancer rule reads (a kind not listed here takes any)."""


class CodeNeeded(ValueError):
    """`jno.core.load` needs Python objects from the caller (functions, networks)."""


class GraphWriter:
    """Collects the nodes, domains, models and functions of one solver."""

    def __init__(self, arrays: ArrayWriter):
        self.arrays = arrays
        self.nodes: list[dict[str, Any]] = []
        self.node_ids: dict[int, int] = {}
        self.domains: list[dict[str, Any]] = []
        self.domain_ids: dict[int, tuple[Any, int]] = {}
        self.models: list[dict[str, Any]] = []
        self.model_ids: dict[int, tuple[Any, int]] = {}
        self.functions: dict[str, Callable[..., Any]] = {}

    def domain(self, dom: Any) -> int:
        known = self.domain_ids.get(id(dom))
        if known is None:
            known = (dom, len(self.domains))
            self.domains.append(encode_domain(dom, self.arrays))
            self.domain_ids[id(dom)] = known
        return known[1]

    def function(self, node: FunctionCall) -> str:
        name = node.name
        known = self.functions.get(name)
        if known is not None and known is not node.fn:
            raise ValueError(
                f"crux.save: two different functions are named {name!r}; a saved solver refers "
                "to functions by name, so give each its own: jno.fn(f, [...], name='...')"
            )
        self.functions[name] = node.fn
        return name

    def model(self, model: Any) -> int:
        known = self.model_ids.get(id(model))
        if known is not None:
            return known[1]
        if not isinstance(model, Model):
            raise ValueError(f"crux.save: a model of type {type(model).__name__} cannot be saved")
        from .._nn.lora import has_adapters, merge_all

        module = merge_all(model.module) if has_adapters(model.module) else model.module
        recipe = network_recipe(module) if type(model) is Model else None
        leaves = [leaf for leaf in jax.tree_util.tree_leaves(module) if is_param(leaf)]
        dtype = model.working_dtype
        entry = {
            "name": model.name,
            "class": type(model).__name__,
            "module_class": type(module).__name__,
            "network": recipe,
            "frozen": bool(model.frozen),
            "dtype": None if dtype is None else jnp.dtype(dtype).name,
            "leaves": [self.arrays.add(leaf) for leaf in leaves],
        }
        if recipe is None:
            clash = [m for m in self.models if m["name"] == model.name and m["network"] is None]
            if clash:
                raise ValueError(
                    f"crux.save: two networks are named {model.name!r} and neither is built by "
                    "an engine factory; the file refers to such networks by name, so give each "
                    "its own: jno.nn.wrap(module, name='...')"
                )
        self.model_ids[id(model)] = (model, len(self.models))
        self.models.append(entry)
        return len(self.models) - 1

    def _dependencies(self, node: Placeholder) -> list[Placeholder]:
        deps = list(node.children)
        if isinstance(node, Derivative | Laplacian | Hessian):
            deps.extend(node.variables)
        if type(node) is BalancerWeights:
            deps.extend(node.balancer.inputs)
        return deps

    def node(self, root: Placeholder) -> int:
        """Index of `root`, adding it and everything it depends on (dependencies first)."""
        active: set[int] = set()
        stack: list[tuple[Placeholder, bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in self.node_ids:
                continue
            if expanded:
                active.discard(id(node))
                self.node_ids[id(node)] = len(self.nodes)
                self.nodes.append(self._entry(node))
                continue
            if id(node) in active:  # pragma: no cover - nodes are immutable, so a DAG
                raise ValueError("crux.save: the expressions contain a cycle")
            active.add(id(node))
            stack.append((node, True))
            for dep in reversed(self._dependencies(node)):
                if id(dep) not in self.node_ids:
                    stack.append((dep, False))
        return self.node_ids[id(root)]

    def _entry(self, node: Placeholder) -> dict[str, Any]:
        kind = KINDS.get(type(node))
        if kind is None:
            raise ValueError(
                f"crux.save: expression node {node.label()!r} is a {type(node).__name__}, which "
                "the file format does not know"
            )
        entry: dict[str, Any] = {
            "kind": kind,
            "name": node.name,
            "children": [self.node_ids[id(c)] for c in node.children],
        }
        if node.debug.enabled:
            entry["debug"] = [bool(node.debug._shape), bool(node.debug._mean)]
        where = f"node {node.label()!r}"
        if isinstance(node, Variable):
            entry.update(
                tag=node.tag, dim=node.dim, axis=node.axis, domain=self.domain(node.domain)
            )
        elif isinstance(node, TensorTag):
            entry.update(tag=node.tag, domain=self.domain(node.domain))
        elif isinstance(node, Constant):
            entry["value"] = self.arrays.add(node.value)
        elif isinstance(node, Op):
            unknown = sorted({k for k, _ in node.attrs} - _attr_names(node.op))
            if unknown:  # the reader would refuse them: fail now, not at load
                raise ValueError(
                    f"crux.save: {where}: attributes {unknown} of operation {node.op!r} are not "
                    "known to the file format"
                )
            entry["op"] = node.op
            entry["attrs"] = [[k, self._encode(v, f"{where} {k}")] for k, v in node.attrs]
        elif isinstance(node, FunctionCall):
            entry.update(function=self.function(node), reduces_axis=node.reduces_axis)
        elif isinstance(node, ModelCall):
            entry["model"] = self.model(node.model)
        elif isinstance(node, Derivative | Laplacian | Hessian):
            entry["variables"] = [self.node_ids[id(v)] for v in node.variables]
            entry["scheme"] = node.scheme
        elif isinstance(node, ParamJacobian):
            entry.update(model=self.model(node.model), mask=_mask_flags(node), subset=node.subset)
        elif isinstance(node, Noise):
            entry.update(distribution=node.distribution, ndim=node.ndim)
            entry["params"] = {k: self._encode(float(v), where) for k, v in node.params.items()}
        elif isinstance(node, Tracker):
            entry["interval"] = node.interval
        elif type(node) is BalancerWeights:
            b = node.balancer
            entry["value"] = self.arrays.add(node.value)
            entry["balancer"] = {
                "kind": b.kind,
                "inputs": [self.node_ids[id(loss)] for loss in b.inputs],
                "numbers": {k: self.arrays.add(v) for k, v in b.numbers.items()},
                "mode": b.mode,
                "seed": int(b.seed),
            }
        elif isinstance(node, Parameter):
            entry.update(value=self.arrays.add(node.value), frozen=bool(node.frozen))
        return entry

    def _encode(self, value: Any, where: str) -> Any:
        try:
            return encode(value, self.arrays, where)
        except TypeError as err:
            raise ValueError(f"crux.save: {err}") from None


def _mask_flags(node: ParamJacobian) -> list[bool] | None:
    if node.mask is None:
        return None
    treedef = jax.tree_util.tree_structure(node.model.module)
    try:
        return [bool(flag) for flag in treedef.flatten_up_to(node.mask)]
    except (ValueError, TypeError):
        raise ValueError(
            f"crux.save: the parameter mask of {node.label()} no longer fits model "
            f"{node.model.describe()!r}"
        ) from None


def _arity(op: str) -> tuple[int, int | None]:
    """How many operands the engine gives operation `op` (least, most; None: any)."""
    if op in _FIXED_ARITY:
        return _FIXED_ARITY[op], _FIXED_ARITY[op]
    try:
        params = list(inspect.signature(OPS[op].fn).parameters.values())
    except (TypeError, ValueError):
        return 0, None
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return 1, None
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    required = sum(1 for p in params if p.kind in positional and p.default is p.empty)
    return required, required


def _attr_names(op: str) -> set[str]:
    """The static attributes operation `op` takes (its function's keyword-only arguments)."""
    fn = OPS[op].fn
    if getattr(fn, "__module__", "").startswith("jno_lab."):
        params = inspect.signature(fn).parameters.values()
        return {p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY}
    return {"axis"} if OPS[op].kind == "axis" else set()


def _plain(value: Any, where: str) -> Any:
    """An attribute value: None, a bool, int, float, string or a tuple of these."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, tuple):
        return tuple(_plain(v, where) for v in value)
    raise Bad(f"{where}: attribute values are numbers, strings, None or tuples of them")


def _is_index(key: Any, depth: int = 0) -> bool:
    """Whether `key` is an index as `Placeholder.__getitem__` records it."""
    if key is None or key == "...":
        return True
    if isinstance(key, int) and not isinstance(key, bool):
        return True
    if isinstance(key, tuple) and key and key[0] == "slice":
        return len(key) == 4 and all(
            v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in key[1:]
        )
    return isinstance(key, tuple) and depth == 0 and all(_is_index(k, 1) for k in key)


def _check_attr(op: str, name: str, value: Any, where: str) -> None:
    if name == "axis":
        axes = value if isinstance(value, tuple) else (value,)
        if value is not None and not all(
            isinstance(a, int) and not isinstance(a, bool) for a in axes
        ):
            raise Bad(f"{where}: axis must be None, an integer or a tuple of integers")
    elif name == "index" and not _is_index(value):
        raise Bad(f"{where}: {value!r} is not an index (integers, slices, '...', None)")
    elif name == "ord" and not (value is None or value in ("fro", "nuc") or _is_number(value)):
        raise Bad(f"{where}: {value!r} is not a norm order (a number, 'fro', 'nuc' or None)")
    elif name == "delta" and not (_is_number(value) and math.isfinite(value) and value > 0):
        raise Bad(f"{where}: delta must be a positive number, got {value!r}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class GraphReader:
    """Rebuilds the domains, models and nodes of a saved solver from an open archive."""

    def __init__(self, archive: Archive, functions: dict[str, Any], models: dict[str, Any]):
        self.archive = archive
        self.manifest = archive.manifest
        self.functions = functions
        self.given_models = models
        self.domains: list[Any] = []
        self.models: list[Model] = []
        self.nodes: list[Placeholder] = []

    def read(self) -> None:
        """Rebuild the domains, models and nodes (`self.nodes`, in the file's order).

        Raises:
            CodeNeeded: when functions or networks the file names were not given.
            archive.Bad: for anything the file gets wrong.
        """
        entries = self._check_code()
        self.domains = [
            decode_domain(e, self.archive, f"domains[{i}]")
            for i, e in enumerate(as_list(field(self.manifest, "domains", "manifest"), "domains"))
        ]
        self.models = [self._model(e, i) for i, e in enumerate(entries)]
        for i, entry in enumerate(as_list(field(self.manifest, "nodes", "manifest"), "nodes")):
            self.nodes.append(self._node(entry, i))

    # -- what the caller must give ---------------------------------------------------------
    def _check_code(self) -> list[dict[str, Any]]:
        names = [
            as_str(n, "functions")
            for n in as_list(field(self.manifest, "functions", "manifest"), "functions")
        ]
        entries = [
            as_dict(e, f"models[{i}]")
            for i, e in enumerate(as_list(field(self.manifest, "models", "manifest"), "models"))
        ]
        model_names = [as_str(field(e, "name", "model"), "model name") for e in entries]
        path = str(self.archive.path)
        unknown = sorted(set(self.functions) - set(names))
        if unknown:
            raise ValueError(
                f"jno.core.load: {path!r} has no functions {unknown}; the functions it uses are "
                f"{names or 'none'}"
            )
        unknown = sorted(set(self.given_models) - set(model_names))
        if unknown:
            raise ValueError(
                f"jno.core.load: {path!r} has no models {unknown}; its models are {model_names}"
            )
        for name in self.given_models:
            if model_names.count(name) > 1:
                raise ValueError(
                    f"jno.core.load: {path!r} has several models named {name!r}; models={{...}} "
                    "cannot tell them apart"
                )
        lines = []
        for name in names:
            if name not in self.functions:
                lines.append(
                    f"  functions[{name!r}]: the function given to jno.fn(..., name={name!r})"
                )
        for entry, name in zip(entries, model_names, strict=True):
            if name in self.given_models:
                continue
            cls = as_str(field(entry, "class", "model"), "model class")
            module_class = as_str(entry.get("module_class", "?"), "module class")
            count = len(as_list(field(entry, "leaves", "model"), "model leaves"))
            if cls != "Model":
                lines.append(
                    f"  models[{name!r}]: the {cls} model itself, built by the same code (a "
                    f"{cls} is built from Python code, which the file does not hold)"
                )
            elif entry.get("network") is None:
                lines.append(
                    f"  models[{name!r}]: an equinox module like the saved one (a {module_class} "
                    f"with {count} arrays), e.g. built by the same code; its arrays are replaced "
                    "by the saved ones (no engine factory builds this network, so the file "
                    "cannot rebuild it)"
                )
        if lines:
            raise CodeNeeded(
                f"jno.core.load: {path!r} refers to Python code, which a saved file does not "
                "hold (it is data only); pass these back:\n"
                + "\n".join(lines)
                + f"\ne.g. jno.core.load({path!r}, functions={{...}}, models={{...}})"
            )
        for name, fn in self.functions.items():
            if not callable(fn):
                raise TypeError(f"jno.core.load: functions[{name!r}] is not callable")
        return entries

    # -- models ----------------------------------------------------------------------------
    def _model(self, entry: dict[str, Any], i: int) -> Model:
        where = f"models[{i}]"
        name = as_str(field(entry, "name", where), f"{where}.name")
        leaves = [
            self.archive.array(ref, f"{where}.leaves[{j}]")
            for j, ref in enumerate(as_list(field(entry, "leaves", where), f"{where}.leaves"))
        ]
        frozen = as_bool(entry.get("frozen", False), f"{where}.frozen")
        dtype = entry.get("dtype")
        if dtype is not None and dtype not in FLOAT_DTYPES:
            raise Bad(f"{where}.dtype: {dtype!r} is not one of {', '.join(FLOAT_DTYPES)}")
        given = self.given_models.get(name)
        if given is not None:
            cls = entry.get("class")
            if cls != "Model" and not (isinstance(given, Model) and type(given).__name__ == cls):
                raise ValueError(
                    f"jno.core.load: models[{name!r}] must be the {cls} model itself, got a "
                    f"{type(given).__name__}"
                )
            module = given.module if isinstance(given, Model) else given
            if not callable(module):
                raise TypeError(
                    f"jno.core.load: models[{name!r}] must be an equinox module or a model from "
                    f"jno.nn.wrap, got {type(given).__name__}"
                )
            try:
                filled = fill(module, leaves, f"models[{name!r}] does not fit the saved network")
            except Bad as err:
                raise ValueError(
                    f"jno.core.load: {err}; pass a module built like the saved one"
                ) from None
            if isinstance(given, Model):
                given.module = filled
                given.name = name  # the name the expressions and checkpoints know it by
                return given
            model = Model(filled, name=name)
        else:
            skeleton = build_skeleton(field(entry, "network", where), len(leaves))
            model = Model(fill(skeleton, leaves, f"{where} ({name!r})"), name=name)
        model._frozen = frozen
        if dtype is not None:
            model._dtype = check_dtype(name, dtype)
        return model

    # -- nodes -----------------------------------------------------------------------------
    def _ref(self, value: Any, limit: int, where: str) -> Placeholder:
        return self.nodes[as_int(value, where, 0, limit - 1)]

    def _node(self, entry: Any, i: int) -> Placeholder:
        where = f"nodes[{i}]"
        entry = as_dict(entry, where)
        kind = as_str(field(entry, "kind", where), f"{where}.kind")
        if kind not in KINDS.values():
            raise Bad(f"{where}: unknown node kind {kind!r}; known: {', '.join(KINDS.values())}")
        name = as_str(entry.get("name", ""), f"{where}.name")
        children = [
            self._ref(c, i, f"{where}.children")
            for c in as_list(entry.get("children", []), f"{where}.children")
        ]
        if kind in _LEAVES and children:
            raise Bad(f"{where}: a {kind} node has no operands")
        if kind in _ONE_CHILD and len(children) != 1:
            raise Bad(f"{where}: a {kind} node has exactly one operand")
        if kind == "model" and not children:
            raise Bad(f"{where}: a model call has at least one input")
        node = self._build(kind, entry, children, name, i, where)
        debug = entry.get("debug")
        if debug is not None:
            flags = as_list(debug, f"{where}.debug")
            if len(flags) != 2:
                raise Bad(f"{where}.debug: expected [shape, mean]")
            node.debug._shape = as_bool(flags[0], f"{where}.debug")
            node.debug._mean = as_bool(flags[1], f"{where}.debug")
        return node

    def _domain(self, entry: dict[str, Any], where: str) -> Any:
        index = as_int(field(entry, "domain", where), f"{where}.domain", 0, len(self.domains) - 1)
        return self.domains[index]

    def _build(
        self, kind: str, entry: dict[str, Any], children: list, name: str, i: int, where: str
    ) -> Placeholder:
        if kind == "variable":
            dom = self._domain(entry, where)
            tag = as_str(field(entry, "tag", where), f"{where}.tag")
            axis = field(entry, "axis", where)
            if axis not in Variable.AXES:
                raise Bad(f"{where}.axis: {axis!r} is not one of {Variable.AXES}")
            limit = 0 if axis == "temporal" else dom.spatial_dim - 1
            dim = as_int(field(entry, "dim", where), f"{where}.dim", 0, limit)
            if tag not in dom._parts[0][0]:
                raise Bad(f"{where}: the domain has no tag {tag!r}")
            if axis == "temporal" and not dom.has_time:
                raise Bad(f"{where}: a time variable on a domain without time")
            node = Variable(tag, dim, dom, axis, name=name)
            if not name:  # what dom.variable(tag) gives for this coordinate from now on
                dom._nodes.setdefault((tag, dim, axis), node)
            return node
        if kind == "tensor":
            dom = self._domain(entry, where)
            tag = as_str(field(entry, "tag", where), f"{where}.tag")
            if tag not in dom._tensors:
                raise Bad(f"{where}: the domain has no tensor {tag!r}")
            node = TensorTag(tag, dom, name=name)
            dom._nodes.setdefault(("tensor", tag), node)
            return node
        if kind == "constant":
            value = self.archive.array(field(entry, "value", where), f"{where}.value")
            if value.dtype.kind not in "biuf":
                raise Bad(f"{where}: a constant is numeric, got dtype {value.dtype}")
            return Constant(value, name=name)
        if kind == "op":
            return self._op(entry, children, name, where)
        if kind == "function":
            fname = as_str(field(entry, "function", where), f"{where}.function")
            if fname not in self.functions:
                raise Bad(f"{where}: function {fname!r} is not in the file's function list")
            reduces = entry.get("reduces_axis")
            if reduces is not None:
                reduces = as_int(reduces, f"{where}.reduces_axis", -64, 64)
            return FunctionCall(self.functions[fname], *children, name=name, reduces_axis=reduces)
        if kind == "model":
            return ModelCall(self._model_ref(entry, where), *children)
        if kind in _OPERATORS:
            cls, order = _OPERATORS[kind]
            variables = []
            for ref in as_list(field(entry, "variables", where), f"{where}.variables"):
                var = self._ref(ref, i, f"{where}.variables")
                if type(var) is not Variable or var.axis == "normal":
                    raise Bad(f"{where}: derivatives are taken with respect to coordinates")
                variables.append(var)
            if not variables:
                raise Bad(f"{where}: a {kind} needs at least one coordinate")
            scheme = as_str(field(entry, "scheme", where), f"{where}.scheme")
            try:
                check_scheme(scheme, order)
            except (ValueError, TypeError, NotImplementedError) as err:
                raise Bad(f"{where}.scheme: {err}") from None
            node = cls(children[0], tuple(variables), scheme)
            node.name = name
            return node
        if kind == "param_jacobian":
            return self._jacobian(entry, children[0], name, where)
        if kind == "noise":
            return self._noise(entry, name, where)
        if kind == "tracker":
            interval = as_int(field(entry, "interval", where), f"{where}.interval", 1)
            return Tracker(children[0], interval=interval, name=name)
        if kind == "parameter":
            value = self._float_array(field(entry, "value", where), f"{where}.value")
            node = Parameter(value.shape, init=0.0, name=name)
            node.value = jnp.asarray(value)
            node._frozen = as_bool(entry.get("frozen", False), f"{where}.frozen")
            return node
        return self._balancer(entry, i, where)

    def _float_array(self, ref: Any, where: str) -> np.ndarray:
        value = self.archive.array(ref, where)
        if not jnp.issubdtype(value.dtype, jnp.floating):
            raise Bad(f"{where}: expected a floating array, got {value.dtype}")
        return value

    def _model_ref(self, entry: dict[str, Any], where: str) -> Model:
        index = as_int(field(entry, "model", where), f"{where}.model", 0, len(self.models) - 1)
        return self.models[index]

    def _op(self, entry: dict[str, Any], children: list, name: str, where: str) -> Placeholder:
        op = as_str(field(entry, "op", where), f"{where}.op")
        if op not in OPS:
            raise Bad(f"{where}: {op!r} is not an operation of the engine")
        least, most = _arity(op)
        if len(children) < least or (most is not None and len(children) > most):
            wanted = least if most == least else f"at least {least}"
            raise Bad(f"{where}: {op!r} takes {wanted} operands, got {len(children)}")
        allowed = _attr_names(op)
        attrs = []
        for j, pair in enumerate(as_list(entry.get("attrs", []), f"{where}.attrs")):
            pair = as_list(pair, f"{where}.attrs[{j}]")
            if len(pair) != 2:
                raise Bad(f"{where}.attrs[{j}]: expected [name, value]")
            key = as_str(pair[0], f"{where}.attrs[{j}]")
            if key not in allowed:
                raise Bad(f"{where}: {op!r} takes no attribute {key!r} ({sorted(allowed)})")
            value = _plain(decode(pair[1], self.archive, f"{where}.{key}"), f"{where}.{key}")
            _check_attr(op, key, value, f"{where}.{key}")
            attrs.append((key, value))
        if len({k for k, _ in attrs}) != len(attrs):
            raise Bad(f"{where}: repeated attributes")
        return Op(op, *children, attrs=tuple(sorted(attrs)), name=name)

    def _jacobian(
        self, entry: dict[str, Any], target: Placeholder, name: str, where: str
    ) -> Placeholder:
        from .._nn.selection import ParameterSelection

        model = self._model_ref(entry, where)
        mask = entry.get("mask")
        if mask is not None:
            flags = [as_bool(f, f"{where}.mask") for f in as_list(mask, f"{where}.mask")]
            treedef = jax.tree_util.tree_structure(model.module)
            if len(flags) != treedef.num_leaves:
                raise Bad(f"{where}.mask: {len(flags)} flags for {treedef.num_leaves} leaves")
            mask = jax.tree_util.tree_unflatten(treedef, flags)
            try:
                ParameterSelection(model, mask)
            except ValueError as err:
                raise Bad(f"{where}.mask: {err}") from None
        subset = entry.get("subset")
        if subset is not None:
            subset = as_int(subset, f"{where}.subset", 1)
        node = ParamJacobian(target, model, mask, subset)
        node.name = name
        return node

    def _noise(self, entry: dict[str, Any], name: str, where: str) -> Placeholder:
        distribution = field(entry, "distribution", where)
        if distribution not in Noise.DISTRIBUTIONS:
            raise Bad(f"{where}: unknown noise {distribution!r}")
        ndim = as_int(field(entry, "ndim", where), f"{where}.ndim", 1, 2**16)
        params = {
            k: as_float(v, f"{where}.params")
            for k, v in as_dict(entry.get("params", {}), f"{where}.params").items()
        }
        try:
            node = Noise(distribution, ndim=ndim, **params)
        except (ValueError, TypeError) as err:
            raise Bad(f"{where}: {err}") from None
        node.name = name
        return node

    def _balancer(self, entry: dict[str, Any], i: int, where: str) -> Placeholder:
        spec = as_dict(field(entry, "balancer", where), f"{where}.balancer")
        kind = field(spec, "kind", where)
        if kind not in RULES:
            raise Bad(f"{where}: unknown balancer {kind!r}; known: {', '.join(RULES)}")
        inputs = [
            self._ref(r, i, f"{where}.inputs")
            for r in as_list(field(spec, "inputs", where), f"{where}.inputs")
        ]
        numbers = {
            k: self._float_array(v, f"{where}.numbers[{k!r}]")
            for k, v in as_dict(field(spec, "numbers", where), f"{where}.numbers").items()
        }
        expected = BALANCER_NUMBERS.get(kind)
        if expected is not None and set(numbers) != expected:
            raise Bad(f"{where}: a {kind} balancer has numbers {sorted(expected)}")
        mode = field(spec, "mode", where)
        if mode not in MODES:
            raise Bad(f"{where}: unknown balancer mode {mode!r}")
        seed = as_int(field(spec, "seed", where), f"{where}.seed", -(2**63), 2**63 - 1)
        try:
            balancer = Balancer(kind, inputs, numbers, mode, seed)
        except (ValueError, TypeError) as err:
            raise Bad(f"{where}: {err}") from None
        value = self._float_array(field(entry, "value", where), f"{where}.value")
        if value.shape != (balancer.n,):
            raise Bad(f"{where}: {balancer.n} weights expected, got shape {value.shape}")
        balancer.node.value = jnp.asarray(value)
        return balancer.node
