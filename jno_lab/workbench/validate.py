"""Validation of a workbench document: every problem at once, each naming node and port.

Nothing in the document is executed: custom code and tag predicates are only
compiled (for syntax errors).
"""

from __future__ import annotations

import sys
from typing import Any, TypedDict

import jsonschema

from .catalogue import ACCEPTS, NODE_TYPES
from .document import FORMAT, VERSION, schema
from .graph import Graph


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
    return problems


def _schema_problems(document: dict[str, Any]) -> list[Problem]:
    validator = jsonschema.Draft202012Validator(schema())
    out = []
    nodes = (
        document.get("graph", {}).get("nodes") if isinstance(document.get("graph"), dict) else None
    )
    for err in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path))):
        path = list(err.path)
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


def _geometry_problems(geometry: dict[str, Any]) -> list[Problem]:
    out = [
        problem(
            "geometry",
            f"geometry/{where}: an integer of about {digits} digits is too large for a "
            f"coordinate (a float64 holds at most {_FLOAT_MAX:.3g}); rescale the problem",
        )
        for where, digits in _huge_numbers(geometry, "")
    ]
    ids = [p["id"] for p in geometry["primitives"]]
    if len(set(ids)) != len(ids):
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
                compile(f"lambda x, y: {tag['predicate']}", "<predicate>", "eval")
            except (SyntaxError, ValueError) as err:
                msg = f"tag {tag['name']!r}: the predicate is not a Python expression ({err.msg})"
                out.append(problem("syntax", msg))
        elif "primitive" in tag and tag["primitive"] not in ids:
            out.append(problem("geometry", f"tag {tag['name']!r} names an unknown primitive"))
        elif not {"predicate", "edges", "primitive"} & set(tag):
            out.append(
                problem("geometry", f"tag {tag['name']!r} needs a predicate, edges or a primitive")
            )
    return out


_FLOAT_MAX = sys.float_info.max


def _huge_numbers(value: Any, where: str) -> list[tuple[str, int]]:
    """Paths and decimal sizes of JSON integers too large to become floats.

    JSON Schema's "number" allows them; `str()` of one may itself refuse (Python's
    digit limit), hence the size from the bit length.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return (
            [(where.strip("/"), int(value.bit_length() * 0.30103) + 1)]
            if abs(value) > _FLOAT_MAX
            else []
        )
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return []
    return [hit for key, item in items for hit in _huge_numbers(item, f"{where}/{key}")]


def _csg_refs(tree: Any) -> list[str]:
    if isinstance(tree, str):
        return [tree]
    return [ref for arg in tree["args"] for ref in _csg_refs(arg)]


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
    ids = [n["id"] for n in nodes]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        out.append(problem("duplicate_id", f"two nodes have the id {dup!r}", dup))
    valid: dict[str, dict[str, Any]] = {}
    broken: set[str] = set()  # nodes with invalid parameters
    for node in nodes:
        if node["type"] not in NODE_TYPES:
            out.append(problem("unknown_type", f"unknown node type {node['type']!r}", node["id"]))
            continue
        kind = NODE_TYPES[node["type"]]
        params = node.get("params", {})
        errors = list(jsonschema.Draft202012Validator(kind.params).iter_errors(params))
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
            if missing in ids:
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
        outputs = _outputs(src, document)
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
        inputs = {p.name: p.type for p in dst_kind.input_ports(_params(dst))}
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
        called = any(
            e["source"] == node["id"]
            and e["targetPort"] == "model"
            and (valid.get(e["target"], {}).get("type") == "call" or e["target"] in broken)
            for e in document["graph"]["edges"]
        )
        if kind.outputs and kind.outputs[0].type == "model" and not called:
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


def _params(node: dict[str, Any]) -> dict[str, Any]:
    kind = NODE_TYPES[node["type"]]
    return {**kind.defaults(), **node.get("params", {})}


def _code_problems(node: dict[str, Any], kind: Any) -> list[Problem]:
    params = _params(node)
    text = params.get("expression", "")
    try:
        compile(str(text), f"<node {node['id']}>", "eval")
    except (SyntaxError, ValueError) as err:
        return [
            problem(
                "syntax",
                f"{kind.title}: not a Python expression ({err.msg})",
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
