"""A fast, compiled check that JSON Schema rules surely accept a value.

Large documents hold thousands of nodes and edges of a few shapes; this check
passes the plain ones without `jsonschema`, which then sees only the rest.

>>> rules = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}}
>>> surely_valid(rules, {"n": 3}), surely_valid(rules, {"n": 0})
(True, False)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

ANNOTATIONS = frozenset({"description", "default", "title", "examples", "$comment"})
Check = Callable[[Any], bool]


def definition(root: dict[str, Any] | None, ref: Any) -> dict[str, Any] | None:
    """The schema `ref` (`#/$defs/<name>`) names in `root`, or None."""
    if root is None or not isinstance(ref, str) or not ref.startswith("#/$defs/"):
        return None
    found = root.get("$defs", {}).get(ref.removeprefix("#/$defs/"))
    return found if isinstance(found, dict) else None


def _never(value: Any) -> bool:
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, int) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": _is_integer,
}
_BOUNDS: dict[str, Callable[[Any, Any], bool]] = {
    "minimum": lambda v, b: v >= b,
    "maximum": lambda v, b: v <= b,
    "exclusiveMinimum": lambda v, b: v > b,
    "exclusiveMaximum": lambda v, b: v < b,
}
_SIZES: dict[str, tuple[type, Callable[[int, Any], bool]]] = {
    "minLength": (str, lambda n, b: n >= b),
    "maxLength": (str, lambda n, b: n <= b),
    "minItems": (list, lambda n, b: n >= b),
    "maxItems": (list, lambda n, b: n <= b),
}
_CHECKS: dict[int, tuple[dict[str, Any], Check]] = {}


def surely_valid(rules: dict[str, Any], value: Any, root: dict[str, Any] | None = None) -> bool:
    """True only when JSON Schema `rules` surely accept `value` (a fast check).

    Knows the keywords of the node, edge and parameter schemas, with
    `jsonschema`'s meaning (`$ref` to the `$defs` of `root`); a schema with
    anything else (another keyword, an enum of non-strings) answers False,
    which leaves the value to `jsonschema`. Compiled once per schema.
    """
    cached = _CHECKS.get(id(rules))
    if cached is None or cached[0] is not rules:
        cached = _CHECKS[id(rules)] = (rules, _compile(rules, root, 0))
    return cached[1](value)


def _compile(rules: Any, root: dict[str, Any] | None, depth: int) -> Check:
    """A function answering `surely_valid(rules, value)` (`_never` if unsure)."""
    if depth > 8 or not isinstance(rules, dict):
        return _never
    tests: list[Check] = []
    for key, rule in rules.items():
        if key in ANNOTATIONS or (key == "additionalProperties" and rule is True):
            continue
        test = _keyword_check(key, rule, rules, root, depth)
        if test is None:
            return _never
        tests.append(test)
    return functools.reduce(_both, tests) if tests else (lambda v: True)


def _both(first: Check, second: Check) -> Check:
    return lambda v: first(v) and second(v)


def _keyword_check(
    key: str, rule: Any, rules: dict[str, Any], root: dict[str, Any] | None, depth: int
) -> Check | None:
    """The test of one keyword, or None when it is not one `surely_valid` knows."""
    if key == "type":
        kinds = rule if isinstance(rule, list) else [rule]
        if not all(isinstance(kind, str) and kind in _TYPES for kind in kinds):
            return None
        tests = [_TYPES[kind] for kind in kinds]
        return tests[0] if len(tests) == 1 else (lambda v: any(t(v) for t in tests))
    if key == "properties" and isinstance(rule, dict):
        subs = [(name, _compile(sub, root, depth + 1)) for name, sub in rule.items()]

        def properties(value: Any) -> bool:
            if isinstance(value, dict):
                for name, sub in subs:
                    if name in value and not sub(value[name]):
                        return False
            return True

        return properties
    if key == "required" and isinstance(rule, list):
        names = tuple(rule)
        return lambda v: not isinstance(v, dict) or all(name in v for name in names)
    if key == "additionalProperties" and rule is False and "patternProperties" not in rules:
        known = frozenset(rules.get("properties", {}))
        return lambda v: not isinstance(v, dict) or known.issuperset(v)
    if key == "items" and isinstance(rule, dict) and "prefixItems" not in rules:
        item = _compile(rule, root, depth + 1)
        return lambda v: not isinstance(v, list) or all(item(x) for x in v)
    if key == "enum" and isinstance(rule, list) and all(isinstance(x, str) for x in rule):
        options = frozenset(rule)
        return lambda v: isinstance(v, str) and v in options
    if key == "pattern" and isinstance(rule, str):
        search = re.compile(rule).search  # what jsonschema does: `re.search`
        return lambda v: not isinstance(v, str) or search(v) is not None
    if key == "propertyNames":
        name_check = _compile(rule, root, depth + 1)
        return lambda v: not isinstance(v, dict) or all(name_check(name) for name in v)
    if key == "$ref":
        found = definition(root, rule)
        return None if found is None else _compile(found, root, depth + 1)
    if key in _BOUNDS and _is_number(rule):
        compare = _BOUNDS[key]
        return lambda v: not _is_number(v) or compare(v, rule)
    if key in _SIZES and isinstance(rule, int):
        kind, fits = _SIZES[key]
        return lambda v: not isinstance(v, kind) or fits(len(v), rule)
    return None
