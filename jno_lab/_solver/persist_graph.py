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

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from .._adaptive.balancer import BalancerWeights
from .._nn.lora import has_adapters, merge_all
from .._nn.model import Model
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
from .archive import ArrayWriter, encode
from .persist_domain import encode_domain
from .persist_graph_read import CodeNeeded, GraphReader
from .persist_kinds import KINDS, attr_names
from .persist_models import is_param, network_recipe


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

    def function(self, node: Any) -> str:
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
        if isinstance(node, CoordinateOperator):
            deps.extend(node.variables)
        if isinstance(node, BalancerWeights):
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
            unknown = sorted({k for k, _ in node.attrs} - attr_names(node.op))
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
        elif isinstance(node, CoordinateOperator):
            entry["variables"] = [self.node_ids[id(v)] for v in node.variables]
            entry["scheme"] = node.scheme
        elif isinstance(node, ParamJacobian):
            entry.update(model=self.model(node.model), mask=_mask_flags(node), subset=node.subset)
        elif isinstance(node, Noise):
            entry.update(distribution=node.distribution, ndim=node.ndim)
            entry["params"] = {k: self._encode(float(v), where) for k, v in node.params.items()}
        elif isinstance(node, Tracker):
            entry["interval"] = node.interval
        elif isinstance(node, BalancerWeights):  # before Parameter, its base class
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


__all__ = ["CodeNeeded", "GraphReader", "GraphWriter"]
