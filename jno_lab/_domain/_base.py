"""The `domain` class: named point sets ("tags"), their coordinates, their arrays.

`jno.domain(...)` dispatches on its first argument: an existing domain (such as
`jno.domain.rect(...)`) is copied with the given time axis; a shapely geometry
becomes a lazy polygon domain (`jno.domain.csg`).
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

from .._trace.nodes import TensorTag, Variable
from ._access import DataAccess
from ._batch import BatchOperators
from ._csg import CSGOperators
from ._factories import Factories, check_options
from ._geometry import is_geometry
from ._sampling import is_sample_request, parse_sample
from ._tags import Part
from ._tensors import as_tensor
from ._time import parse_time

_DomainT = TypeVar("_DomainT", bound="domain")


def _restore(cls: type, state: dict[str, Any]) -> domain:
    obj = object.__new__(cls)
    obj.__dict__.update(state)
    return obj


class domain(DataAccess, Factories, CSGOperators, BatchOperators):
    """A computational domain: named point sets ("tags") with optional time axis.

    Args:
        constructor: a domain to copy (e.g. `domain.rect(...)`) or a shapely
            Polygon / MultiPolygon (gives a lazy polygon domain, `domain.csg`).
        time: `(t0, t1, nt)` for a time axis `linspace(t0, t1, nt)`; None keeps
            the constructor's time axis (stationary for a new geometry).
        name: a label for messages.

    Raises:
        ValueError: for a missing or unsupported constructor.

    Example:
        >>> from jno_lab._domain import domain
        >>> dom = domain(constructor=domain.rect(mesh_size=0.25), time=(0, 1, 3))
        >>> x, y, t = dom.variable("interior")
        >>> dom.tag_points("interior").shape, dom.times("interior").shape
        ((1, 9, 2), (3,))
    """

    _bounds: tuple[float, ...] | None
    _nodes: dict[tuple, Any]  # expression nodes by key, so each is made once

    def __new__(
        cls, constructor: Any = None, time: Any = None, name: str | None = None, **options: Any
    ) -> domain:
        from ._polygon import PolygonDomain

        check_options(options)
        if isinstance(constructor, domain):
            new_time = constructor.time if time is None else parse_time(time)
            if issubclass(cls, PolygonDomain) and not isinstance(constructor, PolygonDomain):
                geometry = constructor._as_geometry()
                return PolygonDomain._from_geometry(geometry, time=new_time, name=name or "domain")
            return constructor._clone(_time=new_time, name=name or constructor.name)
        if is_geometry(constructor):
            return PolygonDomain._from_geometry(constructor, time=time, name=name or "domain")
        if constructor is None:
            raise ValueError(
                "jno.domain needs a geometry: jno.domain.rect(...), jno.domain.line(...), "
                "a shapely Polygon, or jno.domain.from_array(...)"
            )
        raise ValueError(
            f"jno.domain cannot build a domain from a {type(constructor).__name__}; pass "
            "jno.domain.rect(...), jno.domain.line(...) or a shapely Polygon/MultiPolygon "
            "(mesh files and gmsh constructors are not supported)"
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Do nothing: `__new__` returns fully built domains."""

    # -- construction -------------------------------------------------------------
    @classmethod
    def _make(
        cls: type[_DomainT],
        *,
        dim: int,
        parts: list[Part],
        time: Any = None,
        name: str = "domain",
        mesh_points: np.ndarray | None = None,
        bounds: tuple[float, ...] | None = None,
        requests: dict[str, tuple[int, str]] | None = None,
        tensors: dict[str, np.ndarray] | None = None,
    ) -> _DomainT:
        self = object.__new__(cls)
        self.name = name
        self._dim = int(dim)
        self._time = parse_time(time)
        self._parts = list(parts)
        self._mesh_points = mesh_points
        self._bounds = bounds
        self._requests = dict(requests or {})
        self._tensors = dict(tensors or {})
        self._cache = {}
        self._nodes = {}
        return self

    def _clone(self, **changes: Any) -> domain:
        """A new domain with the same geometry, sample counts and tensors (no cached points)."""
        new = _restore(type(self), dict(self.__dict__))
        new._parts = list(self._parts)
        new._requests = dict(self._requests)
        new._tensors = dict(self._tensors)
        new._cache, new._nodes = {}, {}
        new.__dict__.update(changes)
        return new

    def __copy__(self) -> domain:
        return self._clone()

    def __reduce__(self) -> tuple:
        return _restore, (type(self), dict(self.__dict__))

    # -- expressions --------------------------------------------------------------
    def _node(self, key: tuple, make: Any) -> Any:
        if key not in self._nodes:
            self._nodes[key] = make()
        return self._nodes[key]

    def variable(
        self, tag: str, sample: Any = None, normals: bool = False
    ) -> tuple[Variable, ...] | TensorTag:
        """The coordinates of a tag's points as expression variables.

        Args:
            tag: the tag ("interior", "boundary", ...), or a new tensor tag name.
            sample: a count `n` or `(n, sampler)` (None/"uniform", "sobol",
                "halton", "grid") to draw the points; or an array `(B, ...)` to
                register a tensor tag (returns a `TensorTag`).
            normals: also return the components of the outward unit normal.

        Returns:
            `(x, y, ..., [t], [nx, ny, ...])`: spatial variables, then the time
            if the domain has one, then the normal components if asked.

        Raises:
            ValueError: for an unknown tag, a tag without normals, or a
                polygon tag that has no points yet and no sample count.

        Example:
            >>> from shapely.geometry import box
            >>> from jno_lab._domain import domain
            >>> dom = domain(box(0, 0, 2, 1))
            >>> x, y, nx, ny = dom.variable("boundary", sample=(16, "sobol"), normals=True)
            >>> dom.tag_points("boundary").shape
            (1, 16, 2)
        """
        if isinstance(sample, tuple) and sample == (None, None):
            sample = None  # jNO's "no explicit sample count": the mesh points
        if sample is not None and not is_sample_request(sample):
            if tag in self._declared():
                raise ValueError(f"{tag!r} is a point tag; choose another name for the tensor")
            self._tensors[tag] = as_tensor(tag, sample, self.batch_size)
            return self._node(("tensor", tag), lambda: TensorTag(tag, self))
        if tag in self._tensors:
            return self._node(("tensor", tag), lambda: TensorTag(tag, self))
        self._check_tag(tag)
        if sample is not None:
            request = parse_sample(sample)
            if self._requests.get(tag) != request:
                self._requests[tag] = request
                self._cache.clear()
        elif not self._obtainable(tag) and all(s[tag].mirror is None for s, _ in self._parts):
            raise ValueError(
                f"tag {tag!r} has no points yet: pass a sample count, e.g. "
                f"dom.variable({tag!r}, sample=1000)"
            )
        if normals and not self._has_normals(tag):
            raise ValueError(f"tag {tag!r} has no normals; only boundary tags have them")
        axes = [("spatial", d) for d in range(self._dim)]
        axes += [("temporal", 0)] if self.has_time else []
        axes += [("normal", d) for d in range(self._dim)] if normals else []
        return tuple(
            self._node((tag, d, axis), lambda d=d, axis=axis: Variable(tag, d, self, axis))
            for axis, d in axes
        )

    def __repr__(self) -> str:
        time = f", time={self._time}" if self._time else ""
        return (
            f"<{type(self).__name__} {self.name!r}: {self._dim}-D, B={self.batch_size}, "
            f"tags={self._declared()}{time}>"
        )


domain.domain = domain  # type: ignore[attr-defined]
