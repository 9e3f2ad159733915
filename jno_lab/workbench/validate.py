"""Validation of a workbench document: every problem at once, each naming node and port.

Nothing in the document is executed: expressions are parsed into the
restricted grammar, custom code is only parsed, and a runnable document is
lowered and checked against the allow-list (`lowering_problems`).

Documents are shared files and may be crafted: before anything recursive runs
(JSON Schema, the CSG helpers, the lowering), one iterative pass bounds the
nesting (`MAX_DEPTH` levels of JSON, `MAX_CSG_DEPTH` CSG operations) and names
every value no document may hold (a float that is not finite, an integer too
large for a float64, a string or key with a lone surrogate). Those problems come
alone; the other checks run once they are fixed. Every check costs time linear
in the size of the document.
"""

from __future__ import annotations

import functools
import math
import re
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any, TypedDict

import jsonschema

from . import emit
from .catalogue import ACCEPTS, NODE_TYPES
from .catalogue.nodes_math import ARG_NAMES, code_body
from .document import FORMAT, VERSION, schema
from .graph import Graph

MAX_DEPTH = 100
"""Most levels of JSON nesting a document may have (the document object is level 1).

Enough for any CSG tree within `MAX_CSG_DEPTH` (two levels per operation); far
below Python's recursion limit for the recursive checks that run afterwards."""

MAX_CSG_DEPTH = 32
"""Most nested operations in a CSG tree (one operation takes any number of shapes)."""

MAX_LISTED = 100
"""Most problems about single values listed one by one (the rest are counted)."""


class Problem(TypedDict):
    """One validation problem; `node_id`/`port` say where (None for document-level ones)."""

    code: str
    message: str
    node_id: str | None
    port: str | None


def problem(
    code: str, message: str, node_id: str | None = None, port: str | None = None
) -> Problem:
    """A Problem record."""
    return {"code": code, "message": message, "node_id": node_id, "port": port}


def validate(document: Any) -> list[Problem]:
    """All problems of `document` (an empty list when it can be run)."""
    if not isinstance(document, dict):
        return [problem("document", "a workbench document is a JSON object")]
    problems = value_problems(document)
    if problems:
        return problems
    version = document.get("version")
    if isinstance(version, int) and version > VERSION:
        return [
            problem(
                "newer_version",
                f"this document has format version {version}, newer than this jNO Lab "
                f"understands ({VERSION}); upgrade with `pip install -U jno_lab`",
            )
        ]
    problems = _schema_problems(document)
    if problems:
        return problems
    problems += _geometry_problems(document["geometry"])
    problems += _graph_problems(document)
    problems += _training_problems(document)
    if not problems:
        problems += lowering_problems(document)
    return problems


# -- values no document may hold (iterative: safe on any nesting) ----------------------------
_FLOAT_MAX = sys.float_info.max
_SURROGATE = re.compile("[\ud800-\udfff]")


def value_problems(document: dict[str, Any]) -> list[Problem]:
    """Nesting beyond the limits and values no document may hold, each naming its path.

    Iterative, and visits each value once (shared containers, and so cycles, are
    not walked twice), so it ends on any Python object built of dicts and lists.
    """
    found: list[Problem] = []
    count = 0

    def report(code: str, keys: list[Any], message: str) -> None:
        nonlocal count
        count += 1
        if count <= MAX_LISTED:
            node_id, port = _located(document, keys)
            found.append(problem(code, f"{_path(keys)}: {message}", node_id, port))

    skip: Any = None  # a CSG tree already reported as too deep
    geometry = document.get("geometry")
    if isinstance(geometry, dict) and "csg" in geometry:
        deep = _csg_too_deep(geometry["csg"])
        if deep is not None:
            report(
                "depth",
                ["geometry", "csg", *deep],
                f"the CSG tree is nested more than {MAX_CSG_DEPTH} operations deep; flatten it "
                "(one union, difference or intersection takes any number of shapes)",
            )
            skip = geometry["csg"]
    # Containers met so far, as parallel lists (parent, key, depth): no tuple per value,
    # which keeps the garbage collector out of the walk of a large document.
    parents, keys, depths = [-1], [None], [1]

    def path(record: int, *last: Any) -> list[Any]:
        out = list(reversed(last))
        while record > 0:
            out.append(keys[record])
            record = parents[record]
        out.reverse()
        return out

    seen: set[int] = set()
    values: list[Any] = [document]
    records = [0]
    while values:
        value, record = values.pop(), records.pop()
        if id(value) in seen or value is skip:
            continue
        depth = depths[record]
        if depth > MAX_DEPTH:
            report(
                "depth",
                path(record),
                f"the document is nested more than {MAX_DEPTH} levels deep here; a workbench "
                "document never needs that many: remove the nesting",
            )
            continue
        seen.add(id(value))
        for key, item in value.items() if isinstance(value, dict) else enumerate(value):
            if isinstance(key, str) and not key.isascii() and _SURROGATE.search(key):
                report("text", path(record, key), _surrogate_message(key, "key"))
            if isinstance(item, str):
                if not item.isascii() and _SURROGATE.search(item):
                    report("text", path(record, key), _surrogate_message(item, "text"))
            elif isinstance(item, float):
                if not math.isfinite(item):
                    report("number", path(record, key), _non_finite_message(item))
            elif isinstance(item, int):
                if item > _FLOAT_MAX or item < -_FLOAT_MAX:
                    where = path(record, key)
                    coordinate = where[0] == "geometry"
                    code = "geometry" if coordinate else "number"
                    report(code, where, _huge_message(item, coordinate))
            elif isinstance(item, dict | list | tuple):
                parents.append(record)
                keys.append(key)
                depths.append(depth + 1)
                values.append(item)
                records.append(len(keys) - 1)
    if count > MAX_LISTED:
        found.append(
            problem(
                "values",
                f"{count - MAX_LISTED} more values like the ones above are not listed; "
                "fix those and validate again",
            )
        )
    return found


def _csg_too_deep(tree: Any) -> list[Any] | None:
    """The path (under the tree) of an operation nested more than `MAX_CSG_DEPTH` deep."""
    deepest: dict[int, int] = {}  # id -> deepest level walked (so each node at most that often)
    stack: list[tuple[Any, int, tuple[Any, ...]]] = [(tree, 1, ())]
    while stack:
        node, depth, where = stack.pop()
        if not isinstance(node, dict) or not isinstance(node.get("args"), list):
            continue
        if depth > MAX_CSG_DEPTH:
            return list(where)
        if deepest.get(id(node), 0) >= depth:
            continue
        deepest[id(node)] = depth
        stack.extend((arg, depth + 1, (*where, "args", i)) for i, arg in enumerate(node["args"]))
    return None


def _path(keys: list[Any]) -> str:
    """`a/b/0/c`, printable: lone surrogates escaped, odd keys by type only."""
    parts = []
    for key in keys:
        if isinstance(key, str):
            parts.append(_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", key))
        elif isinstance(key, int) and -(10**18) < key < 10**18:
            parts.append(str(key))
        else:
            parts.append(f"<{type(key).__name__} key>")
    return "/".join(parts) or "document"


def _located(document: dict[str, Any], keys: list[Any]) -> tuple[str | None, str | None]:
    """Node id and parameter a path points into (`graph/nodes/<i>/params/<name>/...`)."""
    if len(keys) < 3 or keys[:2] != ["graph", "nodes"] or not isinstance(keys[2], int):
        return None, None
    node = document["graph"]["nodes"][keys[2]]
    node_id = node.get("id") if isinstance(node, dict) else None
    if not isinstance(node_id, str) or _SURROGATE.search(node_id):
        return None, None
    port = keys[4] if len(keys) > 4 and keys[3] == "params" else None
    return node_id, port if isinstance(port, str) and not _SURROGATE.search(port) else None


def _surrogate_message(text: str, what: str) -> str:
    char = _SURROGATE.search(text)
    code = ord(char.group()) if char else 0
    return (
        f"the {what} holds a lone surrogate (U+{code:04X}), which is no character and "
        "cannot be saved as UTF-8; delete it or type the character again"
    )


def _non_finite_message(value: float) -> str:
    name = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return f"{name} is not a number a document may hold; use a finite number"


def _huge_message(value: int, in_geometry: bool) -> str:
    # `str()` of the integer may itself refuse (Python's digit limit): size from the bit length
    digits = int(value.bit_length() * 0.30103) + 1
    if in_geometry:
        return (
            f"an integer of about {digits} digits is too large for a coordinate (a float64 "
            f"holds at most {_FLOAT_MAX:.3g}); rescale the problem"
        )
    return (
        f"an integer of about {digits} digits is too large for any number of a document "
        f"(a float64 holds at most {_FLOAT_MAX:.3g}); use a smaller number"
    )


# -- JSON Schema ----------------------------------------------------------------------------
_VALIDATORS: dict[str, tuple[dict[str, Any], Any]] = {}


def _validator(name: str, schema_: dict[str, Any]) -> Any:
    """A JSON Schema validator of `schema_`, built once per name (and schema object)."""
    cached = _VALIDATORS.get(name)
    if cached is None or cached[0] is not schema_:
        cached = _VALIDATORS[name] = (schema_, jsonschema.Draft202012Validator(schema_))
    return cached[1]


def _schema_problems(document: dict[str, Any]) -> list[Problem]:
    """The document schema's errors, in path order.

    Nodes and edges that `_surely_valid` accepts are left out of the (slow)
    JSON Schema pass; the others keep their own indices in the paths.
    """
    root = schema()
    checked, indices = document, {}
    graph = document.get("graph")
    if isinstance(graph, dict):
        graph = dict(graph)
        for key in ("nodes", "edges"):
            item_schema = _item_schema(root, key)
            items = graph.get(key)
            if item_schema is not None and isinstance(items, list):
                kept = [
                    i for i, item in enumerate(items) if not _surely_valid(item_schema, item, root)
                ]
                graph[key] = [items[i] for i in kept]
                indices[key] = kept
        checked = {**document, "graph": graph}
    errors = []
    for err in _validator("", root).iter_errors(checked):
        path = list(err.path)
        if len(path) > 2 and path[0] == "graph" and path[1] in indices:
            path[2] = indices[path[1]][path[2]]
        errors.append((path, err))
    errors.sort(key=lambda pe: list(map(str, pe[0])))
    out = []
    original = document.get("graph")
    nodes = original.get("nodes") if isinstance(original, dict) else None
    for path, err in errors:
        node_id = None
        if path[:2] == ["graph", "nodes"] and len(path) > 2 and isinstance(nodes, list):
            index = path[2]
            if isinstance(index, int) and index < len(nodes) and isinstance(nodes[index], dict):
                node_id = (
                    nodes[index].get("id") if isinstance(nodes[index].get("id"), str) else None
                )
        where = "/".join(map(str, path)) or "document"
        if err.validator == "const" and path == ["format"]:
            message = f"not a workbench document: format must be {FORMAT!r}"
        else:
            message = f"{where}: {err.message}"
        out.append(problem("schema", message, node_id))
    return out


def _item_schema(root: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The schema of one entry of `graph/<key>`, when the array's schema is just its items."""
    try:
        graph = _resolve(root, root["properties"]["graph"])
        array = graph["properties"][key]
    except (KeyError, TypeError):
        return None
    if set(array) - _ANNOTATIONS != {"type", "items"} or array["type"] != "array":
        return None
    items = array["items"]
    return items if isinstance(items, dict) else None


def _definition(root: dict[str, Any] | None, ref: Any) -> dict[str, Any] | None:
    """The schema `ref` (`#/$defs/<name>`) names in `root`, or None."""
    if root is None or not isinstance(ref, str) or not ref.startswith("#/$defs/"):
        return None
    found = root.get("$defs", {}).get(ref.removeprefix("#/$defs/"))
    return found if isinstance(found, dict) else None


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """`node`, or the definition it only refers to (`{"$ref": "#/$defs/<name>"}`)."""
    if "$ref" not in node:
        return node
    found = _definition(root, node["$ref"])
    if set(node) != {"$ref"} or found is None:
        raise KeyError(node["$ref"])
    return found


_ANNOTATIONS = frozenset({"description", "default", "title", "examples", "$comment"})
Check = Callable[[Any], bool]


def _never(value: Any) -> bool:
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, int) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": _is_integer,
}
_BOUNDS: dict[str, Callable[[Any, Any], bool]] = {
    "minimum": lambda v, b: v >= b,
    "maximum": lambda v, b: v <= b,
    "exclusiveMinimum": lambda v, b: v > b,
    "exclusiveMaximum": lambda v, b: v < b,
}
_SIZES: dict[str, tuple[type, Callable[[int, Any], bool]]] = {
    "minLength": (str, lambda n, b: n >= b),
    "maxLength": (str, lambda n, b: n <= b),
    "minItems": (list, lambda n, b: n >= b),
    "maxItems": (list, lambda n, b: n <= b),
}
_CHECKS: dict[int, tuple[dict[str, Any], Check]] = {}


def _surely_valid(rules: dict[str, Any], value: Any, root: dict[str, Any] | None = None) -> bool:
    """True only when JSON Schema `rules` surely accept `value` (a fast check).

    Knows the keywords of the node, edge and parameter schemas, with
    `jsonschema`'s meaning (`$ref` to the `$defs` of `root`); a schema with
    anything else (another keyword, an enum of non-strings) answers False,
    which leaves the value to `jsonschema`. Compiled once per schema.
    """
    cached = _CHECKS.get(id(rules))
    if cached is None or cached[0] is not rules:
        cached = _CHECKS[id(rules)] = (rules, _compile(rules, root, 0))
    return cached[1](value)


def _compile(rules: Any, root: dict[str, Any] | None, depth: int) -> Check:
    """A function answering `_surely_valid(rules, value)` (`_never` if unsure)."""
    if depth > 8 or not isinstance(rules, dict):
        return _never
    tests: list[Check] = []
    for key, rule in rules.items():
        if key in _ANNOTATIONS or (key == "additionalProperties" and rule is True):
            continue
        test = _keyword_check(key, rule, rules, root, depth)
        if test is None:
            return _never
        tests.append(test)
    return functools.reduce(_both, tests) if tests else (lambda v: True)


def _both(first: Check, second: Check) -> Check:
    return lambda v: first(v) and second(v)


def _keyword_check(
    key: str, rule: Any, rules: dict[str, Any], root: dict[str, Any] | None, depth: int
) -> Check | None:
    """The test of one keyword, or None when it is not one `_surely_valid` knows."""
    if key == "type":
        kinds = rule if isinstance(rule, list) else [rule]
        if not all(isinstance(kind, str) and kind in _TYPES for kind in kinds):
            return None
        tests = [_TYPES[kind] for kind in kinds]
        return tests[0] if len(tests) == 1 else (lambda v: any(t(v) for t in tests))
    if key == "properties" and isinstance(rule, dict):
        subs = [(name, _compile(sub, root, depth + 1)) for name, sub in rule.items()]

        def properties(value: Any) -> bool:
            if isinstance(value, dict):
                for name, sub in subs:
                    if name in value and not sub(value[name]):
                        return False
            return True

        return properties
    if key == "required" and isinstance(rule, list):
        names = tuple(rule)
        return lambda v: not isinstance(v, dict) or all(name in v for name in names)
    if key == "additionalProperties" and rule is False and "patternProperties" not in rules:
        known = frozenset(rules.get("properties", {}))
        return lambda v: not isinstance(v, dict) or known.issuperset(v)
    if key == "items" and isinstance(rule, dict) and "prefixItems" not in rules:
        item = _compile(rule, root, depth + 1)
        return lambda v: not isinstance(v, list) or all(item(x) for x in v)
    if key == "enum" and isinstance(rule, list) and all(isinstance(x, str) for x in rule):
        options = frozenset(rule)
        return lambda v: isinstance(v, str) and v in options
    if key == "pattern" and isinstance(rule, str):
        search = re.compile(rule).search  # what jsonschema does: `re.search`
        return lambda v: not isinstance(v, str) or search(v) is not None
    if key == "propertyNames":
        name_check = _compile(rule, root, depth + 1)
        return lambda v: not isinstance(v, dict) or all(name_check(name) for name in v)
    if key == "$ref":
        found = _definition(root, rule)
        return None if found is None else _compile(found, root, depth + 1)
    if key in _BOUNDS and _is_number(rule):
        compare = _BOUNDS[key]
        return lambda v: not _is_number(v) or compare(v, rule)
    if key in _SIZES and isinstance(rule, int):
        kind, fits = _SIZES[key]
        return lambda v: not isinstance(v, kind) or fits(len(v), rule)
    return None


def _geometry_problems(geometry: dict[str, Any]) -> list[Problem]:
    out: list[Problem] = []
    listed = [p["id"] for p in geometry["primitives"]]
    ids = set(listed)
    if len(ids) != len(listed):
        out.append(problem("geometry", "primitive ids must be unique"))
    dimension = geometry["dimension"]
    kinds = {p["type"] for p in geometry["primitives"]}
    if dimension == 1 and kinds != {"interval"}:
        out.append(problem("geometry", "a 1-D geometry is one interval primitive"))
    if dimension == 2 and "interval" in kinds:
        out.append(problem("geometry", "interval primitives are for 1-D geometries"))
    required = {
        "interval": ("x",),
        "rectangle": ("x", "y"),
        "circle": ("center", "radius"),
        "ellipse": ("center", "radii"),
        "polygon": ("points",),
    }
    for p in geometry["primitives"]:
        missing = [k for k in required[p["type"]] if k not in p]
        if missing:
            out.append(problem("geometry", f"primitive {p['id']!r} lacks {', '.join(missing)}"))
    for ref in _csg_refs(geometry["csg"]):
        if ref not in ids:
            out.append(problem("geometry", f"the CSG tree names an unknown primitive {ref!r}"))
    if dimension == 1 and geometry.get("tags"):
        out.append(
            problem(
                "geometry",
                "1-D geometries have the tags interior, boundary, left and "
                "right only; named tags need a 2-D geometry",
            )
        )
    for tag in geometry.get("tags", []):
        if "predicate" in tag:
            try:
                emit.expression(tag["predicate"], "predicate", ("x", "y"), kind="predicate")
            except emit.UnsafeValue as err:
                msg = f"tag {tag['name']!r}: not a predicate of x and y ({err.reason})"
                out.append(problem("syntax", msg))
        elif "primitive" in tag and tag["primitive"] not in ids:
            out.append(problem("geometry", f"tag {tag['name']!r} names an unknown primitive"))
        elif not {"predicate", "edges", "primitive"} & set(tag):
            out.append(
                problem("geometry", f"tag {tag['name']!r} needs a predicate, edges or a primitive")
            )
    return out


def _csg_refs(tree: Any) -> list[str]:
    """The primitives a (schema-valid) CSG tree names, left to right."""
    refs = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            refs.append(node)
        else:
            stack.extend(reversed(node["args"]))
    return refs


def known_tags(geometry: dict[str, Any]) -> set[str]:
    """Tags a document's domain will have."""
    tags = {"interior", "boundary"}
    if geometry["dimension"] == 1:
        tags |= {"left", "right"}
    if geometry.get("time"):
        tags.add("initial")
    tags |= {t["name"] for t in geometry.get("tags", [])}
    return tags


def _outputs(node: dict[str, Any], document: dict[str, Any]) -> dict[str, str]:
    """Output ports that exist for this node in this document, with their types."""
    kind = NODE_TYPES[node["type"]]
    ports = {p.name: p.type for p in kind.outputs}
    if node["type"] == "variables":
        geometry = document["geometry"]
        dims = geometry["dimension"]
        present = ["x", "y"][:dims] + (["t"] if geometry.get("time") else [])
        if node.get("params", {}).get("normals"):
            present += ["nx", "ny"][:dims]
        ports = {k: v for k, v in ports.items() if k in present}
    return ports


def _graph_problems(document: dict[str, Any]) -> list[Problem]:
    out: list[Problem] = []
    graph = Graph(document)
    nodes = document["graph"]["nodes"]
    counts = Counter(n["id"] for n in nodes)
    for dup in sorted(i for i, n in counts.items() if n > 1):
        out.append(problem("duplicate_id", f"two nodes have the id {dup!r}", dup))
    valid: dict[str, dict[str, Any]] = {}
    broken: set[str] = set()  # nodes with invalid parameters
    for node in nodes:
        if node["type"] not in NODE_TYPES:
            out.append(problem("unknown_type", f"unknown node type {node['type']!r}", node["id"]))
            continue
        kind = NODE_TYPES[node["type"]]
        params = node.get("params", {})
        errors = (
            []
            if _surely_valid(kind.params, params)
            else list(_validator(node["type"], kind.params).iter_errors(params))
        )
        for err in errors:
            name = str(err.path[0]) if err.path else None
            out.append(problem("param", f"{kind.title}: {err.message}", node["id"], name))
        if errors:
            broken.add(node["id"])
            continue  # its ports depend on its params: check its edges once they are fixed
        valid[node["id"]] = node
        if kind.code:
            out += _code_problems(node, kind)
    tags = known_tags(document["geometry"])
    sampling = document["geometry"].get("sampling") or {}
    meshed = document["geometry"]["dimension"] == 1  # a 1-D line has grid points
    for node in valid.values():
        if node["type"] == "variables":
            params = node.get("params", {})
            tag = params.get("tag", "interior")
            if tag not in tags:
                known = ", ".join(sorted(tags))
                out.append(
                    problem("unknown_tag", f"unknown tag {tag!r} (known: {known})", node["id"])
                )
            elif params.get("normals") and tag in ("interior", "initial"):
                out.append(
                    problem(
                        "no_normals",
                        f"tag {tag!r} has no normals (only boundary tags have them): turn "
                        "normals off, or pick a boundary tag",
                        node["id"],
                    )
                )
            elif not meshed and params.get("sample") is None and sampling.get(tag) is None:
                out.append(
                    problem(
                        "no_points",
                        f"tag {tag!r} has no sample count: set the node's points, or the "
                        f"tag's points in the geometry's sampling",
                        node["id"],
                    )
                )
    fed: dict[tuple[str, str], int] = {}
    ports_out: dict[str, dict[str, str]] = {}  # per node, computed once
    ports_in: dict[str, dict[str, str]] = {}
    for edge in document["graph"]["edges"]:
        src, dst = valid.get(edge["source"]), valid.get(edge["target"])
        if edge["source"] in broken or edge["target"] in broken:
            if dst is not None:  # assume the edge is right until its node is fixed
                fed[(dst["id"], edge["targetPort"])] = (
                    fed.get((dst["id"], edge["targetPort"]), 0) + 1
                )
            continue
        if src is None or dst is None:
            missing = edge["source"] if src is None else edge["target"]
            if missing in counts:
                continue  # its node already has a problem
            out.append(
                problem(
                    "dangling_edge",
                    f"edge to or from an unknown node {missing!r}",
                    edge["target"] if dst is not None else None,
                    edge["targetPort"],
                )
            )
            continue
        outputs = ports_out.get(src["id"])
        if outputs is None:
            outputs = ports_out[src["id"]] = _outputs(src, document)
        if edge["sourcePort"] not in outputs:
            out.append(
                problem(
                    "unknown_port",
                    f"node {src['id']!r} has no output {edge['sourcePort']!r} here",
                    src["id"],
                    edge["sourcePort"],
                )
            )
            continue
        dst_kind = NODE_TYPES[dst["type"]]
        inputs = ports_in.get(dst["id"])
        if inputs is None:
            ports = dst_kind.input_ports(_params(dst))
            inputs = ports_in[dst["id"]] = {p.name: p.type for p in ports}
        port = edge["targetPort"]
        if port not in inputs:
            out.append(
                problem("unknown_port", f"{dst_kind.title} has no input {port!r}", dst["id"], port)
            )
            continue
        if outputs[edge["sourcePort"]] not in ACCEPTS[inputs[port]]:
            out.append(
                problem(
                    "type_mismatch",
                    f"input {port!r} takes a {inputs[port]}, not the "
                    f"{outputs[edge['sourcePort']]} from {src['id']!r}",
                    dst["id"],
                    port,
                )
            )
        fed[(dst["id"], port)] = fed.get((dst["id"], port), 0) + 1
    called = {  # nodes whose output feeds the model input of a call (or of a broken node)
        e["source"]
        for e in document["graph"]["edges"]
        if e["targetPort"] == "model"
        and (valid.get(e["target"], {}).get("type") == "call" or e["target"] in broken)
    }
    for (node_id, port), count in fed.items():
        if count > 1:
            out.append(
                problem("duplicate_input", f"{count} edges feed input {port!r}", node_id, port)
            )
    for node in valid.values():
        kind = NODE_TYPES[node["type"]]
        for port in kind.input_ports(_params(node)):
            if port.required and (node["id"], port.name) not in fed:
                out.append(
                    problem(
                        "missing_input",
                        f"{kind.title}: input {port.name!r} is not connected",
                        node["id"],
                        port.name,
                    )
                )
        if kind.outputs and kind.outputs[0].type == "model" and node["id"] not in called:
            out.append(
                problem("unused_model", f"network {node['id']!r} is never called", node["id"])
            )
    cycle = graph.cycle()
    if cycle:
        out.append(problem("cycle", f"the graph has a cycle: {' -> '.join(cycle)}", cycle[0]))
    if not any(n["type"] == "constraint" for n in valid.values()):
        out.append(problem("no_constraint", "add at least one Constraint node: nothing to train"))
    balancers = [n for n in valid.values() if NODE_TYPES[n["type"]].role == "balancer"]
    for extra in balancers[1:]:
        out.append(
            problem(
                "duplicate_balancer",
                f"{balancers[0]['id']!r} already balances the constraints; remove this second "
                "balancer (one balancer weights all constraints)",
                extra["id"],
            )
        )
    return out


_DEFAULTS: dict[str, tuple[Any, dict[str, Any]]] = {}


def _params(node: dict[str, Any]) -> dict[str, Any]:
    """The node's parameters, defaults filled in (the defaults read once per node type)."""
    kind = NODE_TYPES[node["type"]]
    cached = _DEFAULTS.get(node["type"])
    if cached is None or cached[0] is not kind:
        cached = _DEFAULTS[node["type"]] = (kind, kind.defaults())
    return {**cached[1], **node.get("params", {})}


def _code_problems(node: dict[str, Any], kind: Any) -> list[Problem]:
    """A custom function's expression: of the grammar, or one Python expression if code."""
    params = _params(node)
    text = params.get("expression", "")
    try:
        if params.get("code"):
            code_body(text)
        else:
            variables = ARG_NAMES[: int(params.get("inputs", 1))]
            emit.expression(text, "expression", variables, kind="function")
    except emit.UnsafeValue as err:
        hint = "" if params.get("code") else "; mark the node as code to run other Python"
        return [
            problem(
                "syntax",
                f"{kind.title}: {err.reason}{hint}",
                node["id"],
                "expression",
            )
        ]
    return []


def _training_problems(document: dict[str, Any]) -> list[Problem]:
    phases = document["training"]["phases"]
    if not phases:
        return [problem("empty_plan", "the training plan has no phase")]
    n_constraints = sum(1 for n in document["graph"]["nodes"] if n.get("type") == "constraint")
    out = []
    for i, phase in enumerate(phases):
        inner = phase.get("inner_steps")
        if inner and phase["epochs"] % inner:
            out.append(
                problem(
                    "plan",
                    f"phase {i + 1}: inner_steps={inner} must divide epochs={phase['epochs']}",
                )
            )
        weights = phase.get("weights")
        if weights is not None and len(weights) != n_constraints:
            out.append(
                problem(
                    "plan", f"phase {i + 1}: {len(weights)} weights for {n_constraints} constraints"
                )
            )
    return out


def lowering_problems(document: dict[str, Any]) -> list[Problem]:
    """Problems found by lowering a document that passed every other check.

    Values the emitters refuse and statements outside the allow-list (see
    `allowlist`) become problems naming their node and field; nothing runs.
    """
    from .lowering import LoweringError, lower

    try:
        lower(document)
    except LoweringError as err:
        return [
            problem("unsafe", f"{field}: {message}", node_id, field if node_id else None)
            for node_id, field, message in err.problems
        ]
    except RecursionError:
        return [problem("document", "the document is nested too deeply to lower")]
    return []
