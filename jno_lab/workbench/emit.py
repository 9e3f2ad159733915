r"""The only ways document text reaches generated Python: a handful of checked emitters.

Every value a node or the geometry puts into a statement goes through one of
these: an identifier (strict pattern), a finite number, an integer, a string
literal (`repr`), a keyword checked against the names the target accepts, a
comment (one printable line), or an expression of the restricted grammar
(`expressions`). Each raises `UnsafeValue` naming the field at fault, which the
lowering turns into a validation problem naming the node.

Example:
    >>> number(1, "radius"), integer(3, "depth"), print(string('say "hi"\n', "name"))
    'say "hi"\n'
    ('1.0', '3', None)
    >>> comment("title\n__import__('os')")
    "title __import__('os')"
    >>> name("x; import os", "id")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    jno_lab.workbench.emit.UnsafeValue: id: 'x; import os' is not a Python name ...
"""

from __future__ import annotations

import keyword as _keyword
import math
import re
import sys
from collections.abc import Collection, Sequence
from typing import Any

from . import expressions

__all__ = [
    "IDENTIFIER",
    "UnsafeValue",
    "comment",
    "expression",
    "integer",
    "keyword",
    "name",
    "number",
    "numbers",
    "string",
]

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""What an identifier emitted into a program looks like (ASCII only)."""

COMMENT_LENGTH = 120
"""Longest comment text emitted (longer titles are cut)."""


class UnsafeValue(ValueError):
    """A document value that cannot be emitted; `field` names where it sits."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


def name(text: Any, field: str) -> str:
    """An identifier: ASCII letters, digits and `_`, not a keyword, no leading `__`."""
    if (
        not isinstance(text, str)
        or not IDENTIFIER.fullmatch(text)
        or _keyword.iskeyword(text)
        or text.startswith("__")
    ):
        raise UnsafeValue(field, f"{_short(text)} is not a Python name ([A-Za-z_][A-Za-z0-9_]*)")
    return text


def number(value: Any, field: str) -> str:
    """A finite number literal, always a float (`repr(float(value))`)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UnsafeValue(field, f"{_short(value)} is not a number")
    if isinstance(value, int) and abs(value) > sys.float_info.max:
        raise UnsafeValue(field, "the integer is too large for a float64")
    value = float(value)
    if not math.isfinite(value):
        raise UnsafeValue(field, f"{value!r} is not a finite number")
    return repr(float(value))


def numbers(values: Any, field: str) -> str:
    """A list literal of finite numbers."""
    if not isinstance(values, list | tuple):
        raise UnsafeValue(field, f"{_short(values)} is not a list of numbers")
    return "[" + ", ".join(number(v, f"{field}/{i}") for i, v in enumerate(values)) + "]"


def integer(value: Any, field: str, minimum: int | None = None) -> str:
    """An integer literal (at least `minimum`)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 2**62:
        raise UnsafeValue(field, f"{_short(value)} is not an integer")
    if minimum is not None and value < minimum:
        raise UnsafeValue(field, f"{value} is below the least value {minimum}")
    return str(value)


def string(value: Any, field: str) -> str:
    """A string literal: `repr` escapes quotes, newlines, NUL and non-printable characters."""
    if not isinstance(value, str):
        raise UnsafeValue(field, f"{_short(value)} is not text")
    return repr(value)


def keyword(key: Any, known: Collection[str], field: str) -> str:
    """A keyword-argument name, one of `known` (what the target call accepts)."""
    if not isinstance(key, str) or key not in known:
        choices = ", ".join(sorted(known))
        raise UnsafeValue(field, f"{_short(key)} is not one of the known keys ({choices})")
    return name(key, field)


def comment(text: Any) -> str:
    """Comment text: one line of printable characters, at most `COMMENT_LENGTH` long.

    Line breaks of any kind (newline, carriage return, U+2028, ...) and other non-printable
    characters become spaces, so the text can never leave its comment.
    """
    cleaned = "".join(c if c.isprintable() else " " for c in str(text))
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > COMMENT_LENGTH:
        cleaned = cleaned[: COMMENT_LENGTH - 3] + "..."
    return cleaned


def expression(text: Any, field: str, variables: Sequence[str], *, kind: str = "function") -> str:
    """An expression of the restricted grammar, rebuilt from its parse.

    Args:
        text: the document's expression text.
        field: where it sits, for the error.
        variables: the names it may use.
        kind: "function" (array inputs, `jnp.` spelling) or "predicate" (float
            inputs, `np.` spelling, boolean operators allowed).
    """
    try:
        if kind == "predicate":
            return expressions.predicate(text, variables)
        return expressions.function_body(text, variables)
    except expressions.GrammarError as err:
        raise UnsafeValue(field, str(err)) from None


def _short(value: Any, limit: int = 60) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"an integer of {value.bit_length()} bits"
    try:
        text = repr(value)
    except Exception:
        text = f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 3] + "..."
