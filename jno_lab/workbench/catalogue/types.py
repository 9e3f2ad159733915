"""What a node type is: typed ports, parameters (JSON Schema), docs, and its code emitter."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .matching import Match, MatchContext

# Port types, and which output types an input of each type accepts.
PORT_TYPES = ("field", "variable", "model", "loss", "tracker", "domain")
ACCEPTS: Mapping[str, tuple[str, ...]] = {
    "field": ("field", "variable", "loss"),  # a coordinate or a loss is a (scalar) field too
    "variable": ("variable",),
    "model": ("model",),
    "loss": ("loss",),
    "tracker": ("tracker",),
    "domain": ("domain",),
}


@dataclass(frozen=True)
class Port:
    """An input or output of a node type."""

    name: str
    type: str
    doc: str = ""
    required: bool = True

    def to_json(self) -> dict[str, Any]:
        """The port as catalogue JSON."""
        return {"name": self.name, "type": self.type, "doc": self.doc, "required": self.required}


Emitter = Callable[["EmitContext"], list[str]]
Matcher = Callable[[Any, "MatchContext"], "Match | list[Match] | None"]


@dataclass
class EmitContext:
    """What an emitter gets.

    The node id, its parameters (defaults filled in), the Python names of its
    connected inputs, and the names its outputs must be assigned to.
    """

    node_id: str
    params: dict[str, Any]
    inputs: dict[str, str]
    outputs: dict[str, str]
    document: dict[str, Any]


@dataclass(frozen=True)
class NodeType:
    """One entry of the catalogue.

    Attributes:
        type: the id used in documents ("sin", "laplacian", ...).
        category: palette group.
        title: display name.
        doc: help text shown in the editor.
        inputs, outputs: typed ports.
        params: JSON Schema (an object schema) of the node's parameters, with defaults.
        emit: writes the node's Python statements (public `jno` API only).
        role: how the lowering collects the node: "" (plain), "constraint", "tracker",
            "balancer" (weights all constraints; emitted after them, see nodes_balancers).
        code: True when the node may hold Python code: with its `code` parameter on,
            the text runs as written, only on Run and only in a trusted document
            (see `workbench.trust`); never on open, validate, preview or export.
        match: the inverse of `emit` for the importer: given one thing of a solver
            (see `catalogue.matching`), the node(s) it is, or None when it is not
            this node type.
    """

    type: str
    category: str
    title: str
    doc: str
    inputs: tuple[Port, ...]
    outputs: tuple[Port, ...]
    params: dict[str, Any]
    emit: Emitter
    role: str = ""
    code: bool = False
    dynamic_inputs: str | None = field(default=None)  # a param naming a variable input count
    match: Matcher | None = None

    def defaults(self) -> dict[str, Any]:
        """The parameters' default values."""
        props = self.params.get("properties", {})
        return {k: v["default"] for k, v in props.items() if "default" in v}

    def input_ports(self, params: Mapping[str, Any]) -> tuple[Port, ...]:
        """Input ports, expanding a variable-arity node (e.g. a model call with n inputs)."""
        if self.dynamic_inputs is None:
            return self.inputs
        count = int(params.get(self.dynamic_inputs, self.defaults().get(self.dynamic_inputs, 1)))
        fixed = [p for p in self.inputs if not p.name.endswith("*")]
        (template,) = [p for p in self.inputs if p.name.endswith("*")]
        base = template.name[:-1]
        extra = [Port(f"{base}{i + 1}", template.type, template.doc) for i in range(count)]
        return (*fixed, *extra)

    def to_json(self) -> dict[str, Any]:
        """The node type as catalogue JSON."""
        return {
            "type": self.type,
            "category": self.category,
            "title": self.title,
            "doc": self.doc,
            "inputs": [p.to_json() for p in self.inputs],
            "outputs": [p.to_json() for p in self.outputs],
            "params": self.params,
            "role": self.role,
            "code": self.code,
            "dynamicInputs": self.dynamic_inputs,
        }


def schema(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object JSON Schema with these properties and no others."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def number(default: float, doc: str = "", **extra: Any) -> dict[str, Any]:
    """A number parameter."""
    return {"type": "number", "default": default, "description": doc, **extra}


def integer(default: int, doc: str = "", minimum: int = 1, **extra: Any) -> dict[str, Any]:
    """An integer parameter (at least `minimum`)."""
    return {"type": "integer", "default": default, "minimum": minimum, "description": doc, **extra}


def string(default: str, doc: str = "", **extra: Any) -> dict[str, Any]:
    """A text parameter."""
    return {"type": "string", "default": default, "description": doc, **extra}


def choice(default: str, options: list[str], doc: str = "") -> dict[str, Any]:
    """A parameter taking one of `options`."""
    return {"type": "string", "enum": options, "default": default, "description": doc}
