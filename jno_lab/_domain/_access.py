"""Data access: the arrays of a domain that the engine reads.

Points and normals are `(B, N, Ds)` numpy arrays (instances, points, spatial
coordinates), sampled on first use and cached (read-only) until a sample count
changes. Mixed into `domain`; the examples use `from jno_lab._domain import domain`.

Example:
    >>> from jno_lab._domain import domain
    >>> domain.rect(mesh_size=0.5).tag_points("interior").shape
    (1, 1, 2)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._tags import materialise, obtainable
from ._time import TimeSpec, time_grid


class DataAccess:
    """Shape, tags, points, normals, times and tensors of a domain."""

    name: str
    _dim: int
    _time: TimeSpec | None
    _parts: list
    _mesh_points: np.ndarray | None
    _requests: dict[str, tuple[int, str]]
    _tensors: dict[str, np.ndarray]
    _cache: dict[str, tuple[np.ndarray, np.ndarray | None]]

    # -- shape ------------------------------------------------------------------
    @property
    def spatial_dim(self) -> int:
        """The number of spatial coordinates Ds.

        Example:
            >>> from jno_lab._domain import domain
            >>> domain.line(mesh_size=0.5).spatial_dim
            1
        """
        return self._dim

    @property
    def batch_size(self) -> int:
        """The number of problem instances B.

        Example:
            >>> from jno_lab._domain import domain
            >>> (3 * domain.rect(mesh_size=0.5)).batch_size
            3
        """
        return sum(count for _, count in self._parts)

    @property
    def has_time(self) -> bool:
        """Whether the domain has a time axis.

        Example:
            >>> from jno_lab._domain import domain
            >>> domain.rect(mesh_size=0.5, time=(0, 1, 4)).has_time
            True
        """
        return self._time is not None

    @property
    def time(self) -> TimeSpec | None:
        """The time specification `(t0, t1, nt)`, or None.

        Example:
            >>> from jno_lab._domain import domain
            >>> domain.rect(mesh_size=0.5, time=(0, 1, 4)).time
            (0.0, 1.0, 4)
        """
        return self._time

    @property
    def mesh_points(self) -> np.ndarray:
        """All grid nodes `(N, Ds)` of a grid domain (interior and boundary).

        Raises:
            ValueError: for domains without a grid (polygons, stacks, data).

        Example:
            >>> from jno_lab._domain import domain
            >>> domain.rect(mesh_size=0.5).mesh_points.shape
            (9, 2)
        """
        if self._mesh_points is None:
            raise ValueError(f"domain {self.name!r} has no mesh; it samples its points")
        return self._mesh_points

    # -- tags -------------------------------------------------------------------
    def _declared(self) -> list[str]:
        first = self._parts[0][0]
        return [
            tag
            for tag, spec in first.items()
            if all(tag in specs for specs, _ in self._parts[1:])
            and (self.has_time or not spec.timed_only)
        ]

    def _check_tag(self, tag: Any) -> None:
        known = self._declared()
        if tag not in known:
            extra = f"; tensor tags: {', '.join(self._tensors)}" if self._tensors else ""
            raise ValueError(f"unknown tag {tag!r}; known tags: {', '.join(known)}{extra}")

    def _obtainable(self, tag: str) -> bool:
        return obtainable(self._parts, tag, self._requests.get(tag), self._obtainable)

    def _has_normals(self, tag: str) -> bool:
        return all(specs[tag].has_normals for specs, _ in self._parts)

    def tags(self) -> list[str]:
        """The tags whose points are available now (fixed, or with a sample count).

        Example:
            >>> from jno_lab._domain import domain
            >>> domain.line(mesh_size=0.5).tags()
            ['interior', 'boundary', 'left', 'right']
        """
        return [tag for tag in self._declared() if self._obtainable(tag)]

    def _data(self, tag: str) -> tuple[np.ndarray, np.ndarray | None]:
        self._check_tag(tag)
        if tag not in self._cache:
            request = self._requests.get(tag)
            pts, nrm = materialise(self._parts, tag, request, lambda m: self._data(m)[0])
            for arr in (pts, nrm):
                if arr is not None:
                    arr.flags.writeable = False
            self._cache[tag] = (pts, nrm)
        return self._cache[tag]

    @property
    def points(self) -> np.ndarray:
        """The domain's points `(N, Ds)`: the grid nodes of a grid domain, else the interior.

        Example:
            >>> from jno_lab._domain import domain
            >>> domain.rect(mesh_size=0.5).points.shape
            (9, 2)
        """
        if self._mesh_points is not None:
            return self._mesh_points
        return self.tag_points("interior")[0]

    def tag_points(self, tag: str) -> np.ndarray:
        """The points `(B, N, Ds)` of a tag (sampled on first use).

        Raises:
            ValueError: for an unknown tag, or a tag that needs a sample count.

        Example:
            >>> from jno_lab._domain import domain
            >>> domain.rect(mesh_size=0.5).tag_points("left")[0].tolist()
            [[0.0, 0.0], [0.0, 0.5], [0.0, 1.0]]
        """
        if tag in self._tensors:
            raise ValueError(f"{tag!r} is a tensor tag; read it with dom.tensor({tag!r})")
        return self._data(tag)[0]

    def normals(self, tag: str) -> np.ndarray:
        """The outward unit normals `(B, N, Ds)` of a boundary tag.

        Raises:
            ValueError: for a tag without normals (such as "interior").

        Example:
            >>> from jno_lab._domain import domain
            >>> domain.rect(mesh_size=0.5).normals("top")[0, 0].tolist()
            [0.0, 1.0]
        """
        self._check_tag(tag)
        if not self._has_normals(tag):
            raise ValueError(f"tag {tag!r} has no normals; only boundary tags have them")
        nrm = self._data(tag)[1]
        if nrm is None:  # pragma: no cover - specs with normals always produce them
            raise ValueError(f"tag {tag!r} has no normals")
        return nrm

    def times(self, tag: str) -> np.ndarray | None:
        """The time steps `(T,)` of a tag: None when stationary, `[t0]` for "initial".

        Example:
            >>> from jno_lab._domain import domain
            >>> dom = domain.rect(mesh_size=0.5, time=(0, 1, 3))
            >>> dom.times("interior").tolist(), dom.times("initial").tolist()
            ([0.0, 0.5, 1.0], [0.0])
        """
        self._check_tag(tag)
        if self._time is None:
            return None
        return np.array([self._time[0]]) if tag == "initial" else time_grid(self._time)

    def tensor(self, name: str) -> np.ndarray:
        """The array `(B, ...)` of a tensor tag.

        Example:
            >>> from jno_lab._domain import domain
            >>> dom = domain.rect(mesh_size=0.5)
            >>> _ = dom.variable("k", [1.0, 2.0])
            >>> dom.tensor("k").tolist(), dom.tensor_names()
            ([[1.0, 2.0]], ['k'])
        """
        if name not in self._tensors:
            known = ", ".join(self._tensors) or "none"
            raise ValueError(f"unknown tensor tag {name!r}; known tensor tags: {known}")
        return self._tensors[name]

    def tensor_names(self) -> list[str]:
        """The names of the tensor tags."""
        return list(self._tensors)

    @property
    def context(self) -> dict[str, np.ndarray]:
        """Every available tag's points `(B, N, Ds)`, `"__time__"` `(T,)` and the tensors.

        Example:
            >>> from jno_lab._domain import domain
            >>> sorted(domain.line(mesh_size=0.5, time=(0, 1, 2)).context)
            ['__time__', 'boundary', 'initial', 'interior', 'left', 'right']
        """
        ctx: dict[str, np.ndarray] = {tag: self.tag_points(tag) for tag in self.tags()}
        if self._time is not None:
            ctx["__time__"] = time_grid(self._time)
        ctx.update(self._tensors)
        return ctx
