"""Refused workbench requests and the words their error replies use.

A request handler raises `Refusal`; the handler's one entry point turns it into
an error reply (`protocol.error_reply`). The helpers describe received values
and exceptions briefly, for those messages.
"""

from __future__ import annotations

import traceback
from typing import Any

from .._version_info import __version__
from .protocol import PROTOCOL_VERSION, UPGRADE_HINT
from .validate import Problem


class Refusal(Exception):
    """A request that is answered with an error reply (raised inside a request handler).

    Example:
        >>> refusal = Refusal("geometry", "the interval is empty", port="x", problems=[])
        >>> refusal.code, refusal.message, refusal.port, refusal.extra
        ('geometry', 'the interval is empty', 'x', {'problems': []})
    """

    def __init__(
        self,
        code: str,
        message: str,
        node_id: str | None = None,
        port: str | None = None,
        **extra: Any,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.node_id = node_id
        self.port = port
        self.extra = extra


def invalid(problems: list[Problem], what: str, code: str = "invalid") -> Refusal:
    """A refusal listing validation problems, located at the first one.

    Example:
        >>> first = {"code": "cycle", "message": "a cycle", "node_id": "a", "port": None}
        >>> invalid([first, first], "the document").message
        'the document has 2 problems; first: a cycle'
    """
    first = problems[0]
    count = f"{len(problems)} problems" if len(problems) > 1 else "a problem"
    return Refusal(
        code,
        f"{what} has {count}; first: {first['message']}",
        first["node_id"],
        first["port"],
        problems=problems,
    )


JSON_NAMES = {int: "an integer", str: "a string", dict: "an object"}
"""How messages name the JSON types a request field may need."""


def has_type(value: Any, kind: type) -> bool:
    """Whether `value` is of JSON type `kind` (booleans are not integers).

    Example:
        >>> has_type(True, int), has_type(3, int)
        (False, True)
    """
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def json_type(value: Any) -> str:
    """The JSON type of `value`, as a message names it.

    Example:
        >>> json_type(None), json_type([1]), json_type(2.5)
        ('null', 'an array', 'a number')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def short(value: Any, limit: int = 80) -> str:
    """`repr(value)`, cut to `limit` characters.

    Example:
        >>> short("x" * 100, limit=10)
        "'xxxxxx..."
    """
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe(err: BaseException) -> str:
    """`Type: message` of an exception (the message cut to 2000 characters).

    Example:
        >>> describe(ValueError("bad"))
        'ValueError: bad'
    """
    try:
        text = str(err)
    except Exception:
        text = "<unprintable>"
    if len(text) > 2000:
        text = text[:2000] + "..."
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def format_traceback(err: BaseException) -> str:
    """The last 20 000 characters of an exception's traceback ("" when it cannot be printed)."""
    try:
        return "".join(traceback.format_exception(err))[-20_000:]
    except Exception:
        return ""


def id_and_type(message: Any) -> tuple[Any, Any]:
    """The `id` and `type` of a request (None for what is not an object)."""
    if not isinstance(message, dict):
        return None, None
    return message.get("id"), message.get("type")


def mismatch_message(theirs: int) -> str:
    """What to do when the editor speaks protocol `theirs` and this kernel another one."""
    if theirs > PROTOCOL_VERSION:
        return (
            f"The jNO Lab editor speaks workbench protocol {theirs}, but this kernel's "
            f"jno_lab {__version__} speaks protocol {PROTOCOL_VERSION}: the kernel is older. "
            f"Run `{UPGRADE_HINT}` in the kernel's environment, restart the kernel and "
            "reload the page."
        )
    return (
        f"The jNO Lab editor speaks workbench protocol {theirs}, but this kernel's "
        f"jno_lab {__version__} speaks protocol {PROTOCOL_VERSION}: the editor is older. "
        f"Run `{UPGRADE_HINT}` in the environment that runs JupyterLab, restart JupyterLab "
        "and reload the page."
    )
