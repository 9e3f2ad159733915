"""The kernel side of the workbench: answers the editor's requests (see `protocol`).

`WorkbenchHandler` is plain Python: `handle(message, buffers)` answers one
request with `(reply, reply_buffers)` and never raises; run events are pushed
through its `send` callback. `register()` hooks it to a comm target inside an
IPython kernel (every comm the editor opens gets its own handler; all of them
share the kernel's one training session, so a reloaded page finds its run).

What runs: a document's program (built by the lowering's emitters and checked
against the allow-list) runs on `run`, and its geometry statements alone on
`preview_geometry`; tag predicates are grammar expressions, not code. Text that
is code (custom functions marked as code) runs only on `run`, and only once the
user has trusted it (`trust`). `validate`, `export`, `notebook`, `import` and
`preview_geometry` never execute code from a document.

Importing this module imports neither Jupyter nor ipykernel; `register()` does.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from .._version_info import __version__
from . import trust
from .catalogue import catalogue_json
from .devices import devices_info
from .import_request import import_document
from .lowering import (
    Built,
    ExecutionError,
    LoweringError,
    Program,
    UntrustedCode,
    lower,
    solve_arguments,
)
from .preview import preview_geometry
from .protocol import (
    COMM_TARGET,
    PROTOCOL_VERSION,
    REQUEST_FIELDS,
    error_reply,
    json_safe,
    ok_reply,
    run_event,
)
from .refusal import (
    JSON_NAMES,
    Refusal,
    describe,
    format_traceback,
    has_type,
    id_and_type,
    invalid,
    json_type,
    mismatch_message,
    short,
)
from .session import Phase, Session
from .validate import Problem, validate

__all__ = ["WorkbenchHandler", "devices_info", "preview_geometry", "register"]

_log = logging.getLogger(__name__)

Send = Callable[[dict[str, Any], list[bytes]], None]
"""A push channel: `send(message, buffers)`."""

Reply = tuple[dict[str, Any], list[bytes]]

_ACTIVE = ("running", "paused", "stopping")


class WorkbenchHandler:
    """Answers workbench requests; pushes the session's run events.

    Args:
        send: called as `send(message, buffers)` with every push (`run.event`),
            from the training thread; None drops pushes.
        session: the training session to drive (default: a new one). Several
            handlers may share one.
        namespace: where `import` looks up names (the kernel's user namespace);
            default: an empty dict.

    Example:
        >>> handler = WorkbenchHandler()
        >>> reply, buffers = handler.handle({"id": "1", "type": "hello", "protocol": 2}, [])
        >>> reply["ok"], reply["type"], reply["protocol"]
        (True, 'hello.reply', 2)
        >>> handler.handle({"id": "2", "type": "nope"}, [])[0]["error"]["code"]
        'unknown_type'
        >>> handler.close()
    """

    def __init__(
        self,
        send: Send | None = None,
        *,
        session: Session | None = None,
        namespace: dict[str, Any] | None = None,
    ):
        self.send = send
        self.session = session if session is not None else Session()
        self.namespace: dict[str, Any] = namespace if namespace is not None else {}
        self.greeted = False
        """Whether a `hello` succeeded (other requests are served anyway)."""
        self.built: Built | None = None
        self._constraint_nodes: dict[str, tuple[str, str]] = {}
        """The live objects of the last run this handler started (`built.crux` is the solver)."""
        self.dashboard: Any = None
        """The live dashboard of the last run started with `"dashboard": true`."""
        self._lock = threading.Lock()
        self._unsubscribe: Callable[[], None] | None = self.session.add_listener(self._on_event)

    def close(self) -> None:
        """Stop pushing run events (the run itself goes on)."""
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()

    # -- the one entry point -------------------------------------------------------------
    def handle(self, message: Any, buffers: list[Any] | None = None) -> Reply:
        """Answer one request; never raises.

        Args:
            message: the request (the comm message's data); it is first normalized
                with `json_safe` (lone surrogates repaired, NaN and infinities null).
            buffers: the comm message's binary buffers (no request uses them yet).

        Returns:
            `(reply, reply_buffers)`: a JSON-safe reply dict and its binary buffers.
        """
        try:
            message = json_safe(message)  # what JSON can carry and UTF-8 cannot: repaired
            request_id, request_type = id_and_type(message)
        except Exception:  # pragma: no cover - json_safe does not raise
            request_id = request_type = None
        try:
            with self._lock:
                reply, out = self._dispatch(message)
        except Refusal as refusal:
            reply, out = self._refusal_reply(request_id, request_type, refusal), []
        except KeyboardInterrupt:
            reply = error_reply(
                request_id, request_type, "interrupted", "interrupted before it was answered"
            )
            out = []
        except (Exception, SystemExit) as err:
            reply = error_reply(
                request_id,
                request_type,
                "internal",
                f"unexpected {describe(err)}",
                details=format_traceback(err),
            )
            out = []
        try:
            return json_safe(reply), [bytes(b) for b in out]
        except Exception as err:  # pragma: no cover - json_safe does not raise
            fallback = error_reply(request_id, request_type, "internal", describe(err))
            return json_safe(fallback), []

    @staticmethod
    def _refusal_reply(request_id: Any, request_type: Any, refusal: Refusal) -> dict[str, Any]:
        return error_reply(
            request_id,
            request_type,
            refusal.code,
            refusal.message,
            refusal.node_id,
            refusal.port,
            **refusal.extra,
        )

    def _dispatch(self, message: Any) -> Reply:
        if not isinstance(message, dict):
            raise Refusal("bad_request", f"a request is a JSON object, not {json_type(message)}")
        request_id, request_type = message.get("id"), message.get("type")
        if not isinstance(request_id, str):
            raise Refusal(
                "bad_request", f"a request needs a string id, got {json_type(request_id)}"
            )
        if not isinstance(request_type, str):
            raise Refusal(
                "bad_request", f"a request needs a string type, got {json_type(request_type)}"
            )
        if request_type not in REQUEST_FIELDS:
            known = ", ".join(REQUEST_FIELDS)
            raise Refusal(
                "unknown_type", f"unknown request type {short(request_type)} (known: {known})"
            )
        for field, kind in REQUEST_FIELDS[request_type].items():
            if field not in message:
                raise Refusal("bad_request", f"{request_type!r} needs the field {field!r}")
            if not has_type(message[field], kind):
                raise Refusal(
                    "bad_request",
                    f"{request_type!r}: {field!r} must be {JSON_NAMES[kind]}, "
                    f"not {json_type(message[field])}",
                    port=field,
                )
        method: Callable[[str, dict[str, Any]], Reply] = getattr(self, "_on_" + request_type)
        return method(request_id, message)

    # -- requests ------------------------------------------------------------------------
    def _on_hello(self, request_id: str, message: dict[str, Any]) -> Reply:
        theirs = message["protocol"]
        if theirs != PROTOCOL_VERSION:
            raise Refusal(
                "protocol_mismatch",
                mismatch_message(theirs),
                protocol=PROTOCOL_VERSION,
                version=__version__,
            )
        self.greeted = True
        return ok_reply(request_id, "hello", protocol=PROTOCOL_VERSION, version=__version__), []

    def _on_catalogue(self, request_id: str, message: dict[str, Any]) -> Reply:
        return ok_reply(request_id, "catalogue", catalogue=catalogue_json()), []

    def _on_validate(self, request_id: str, message: dict[str, Any]) -> Reply:
        document = message["document"]
        problems = checked_problems(document)
        code = trust.code_nodes(document)
        trusted = not code or trust.is_trusted(document)
        reply = ok_reply(
            request_id, "validate", problems=problems, code_nodes=code, trusted=trusted
        )
        return reply, []

    def _on_trust(self, request_id: str, message: dict[str, Any]) -> Reply:
        document = message["document"]
        try:
            value = trust.trust(document)
        except OSError as err:
            raise Refusal("internal", f"the trust store could not be written: {err}") from None
        return ok_reply(request_id, "trust", digest=value, trusted=True), []

    def _on_preview_geometry(self, request_id: str, message: dict[str, Any]) -> Reply:
        fields, buffers = preview_geometry(message["document"])
        return ok_reply(request_id, "preview_geometry", **fields), buffers

    def _on_run(self, request_id: str, message: dict[str, Any]) -> Reply:
        self._refuse_if_busy()
        document = message["document"]
        program = _program(document)
        if program.code_nodes and not trust.is_trusted(document):
            code = trust.code_nodes(document)
            raise Refusal(
                "untrusted",
                str(UntrustedCode(program.code_nodes)),
                code[0]["node_id"],
                "expression",
                code_nodes=code,
            )
        try:
            built = program.execute(trusted=True)
        except ExecutionError as err:
            raise Refusal("execution", str(err), err.node_id, details=err.details) from None
        names = [
            p.get("name") if isinstance(p, dict) else None for p in document["training"]["phases"]
        ]
        phases = [
            Phase(
                **solve_arguments(code),
                configure=configure,
                name=str(names[i] or f"phase {i + 1}") if i < len(names) else f"phase {i + 1}",
            )
            for i, (code, configure) in enumerate(built.phases)
        ]
        self._refuse_if_busy()
        callbacks, extra = [], {}
        if message.get("dashboard") is True:
            dashboard = _dashboard(self.session, sum(p.epochs for p in phases))
            callbacks.append(dashboard)
            extra["dashboard"] = dashboard.model_id
            self.dashboard = dashboard
        self._constraint_nodes = _constraint_nodes(document, built)
        try:
            self.session.start(built.crux, phases, callbacks=callbacks)
        except RuntimeError as err:
            raise Refusal("busy", str(err)) from None
        except (ValueError, TypeError) as err:
            raise Refusal("start_failed", f"the run could not start: {err}") from None
        self.built = built
        reply = ok_reply(request_id, "run", started=True, status=self.session.status, **extra)
        return reply, []

    def _refuse_if_busy(self) -> None:
        state = self.session.status["state"]
        if state in _ACTIVE:
            raise Refusal("busy", f"a run is already {state}: stop it before starting another")

    def _on_stop(self, request_id: str, message: dict[str, Any]) -> Reply:
        self.session.stop()
        return ok_reply(request_id, "stop", status=self.session.status), []

    def _on_pause(self, request_id: str, message: dict[str, Any]) -> Reply:
        self.session.pause()
        return ok_reply(request_id, "pause", status=self.session.status), []

    def _on_resume(self, request_id: str, message: dict[str, Any]) -> Reply:
        self.session.resume()
        return ok_reply(request_id, "resume", status=self.session.status), []

    def _on_status(self, request_id: str, message: dict[str, Any]) -> Reply:
        return ok_reply(request_id, "status", status=self.session.status), []

    def _on_export(self, request_id: str, message: dict[str, Any]) -> Reply:
        source = _program(message["document"]).to_source()
        return ok_reply(request_id, "export", source=source), []

    def _on_import(self, request_id: str, message: dict[str, Any]) -> Reply:
        document, notes = import_document(self.namespace, message["expression"])
        return ok_reply(request_id, "import", document=document, warnings=notes), []

    def _on_devices(self, request_id: str, message: dict[str, Any]) -> Reply:
        return ok_reply(request_id, "devices", **devices_info()), []

    def _on_notebook(self, request_id: str, message: dict[str, Any]) -> Reply:
        from .notebook import to_notebook

        name = message.get("name")
        if name is not None and not isinstance(name, str):
            raise Refusal(
                "bad_request", f"'notebook': 'name' must be a string, not {json_type(name)}"
            )
        program = _program(message["document"])
        return ok_reply(
            request_id, "notebook", notebook=to_notebook(program, message["document"], name)
        ), []

    # -- pushes --------------------------------------------------------------------------
    def _on_event(self, event: dict[str, Any]) -> None:
        send = self.send
        if send is None:
            return
        record = event.get("nonfinite")
        if isinstance(record, dict) and self._constraint_nodes:
            named = [self._constraint_nodes.get(n) for n in record.get("constraints", [])]
            event = {
                **event,
                "nonfinite": {
                    **record,
                    "constraints": [
                        c[0] if c else n for c, n in zip(named, record["constraints"], strict=True)
                    ],
                    "node_ids": [c[1] for c in named if c],
                },
            }
        try:
            send(json_safe(run_event(event)), [])
        except Exception:  # a closed comm must not disturb the training
            _log.debug("could not push a run event", exc_info=True)


def _dashboard(session: Session, epochs: int) -> Any:
    """A live dashboard for a run; its buttons drive the session (every phase)."""
    from ..widgets.dashboard import Dashboard

    dashboard = Dashboard(epochs=epochs)
    dashboard.controller = session
    return dashboard


# -- validation and lowering ---------------------------------------------------------------
def _constraint_nodes(document: dict[str, Any], built: Built) -> dict[str, tuple[str, str]]:
    """The solver's constraint names -> (the document's name for it, its Constraint node id)."""
    nodes = [n for n in document["graph"]["nodes"] if n.get("type") == "constraint"]
    names = list(getattr(built.crux, "constraint_names", []))
    if len(names) != len(nodes):
        return {}
    return {
        name: (str(node.get("label") or node["id"]), str(node["id"]))
        for name, node in zip(names, nodes, strict=True)
    }


def _program(document: dict[str, Any]) -> Program:
    """Validate, then lower; refuse with every problem when the document is not runnable."""
    problems = checked_problems(document)
    if problems:
        raise invalid(problems, "the document")
    try:
        return lower(document)
    except LoweringError as err:
        node_id, field, _ = err.problems[0]
        raise Refusal(
            "lowering", f"the document could not be lowered: {err}", node_id, field
        ) from None
    except Exception as err:
        raise Refusal("lowering", f"the document could not be lowered: {describe(err)}") from None


def checked_problems(document: dict[str, Any]) -> list[Problem]:
    """`validate(document)`; nodes with invalid parameters stay out of the port checks."""
    return validate(document)


# -- Jupyter -------------------------------------------------------------------------------
_kernel_session: Session | None = None
_kernel_session_lock = threading.Lock()


def _shared_session() -> Session:
    """The kernel's one training session, shared by every comm (created on first use)."""
    global _kernel_session
    with _kernel_session_lock:
        if _kernel_session is None:
            _kernel_session = Session()
        return _kernel_session


def register() -> bool:
    """Register the workbench comm target in the running IPython kernel.

    Idempotent: a second call registers nothing. Every comm the editor opens
    gets a `WorkbenchHandler` that replies with `comm.send(reply, buffers=...)`
    and pushes run events with `comm.send`; `import` looks names up in the
    kernel's user namespace.

    Returns:
        True when the target was registered now, False when it already was.

    Raises:
        RuntimeError: not inside an IPython kernel.
    """
    import ipykernel  # noqa: F401 - the comm machinery below is ipykernel's
    from IPython import get_ipython

    shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    manager = getattr(kernel, "comm_manager", None)
    if manager is None:
        raise RuntimeError(
            "jno_lab.workbench.kernel.register() works inside a Jupyter (IPython) kernel only"
        )
    if COMM_TARGET in getattr(manager, "targets", {}):
        return False
    manager.register_target(COMM_TARGET, _on_comm_open)
    return True


def _on_comm_open(comm: Any, open_msg: dict[str, Any]) -> None:
    """Bind a new handler to a comm the editor opened."""
    from IPython import get_ipython

    shell = get_ipython()
    namespace = getattr(shell, "user_ns", None)

    def push(message: dict[str, Any], buffers: list[bytes]) -> None:
        comm.send(message, buffers=buffers or None)

    handler = WorkbenchHandler(
        push, session=_shared_session(), namespace=namespace if namespace is not None else {}
    )

    def answer(data: Any, buffers: list[Any]) -> None:
        reply, out = handler.handle(data, buffers)
        try:
            comm.send(reply, buffers=out or None)
        except Exception:
            _log.warning("could not send a workbench reply", exc_info=True)

    def on_msg(msg: dict[str, Any]) -> None:
        content = msg.get("content") if isinstance(msg, dict) else None
        data = content.get("data") if isinstance(content, dict) else None
        answer(data, list(msg.get("buffers") or []) if isinstance(msg, dict) else [])

    def on_close(msg: dict[str, Any]) -> None:
        handler.close()

    comm.on_msg(on_msg)
    comm.on_close(on_close)
    content = open_msg.get("content") if isinstance(open_msg, dict) else None
    data = content.get("data") if isinstance(content, dict) else None
    if isinstance(data, dict) and "type" in data:  # a request sent with the open message
        answer(data, list(open_msg.get("buffers") or []))
