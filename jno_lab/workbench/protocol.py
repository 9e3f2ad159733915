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

Request types (see the TypedDicts of `protocol_messages` for every field):

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

from .protocol_messages import (
    BufferInfo,
    CatalogueReply,
    CatalogueRequest,
    DeviceInfo,
    DevicesReply,
    DevicesRequest,
    ErrorInfo,
    ErrorReply,
    ExportReply,
    ExportRequest,
    HelloReply,
    HelloRequest,
    ImportReply,
    ImportRequest,
    NonFinite,
    NotebookReply,
    NotebookRequest,
    Outline,
    PauseReply,
    PauseRequest,
    PreviewGeometryReply,
    PreviewGeometryRequest,
    Reply,
    Request,
    ResumeReply,
    ResumeRequest,
    RunError,
    RunEvent,
    RunReply,
    RunRequest,
    RunState,
    RunStatus,
    StatusReply,
    StatusRequest,
    StopReply,
    StopRequest,
    TrustReply,
    TrustRequest,
    ValidateReply,
    ValidateRequest,
    WorkbenchDocument,
)
from .protocol_replies import error_reply, json_safe, ok_reply, reply_type, run_event

__all__ = [
    "COMM_TARGET",
    "ERROR_CODES",
    "OPEN_MIME",
    "PREVIEW_MAX_POINTS",
    "PREVIEW_OTHER_TAG_POINTS",
    "PREVIEW_SAMPLING",
    "PROTOCOL_VERSION",
    "REQUEST_FIELDS",
    "REQUEST_TYPES",
    "RUN_EVENTS",
    "UPGRADE_HINT",
    "BufferInfo",
    "CatalogueReply",
    "CatalogueRequest",
    "DeviceInfo",
    "DevicesReply",
    "DevicesRequest",
    "ErrorInfo",
    "ErrorReply",
    "ExportReply",
    "ExportRequest",
    "HelloReply",
    "HelloRequest",
    "ImportReply",
    "ImportRequest",
    "NonFinite",
    "NotebookReply",
    "NotebookRequest",
    "Outline",
    "PauseReply",
    "PauseRequest",
    "PreviewGeometryReply",
    "PreviewGeometryRequest",
    "Reply",
    "Request",
    "ResumeReply",
    "ResumeRequest",
    "RunError",
    "RunEvent",
    "RunReply",
    "RunRequest",
    "RunState",
    "RunStatus",
    "StatusReply",
    "StatusRequest",
    "StopReply",
    "StopRequest",
    "TrustReply",
    "TrustRequest",
    "ValidateReply",
    "ValidateRequest",
    "WorkbenchDocument",
    "error_reply",
    "json_safe",
    "ok_reply",
    "reply_type",
    "run_event",
]

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
