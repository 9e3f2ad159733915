"""The protocol module: request and reply types, the error shape, JSON safety, run events."""

from __future__ import annotations

import json
import typing
from typing import Any

import numpy as np
import pytest

from jno_lab.workbench import protocol
from jno_lab.workbench.protocol import (
    COMM_TARGET,
    PROTOCOL_VERSION,
    REQUEST_TYPES,
    error_reply,
    json_safe,
)
from jno_lab.workbench.session import Session


# -- the protocol module -------------------------------------------------------------------
def test_protocol_constants():
    assert PROTOCOL_VERSION == 2
    assert COMM_TARGET == "jno_lab.workbench"
    assert set(REQUEST_TYPES) == {
        "hello",
        "catalogue",
        "validate",
        "preview_geometry",
        "run",
        "stop",
        "pause",
        "resume",
        "status",
        "export",
        "import",
        "devices",
        "notebook",
        "trust",
    }


def _class_name(request_type: str) -> str:
    return "".join(part.capitalize() for part in request_type.split("_"))


@pytest.mark.parametrize("request_type", REQUEST_TYPES)
def test_every_request_type_has_typed_request_and_reply(request_type):
    request = getattr(protocol, _class_name(request_type) + "Request")
    reply = getattr(protocol, _class_name(request_type) + "Reply")
    request_hints = typing.get_type_hints(request)
    assert {"id", "type"} <= set(request_hints)
    for field in protocol.REQUEST_FIELDS[request_type]:
        assert field in request_hints
    assert {"id", "type", "ok"} <= set(typing.get_type_hints(reply))


def test_error_and_event_typed_dicts():
    assert set(typing.get_type_hints(protocol.ErrorInfo)) == {"code", "message", "node_id", "port"}
    assert {"error", "problems"} <= set(typing.get_type_hints(protocol.ErrorReply))
    assert set(typing.get_type_hints(protocol.RunEvent)) == {"type", "event", "status"}
    status = Session().status
    assert set(typing.get_type_hints(protocol.RunStatus)) == set(status)


def test_error_reply_is_the_one_shape():
    reply = error_reply("a", "run", "busy", "no", "n1", "p", problems=[])
    assert reply == {
        "id": "a",
        "type": "run.reply",
        "ok": False,
        "error": {"code": "busy", "message": "no", "node_id": "n1", "port": "p"},
        "problems": [],
    }
    odd = error_reply(5, None, "bad_request", "x", node_id=3)  # type: ignore[arg-type]
    assert odd["id"] is None
    assert odd["type"] == "error.reply"
    assert odd["error"]["node_id"] is None


def test_json_safe():
    value = {
        1: (float("nan"), float("inf"), np.float32(2.5), np.arange(3)),
        "s": "a\ud800b",
        "ok": [True, None, "\u00e9\U0001f600"],
        "obj": object,
    }
    safe = json_safe(value)
    text = json.dumps(safe, allow_nan=False, ensure_ascii=False)
    text.encode("utf-8")
    assert safe["1"] == [None, None, 2.5, [0, 1, 2]]
    assert safe["s"] == "a\ufffdb"
    assert safe["ok"] == [True, None, "\u00e9\U0001f600"]
    assert isinstance(safe["obj"], str)
    deep: list[Any] = []
    for _ in range(500):
        deep = [deep]
    json.dumps(json_safe(deep))


def test_run_event_message():
    event = {"event": "progress", **Session().status}
    message = protocol.run_event(event)
    assert message["type"] == "run.event"
    assert message["event"] == "progress"
    assert "event" not in message["status"]
    assert message["status"]["state"] == "idle"
