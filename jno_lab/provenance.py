"""Provenance: which public call made an object, and with which arguments.

The engine records it where things are made (network factories, `jno.nn.wrap`,
`.optimizer(...)`, `jno.diagnostics`), so tools that read a solver back (the
workbench importer) need no guessing. Records are data: the public dotted name
of the factory and its arguments. They are kept beside the object, by identity
and weakly, so frozen objects (equinox modules) need no field of their own; a
copy made by a tree operation is a new object and has no provenance.

Example:
    >>> from jno_lab.provenance import Provenance, provenance_of, record
    >>> class Thing:
    ...     pass
    >>> thing = record(Thing(), Provenance("pkg.make", (1,), {"size": 2}))
    >>> provenance_of(thing)
    Provenance(factory='pkg.make', args=(1,), kwargs={'size': 2})
    >>> provenance_of(Thing()) is None
    True
"""

from __future__ import annotations

import functools
import inspect
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = ["Provenance", "provenance_of", "record", "records"]

T = TypeVar("T")


@dataclass(frozen=True)
class Provenance:
    """A public call: `factory(*args, **kwargs)`.

    Attributes:
        factory: the public dotted name ("optax.adam", "jno.nn.mlp", ...).
        args: positional arguments.
        kwargs: keyword arguments.
    """

    factory: str
    args: tuple = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


_RECORDS: dict[int, tuple[weakref.ref, Provenance]] = {}


def record(obj: T, provenance: Provenance | None) -> T:
    """Remember how `obj` was made (None forgets it); returns `obj`.

    Raises:
        TypeError: when `obj` cannot be referenced weakly (e.g. a tuple).
    """
    key = id(obj)
    if provenance is None:
        _RECORDS.pop(key, None)
        return obj
    try:
        ref = weakref.ref(obj, lambda _, key=key: _RECORDS.pop(key, None))
    except TypeError:
        raise TypeError(
            f"cannot record the provenance of a {type(obj).__name__}: it cannot be referenced "
            "weakly; record it on the object that holds it"
        ) from None
    _RECORDS[key] = (ref, provenance)
    return obj


def provenance_of(obj: Any) -> Provenance | None:
    """How `obj` was made, or None when nothing was recorded for this very object."""
    entry = _RECORDS.get(id(obj))
    if entry is None or entry[0]() is not obj:
        return None
    return entry[1]


def records(factory: str, **normalise: Callable[[Any], Any]) -> Callable[[T], T]:
    """Decorate a factory so that what it returns records `factory` and its arguments.

    Arguments are recorded by name, defaults filled in; `normalise` maps an
    argument name to a function giving the value to record (e.g. a default key
    resolved to the key actually used). The factory must accept the normalised
    value in place of the given one.

    Example:
        >>> from jno_lab.provenance import provenance_of, records
        >>> class Box:
        ...     pass
        >>> @records("demo.box", size=int)
        ... def box(size=1.0, *, name=""):
        ...     return Box()
        >>> provenance_of(box(2.0)).kwargs
        {'size': 2, 'name': ''}
    """

    def decorate(fn: T) -> T:
        signature = inspect.signature(fn)  # type: ignore[arg-type]

        @functools.wraps(fn)  # type: ignore[arg-type]
        def made(*args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            arguments = dict(bound.arguments)
            for name, convert in normalise.items():
                if name in arguments:
                    arguments[name] = convert(arguments[name])
            result = fn(**arguments)  # type: ignore[operator]
            return record(result, Provenance(factory, (), arguments))

        return made  # type: ignore[return-value]

    return decorate
