"""Fuzzing the workbench kernel handler: whatever arrives, a well-formed reply and no stray run.

Requests are arbitrary JSON-ish values, request-shaped messages with random
fields, and valid documents mutated (keys dropped, wrong types, unknown node
types, dangling edges, huge numbers, odd unicode). The session is a real one
whose `start` only records: a run may only start for a `run` request whose
document validates.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jno_lab.workbench.document import load, new_document
from jno_lab.workbench.kernel import WorkbenchHandler
from jno_lab.workbench.protocol import ERROR_CODES, REQUEST_FIELDS, REQUEST_TYPES, json_safe
from jno_lab.workbench.session import Session
from jno_lab.workbench.validate import validate

REPO = Path(__file__).resolve().parents[2]

BASE = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FAST = settings(BASE, derandomize=True)  # the same examples on every run
LONG = settings(BASE, derandomize=not os.environ.get("JNO_LAB_FUZZ_FRESH"))
"""Every run is reproducible; `JNO_LAB_FUZZ_FRESH=1` makes the long runs draw new examples
(exploratory fuzzing: a failure prints the `@reproduce_failure` blob to pin it)."""


# -- the handler under test ----------------------------------------------------------------
class RecordingSession(Session):
    """A real Session whose `start` records the plan instead of training."""

    def __init__(self) -> None:
        super().__init__()
        self.started: list[Any] = []

    def start(self, crux: Any, phases: Any, callbacks: Any = ()) -> None:
        self.started.append((crux, list(phases)))


SESSION = RecordingSession()
HANDLER = WorkbenchHandler(
    lambda message, buffers: None, session=SESSION, namespace={"crux": object(), "n": 1}
)


def check(message: Any) -> dict[str, Any]:
    """Send one message; check the reply's structure and that no run starts wrongly."""
    before = len(SESSION.started)
    reply, buffers = HANDLER.handle(message, [])
    assert isinstance(reply, dict)
    json.dumps(reply, allow_nan=False, ensure_ascii=False).encode("utf-8")
    assert isinstance(reply["ok"], bool)
    assert reply["id"] is None or isinstance(reply["id"], str)
    assert isinstance(reply["type"], str)
    assert reply["type"].endswith(".reply")
    if isinstance(message, dict) and isinstance(message.get("id"), str):
        assert reply["id"] == json.loads(json.dumps(reply["id"]))
    assert isinstance(buffers, list)
    assert all(isinstance(b, bytes) for b in buffers)
    if reply["ok"]:
        assert "error" not in reply
    else:
        error = reply["error"]
        assert set(error) == {"code", "message", "node_id", "port"}
        assert error["code"] in ERROR_CODES
        assert error["code"] != "internal", error["message"]
        assert isinstance(error["message"], str)
        assert error["message"]
        assert error["node_id"] is None or isinstance(error["node_id"], str)
        assert error["port"] is None or isinstance(error["port"], str)
        assert buffers == []
    if reply["ok"] and reply["type"] == "preview_geometry.reply":
        assert len(buffers) == len(reply["buffers"])
        for info, data in zip(reply["buffers"], buffers, strict=True):
            assert len(data) == 4 * info["shape"][0] * info["shape"][1]
    started = len(SESSION.started) - before
    is_run = isinstance(message, dict) and message.get("type") == "run"
    if started:
        assert is_run
        assert reply["ok"]
        assert started == 1
        assert validate(json_safe(message["document"])) == []
    else:
        assert not (is_run and reply["ok"])
    assert SESSION.status["state"] == "idle"
    return reply


# -- strategies ----------------------------------------------------------------------------
WEIRD_STRINGS = [
    "",
    "\x00",
    "\ud800",
    "\udfff tail",
    "\U0001f600\u202e\u0301",
    "x" * 5000,
    "interior",
    "boundary",
    "__import__('os').system('false')",
    "1/0",
    "{",
    "a.b",
]
HUGE_NUMBERS = [
    10**30,
    -(10**30),
    2**63,
    10**400,
    1e308,
    -1e308,
    5e-324,
    0,
    -1,
    float("nan"),
    float("inf"),
    float("-inf"),
    True,
]

leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(WEIRD_STRINGS)
    | st.sampled_from(HUGE_NUMBERS)
)
json_values = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.sampled_from(WEIRD_STRINGS), inner, max_size=4)
    ),
    max_leaves=12,
)
ids = st.text(max_size=10) | st.sampled_from(WEIRD_STRINGS) | json_values
types = st.sampled_from(REQUEST_TYPES) | st.text(max_size=12) | json_values

loose_requests = st.fixed_dictionaries(
    {"id": ids, "type": types},
    optional={
        "protocol": json_values,
        "document": json_values,
        "expression": json_values,
        "extra": json_values,
    },
)
FIELD_VALUES = {
    "protocol": st.sampled_from([1, 0, 2, -1, 10**40, True, "1"]) | json_values,
    "document": json_values,
    "expression": st.sampled_from(["crux", "n", "n.real", "n.nope", "nothing", "a b", "1+1"])
    | json_values,
}


def _typed_request(request_type: str) -> st.SearchStrategy[dict[str, Any]]:
    fields = {name: FIELD_VALUES[name] for name in REQUEST_FIELDS[request_type]}
    return st.fixed_dictionaries(
        {"id": st.text(max_size=10) | ids, "type": st.just(request_type), **fields},
        optional={"extra": json_values},
    )


typed_requests = st.sampled_from(REQUEST_TYPES).flatmap(_typed_request)
request_shaped = typed_requests | loose_requests


def _base_documents() -> list[dict[str, Any]]:
    poisson = load(REPO / "examples" / "poisson.jnolab")
    poisson["training"]["phases"][0].update(epochs=200, inner_steps=100)
    line = new_document("line")
    line["geometry"] = {
        "dimension": 1,
        "primitives": [{"id": "rod", "type": "interval", "x": [0, 1]}],
        "csg": "rod",
        "tags": [],
        "sampling": {"interior": 64, "boundary": 2},
        "time": {"t0": 0, "t1": 1, "steps": 4},
    }
    holed = new_document("holed")
    holed["geometry"]["primitives"].append(
        {"id": "hole", "type": "ellipse", "center": [0.5, 0.5], "radii": [0.2, 0.1], "angle": 30}
    )
    holed["geometry"]["csg"] = {"op": "difference", "args": ["square", "hole"]}
    holed["geometry"]["tags"] = [
        {"name": "left", "predicate": "x < 1e-9"},
        {"name": "top", "edges": [[[0, 1], [1, 1]]]},
        {"name": "ring", "primitive": "hole"},
    ]
    return [poisson, line, holed]


BASES = _base_documents()
for _base in BASES[:1]:
    assert validate(_base) == [], validate(_base)


def _slots(value: Any, out: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key) pair of a document, depth first."""
    if isinstance(value, dict):
        for key in list(value):
            out.append((value, key))
            _slots(value[key], out)
    elif isinstance(value, list):
        for index in range(len(value)):
            out.append((value, index))
            _slots(value[index], out)
    return out


def _graph_list(document: dict[str, Any], key: str) -> list[Any] | None:
    graph = document.get("graph")
    if isinstance(graph, dict) and isinstance(graph.get(key), list):
        return graph[key]
    return None


def mutate(document: dict[str, Any], op: str, where: int, value: Any) -> None:
    """Apply one mutation in place."""
    slots = _slots(document, [])
    container, key = slots[where % len(slots)] if slots else (document, "format")
    if op == "drop":
        if isinstance(container, dict):
            container.pop(key, None)
        elif key < len(container):
            container.pop(key)
    elif op == "replace":
        container[key] = value
    elif op == "huge":
        container[key] = HUGE_NUMBERS[where % len(HUGE_NUMBERS)]
    elif op == "unicode":
        container[key] = WEIRD_STRINGS[where % len(WEIRD_STRINGS)]
    elif op == "wrap":
        container[key] = [container[key]]
    elif op == "unknown_node" and (nodes := _graph_list(document, "nodes")) is not None:
        nodes.append({"id": f"n{where}", "type": value if isinstance(value, str) else "zzz"})
    elif op == "dangling_edge" and (edges := _graph_list(document, "edges")) is not None:
        edges.append(
            {"source": "ghost", "sourcePort": "out", "target": "pde", "targetPort": "loss"}
        )
    elif op == "duplicate" and (nodes := _graph_list(document, "nodes")):
        nodes.append(copy.deepcopy(nodes[where % len(nodes)]))
    elif op == "benign":
        _benign(document, where, value)
    elif op == "rewire" and (edges := _graph_list(document, "edges")):
        edge = edges[where % len(edges)]
        if isinstance(edge, dict):
            edge["targetPort"] = value if isinstance(value, str) else "nope"


def _benign(document: dict[str, Any], where: int, value: Any) -> None:
    """A change that keeps a valid document valid, with odd but allowed values."""
    weird = WEIRD_STRINGS[where % len(WEIRD_STRINGS)]
    huge = [10**30, 2**63, 10**400, 1][where % 4]
    choice = where % 8
    if choice == 0 and isinstance(document.get("meta"), dict):
        document["meta"]["title"] = weird
    elif choice == 1:
        document["seed"] = huge
    elif choice == 2:
        document["layout"] = value
    elif choice == 3 and (nodes := _graph_list(document, "nodes")):
        node = nodes[where % len(nodes)]
        if isinstance(node, dict):
            node["label"] = weird
    elif choice == 4 and isinstance(document.get("geometry"), dict):
        document["geometry"]["sampling"] = {"interior": huge, "boundary": huge}
    elif choice == 5 and isinstance(document.get("training"), dict):
        phases = document["training"].get("phases")
        if isinstance(phases, list) and phases and isinstance(phases[0], dict):
            phases[0].update(epochs=100 * huge, inner_steps=100)
    elif choice == 6 and (nodes := _graph_list(document, "nodes")):
        node = nodes[where % len(nodes)]
        if isinstance(node, dict):
            node["position"] = [1e308, -1e308]
    elif choice == 7 and isinstance(document.get("geometry"), dict):
        document["geometry"]["time"] = {"t0": 0, "t1": 1e300, "steps": huge}


OPS = [
    "benign",
    "benign",
    "drop",
    "replace",
    "huge",
    "unicode",
    "wrap",
    "unknown_node",
    "dangling_edge",
    "duplicate",
    "rewire",
]
mutations = st.lists(
    st.tuples(st.sampled_from(OPS), st.integers(min_value=0, max_value=10**6), json_values),
    min_size=0,
    max_size=4,
)
DOCUMENT_REQUESTS = ["validate", "preview_geometry", "export", "run"]


# -- the fuzz ------------------------------------------------------------------------------
def _mutated(base: int, changes: list[tuple[str, int, Any]], request_type: str) -> None:
    document = copy.deepcopy(BASES[base])
    for op, where, value in changes:
        mutate(document, op, where, value)
    check({"id": "m", "type": request_type, "document": document})


arbitrary_messages = json_values | request_shaped
mutated_args = (
    st.integers(min_value=0, max_value=len(BASES) - 1),
    mutations,
    st.sampled_from(DOCUMENT_REQUESTS),
)


@settings(FAST, max_examples=800)
@given(arbitrary_messages)
def test_fuzz_arbitrary_messages(message):
    check(message)


@settings(FAST, max_examples=500)
@given(request_shaped)
def test_fuzz_request_shaped_messages(message):
    check(message)


@settings(FAST, max_examples=900)
@given(*mutated_args)
def test_fuzz_mutated_documents(base, changes, request_type):
    _mutated(base, changes, request_type)


def test_unmutated_run_starts_exactly_once():
    before = len(SESSION.started)
    reply = check({"id": "ok", "type": "run", "document": copy.deepcopy(BASES[0])})
    assert reply["ok"]
    assert len(SESSION.started) == before + 1
    (_, phases) = SESSION.started[-1]
    assert [(p.epochs, p.inner_steps) for p in phases] == [(200, 100)]


@pytest.mark.slow
@settings(LONG, max_examples=20_000)
@given(arbitrary_messages)
def test_fuzz_arbitrary_messages_long(message):
    check(message)


@pytest.mark.slow
@settings(LONG, max_examples=10_000)
@given(*mutated_args)
def test_fuzz_mutated_documents_long(base, changes, request_type):
    _mutated(base, changes, request_type)
