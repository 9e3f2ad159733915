"""The workbench kernel protocol, in process: every request type, error shapes, run control."""

from __future__ import annotations

import copy
import json
import sys
import threading
import time
import types
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import jno_lab
from jno_lab.workbench import kernel as kernel_module
from jno_lab.workbench import protocol
from jno_lab.workbench.catalogue import catalogue_json
from jno_lab.workbench.document import FORMAT, load, new_document
from jno_lab.workbench.kernel import WorkbenchHandler
from jno_lab.workbench.lowering import lower
from jno_lab.workbench.protocol import (
    ERROR_CODES,
    PROTOCOL_VERSION,
    json_safe,
)
from jno_lab.workbench.session import Session
from jno_lab.workbench.validate import validate

REPO = Path(__file__).resolve().parents[2]
POISSON = load(REPO / "examples" / "poisson.jnolab")


# -- helpers -------------------------------------------------------------------------------
def poisson(epochs: int = 200, inner_steps: int = 100) -> dict[str, Any]:
    document = copy.deepcopy(POISSON)
    phase = document["training"]["phases"][0]
    phase["epochs"], phase["inner_steps"] = epochs, inner_steps
    return document


def check_reply(reply: dict[str, Any], request_id: str | None, request_type: str) -> None:
    """Every reply: id echoed, `<type>.reply`, ok; JSON-safe; a well-formed error when not ok."""
    assert reply["id"] == request_id
    assert reply["type"] == f"{request_type}.reply"
    assert isinstance(reply["ok"], bool)
    json.dumps(reply, allow_nan=False, ensure_ascii=False).encode("utf-8")
    if not reply["ok"]:
        error = reply["error"]
        assert set(error) == {"code", "message", "node_id", "port"}
        assert error["code"] in ERROR_CODES
        assert isinstance(error["message"], str)
        assert error["message"]


class Pushes:
    """Collects run.event pushes; waits for events by name."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.cond = threading.Condition()

    def __call__(self, message: dict[str, Any], buffers: list[bytes]) -> None:
        with self.cond:
            self.messages.append(message)
            self.cond.notify_all()

    def events(self) -> list[str]:
        with self.cond:
            return [m["event"] for m in self.messages]

    def wait_for(self, event: str, timeout: float = 60.0, after: int = 0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for message in self.messages[after:]:
                    if message["event"] == event:
                        return message
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {event!r} event; got {self.events()}")
                self.cond.wait(left)


@pytest.fixture
def pushes() -> Pushes:
    return Pushes()


@pytest.fixture
def handler(pushes: Pushes):
    h = WorkbenchHandler(pushes, session=Session(progress_interval=0.05))
    yield h
    h.session.stop(wait=60)
    h.close()


def ask(h: WorkbenchHandler, request_type: str, request_id: str = "r1", **fields: Any):
    reply, buffers = h.handle({"id": request_id, "type": request_type, **fields}, [])
    check_reply(reply, request_id, request_type)
    return reply, buffers


# -- hello, catalogue, validate ------------------------------------------------------------
def test_hello(handler):
    assert not handler.greeted
    reply, buffers = ask(handler, "hello", protocol=PROTOCOL_VERSION)
    assert reply["ok"]
    assert buffers == []
    assert reply["protocol"] == PROTOCOL_VERSION
    assert reply["version"] == jno_lab.__version__
    assert handler.greeted


@pytest.mark.parametrize("theirs", [PROTOCOL_VERSION + 1, PROTOCOL_VERSION - 1, 10**30])
def test_hello_protocol_mismatch_says_how_to_upgrade(handler, theirs):
    reply, _ = ask(handler, "hello", protocol=theirs)
    assert not reply["ok"]
    assert reply["error"]["code"] == "protocol_mismatch"
    message = reply["error"]["message"]
    assert "pip install -U jno_lab" in message
    assert "reload the page" in message
    assert str(theirs) in message
    assert jno_lab.__version__ in message
    assert reply["protocol"] == PROTOCOL_VERSION
    assert reply["version"] == jno_lab.__version__
    assert not handler.greeted


@pytest.mark.parametrize("value", [True, "1", 1.0, None, [1]])
def test_hello_protocol_must_be_an_integer(handler, value):
    reply, _ = ask(handler, "hello", protocol=value)
    assert reply["error"]["code"] == "bad_request"
    assert reply["error"]["port"] == "protocol"


def test_requests_before_hello_are_served(handler):
    reply, _ = ask(handler, "catalogue")
    assert reply["ok"]
    assert not handler.greeted


def test_catalogue(handler):
    reply, _ = ask(handler, "catalogue")
    assert reply["catalogue"] == json_safe(catalogue_json())
    assert any(node["type"] == "mlp" for node in reply["catalogue"]["nodes"])


def test_validate_valid_and_broken(handler):
    reply, _ = ask(handler, "validate", document=poisson())
    assert reply == {
        "id": "r1",
        "type": "validate.reply",
        "ok": True,
        "problems": [],
        "code_nodes": [],
        "trusted": True,
    }
    broken = poisson()
    broken["graph"]["edges"].append(
        {"source": "ghost", "sourcePort": "out", "target": "pde_loss", "targetPort": "residual"}
    )
    broken["graph"]["nodes"].append({"id": "odd", "type": "no_such_node"})
    reply, _ = ask(handler, "validate", document=broken)
    assert reply["ok"]
    codes = {p["code"]: p for p in reply["problems"]}
    assert codes["unknown_type"]["node_id"] == "odd"
    assert codes["dangling_edge"]["port"] == "residual"
    assert reply["problems"] == validate(broken)


@pytest.mark.parametrize("count", [10**30, -1, 0, 9, "2", 2.5, None, [2], float("inf")])
def test_validate_survives_absurd_arity_counts(handler, count):
    """A Call node with 10**30 inputs must not exhaust memory (nor a string one crash)."""
    document = poisson()
    for node in document["graph"]["nodes"]:
        if node["id"] == "u":
            node["params"]["inputs"] = count
    for request_type in ("validate", "export", "run"):
        reply, _ = ask(handler, request_type, document=document)
        problems = reply["problems"]
        assert any(p["code"] == "param" and p["node_id"] == "u" for p in problems), problems
        assert any(p["port"] == "inputs" for p in problems), problems
    assert handler.session.status["state"] == "idle"


@pytest.mark.parametrize(
    ("node_id", "param", "value"),
    [("xy", "tag", []), ("xy", "tag", {"a": 1}), ("lap", "dims", 10**12), ("net", "depth", "x")],
)
def test_validate_survives_bad_node_parameters(handler, node_id, param, value):
    document = poisson()
    for node in document["graph"]["nodes"]:
        if node["id"] == node_id:
            node["params"][param] = value
    reply, _ = ask(handler, "validate", document=document)
    assert reply["ok"]
    assert [(p["code"], p["node_id"], p["port"]) for p in reply["problems"]] == [
        ("param", node_id, param)
    ]


def test_validate_never_executes(handler, tmp_path):
    marker = tmp_path / "ran"
    document = new_document()
    document["geometry"]["tags"] = [
        {"name": "evil", "predicate": f"open({str(marker)!r}, 'w').close() or True"}
    ]
    ask(handler, "validate", document=document)
    ask(handler, "export", document=document)
    assert not marker.exists()


# -- preview_geometry ----------------------------------------------------------------------
def points_of(reply: dict[str, Any], buffers: list[bytes]) -> dict[str, np.ndarray]:
    assert len(buffers) == len(reply["buffers"])
    out = {}
    for info, data in zip(reply["buffers"], buffers, strict=True):
        array = np.frombuffer(data, dtype="<f4").reshape(info["shape"])
        assert array.shape[0] == reply["tags"][info["tag"]]
        out[info["tag"]] = array
    return out


def test_preview_geometry_of_poisson(handler):
    reply, buffers = ask(handler, "preview_geometry", document=poisson())
    assert reply["ok"]
    assert reply["dimension"] == 2
    assert reply["outline"]["type"] == "MultiPolygon"
    (square,) = reply["outline"]["coordinates"]
    (ring,) = square
    assert {tuple(p) for p in ring} == {(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)}
    assert reply["bounds"] == [0.0, 0.0, 1.0, 1.0]
    assert reply["tags"] == {"interior": 1024, "boundary": 256}
    assert reply["truncated"] == []
    points = points_of(reply, buffers)
    interior, boundary = points["interior"], points["boundary"]
    assert interior.shape == (1024, 2)
    assert boundary.shape == (256, 2)
    assert ((interior > 0) & (interior < 1)).all()
    distance = np.minimum(np.abs(boundary), np.abs(1 - boundary)).min(axis=1)
    assert np.allclose(distance, 0, atol=1e-6)


def test_preview_geometry_with_holes_tags_sampling_and_cap(handler):
    document = new_document()
    geometry = document["geometry"]
    geometry["primitives"].append(
        {"id": "hole", "type": "circle", "center": [0.5, 0.5], "radius": 0.25}
    )
    geometry["csg"] = {"op": "difference", "args": ["square", "hole"]}
    geometry["tags"] = [
        {"name": "left", "predicate": "x < 1e-9"},
        {"name": "top", "edges": [[[0, 1], [1, 1]]]},
    ]
    geometry["sampling"] = {"interior": 10**12, "left": 7}
    reply, buffers = ask(handler, "preview_geometry", document=document)
    assert reply["ok"]
    (polygon,) = reply["outline"]["coordinates"]
    assert len(polygon) == 2  # the square and the hole's ring
    assert reply["tags"] == {
        "interior": protocol.PREVIEW_MAX_POINTS,
        "boundary": 256,
        "left": 7,
        "top": protocol.PREVIEW_OTHER_TAG_POINTS,
    }
    assert reply["truncated"] == ["interior"]
    points = points_of(reply, buffers)
    assert np.allclose(points["left"][:, 0], 0.0)
    assert np.allclose(points["top"][:, 1], 1.0)
    radius = np.hypot(points["interior"][:, 0] - 0.5, points["interior"][:, 1] - 0.5)
    assert (radius > 0.25 - 1e-3).all()


def test_preview_geometry_1d_with_time(handler):
    document = new_document()
    document["geometry"] = {
        "dimension": 1,
        "primitives": [{"id": "rod", "type": "interval", "x": [-1, 2]}],
        "csg": "rod",
        "sampling": {"interior": 50, "boundary": 4},
        "time": {"t0": 0, "t1": 1, "steps": 3},
    }
    reply, buffers = ask(handler, "preview_geometry", document=document)
    assert reply["ok"]
    assert reply["dimension"] == 1
    assert reply["outline"] == {"type": "Interval", "coordinates": [-1.0, 2.0]}
    assert reply["tags"]["interior"] == 50
    assert reply["tags"]["boundary"] == 4
    points = points_of(reply, buffers)
    assert points["left"].tolist() == [[-1.0]]
    assert points["right"].tolist() == [[2.0]]
    assert "initial" in points
    assert all(p.shape[1] == 1 for p in points.values())


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (lambda g: g.update(dimension=3), "dimension"),
        (lambda g: g.update(csg="nowhere"), "unknown primitive"),
        (lambda g: g.pop("primitives"), "primitives"),
        (lambda g: g["tags"].append({"name": "t", "predicate": "x <"}), "predicate"),
        (lambda g: g["tags"].append({"name": "t", "predicate": "x < -5"}), "selects no"),
        (lambda g: g["tags"].append({"name": "t", "predicate": "1 / 0"}), "ZeroDivisionError"),
    ],
)
def test_preview_geometry_bad_geometry_is_a_structured_error(handler, change, needle):
    document = new_document()
    change(document["geometry"])
    reply, buffers = ask(handler, "preview_geometry", document=document)
    assert not reply["ok"]
    assert buffers == []
    assert reply["error"]["code"] == "geometry"
    assert needle in reply["error"]["message"] + json.dumps(reply.get("problems", []))


def test_preview_geometry_ignores_the_graph(handler):
    document = poisson()
    document["graph"]["nodes"].append({"id": "odd", "type": "no_such_node"})
    document["graph"]["edges"].append({"nope": 1})
    reply, _ = ask(handler, "preview_geometry", document=document)
    assert reply["ok"]


def test_preview_geometry_refuses_a_too_fine_1d_mesh(handler):
    document = new_document()
    document["geometry"] = {
        "dimension": 1,
        "primitives": [{"id": "rod", "type": "interval", "x": [0, 1]}],
        "csg": "rod",
        "mesh_size": 1e-12,
    }
    reply, _ = ask(handler, "preview_geometry", document=document)
    assert reply["error"]["code"] == "geometry"
    assert "mesh_size" in reply["error"]["message"]


# -- export --------------------------------------------------------------------------------
def test_export(handler):
    reply, _ = ask(handler, "export", document=poisson())
    assert reply["ok"]
    assert reply["source"] == lower(poisson()).to_source()
    compile(reply["source"], "<export>", "exec")


def test_export_and_run_refuse_invalid_documents(handler):
    broken = poisson()
    for node in broken["graph"]["nodes"]:
        if node["id"] == "net":
            node["params"]["depth"] = "deep"
    problems = validate(broken)
    for request_type in ("export", "run"):
        reply, _ = ask(handler, request_type, document=broken)
        assert reply["error"]["code"] == "invalid"
        assert reply["problems"] == problems
        assert reply["error"]["node_id"] == problems[0]["node_id"] == "net"
        assert reply["error"]["port"] == problems[0]["port"]
    assert handler.session.status["state"] == "idle"


# -- run control ---------------------------------------------------------------------------
def test_run_short_poisson_to_the_end(handler, pushes):
    reply, _ = ask(handler, "run", document=poisson(epochs=200, inner_steps=100))
    assert reply["ok"]
    assert reply["started"] is True
    assert reply["status"]["total_steps"] == 200
    final = pushes.wait_for("finished", timeout=120)
    assert final["type"] == "run.event"
    assert final["status"]["state"] == "finished"
    assert final["status"]["step"] == 200
    assert len(final["status"]["losses"]) == 2
    assert final["status"]["total_loss"] is not None
    events = pushes.events()
    assert events[:2] == ["started", "phase"]
    assert events[-1] == "finished"
    for message in pushes.messages:
        assert set(message) == {"type", "event", "status"}
        json.dumps(message, allow_nan=False)
    status, _ = ask(handler, "status")
    assert status["status"]["state"] == "finished"
    assert handler.built is not None
    assert handler.built.crux is not None


def test_run_busy_pause_resume_stop(handler, pushes):
    reply, _ = ask(handler, "run", "a", document=poisson(epochs=1_000_000, inner_steps=100))
    assert reply["ok"]
    pushes.wait_for("progress", timeout=120)

    busy, _ = ask(handler, "run", "b", document=poisson())
    assert busy["error"]["code"] == "busy"

    n = len(pushes.messages)
    reply, _ = ask(handler, "pause", "c")
    assert reply["ok"]
    paused = pushes.wait_for("paused", after=n)
    assert paused["status"]["state"] == "paused"
    status, _ = ask(handler, "status", "d")
    assert status["status"]["state"] == "paused"
    busy, _ = ask(handler, "run", "e", document=poisson())
    assert busy["error"]["code"] == "busy"

    n = len(pushes.messages)
    reply, _ = ask(handler, "resume", "f")
    assert reply["ok"]
    pushes.wait_for("resumed", after=n)
    pushes.wait_for("progress", after=n)

    reply, _ = ask(handler, "stop", "g")
    assert reply["ok"]
    assert reply["status"]["state"] in ("stopping", "stopped")
    stopped = pushes.wait_for("stopped")
    assert 0 < stopped["status"]["step"] < 1_000_000
    assert handler.session.wait(60)
    status, _ = ask(handler, "status", "h")
    assert status["status"]["state"] == "stopped"


def test_run_execution_error_names_the_node(handler):
    document = poisson()
    noise = {"distribution": "uniform", "a": 1.0, "b": 0.0}  # low > high: refused when built
    document["graph"]["nodes"].append({"id": "eps", "type": "noise", "params": noise})
    assert validate(document) == []
    reply, _ = ask(handler, "run", document=document)
    assert reply["error"]["code"] == "execution"
    assert reply["error"]["node_id"] == "eps"
    assert "high > low" in reply["error"]["message"]
    assert "Traceback" in reply["details"]
    assert handler.session.status["state"] == "idle"


@pytest.mark.parametrize("request_type", ["stop", "pause", "resume", "status"])
def test_control_requests_when_idle(handler, request_type):
    reply, _ = ask(handler, request_type)
    assert reply["ok"]
    assert reply["status"]["state"] == "idle"


def test_pushes_stop_after_close_and_a_failing_send_is_harmless():
    sent: list[dict[str, Any]] = []
    h = WorkbenchHandler(lambda m, b: sent.append(m))
    event = {"event": "progress", **h.session.status}
    h._on_event(event)
    assert sent
    assert sent[0]["type"] == "run.event"
    h.close()
    h.close()
    assert len(h.session._listeners) == 0

    def broken(message, buffers):
        raise OSError("comm closed")

    h2 = WorkbenchHandler(broken)
    h2._on_event(event)  # no exception
    h2.close()


# -- import --------------------------------------------------------------------------------
@pytest.fixture
def fake_importer(monkeypatch):
    module = types.ModuleType("jno_lab.workbench.importer")
    calls: list[Any] = []

    def to_document(crux):
        calls.append(crux)
        if crux == "bad":
            raise TypeError("not a jno.core")
        if crux == "rough":
            warnings.warn("weights are not imported", UserWarning, stacklevel=2)
            warnings.warn("weights are not imported", UserWarning, stacklevel=2)
        return new_document("imported")

    module.to_document = to_document  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "jno_lab.workbench.importer", module)
    return calls


def test_import_looks_names_up_and_never_evaluates(fake_importer):
    thing = types.SimpleNamespace(inner=types.SimpleNamespace(crux="the crux"))
    h = WorkbenchHandler(namespace={"crux": "a crux", "bad": "bad", "thing": thing})
    reply, _ = ask(h, "import", expression="crux")
    assert reply["ok"]
    assert reply["document"]["meta"]["title"] == "imported"
    assert reply["warnings"] == []
    reply, _ = ask(h, "import", expression=" thing.inner.crux ")
    assert reply["ok"]
    assert fake_importer == ["a crux", "the crux"]
    h.namespace["rough"] = "rough"
    reply, _ = ask(h, "import", expression="rough")
    assert reply["warnings"] == ["weights are not imported"]
    fake_importer.remove("rough")
    reply, _ = ask(h, "import", expression="bad")
    assert reply["error"]["code"] == "import_failed"
    assert "not a jno.core" in reply["error"]["message"]
    for unknown in ("nothing", "thing.nothing", "thing.inner.nope"):
        reply, _ = ask(h, "import", expression=unknown)
        assert reply["error"]["code"] == "unknown_name", unknown
    for weird in ("", "1+1", "crux()", "__import__('os').getcwd()", "a b", "thing..inner", "for"):
        reply, _ = ask(h, "import", expression=weird)
        assert reply["error"]["code"] == "bad_request", weird
    assert fake_importer == ["a crux", "the crux", "bad"]
    h.close()


def test_import_without_an_importer_is_unavailable(monkeypatch):
    monkeypatch.setitem(sys.modules, "jno_lab.workbench.importer", None)
    h = WorkbenchHandler(namespace={"crux": object()})
    reply, _ = ask(h, "import", expression="crux")
    assert reply["error"]["code"] == "unavailable"
    assert "pip install -U jno_lab" in reply["error"]["message"]
    reply, _ = ask(h, "import", expression="missing")
    assert reply["error"]["code"] == "unknown_name"
    h.close()


def test_import_with_the_real_importer():
    pytest.importorskip("jno_lab.workbench.importer", reason="the importer is not there")
    crux = lower(poisson()).execute().crux
    h = WorkbenchHandler(namespace={"crux": crux})
    reply, _ = ask(h, "import", expression="crux")
    assert reply["ok"], reply["error"]
    assert reply["document"]["format"] == FORMAT
    assert validate(reply["document"]) == []
    assert isinstance(reply["warnings"], list)
    h.close()


# -- malformed requests --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("message", "code", "reply_id", "reply_type"),
    [
        (None, "bad_request", None, "error.reply"),
        ([], "bad_request", None, "error.reply"),
        ("hello", "bad_request", None, "error.reply"),
        ({}, "bad_request", None, "error.reply"),
        ({"type": "status"}, "bad_request", None, "status.reply"),
        ({"id": 7, "type": "status"}, "bad_request", None, "status.reply"),
        ({"id": "x"}, "bad_request", "x", "error.reply"),
        ({"id": "x", "type": 3}, "bad_request", "x", "error.reply"),
        ({"id": "x", "type": "launch_missiles"}, "unknown_type", "x", "launch_missiles.reply"),
        ({"id": "x", "type": "\u00fc\U0001f600"}, "unknown_type", "x", "\u00fc\U0001f600.reply"),
        ({"id": "x", "type": "validate"}, "bad_request", "x", "validate.reply"),
        ({"id": "x", "type": "run", "document": []}, "bad_request", "x", "run.reply"),
        ({"id": "x", "type": "run", "document": "{}"}, "bad_request", "x", "run.reply"),
        ({"id": "x", "type": "import", "expression": 5}, "bad_request", "x", "import.reply"),
        ({"id": "x", "type": "export", "document": None}, "bad_request", "x", "export.reply"),
        ({"id": "x", "type": "run", "document": {}}, "invalid", "x", "run.reply"),
    ],
)
def test_malformed_requests(handler, message, code, reply_id, reply_type):
    reply, buffers = handler.handle(message, [])
    assert reply["ok"] is False
    assert buffers == []
    assert reply["error"]["code"] == code
    assert reply["id"] == reply_id
    assert reply["type"] == reply_type
    json.dumps(reply, allow_nan=False)
    assert handler.session.status["state"] == "idle"


def test_lone_surrogates_in_documents_are_repaired(handler):
    """JSON can carry unpaired surrogates (a browser's JSON.stringify writes them); UTF-8 cannot."""
    document = new_document()
    document["geometry"]["tags"] = [{"name": "odd", "predicate": "x < 0.5 # \udfff"}]
    reply, _ = ask(handler, "validate", document=document)
    assert reply["ok"]
    document["meta"]["title"] = "\ud800"
    reply, _ = ask(handler, "export", document=document)
    assert reply["error"]["code"] == "invalid"  # no Constraint, but no crash either


def test_extra_fields_are_ignored(handler):
    reply, _ = ask(handler, "status", future_field={"a": [1, 2]})
    assert reply["ok"]


def test_unicode_ids_are_echoed_and_lone_surrogates_repaired(handler):
    reply, _ = handler.handle({"id": "\u00e9\U0001f600", "type": "status"}, [])
    assert reply["id"] == "\u00e9\U0001f600"
    reply, _ = handler.handle({"id": "a\udc80", "type": "status"}, [])
    assert reply["id"] == "a\ufffd"
    assert reply["ok"]
    json.dumps(reply, ensure_ascii=False).encode("utf-8")


def test_unexpected_failures_are_internal_errors(handler, monkeypatch):
    def explode(*args):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(kernel_module, "catalogue_json", explode)
    reply, _ = ask(handler, "catalogue")
    assert reply["error"]["code"] == "internal"
    assert "ZeroDivisionError: boom" in reply["error"]["message"]
    assert "Traceback" in reply["details"]

    def interrupt(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(kernel_module, "validate", interrupt)
    reply, _ = ask(handler, "validate", document={})
    assert reply["error"]["code"] == "interrupted"

    def leave(*args):
        raise SystemExit(3)

    monkeypatch.setattr(kernel_module, "catalogue_json", leave)
    reply, _ = ask(handler, "catalogue")
    assert reply["error"]["code"] == "internal"


def test_a_run_that_goes_non_finite_names_the_constraint_node(handler, pushes):
    document = new_document("diverging")
    document["geometry"]["sampling"] = {"interior": 4, "boundary": 4}
    document["graph"] = {
        "nodes": [
            {"id": "p", "type": "parameter", "params": {"init": 0.0}},
            {"id": "three", "type": "constant", "params": {"value": 3.0}},
            {"id": "r", "type": "sub"},
            {"id": "fit", "type": "loss"},
            {"id": "pde", "type": "constraint", "label": "residual"},
        ],
        "edges": [
            {"source": "p", "sourcePort": "out", "target": "r", "targetPort": "a"},
            {"source": "three", "sourcePort": "out", "target": "r", "targetPort": "b"},
            {"source": "r", "sourcePort": "out", "target": "fit", "targetPort": "residual"},
            {"source": "fit", "sourcePort": "loss", "target": "pde", "targetPort": "loss"},
        ],
    }
    document["training"]["phases"] = [
        {"optimizer": "sgd", "learning_rate": 1e6, "epochs": 400, "inner_steps": 50}
    ]
    reply, _ = ask(handler, "run", document=document)
    assert reply["ok"], reply
    failed = pushes.wait_for("failed", timeout=120)
    status = failed["status"]
    assert status["error"]["type"] == "NonFinite"
    assert status["nonfinite"]["constraints"] == ["residual"]
    assert status["nonfinite"]["node_ids"] == ["pde"]
    assert 0 < status["nonfinite"]["step"] < 50
    assert status["step"] <= 50
