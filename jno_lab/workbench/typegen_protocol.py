"""TypeScript types of the kernel protocol, from the TypedDicts of `protocol_messages`.

Each TypedDict becomes an interface `I<Name>` (its base becomes `extends`, a
`NotRequired` field an optional one, a string right below a field its JSDoc);
a module-level `Literal` alias becomes a type alias of the same name, and a
`WorkbenchDocument` field the document type of the JSON Schema.

>>> from jno_lab.workbench import protocol_messages
>>> ts_type(list[int | None], protocol_messages)
'(number | null)[]'
"""

from __future__ import annotations

import ast
import inspect
import sys
import textwrap
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

if sys.version_info >= (3, 11):
    from typing import NotRequired, get_type_hints, is_typeddict
else:  # what reads the TypedDicts and `NotRequired` that `protocol_messages` imports there
    from typing_extensions import NotRequired, get_type_hints, is_typeddict

from .typegen_ts import array_of, inline_object, interface, jsdoc, ts_literal, type_alias, union

DOCUMENT_TYPE = "IWorkbenchDocument"
"""The TypeScript name of a workbench document (see `typegen_schema`)."""

SCALARS: dict[Any, str] = {str: "string", int: "number", float: "number", bool: "boolean"}
SCALARS[type(None)] = "null"
SCALARS[Any] = "unknown"


def _aliases(module: types.ModuleType) -> dict[Any, str]:
    """Module-level type aliases (`Literal[...]`, `Annotated[...]`) by value, with their names."""
    found: dict[Any, str] = {}
    for name, value in vars(module).items():
        if get_origin(value) is Literal:
            found.setdefault(value, name)
        elif (
            get_origin(value) is Annotated
            and getattr(module, "DOCUMENT_SCHEMA", None) in value.__metadata__
        ):
            found.setdefault(value, DOCUMENT_TYPE)
    return found


def ts_type(hint: Any, module: types.ModuleType, seen: list[type] | None = None) -> str:
    """The TypeScript type of a Python type hint; TypedDicts met are added to `seen`."""
    aliases = _aliases(module)
    try:
        if hint in aliases:
            return aliases[hint]
    except TypeError:  # an unhashable hint is no alias
        pass
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated or origin is NotRequired:
        return ts_type(args[0], module, seen)
    if hint in SCALARS:
        return SCALARS[hint]
    if origin is Literal:
        return union(ts_literal(arg) for arg in args)
    if origin is Union or origin is types.UnionType:
        return union(ts_type(arg, module, seen) for arg in args)
    if origin is list:
        return array_of(ts_type(args[0], module, seen))
    if origin is dict:
        return f"Record<string, {ts_type(args[1], module, seen)}>"
    if origin is tuple and Ellipsis not in args:
        return "[" + ", ".join(ts_type(arg, module, seen) for arg in args) + "]"
    if is_typeddict(hint):
        if seen is not None and hint not in seen:
            seen.append(hint)
        return f"I{hint.__name__}"
    raise TypeError(
        f"no TypeScript type for the protocol type {hint!r}: use str, int, float, bool, None, "
        "Any, Literal, list, dict, a union or a TypedDict"
    )


def _class_source(cls: type) -> ast.ClassDef:
    node = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0]
    assert isinstance(node, ast.ClassDef)
    return node


def _base(cls: type) -> type | None:
    """The TypedDict `cls` extends, if any."""
    module = inspect.getmodule(cls)
    for base in _class_source(cls).bases:
        found = getattr(module, base.id, None) if isinstance(base, ast.Name) else None
        if found is not None and is_typeddict(found):
            return found
    return None


def own_fields(cls: type) -> list[tuple[str, str | None]]:
    """The fields `cls` declares itself (not its base's), each with the string below it."""
    body = _class_source(cls).body
    rows: list[tuple[str, str | None]] = []
    for i, statement in enumerate(body):
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            after = body[i + 1] if i + 1 < len(body) else None
            doc = None
            if isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
                doc = after.value.value if isinstance(after.value.value, str) else None
            rows.append((statement.target.id, doc))
    return rows


def _declare(cls: type, module: types.ModuleType, seen: list[type]) -> list[str]:
    hints = get_type_hints(cls, include_extras=True)
    rows = []
    for name, doc in own_fields(cls):
        hint = hints[name]
        optional = get_origin(hint) is NotRequired
        rows.append(
            (name, optional, ts_type(hint, module, seen), inspect.cleandoc(doc) if doc else None)
        )
    base = _base(cls)
    if base is not None and base not in seen:
        seen.append(base)
    return interface(
        f"I{cls.__name__}", rows, inspect.getdoc(cls), f"I{base.__name__}" if base else ""
    )


def _camel(request_type: str) -> str:
    return "".join(part.capitalize() for part in request_type.split("_"))


def _request_maps(
    module: types.ModuleType, request_types: tuple[str, ...], seen: list[type]
) -> list[str]:
    """`IRequests` (the fields each request adds) and `IReplies` (each request's reply type)."""
    requests, replies = [], []
    for request_type in request_types:
        name = _camel(request_type)
        request, reply = getattr(module, f"{name}Request"), getattr(module, f"{name}Reply")
        hints = get_type_hints(request, include_extras=True)
        fields = [
            (field, get_origin(hints[field]) is NotRequired, ts_type(hints[field], module, seen))
            for field, _ in own_fields(request)
        ]
        requests.append((request_type, False, inline_object(fields), None))
        replies.append((request_type, False, ts_type(reply, module, seen), None))
    return [
        *interface(
            "IRequests", requests, "Requests and the fields they carry (besides `id` and `type`)."
        ),
        *interface("IReplies", replies, "The reply type of each request."),
    ]


def protocol_types(
    module: types.ModuleType, request_types: tuple[str, ...], constants: dict[str, tuple[Any, str]]
) -> str:
    """The TypeScript source of the protocol: constants, aliases, interfaces, request maps."""
    lines: list[str] = []
    if any(name == DOCUMENT_TYPE for name in _aliases(module).values()):
        lines += [f"import type {{ {DOCUMENT_TYPE} }} from './document/types.generated';", ""]
    for name, (value, doc) in constants.items():
        lines += [*jsdoc(doc), f"export const {name} = {ts_literal(value)};", ""]
    for value, name in _aliases(module).items():
        if name != DOCUMENT_TYPE:
            literals = union(ts_literal(arg) for arg in get_args(value))
            lines += type_alias(name, literals, _alias_doc(module, name))
    seen = [c for c in vars(module).values() if is_typeddict(c) and c.__module__ == module.__name__]
    seen = list(dict.fromkeys(seen))
    maps = _request_maps(module, request_types, seen)
    declared: list[str] = []
    i = 0
    while i < len(seen):  # declaring a TypedDict may meet others (from other modules)
        declared += _declare(seen[i], module, seen)
        i += 1
    return "\n".join(lines + declared + maps).rstrip("\n") + "\n"


def _alias_doc(module: types.ModuleType, name: str) -> str | None:
    """The string below `name = ...` at the top level of the module's source."""
    body = ast.parse(inspect.getsource(module)).body
    for i, statement in enumerate(body):
        targets = statement.targets if isinstance(statement, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == name for t in targets) and i + 1 < len(body):
            after = body[i + 1]
            if isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
                return str(after.value.value)
    return None
