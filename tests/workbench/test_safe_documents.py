"""Documents are data: adversarial text in any field never becomes code.

Every string field and every object of a document that uses every node type
gets text that breaks out of strings, comments and statements when pasted into
code. For each: validation returns problems or nothing (never raises); a valid
document lowers, its script and its notebook parse, and every statement passes
the allow-list; the kernel's validate, export, notebook and preview requests
answer without an internal error.
"""

from __future__ import annotations

import ast
import copy
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jno_lab.workbench import allowlist
from jno_lab.workbench.catalogue import NODE_TYPES
from jno_lab.workbench.document import new_document
from jno_lab.workbench.kernel import WorkbenchHandler
from jno_lab.workbench.lowering import lower
from jno_lab.workbench.notebook import to_notebook
from jno_lab.workbench.protocol import ERROR_CODES, json_safe
from jno_lab.workbench.session import Session
from jno_lab.workbench.validate import validate

ADVERSARIAL = [
    '"',
    "'",
    '"""',
    "'''",
    "\n",
    "\r",
    "\r\n",
    "\\",
    "\u2028",
    "\u2029",
    "\x85",
    "\x0b",
    "\x0c",
    "\x00",
    "\ud800",
    "\udfff",
    "#",
    ")",
    "]",
    "}",
    "{0}",
    "%s",
    "é²",
    "__import__('os').system('touch /tmp/jno-lab-pwned')",
    "'); __import__('os').system('id'); ('",
    '"""\nimport os\nos.system("id")\n"""',
    "\n__import__('os')\n",
    "x\\\n__import__('os')",
]
"""Fragments that break out of strings, comments or statements when pasted into code."""

PAYLOAD = "".join(ADVERSARIAL) + "a" * 5000
"""All of them at once, plus length."""


def edge(source: str, source_port: str, target: str, port: str) -> dict[str, str]:
    return {
        "source": source,
        "sourcePort": source_port,
        "target": target,
        "targetPort": port,
    }


_SOURCES = {
    "field": ("u0", "out"),
    "variable": ("v", "x"),
    "model": ("net", "model"),
    "loss": ("fit", "loss"),
}


def kitchen_sink() -> dict[str, Any]:
    """A valid document with every node type (one balancer), every tag kind and a schedule.

    Every string parameter is set (not left to its default), so it is a leaf to fuzz.
    """
    doc = new_document("kitchen sink")
    doc["meta"]["description"] = "every node type"
    geometry = doc["geometry"]
    geometry["primitives"].append(
        {"id": "hole", "type": "circle", "center": [0.5, 0.5], "radius": 0.1}
    )
    geometry["csg"] = {"op": "difference", "args": ["square", "hole"]}
    geometry["tags"] = [
        {"name": "left", "predicate": "x < 1e-9 and y >= 0"},
        {"name": "top", "edges": [[[0, 1], [1, 1]]]},
        {"name": "ring", "primitive": "hole"},
    ]
    geometry["sampling"] = {"interior": 16, "boundary": 8, "left": 4, "top": 4, "ring": 4}
    doc["training"]["phases"] = [
        {
            "name": "warm up",
            "optimizer": "adam",
            "learning_rate": {
                "kind": "exponential",
                "lr0": 1e-3,
                "decay_rate": 0.9,
                "decay_steps": 10,
            },
            "epochs": 2,
        }
    ]
    doc["layout"] = {"note": "layout text", "nodes": {"v": [0, 0]}}
    nodes = doc["graph"]["nodes"]
    edges = doc["graph"]["edges"]
    nodes += [
        {"id": "v", "type": "variables", "params": {"tag": "interior"}, "label": "points"},
        {
            "id": "net",
            "type": "mlp",
            "params": {"in_size": 2, "hidden": 4, "depth": 1, "name": "u", "activation": "tanh"},
        },
        {"id": "u", "type": "call", "params": {"inputs": 2}},
        {"id": "u0", "type": "component"},
        {"id": "fit", "type": "loss", "params": {"kind": "mse"}},
        {"id": "c", "type": "constraint"},
    ]
    edges += [
        edge("net", "model", "u", "model"),
        edge("v", "x", "u", "in1"),
        edge("v", "y", "u", "in2"),
        edge("u", "out", "u0", "value"),
        edge("u0", "out", "fit", "residual"),
        edge("fit", "loss", "c", "loss"),
    ]
    skip = {"variables", "mlp", "call", "component", "loss", "constraint"}
    balancers = [k for k, t in NODE_TYPES.items() if t.role == "balancer"]
    for kind in sorted(set(NODE_TYPES) - skip - set(balancers[1:])):
        node_type = NODE_TYPES[kind]
        node_id = f"p_{kind}"
        params = copy.deepcopy(node_type.defaults())
        for key, spec in node_type.params.get("properties", {}).items():
            if spec.get("type") == "string" and "enum" not in spec:
                params[key] = f"{kind} {key}"
        if kind == "function":
            params.update(inputs=1, expression="jnp.sin(a) * 2")
        if kind == "variables":
            params["tag"] = "left"
        nodes.append({"id": node_id, "type": kind, "params": params, "label": f"{kind} node"})
        for port in node_type.input_ports(params):
            edges.append(edge(*_SOURCES[port.type], node_id, port.name))
        outputs = node_type.outputs
        if outputs and outputs[0].type == "model":
            nodes.append({"id": f"{node_id}_call", "type": "call", "params": {"inputs": 2}})
            edges += [
                edge(node_id, "model", f"{node_id}_call", "model"),
                edge("v", "x", f"{node_id}_call", "in1"),
                edge("v", "y", f"{node_id}_call", "in2"),
            ]
    return doc


def string_paths(value: Any, path: tuple = ()) -> Iterator[tuple]:
    """Paths of every string in a JSON value (list indices and dict keys)."""
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from string_paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from string_paths(item, (*path, i))


def object_paths(value: Any, path: tuple = ()) -> Iterator[tuple]:
    """Paths of every JSON object (where a free-form key could be added)."""
    if isinstance(value, dict):
        yield path
        for key, item in value.items():
            yield from object_paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from object_paths(item, (*path, i))


def get(document: Any, path: tuple) -> Any:
    for part in path:
        document = document[part]
    return document


def with_string(document: dict[str, Any], path: tuple, text: str) -> dict[str, Any]:
    """A copy of `document` with the string at `path` replaced by `text`.

    Node ids, primitive ids and tag names are renamed everywhere they are used,
    so the document stays consistent and the text reaches the lowering.
    """
    doc = copy.deepcopy(document)
    old = get(doc, path)
    parent = get(doc, path[:-1])
    parent[path[-1]] = text
    if path[:2] == ("graph", "nodes") and path[3:] == ("id",):
        for e in doc["graph"]["edges"]:
            for end in ("source", "target"):
                if e[end] == old:
                    e[end] = text
    elif path[:2] == ("geometry", "primitives") and path[3:] == ("id",):
        doc["geometry"]["csg"] = _rename_csg(doc["geometry"]["csg"], old, text)
        for tag in doc["geometry"]["tags"]:
            if tag.get("primitive") == old:
                tag["primitive"] = text
    elif path[:2] == ("geometry", "tags") and path[3:] == ("name",):
        sampling = doc["geometry"]["sampling"]
        if old in sampling:
            sampling[text] = sampling.pop(old)
        for node in doc["graph"]["nodes"]:
            if node.get("params", {}).get("tag") == old:
                node["params"]["tag"] = text
    return doc


def with_key(document: dict[str, Any], path: tuple, key: str) -> dict[str, Any]:
    """A copy of `document` with an extra entry `key` in the object at `path`."""
    doc = copy.deepcopy(document)
    target = get(doc, path)
    target[key] = 1e-3 if path[-1:] == ("learning_rate",) else key
    return doc


def _rename_csg(tree: Any, old: str, new: str) -> Any:
    if isinstance(tree, str):
        return new if tree == old else tree
    return {"op": tree["op"], "args": [_rename_csg(a, old, new) for a in tree["args"]]}


BASE = kitchen_sink()
STRING_PATHS = list(string_paths(BASE))
OBJECT_PATHS = list(object_paths(BASE))
HANDLER = WorkbenchHandler(lambda message, buffers: None, session=Session(), namespace={})

FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=not os.environ.get("JNO_LAB_FUZZ_FRESH"),
)


def check_document(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Validate, lower and export `document`; assert nothing escapes. Returns its problems."""
    problems = validate(document)
    assert isinstance(problems, list)
    json.dumps(json_safe(problems))
    if problems:
        for p in problems:
            assert isinstance(p["message"], str)
            assert p["message"]
        return problems
    program = lower(document)
    assert allowlist.check(program, document) == []
    source = program.to_source()
    ast.parse(source)
    if not program.code_nodes:
        assert allowlist.check_source(source) == []
    notebook = to_notebook(program, document, "fuzzed.jnolab")
    cells = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    ast.parse(cells)
    (title,) = [c for c in notebook["cells"] if c["id"] == "title"]
    heading, rest = "".join(title["source"]).split("\n\n", 1)
    assert heading.startswith("# ")
    assert heading.isprintable()
    assert rest.startswith("Exported from jNO Lab")
    return problems


def check_kernel(document: dict[str, Any]) -> None:
    """The kernel requests that never run code answer cleanly."""
    for request in ("validate", "export", "notebook", "preview_geometry"):
        reply, _ = HANDLER.handle(
            {"id": "r", "type": request, "document": copy.deepcopy(document)}, []
        )
        if not reply["ok"]:
            assert reply["error"]["code"] in ERROR_CODES
            assert reply["error"]["code"] != "internal", reply["error"]["message"]


def test_the_base_document_is_valid_and_uses_every_node_type():
    assert check_document(BASE) == []
    used = {n["type"] for n in BASE["graph"]["nodes"]}
    balancers = {k for k, t in NODE_TYPES.items() if t.role == "balancer"}
    assert set(NODE_TYPES) - used <= balancers
    assert len(STRING_PATHS) > 300
    assert len(OBJECT_PATHS) > 100


@pytest.mark.parametrize("path", STRING_PATHS, ids=lambda p: "/".join(map(str, p)))
def test_adversarial_text_in_every_string_field(path):
    check_document(with_string(BASE, path, PAYLOAD))


@pytest.mark.parametrize("path", OBJECT_PATHS, ids=lambda p: "/".join(map(str, p)) or "root")
def test_adversarial_key_in_every_object(path):
    check_document(with_key(BASE, path, PAYLOAD[:200]))


def test_the_kernel_answers_adversarial_documents_cleanly():
    for path in STRING_PATHS[::7]:
        check_kernel(with_string(BASE, path, PAYLOAD))


TEXT = st.lists(st.sampled_from(ADVERSARIAL) | st.text(max_size=8), max_size=6).map("".join)


@FUZZ
@given(st.sampled_from(STRING_PATHS), TEXT)
def test_fuzz_strings(path, text):
    check_document(with_string(BASE, path, text))


@FUZZ
@given(st.sampled_from(OBJECT_PATHS), TEXT)
def test_fuzz_keys(path, text):
    check_document(with_key(BASE, path, text))


@pytest.mark.slow
@settings(FUZZ, max_examples=4000)
@given(st.sampled_from(STRING_PATHS), TEXT)
def test_fuzz_strings_long(path, text):
    check_document(with_string(BASE, path, text))


@pytest.mark.slow
@settings(FUZZ, max_examples=1500)
@given(st.sampled_from(OBJECT_PATHS), TEXT)
def test_fuzz_keys_long(path, text):
    check_document(with_key(BASE, path, text))
