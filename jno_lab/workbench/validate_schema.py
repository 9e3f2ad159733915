"""The document's JSON Schema errors, in path order, each naming its node.

>>> from jno_lab.workbench.document import new_document
>>> schema_problems({**new_document("copy"), "format": "other"})[0]["message"]
"not a workbench document: format must be 'jno-lab-workbench'"
"""

from __future__ import annotations

from typing import Any

import jsonschema

from .document import FORMAT, schema
from .validate_fast_schema import ANNOTATIONS, definition, surely_valid
from .validate_problem import Problem, problem

_VALIDATORS: dict[str, tuple[dict[str, Any], Any]] = {}


def validator(name: str, schema_: dict[str, Any]) -> Any:
    """A JSON Schema validator of `schema_`, built once per name (and schema object)."""
    cached = _VALIDATORS.get(name)
    if cached is None or cached[0] is not schema_:
        cached = _VALIDATORS[name] = (schema_, jsonschema.Draft202012Validator(schema_))
    return cached[1]


def schema_problems(document: dict[str, Any]) -> list[Problem]:
    """The document schema's errors, in path order.

    Nodes and edges that `surely_valid` accepts are left out of the (slow)
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
                    i for i, item in enumerate(items) if not surely_valid(item_schema, item, root)
                ]
                graph[key] = [items[i] for i in kept]
                indices[key] = kept
        checked = {**document, "graph": graph}
    errors = []
    for err in validator("", root).iter_errors(checked):
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
    if set(array) - ANNOTATIONS != {"type", "items"} or array["type"] != "array":
        return None
    items = array["items"]
    return items if isinstance(items, dict) else None


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """`node`, or the definition it only refers to (`{"$ref": "#/$defs/<name>"}`)."""
    if "$ref" not in node:
        return node
    found = definition(root, node["$ref"])
    if set(node) != {"$ref"} or found is None:
        raise KeyError(node["$ref"])
    return found
