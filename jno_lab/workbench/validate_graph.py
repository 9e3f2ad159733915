"""Graph checks of a schema-valid document: node types, parameters, ports, edges and tags.

>>> from jno_lab.workbench.document import new_document
>>> [p["code"] for p in graph_problems(new_document("empty"))]
['no_constraint']
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from . import emit
from .catalogue import ACCEPTS, NODE_TYPES
from .catalogue.nodes_math import ARG_NAMES, code_body
from .graph import Graph
from .validate_fast_schema import surely_valid
from .validate_geometry import known_tags
from .validate_problem import Problem, problem
from .validate_schema import validator


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


def graph_problems(document: dict[str, Any]) -> list[Problem]:
    """Problems of the graph: each names its node and port."""
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
            if surely_valid(kind.params, params)
            else list(validator(node["type"], kind.params).iter_errors(params))
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
