"""JSON values of a saved-run manifest: checked access and generic encoding.

The `as_*` readers and `field` raise `Bad` naming where in the manifest a value
is wrong; `encode` and `decode` turn Python values (numbers, strings, lists,
tuples, dicts, arrays) into manifest JSON and back, arrays going to the
archive's array entries.

Example:
    >>> as_int(3, "steps", 0), field({"a": 1}, "a", "entry")
    (3, 1)
    >>> as_int(-1, "steps", 0)
    Traceback (most recent call last):
    ...
    jno_lab._solver.archive_values.Bad: steps: -1 is out of range [0, None]
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import jax
import numpy as np

if TYPE_CHECKING:
    from .archive import Archive, ArrayWriter

MAX_DEPTH = 64
"""Deepest nesting of values a manifest may hold (training logs need 3 or 4)."""


class Bad(ValueError):
    """Something in a saved file is not what the format says (the reader adds the file name)."""


# -- checked access to JSON values -------------------------------------------------------
def as_dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Bad(f"{where}: expected a JSON object, got {_json_type(value)}")
    return value


def as_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise Bad(f"{where}: expected a JSON list, got {_json_type(value)}")
    return value


def as_str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise Bad(f"{where}: expected a string, got {_json_type(value)}")
    return value


def as_bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise Bad(f"{where}: expected true or false, got {_json_type(value)}")
    return value


def as_int(value: Any, where: str, lo: int | None = None, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Bad(f"{where}: expected an integer, got {_json_type(value)}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise Bad(f"{where}: {value} is out of range [{lo}, {hi}]")
    return value


def as_float(value: Any, where: str) -> float:
    """A number, or a tagged non-finite float (see `encode`)."""
    if isinstance(value, dict) and set(value) == {"$float"}:
        text = value["$float"]
        if text not in ("nan", "inf", "-inf"):
            raise Bad(f"{where}: unknown float {text!r}")
        return float(text)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Bad(f"{where}: expected a number, got {_json_type(value)}")
    return float(value)


def optional(value: Any, check: Any, where: str, *args: Any) -> Any:
    """`None`, or `check(value, where, *args)`."""
    return None if value is None else check(value, where, *args)


def field(obj: dict[str, Any], key: str, where: str) -> Any:
    """`obj[key]`, or a clear error when it is missing."""
    if key not in obj:
        raise Bad(f"{where}: missing {key!r}")
    return obj[key]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value[:40]!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# -- generic values ------------------------------------------------------------------------
def encode(value: Any, arrays: ArrayWriter, where: str = "value", depth: int = 0) -> Any:
    """`value` as JSON: None, bools, ints, strings, floats, lists, tuples, dicts and arrays.

    Arrays (numpy or JAX) go to `arrays` and appear as `{"$array": i}`; numpy scalars
    as `{"$scalar": i}`; tuples as `{"$tuple": [...]}`; non-finite floats as
    `{"$float": "nan"}`; dicts whose keys are not all plain strings as
    `{"$dict": [[key, value], ...]}`.

    Raises:
        TypeError: for any other type (naming where it was found).
    """
    if depth > MAX_DEPTH:
        raise TypeError(f"{where}: nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(float(value))}
    if isinstance(value, np.generic):
        return {"$scalar": arrays.add(np.asarray(value))["$array"]}
    if isinstance(value, np.ndarray | jax.Array):
        return arrays.add(value)
    if isinstance(value, list):
        return [encode(v, arrays, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]
    if isinstance(value, tuple):
        return {
            "$tuple": [encode(v, arrays, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]
        }
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: encode(v, arrays, f"{where}[{k!r}]", depth + 1) for k, v in value.items()}
        return {
            "$dict": [
                [
                    encode(k, arrays, f"{where} key", depth + 1),
                    encode(v, arrays, f"{where}[{k!r}]", depth + 1),
                ]
                for k, v in value.items()
            ]
        }
    raise TypeError(
        f"{where} is a {type(value).__name__}; saved files hold numbers, strings, None, lists, "
        "tuples, dicts and numeric arrays only"
    )


def decode(value: Any, archive: Archive, where: str = "value", depth: int = 0) -> Any:
    """The value `encode` wrote (arrays come back as numpy arrays)."""
    if depth > MAX_DEPTH:
        raise Bad(f"{where}: nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [decode(v, archive, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]
    if not isinstance(value, dict):  # pragma: no cover - json gives no other types
        raise Bad(f"{where}: unexpected {_json_type(value)}")
    tags = [k for k in value if k.startswith("$")]
    if not tags:
        return {k: decode(v, archive, f"{where}[{k!r}]", depth + 1) for k, v in value.items()}
    if len(value) != 1:
        raise Bad(f"{where}: a tagged value has exactly one key, got {sorted(value)}")
    tag = tags[0]
    body = value[tag]
    if tag == "$array":
        return archive.array(value, where)
    if tag == "$scalar":
        array = archive.array({"$array": body}, where)
        if array.shape != ():
            raise Bad(f"{where}: a scalar must be a 0-d array, got shape {array.shape}")
        return array[()]
    if tag == "$float":
        return as_float(value, where)
    if tag == "$tuple":
        items = as_list(body, where)
        return tuple(decode(v, archive, f"{where}[{i}]", depth + 1) for i, v in enumerate(items))
    if tag == "$dict":
        out: dict[Any, Any] = {}
        for i, pair in enumerate(as_list(body, where)):
            pair = as_list(pair, f"{where}[{i}]")
            if len(pair) != 2:
                raise Bad(f"{where}[{i}]: expected a [key, value] pair")
            key = decode(pair[0], archive, f"{where}[{i}] key", depth + 1)
            try:
                hash(key)
            except TypeError:
                raise Bad(
                    f"{where}[{i}]: a dict key must be a number, string, None or tuple"
                ) from None
            out[key] = decode(pair[1], archive, f"{where}[{key!r}]", depth + 1)
        return out
    raise Bad(f"{where}: unknown tag {tag!r}")
