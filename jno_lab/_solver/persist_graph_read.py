"""Reading the expression graph of a saved solver back (see `persist_graph`).

`GraphReader` rebuilds the domains, models and nodes from a manifest: kinds,
operation names, attribute names, schemes, noise and balancer kinds are checked
against the engine's own tables (`persist_kinds`), and a node may only refer to
nodes listed before it. Functions and networks the file cannot rebuild (it holds
data only) come from the caller; `CodeNeeded` says which are missing.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._adaptive.balancer import Balancer
from .._adaptive.normalise import MODES
from .._adaptive.rules import RULES
from .._dtypes import FLOAT_DTYPES, check_dtype
from .._lower.selection import ParameterSelection
from .._nn.model import Model
from .._trace._ops import OPS
from .._trace._schemes import check_scheme
from .._trace.nodes import (
    Constant,
    CoordinateOperator,
    FunctionCall,
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
    Bad,
    as_bool,
    as_dict,
    as_float,
    as_int,
    as_list,
    as_str,
    decode,
    field,
)
from .persist_domain import decode_domain
from .persist_kinds import (
    BALANCER_NUMBERS,
    NodeKind,
    arity,
    attr_names,
    check_attr,
    check_operands,
    kind_named,
    plain,
)
from .persist_models import build_skeleton, fill


class CodeNeeded(ValueError):
    """`jno.core.load` needs Python objects from the caller (functions, networks)."""


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
        kind = kind_named(as_str(field(entry, "kind", where), f"{where}.kind"), where)
        name = as_str(entry.get("name", ""), f"{where}.name")
        children = [
            self._ref(c, i, f"{where}.children")
            for c in as_list(entry.get("children", []), f"{where}.children")
        ]
        check_operands(kind, len(children), where)
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
        self, spec: NodeKind, entry: dict[str, Any], children: list, name: str, i: int, where: str
    ) -> Placeholder:
        kind = spec.name
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
        if spec.order is not None and issubclass(spec.cls, CoordinateOperator):
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
                check_scheme(scheme, spec.order)
            except (ValueError, TypeError, NotImplementedError) as err:
                raise Bad(f"{where}.scheme: {err}") from None
            node = spec.cls(children[0], tuple(variables), scheme)
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
        least, most = arity(op)
        if len(children) < least or (most is not None and len(children) > most):
            wanted = least if most == least else f"at least {least}"
            raise Bad(f"{where}: {op!r} takes {wanted} operands, got {len(children)}")
        allowed = attr_names(op)
        attrs = []
        for j, pair in enumerate(as_list(entry.get("attrs", []), f"{where}.attrs")):
            pair = as_list(pair, f"{where}.attrs[{j}]")
            if len(pair) != 2:
                raise Bad(f"{where}.attrs[{j}]: expected [name, value]")
            key = as_str(pair[0], f"{where}.attrs[{j}]")
            if key not in allowed:
                raise Bad(f"{where}: {op!r} takes no attribute {key!r} ({sorted(allowed)})")
            value = plain(decode(pair[1], self.archive, f"{where}.{key}"), f"{where}.{key}")
            check_attr(op, key, value, f"{where}.{key}")
            attrs.append((key, value))
        if len({k for k, _ in attrs}) != len(attrs):
            raise Bad(f"{where}: repeated attributes")
        return Op(op, *children, attrs=tuple(sorted(attrs)), name=name)

    def _jacobian(
        self, entry: dict[str, Any], target: Placeholder, name: str, where: str
    ) -> Placeholder:
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
