"""Let a widget's comm be served while the kernel's main thread is busy training.

A cell running `crux.solve(...)` holds the kernel's main thread, so a Stop
click (a comm message) would wait for the cell to end. ipykernel 7 routes each
comm message through its shell-channel thread and asks the comm which subshell
(JEP 91: a shell with a thread of its own) should handle it. `serve_concurrently`
creates a subshell for the comm and routes the comm's messages there, so they
are handled at once, on the subshell's thread. On kernels without subshells it
does nothing and says so.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

__all__ = ["serve_concurrently"]

_log = logging.getLogger(__name__)


def serve_concurrently(comm: Any, timeout: float = 5.0) -> bool:
    """Route `comm`'s incoming messages to a subshell of the running kernel.

    Returns:
        True when the comm is now served on its own thread; False when the kernel
        has no subshells (ipykernel < 7) or the comm is not a kernel comm.
    """
    kernel = getattr(comm, "kernel", None)
    if kernel is None:
        try:
            from ipykernel.kernelbase import Kernel
        except ImportError:
            return False
        kernel = Kernel.instance() if Kernel.initialized() else None
    thread = getattr(kernel, "shell_channel_thread", None)
    manager = getattr(thread, "manager", None)
    create = getattr(manager, "_create_subshell", None)
    loop = getattr(manager, "_shell_channel_io_loop", None)
    if create is None or loop is None or not hasattr(comm, "_reply_subshell_for"):
        return False
    existing = getattr(comm, "_jno_subshell", None)
    if existing is not None:
        return True
    done = threading.Event()
    box: dict[str, Any] = {}

    def make() -> None:
        try:
            box["id"] = create()
        except Exception as err:  # a kernel whose internals differ: fall back
            box["error"] = err
        finally:
            done.set()

    loop.add_callback(make)
    if not done.wait(timeout) or "id" not in box:
        _log.info("no subshell for the dashboard comm: %s", box.get("error", "timeout"))
        return False
    subshell = box["id"]
    comm._jno_subshell = subshell
    comm._reply_subshell_for = lambda data, default: subshell
    return True
