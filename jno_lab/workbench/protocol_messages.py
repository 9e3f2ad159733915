"""The messages of the kernel protocol, as TypedDicts: requests, replies, pushes and their records.

`python -m jno_lab.workbench.typegen` writes them as TypeScript interfaces for the editor.

>>> sorted(HelloReply.__annotations__)
['id', 'ok', 'protocol', 'type', 'version']
"""

from __future__ import annotations

import sys
from typing import Annotated, Any, Literal

if sys.version_info >= (3, 11):
    from typing import NotRequired, TypedDict
else:  # typing's TypedDict learns `NotRequired` in 3.11
    from typing_extensions import NotRequired, TypedDict

from .trust import CodeNode
from .validate_problem import Problem

DOCUMENT_SCHEMA = "document.schema.json"
"""Marks a field that holds a workbench document (the JSON Schema of the package)."""

WorkbenchDocument = Annotated[dict[str, Any], DOCUMENT_SCHEMA]
"""A workbench document (a request carries it as JSON)."""

RunState = Literal["idle", "running", "paused", "stopping", "finished", "stopped", "failed"]
"""States of the training session."""


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


class NonFinite(TypedDict):
    """Where a run went non-finite (NaN or Inf) and stopped."""

    step: int
    """The global step whose losses or update were not finite (it was not applied)."""
    constraints: list[str]
    """The constraints whose loss was not finite (empty when `where` is "parameters")."""
    where: Literal["loss", "parameters"]
    """"loss": a loss was not finite; "parameters": the update made them non-finite."""
    node_ids: NotRequired[list[str]]
    """The Constraint nodes of `constraints` (runs started from the editor)."""
    losses: NotRequired[list[float | None]]
    """The per-constraint losses of that step (null where not finite)."""


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

    state: RunState
    phase: int
    phases: int
    step: int
    total_steps: int
    elapsed_s: float
    eta_s: float | None
    losses: list[float]
    total_loss: float | None
    error: RunError | None
    nonfinite: NotRequired[NonFinite | None]
    """Set when the run stopped at a non-finite step."""


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

    document: WorkbenchDocument


class PreviewGeometryRequest(Request):
    """`preview_geometry`: build and sample the geometry section only (no document code runs)."""

    document: WorkbenchDocument


class RunRequest(Request):
    """`run`: validate, build and train the document on a background thread.

    With `dashboard: true` a live dashboard widget watches the run; the reply
    names its widget model (`dashboard`), for the editor to display.
    """

    document: WorkbenchDocument
    dashboard: NotRequired[bool]


class TrustRequest(Request):
    """`trust`: the user has read the document's code (`ValidateReply.code_nodes`), trusts it."""

    document: WorkbenchDocument


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

    document: WorkbenchDocument


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

    document: WorkbenchDocument
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
    """The code nodes of the document, for "untrusted" errors."""
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
    """The nodes whose text runs as Python."""
    trusted: bool
    """Whether that code is trusted (true when there is none)."""


class TrustReply(Reply):
    """Reply to `trust`: the document's code is trusted from now on (`digest` of it)."""

    digest: str
    """SHA-256 of the document's code."""
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

    document: WorkbenchDocument
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
