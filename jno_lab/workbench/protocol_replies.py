"""Building protocol messages: replies, error replies, run events, JSON-safe copies.

>>> error_reply("r1", "run", "busy", "a run is already active: stop it first")["error"]["code"]
'busy'
"""

from __future__ import annotations

import math
from typing import Any


def reply_type(request_type: Any) -> str:
    """The type of the reply to a request of type `request_type`."""
    return f"{request_type}.reply" if isinstance(request_type, str) else "error.reply"


def ok_reply(request_id: str | None, request_type: str, **fields: Any) -> dict[str, Any]:
    """A successful reply with the given fields."""
    return {"id": request_id, "type": reply_type(request_type), "ok": True, **fields}


def error_reply(
    request_id: Any,
    request_type: Any,
    code: str,
    message: str,
    node_id: str | None = None,
    port: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """THE error reply: every failed request is answered by what this returns.

    Args:
        request_id: the request's id (anything but a string becomes None).
        request_type: the request's type (anything but a string gives "error.reply").
        code: one of `ERROR_CODES`.
        message: what went wrong, for people.
        node_id: the node to blame, if any.
        port: the port of that node to blame, if any.
        **extra: more top-level fields (`problems`, `details`, ...).

    Returns:
        `{"id", "type", "ok": False, "error": {"code", "message", "node_id", "port"}, **extra}`.
    """
    return {
        "id": request_id if isinstance(request_id, str) else None,
        "type": reply_type(request_type),
        "ok": False,
        "error": {
            "code": str(code),
            "message": str(message),
            "node_id": node_id if isinstance(node_id, str) else None,
            "port": port if isinstance(port, str) else None,
        },
        **extra,
    }


def run_event(event: dict[str, Any]) -> dict[str, Any]:
    """The `run.event` push for a session event (`{"event": name, **status}`)."""
    status = {k: v for k, v in event.items() if k != "event"}
    return {"type": "run.event", "event": event.get("event"), "status": status}


def json_safe(value: Any, _depth: int = 0) -> Any:
    """A copy of `value` that `json.dumps(..., allow_nan=False)` and UTF-8 accept.

    Tuples become lists, numpy scalars and arrays plain numbers and lists,
    non-finite floats None, keys strings, lone surrogates U+FFFD; anything else
    its `repr`. Nesting deeper than 200 levels is cut (as None).
    """
    if _depth > 200:
        return None
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return _utf8(value)
    if isinstance(value, dict):
        return {_utf8(str(k)): json_safe(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v, _depth + 1) for v in value]
    tolist = getattr(value, "tolist", None)  # numpy scalars and arrays
    if callable(tolist):
        try:
            return json_safe(tolist(), _depth + 1)
        except Exception:
            pass
    try:
        return _utf8(repr(value))
    except Exception:
        return f"<{type(value).__name__}>"


def _utf8(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates (JSON can carry them, UTF-8 cannot)
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text
