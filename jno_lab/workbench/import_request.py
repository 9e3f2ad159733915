"""The `import` request: a kernel variable (a solver or domain) -> a workbench document."""

from __future__ import annotations

import keyword
import warnings
from typing import Any

from .protocol import UPGRADE_HINT
from .refusal import Refusal, describe, format_traceback, short


def resolve(namespace: dict[str, Any], expression: str) -> Any:
    """The object `expression` (a variable name, or name.attribute...) names in `namespace`.

    Raises:
        Refusal: "bad_request" for anything but dotted names, "unknown_name"
            for a name or attribute that is not there.

    Example:
        >>> resolve({"x": 1j}, " x.imag ")
        1.0
        >>> resolve({}, "y").message
        Traceback (most recent call last):
        ...
        jno_lab.workbench.refusal.Refusal: the kernel has no variable 'y'
    """
    expression = expression.strip()
    parts = expression.split(".")
    if not all(p.isidentifier() and not keyword.iskeyword(p) for p in parts):
        raise Refusal(
            "bad_request",
            f"expression must be a variable name (or name.attribute), not {short(expression)}",
            port="expression",
        )
    if parts[0] not in namespace:
        raise Refusal("unknown_name", f"the kernel has no variable {parts[0]!r}")
    obj = namespace[parts[0]]
    for i, attr in enumerate(parts[1:], start=1):
        try:
            obj = getattr(obj, attr)
        except AttributeError:
            owner = ".".join(parts[:i])
            raise Refusal("unknown_name", f"{owner!r} has no attribute {attr!r}") from None
    return obj


def import_document(namespace: dict[str, Any], expression: str) -> tuple[dict[str, Any], list[str]]:
    """The document of the object `expression` names, and the importer's warnings (deduplicated).

    Raises:
        Refusal: as `resolve`; "unavailable" without an importer; "import_failed"
            when the importer cannot describe the object.
    """
    obj = resolve(namespace, expression)
    try:
        from .importer import to_document  # written separately: optional here
    except ImportError as err:
        raise Refusal(
            "unavailable",
            f"this jno_lab cannot import models into the workbench ({err}); "
            f"upgrade with `{UPGRADE_HINT}`",
        ) from None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            document = to_document(obj)
    except Exception as err:
        raise Refusal(
            "import_failed",
            f"{expression.strip()!r} cannot be imported: {describe(err)}",
            details=format_traceback(err),
        ) from None
    return document, list(dict.fromkeys(str(w.message) for w in caught))
