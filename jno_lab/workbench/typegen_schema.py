"""TypeScript types of the workbench document, from its JSON Schema.

Each schema location named in `NAMES` becomes one exported declaration (an
interface for an object with properties, a type alias otherwise); everything
else is written inline where it is used. A `description` in the schema becomes
the JSDoc of its property.

>>> text = document_types({"type": "object", "properties": {"n": {"type": "integer"}}}, 1)
>>> "export interface IWorkbenchDocument {" in text and "  n?: number;" in text
True
"""

from __future__ import annotations

from typing import Any

from .typegen_ts import array_of, interface, jsdoc, ts_literal, type_alias, union

NAMES: dict[str, tuple[str, str]] = {
    "": ("IWorkbenchDocument", "A whole workbench document."),
    "/$defs/point": ("Point", "A 2-D point or a [min, max] range."),
    "/$defs/range": ("Point", "A 2-D point or a [min, max] range."),
    "/$defs/primitive": (
        "IPrimitive",
        "One geometry primitive; which fields are used depends on `type`.",
    ),
    "/$defs/primitive/properties/type": ("PrimitiveType", "Kinds of geometry primitives."),
    "/$defs/csg": ("CsgNode", "A CSG tree: a primitive id or an operation."),
    "/$defs/csg/oneOf/1": ("ICsgOperation", "An operation of the CSG tree."),
    "/$defs/csg/oneOf/1/properties/op": ("CsgOp", "Boolean operations of the CSG tree."),
    "/$defs/tag": ("ITag", "A named boundary or region tag."),
    "/$defs/geometry/properties/time/oneOf/1": (
        "ITimeAxis",
        "The time axis of a time-dependent problem.",
    ),
    "/$defs/geometry": ("IGeometry", "The geometry section."),
    "/$defs/node": ("IGraphNode", "A node of the expression graph."),
    "/$defs/edge": ("IGraphEdge", "A wire from an output port to an input port."),
    "/$defs/graph": ("IGraph", "The expression graph."),
    "/$defs/schedule/oneOf/1": (
        "ISchedule",
        "A learning-rate schedule: its kind and the arguments of its constructor.",
    ),
    "/$defs/schedule/oneOf/1/properties/kind": ("ScheduleKind", "Learning-rate schedule kinds."),
    "/$defs/phase/properties/optimizer": ("Optimizer", "Optimizers a phase may use."),
    "/$defs/phase": ("IPhase", "One phase of the training plan."),
}
"""Schema locations (JSON pointers) that become named TypeScript types: (name, JSDoc)."""

SCALARS = {"string": "string", "number": "number", "integer": "number", "boolean": "boolean"}
SCALARS["null"] = "null"


class _Writer:
    """Walks the schema once; collects the named declarations in the order they are met."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.declared: dict[str, list[str]] = {}
        self.where: dict[str, str] = {}
        self.visited: set[str] = set()

    def named(self, pointer: str, rules: dict[str, Any]) -> str:
        name, doc = NAMES[pointer]
        if pointer in self.visited:
            return name
        self.visited.add(pointer)
        self.declared.setdefault(name, [])  # keeps the order in which names are first met
        text = self.declaration(name, doc, rules, pointer)
        if self.declared[name] and self.declared[name] != text:
            raise ValueError(
                f"schema locations {self.where[name]!r} and {pointer!r} are both named "
                f"{name!r} in typegen_schema.NAMES but differ: give one another name"
            )
        self.declared[name] = text
        self.where.setdefault(name, pointer)
        return name

    def declaration(self, name: str, doc: str, rules: dict[str, Any], pointer: str) -> list[str]:
        if rules.get("type") == "object" and "properties" in rules:
            return interface(name, self.fields(rules, pointer), doc)
        return type_alias(name, self.inline(rules, pointer), doc)

    def type_of(self, rules: Any, pointer: str) -> str:
        """The TypeScript type of `rules`: a declared name or an inline type."""
        if pointer in NAMES:
            return self.named(pointer, rules)
        return self.inline(rules, pointer)

    def inline(self, rules: Any, pointer: str) -> str:
        if rules is True or not isinstance(rules, dict):
            return "unknown"
        if "$ref" in rules:
            ref = rules["$ref"]
            target = self.resolve(ref)
            return self.type_of(target, ref.removeprefix("#"))
        if "const" in rules:
            return ts_literal(rules["const"])
        if "enum" in rules:
            return union(ts_literal(v) for v in rules["enum"])
        for key in ("oneOf", "anyOf"):
            if key in rules:
                return union(
                    self.type_of(r, f"{pointer}/{key}/{i}") for i, r in enumerate(rules[key])
                )
        kind = rules.get("type")
        if isinstance(kind, list):
            return union(self.inline({**rules, "type": k}, pointer) for k in kind)
        if kind == "array":
            return self.array(rules, pointer)
        if kind == "object":
            return self.object(rules, pointer)
        if kind in SCALARS:
            return SCALARS[kind]
        return "unknown"

    def array(self, rules: dict[str, Any], pointer: str) -> str:
        item = self.type_of(rules.get("items", True), f"{pointer}/items")
        size = rules.get("minItems")
        if isinstance(size, int) and 0 < size <= 4 and rules.get("maxItems") == size:
            return "[" + ", ".join([item] * size) + "]"
        return array_of(item)

    def object(self, rules: dict[str, Any], pointer: str) -> str:
        extra = rules.get("additionalProperties")
        if "properties" in rules:
            fields = self.fields(rules, pointer)
            return "{ " + "; ".join(f"{n}{'?' if o else ''}: {t}" for n, o, t, _ in fields) + " }"
        if isinstance(extra, dict):
            return f"Record<string, {self.type_of(extra, f'{pointer}/additionalProperties')}>"
        return "Record<string, unknown>"

    def fields(
        self, rules: dict[str, Any], pointer: str
    ) -> list[tuple[str, bool, str, str | None]]:
        required = set(rules.get("required", []))
        rows = [
            (
                name,
                name not in required,
                self.type_of(sub, f"{pointer}/properties/{name}"),
                sub.get("description") if isinstance(sub, dict) else None,
            )
            for name, sub in rules["properties"].items()
        ]
        if isinstance(rules.get("additionalProperties"), dict):
            rows.append(("[key: string]", False, "unknown", None))
        return rows

    def resolve(self, ref: Any) -> dict[str, Any]:
        if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
            raise ValueError(f"the schema's $ref {ref!r} is not a local #/$defs/ reference")
        found = self.root.get("$defs", {}).get(ref.removeprefix("#/$defs/"))
        if not isinstance(found, dict):
            raise ValueError(f"the schema's $ref {ref!r} names no definition")
        return found


def _at(root: dict[str, Any], pointer: str) -> Any:
    node: Any = root
    for part in pointer.split("/")[1:]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def document_types(root: dict[str, Any], version: int) -> str:
    """The TypeScript source of the document types and the format constants."""
    writer = _Writer(root)
    writer.named("", root)
    for pointer in NAMES:  # names the document does not reach are declared too
        try:
            rules = _at(root, pointer)
        except (KeyError, IndexError, TypeError):
            continue
        writer.named(pointer, rules)
    lines: list[str] = []
    for declaration in writer.declared.values():
        lines += declaration
    fmt = root.get("properties", {}).get("format", {}).get("const")
    lines += [
        *jsdoc("The document `format` value."),
        f"export const DOCUMENT_FORMAT = {ts_literal(fmt)};",
        "",
    ]
    lines += [
        *jsdoc("The document format version this editor writes."),
        f"export const DOCUMENT_VERSION = {version};",
    ]
    return "\n".join(lines) + "\n"
