"""The kernel protocol of the workbench: the messages the JupyterLab editor exchanges with a kernel.

The editor opens a comm with target `COMM_TARGET` and sends requests as the
comm messages' data; the kernel answers each request with exactly one reply on
the same comm, and pushes run events on it unprompted. Everything is JSON but
the sampled points of `preview_geometry`, which travel as the comm message's
binary buffers.

Requests are `{"id": str, "type": str, ...}`. A reply echoes the id (None when
the request had no string id) and has the type `"<type>.reply"` (`"error.reply"`
when the request had no string type), and `"ok"`:

* `{"ok": true, ...}` with the fields of the request type's reply;
* `{"ok": false, "error": {"code", "message", "node_id", "port"}, ...}`, built
  by `error_reply` alone. Some errors carry more: `problems` (all validation
  problems, for "invalid" and an invalid geometry's "geometry"), `details` (a
  traceback, for "execution", "geometry" and "internal"), `protocol` and
  `version` (for "protocol_mismatch").

Request types (see the TypedDicts below for every field):

============================  ==============================================
`hello` {protocol}            {protocol, version}; "protocol_mismatch" when
                              the editor speaks another protocol version
`catalogue`                   {catalogue}: the node catalogue
`validate` {document}         {problems, code_nodes, trusted}: problems of
                              the document, its code nodes (text that runs
                              as Python) and whether their code is trusted
`preview_geometry` {document} {dimension, outline, bounds, tags, buffers,
                              truncated}: the domain's shapes and sampled
                              points (binary buffers, float32 LE); tag
                              predicates are grammar expressions, no code
`run` {document, dashboard?}  {started: true, status, dashboard?}: validate,
                              build, train on a background thread ("busy"
                              while a run is active; "untrusted", with the
                              `code_nodes`, when the document's code is not
                              trusted); with dashboard: true, the model id
                              of a live dashboard widget
`trust` {document}            {digest, trusted: true}: the user trusts the
                              document's code (stored for this user)
`stop`, `pause`, `resume`     {status}: act on the run (no-ops when idle)
`status`                      {status}
`export` {document}           {source}: the document as a Python script
`import` {expression}         {document, warnings}: the document of a
                              `jno.core` held by a variable of the kernel's
                              user namespace (looked up, never evaluated)
`devices`                     {devices, backend, process_count}: the
                              kernel's JAX devices, for the mesh choice
`notebook` {document, name?}  {notebook}: the document as a notebook
                              (nbformat 4 JSON): the exported script in
                              cells, then a live dashboard of the run
============================  ==============================================

Pushes are `{"type": "run.event", "event": str, "status": RunStatus}` with
event one of "started", "phase", "progress", "paused", "resumed", "finished",
"stopped" or "failed".

Everything sent is JSON-safe (`json_safe`): non-finite numbers become null and
strings that cannot be encoded as UTF-8 (lone surrogates, which JSON can carry)
are repaired. Requests are normalized the same way before they are handled, so
a document's strings are always UTF-8 text.
"""

from __future__ import annotations

import math
from typing import Any, Literal, NotRequired, TypedDict

from .trust import CodeNode
from .validate import Problem

PROTOCOL_VERSION = 2
"""Version of this protocol; the editor sends its own in `hello`.

2: tag predicates and custom functions are grammar expressions; `run` refuses
untrusted code ("untrusted"), `trust` trusts it, `validate` lists the code.
"""

COMM_TARGET = "jno_lab.workbench"
"""The comm target name the editor opens."""

OPEN_MIME = "application/vnd.jno-lab.open+json"
"""Display bundle type asking the editor to open `{"path", "title"}` (see `workbench.open`)."""

UPGRADE_HINT = "pip install -U jno_lab"
"""The command that brings the editor and the kernel to the same protocol."""

ERROR_CODES: dict[str, str] = {
    "bad_request": "the message is not a request: not an object, no string id or type, "
    "or a field missing or of the wrong type",
    "unknown_type": "no request has this type",
    "protocol_mismatch": "the editor and the kernel speak different protocol versions",
    "invalid": "the document has problems (all of them are in `problems`)",
    "geometry": "the geometry section could not be built or sampled",
    "lowering": "the document could not be lowered to a program",
    "execution": "a statement of the program failed; node_id names its node",
    "untrusted": "the document holds code (`code_nodes`) that the user has not trusted",
    "busy": "a run is already active: stop it first",
    "start_failed": "the training session refused the plan",
    "unknown_name": "the kernel's user namespace has no such variable",
    "import_failed": "the object could not be turned into a document",
    "unavailable": "this kernel's jno_lab lacks the feature",
    "interrupted": "the request was interrupted (the kernel was interrupted)",
    "internal": "an unexpected failure in the kernel (a bug: please report it)",
}
"""Every error code a reply may carry, with its meaning."""

REQUEST_FIELDS: dict[str, dict[str, type]] = {
    "hello": {"protocol": int},
    "catalogue": {},
    "validate": {"document": dict},
    "preview_geometry": {"document": dict},
    "run": {"document": dict},
    "trust": {"document": dict},
    "stop": {},
    "pause": {},
    "resume": {},
    "status": {},
    "export": {"document": dict},
    "import": {"expression": str},
    "devices": {},
    "notebook": {"document": dict},
}
"""Request types and their required fields with JSON types (extra fields are ignored)."""

REQUEST_TYPES = tuple(REQUEST_FIELDS)
"""Every request type."""

RUN_EVENTS = ("started", "phase", "progress", "paused", "resumed", "finished", "stopped", "failed")
"""The events of `run.event` pushes."""

PREVIEW_SAMPLING = {"interior": 1024, "boundary": 256}
"""Sample counts of `preview_geometry` for tags the document gives none (as a run does)."""

PREVIEW_OTHER_TAG_POINTS = 256
"""Points drawn for the preview of a tag with no sample count anywhere (a run would need one)."""

PREVIEW_MAX_POINTS = 20_000
"""At most this many points per tag are sent by `preview_geometry` (larger counts are cut)."""


# -- shared records ------------------------------------------------------------------------
class ErrorInfo(TypedDict):
    """What went wrong; `node_id`/`port` say where when a node is to blame."""

    code: str
    message: str
    node_id: str | None
    port: str | None


class RunError(TypedDict):
    """Why a run failed."""

    type: str
    message: str
    traceback: str


class RunStatus(TypedDict):
    """A snapshot of the training session (see `Session.status`).

    `nonfinite` is None, or, when a phase stopped at a step whose losses or update
    were NaN or infinite, that step's record (`statistics.nonfinite`): `step` (its
    index), `constraints` (the names of the non-finite losses; empty when only the
    update was) and `where` ("loss" or "parameters"); in the pushes of a run the
    editor started, `constraints` are the document's names of its Constraint
    nodes and `node_ids` their ids. The run then ends "failed" with an error of
    type "NonFinite". Kernels of older versions leave the field out.
    """

    state: Literal["idle", "running", "paused", "stopping", "finished", "stopped", "failed"]
    phase: int
    phases: int
    step: int
    total_steps: int
    elapsed_s: float
    eta_s: float | None
    losses: list[float]
    total_loss: float | None
    error: RunError | None
    nonfinite: NotRequired[dict[str, Any] | None]


class BufferInfo(TypedDict):
    """One binary buffer of `preview_geometry`: float32 little-endian, row-major."""

    tag: str
    shape: list[int]


class Outline(TypedDict):
    """The domain's shape: a GeoJSON MultiPolygon (2-D) or an "Interval" [x0, x1] (1-D)."""

    type: Literal["MultiPolygon", "Interval"]
    coordinates: list[Any]


# -- requests ------------------------------------------------------------------------------
class Request(TypedDict):
    """Fields of every request."""

    id: str
    type: str


class HelloRequest(Request):
    """`hello`: the editor's protocol version; sent first on every comm."""

    protocol: int


class CatalogueRequest(Request):
    """`catalogue`: the node types the editor's palette offers."""


class ValidateRequest(Request):
    """`validate`: every problem of a document (nothing in it runs)."""

    document: dict[str, Any]


class PreviewGeometryRequest(Request):
    """`preview_geometry`: build and sample the geometry section only (no document code runs)."""

    document: dict[str, Any]


class RunRequest(Request):
    """`run`: validate, build and train the document on a background thread.

    With `dashboard: true` a live dashboard widget watches the run; the reply
    names its widget model (`dashboard`), for the editor to display.
    """

    document: dict[str, Any]
    dashboard: NotRequired[bool]


class TrustRequest(Request):
    """`trust`: the user has read the document's code (`ValidateReply.code_nodes`), trusts it."""

    document: dict[str, Any]


class StopRequest(Request):
    """`stop`: stop the run at the next chunk boundary."""


class PauseRequest(Request):
    """`pause`: pause the run at the next chunk boundary."""


class ResumeRequest(Request):
    """`resume`: let a paused run go on."""


class StatusRequest(Request):
    """`status`: the run's state."""


class ExportRequest(Request):
    """`export`: the document as a runnable Python script (nothing in it runs)."""

    document: dict[str, Any]


class ImportRequest(Request):
    """`import`: a document from a `jno.core` in the kernel's user namespace.

    `expression` is a variable name, or dotted attribute names on one
    (`name.attr`); it is looked up, never evaluated.
    """

    expression: str


class DevicesRequest(Request):
    """`devices`: the JAX devices the kernel can train on."""


class NotebookRequest(Request):
    """`notebook`: the document as a notebook; `name` is the document's file name."""

    document: dict[str, Any]
    name: NotRequired[str]


# -- replies -------------------------------------------------------------------------------
class Reply(TypedDict):
    """Fields of every reply."""

    id: str | None
    type: str
    ok: bool


class ErrorReply(Reply):
    """A failed request (`ok` is false)."""

    error: ErrorInfo
    problems: NotRequired[list[Problem]]
    details: NotRequired[str]
    code_nodes: NotRequired[list[CodeNode]]
    protocol: NotRequired[int]
    version: NotRequired[str]


class HelloReply(Reply):
    """Reply to `hello`."""

    protocol: int
    version: str


class CatalogueReply(Reply):
    """Reply to `catalogue` (see `catalogue_json`)."""

    catalogue: dict[str, Any]


class ValidateReply(Reply):
    """Reply to `validate`: empty `problems` means the document can run.

    `code_nodes` lists the nodes whose text runs as Python; `trusted` says whether the
    user has trusted that code (always true without code nodes).
    """

    problems: list[Problem]
    code_nodes: list[CodeNode]
    trusted: bool


class TrustReply(Reply):
    """Reply to `trust`: the document's code is trusted from now on (`digest` of it)."""

    digest: str
    trusted: bool


class PreviewGeometryReply(Reply):
    """Reply to `preview_geometry`; the points are the comm message's buffers, in order."""

    dimension: int
    outline: Outline
    bounds: list[float | None]
    tags: dict[str, int]
    buffers: list[BufferInfo]
    truncated: list[str]


class RunReply(Reply):
    """Reply to `run`: training has started; `run.event` pushes follow."""

    started: bool
    status: RunStatus
    dashboard: NotRequired[str]


class StatusReply(Reply):
    """Reply to `status`, `stop`, `pause` and `resume`."""

    status: RunStatus


StopReply = PauseReply = ResumeReply = StatusReply


class ExportReply(Reply):
    """Reply to `export`."""

    source: str


class ImportReply(Reply):
    """Reply to `import`: the document, and what it only approximates (the importer's warnings)."""

    document: dict[str, Any]
    warnings: list[str]


class DeviceInfo(TypedDict):
    """One JAX device of the kernel."""

    platform: str
    id: int
    kind: str
    process_index: int


class DevicesReply(Reply):
    """Reply to `devices`: every device (`jax.devices()`), the default backend, the processes."""

    devices: list[DeviceInfo]
    backend: str
    process_count: int


class NotebookReply(Reply):
    """Reply to `notebook`: an nbformat 4 notebook (JSON)."""

    notebook: dict[str, Any]


# -- pushes --------------------------------------------------------------------------------
class RunEvent(TypedDict):
    """A push from the training session."""

    type: Literal["run.event"]
    event: str
    status: RunStatus


# -- building messages ---------------------------------------------------------------------
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
