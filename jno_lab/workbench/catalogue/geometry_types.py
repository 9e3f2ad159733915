"""What a geometry primitive type is: fields, edit handles, help, emit, bounds and shape."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Any, ClassVar

from .. import emit

FIELD_KINDS = {
    "number": "one number",
    "point": "two numbers [x, y]",
    "range": "two numbers [low, high]",
    "points": "a list of at least three [x, y] points",
}
"""The kinds of a primitive's fields, as the editor's property panel shows them."""

HANDLE_KINDS = {
    "corner": "moves entry `index[k]` of each field (a range) to the pointer's coordinate k",
    "radius": "sets the field to the distance from the anchor point to the pointer",
    "axis": "sets entry `index[0]` of the field to the pointer's distance along that axis "
    "of the anchor, turned by the primitive's angle",
    "rotate": "turns the field (an angle in degrees) so that the second axis points at the pointer",
    "vertex": "moves one point of the field; one handle per point, id `<id><i>`",
}
"""How the canvas drags each kind of handle (the same for every primitive)."""

Box = tuple[float, float, float, float]
"""An axis-aligned box `(xmin, ymin, xmax, ymax)`."""


@dataclass(frozen=True)
class GeometryField:
    """One field of a primitive.

    Attributes:
        name: the key in the document ("x", "center", ...).
        kind: one of `FIELD_KINDS`.
        labels: what the property panel calls it (two labels for a pair).
        default: the value of a new primitive (and of an absent optional field).
        required: whether a document must give it.
        positive: whether the editor accepts only values above zero.
        doc: one line of help.
    """

    name: str
    kind: str
    labels: tuple[str, ...]
    default: Any
    required: bool = True
    positive: bool = False
    doc: str = ""

    def to_json(self) -> dict[str, Any]:
        """The field as catalogue JSON."""
        return {
            "name": self.name,
            "kind": self.kind,
            "labels": list(self.labels),
            "default": self.default,
            "required": self.required,
            "positive": self.positive,
            "doc": self.doc,
        }


@dataclass(frozen=True)
class Handle:
    """A point the canvas lets the user drag to change a selected primitive.

    Attributes:
        id: the handle's name (`data-handle` on the canvas); for a "vertex"
            handle, the prefix of one handle per point.
        kind: one of `HANDLE_KINDS`: how a drag changes `fields`.
        fields: the fields the drag changes.
        index: which entries of the field it moves (corner: one per field;
            axis: the axis).
        anchor: the field holding the point the handle turns or measures about.
    """

    id: str
    kind: str
    fields: tuple[str, ...]
    index: tuple[int, ...] = ()
    anchor: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The handle as catalogue JSON."""
        out: dict[str, Any] = {"id": self.id, "kind": self.kind, "fields": list(self.fields)}
        if self.index:
            out["index"] = list(self.index)
        if self.anchor is not None:
            out["anchor"] = self.anchor
        return out


class PrimitiveType(abc.ABC):
    """One geometry primitive type, defined once; subclasses fill in the hooks.

    Attributes:
        type: the id used in documents ("rectangle", ...).
        title: display name.
        dimension: 1 (a line) or 2 (a shape in the plane).
        key: the canvas tool's keyboard shortcut ("" when it has no tool).
        draw_help: how to draw it on the canvas ("" when it has no tool).
        doc: what it is, for the help.
        fields: its fields, in the order the property panel lists them.
        handles: what the canvas lets the user drag.
    """

    type: ClassVar[str]
    title: ClassVar[str]
    dimension: ClassVar[int] = 2
    key: ClassVar[str] = ""
    draw_help: ClassVar[str] = ""
    doc: ClassVar[str]
    fields: ClassVar[tuple[GeometryField, ...]]
    handles: ClassVar[tuple[Handle, ...]] = ()

    @abc.abstractmethod
    def emit(self, primitive: dict[str, Any], where: str) -> str:
        """The Python expression (through the emitters) that builds the primitive's shape.

        Raises:
            emit.UnsafeValue: a value that cannot be emitted, naming `where`/field.
        """

    @abc.abstractmethod
    def shape(self, primitive: dict[str, Any]) -> Any:
        """The shapely geometry the emitted expression builds."""

    @abc.abstractmethod
    def bounds(self, primitive: dict[str, Any]) -> Box:
        """The axis-aligned box of the shape, from the parameters alone."""

    def value(self, primitive: dict[str, Any], name: str) -> Any:
        """Field `name` of `primitive`, or its default when the field is optional and absent."""
        if name in primitive:
            return primitive[name]
        field = next(f for f in self.fields if f.name == name)
        return field.default

    def missing(self, primitive: dict[str, Any]) -> list[str]:
        """The required fields `primitive` lacks."""
        return [f.name for f in self.fields if f.required and f.name not in primitive]

    def new(self) -> dict[str, Any]:
        """A new primitive of this type (no id) with every field at its default."""
        return {"type": self.type, **{f.name: f.default for f in self.fields}}

    def to_json(self) -> dict[str, Any]:
        """The primitive type as catalogue JSON."""
        return {
            "type": self.type,
            "title": self.title,
            "dimension": self.dimension,
            "key": self.key,
            "drawHelp": self.draw_help,
            "doc": self.doc,
            "fields": [f.to_json() for f in self.fields],
            "handles": [h.to_json() for h in self.handles],
        }


def pair(values: Any, field: str) -> tuple[str, str]:
    """Two emitted numbers from a two-element list.

    Example:
        >>> pair([0, 1.5], "x")
        ('0.0', '1.5')
    """
    if not isinstance(values, list | tuple) or len(values) != 2:
        raise emit.UnsafeValue(field, "expected two numbers")
    return emit.number(values[0], f"{field}/0"), emit.number(values[1], f"{field}/1")


def floats(values: Any) -> tuple[float, float]:
    """Two floats from a two-element list (for shapes and bounds of checked documents)."""
    first, second = values
    return float(first), float(second)
