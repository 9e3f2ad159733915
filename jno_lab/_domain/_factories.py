"""Constructors of `domain`: grids (`rect`, `line`), data (`from_array`) and `stack`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ._tags import TagSpec, fixed

if TYPE_CHECKING:
    from ._base import domain

_JNO_OPTIONS = ("algorithm", "compute_mesh_connectivity")  # accepted for jNO code, unused


def check_options(options: dict[str, Any]) -> None:
    """Accept jNO's meshing options (ignored here); reject any other keyword."""
    unknown = sorted(set(options) - set(_JNO_OPTIONS))
    if unknown:
        raise TypeError(f"unexpected keyword argument(s): {', '.join(unknown)}")


class Factories:
    """Class-level constructors, mixed into `domain`."""

    @classmethod
    def rect(
        cls,
        x_range: tuple[float, float] = (0, 1),
        y_range: tuple[float, float] = (0, 1),
        mesh_size: float = 0.1,
        *,
        time: Any = None,
        name: str = "rect",
        **options: Any,
    ) -> domain:
        """A rectangle with a grid of nodes about `mesh_size` apart.

        Tags: "interior", "boundary", "left", "right", "bottom", "top" (see
        `rect_specs`); without a sample count each tag uses its grid nodes.

        Example:
            >>> from jno_lab._domain import domain
            >>> dom = domain.rect(mesh_size=0.25)
            >>> [dom.tag_points(t).shape[1] for t in ("interior", "boundary", "left")]
            [9, 16, 5]
        """
        from ._base import domain
        from ._grid import rect_specs

        check_options(options)
        specs, nodes, bounds = rect_specs(x_range, y_range, mesh_size)
        return domain._make(
            dim=2, parts=[(specs, 1)], time=time, name=name, mesh_points=nodes, bounds=bounds
        )

    @classmethod
    def line(
        cls,
        x_range: tuple[float, float] = (0, 1),
        mesh_size: float = 0.1,
        *,
        time: Any = None,
        name: str = "line",
        **options: Any,
    ) -> domain:
        """An interval with nodes about `mesh_size` apart.

        Tags: "interior" (nodes strictly inside), "boundary" (both ends, normals
        -1 and +1), "left", "right".

        Example:
            >>> from jno_lab._domain import domain
            >>> dom = domain.line(mesh_size=0.25)
            >>> dom.tag_points("interior")[0, :, 0].tolist()
            [0.25, 0.5, 0.75]
            >>> dom.normals("boundary")[0, :, 0].tolist()
            [-1.0, 1.0]
        """
        from ._base import domain
        from ._grid import line_specs

        check_options(options)
        specs, nodes = line_specs(x_range, mesh_size)
        return domain._make(dim=1, parts=[(specs, 1)], time=time, name=name, mesh_points=nodes)

    @classmethod
    def from_array(
        cls,
        arrays: Any,
        time: Any = None,
        *,
        normals: Mapping[str, Any] | None = None,
        name: str = "data",
    ) -> domain:
        """A domain whose tags are given point sets.

        Args:
            arrays: a mapping tag -> points `(N, Ds)` or `(B, N, Ds)`; a single
                array is the tag "interior".
            time: `(t0, t1, nt)` or None.
            normals: optional mapping tag -> normals of the same shape as the points.
            name: a label for messages.

        Raises:
            ValueError: for badly shaped arrays or mismatched Ds or B.

        Example:
            >>> from jno_lab._domain import domain
            >>> dom = domain.from_array({"sensors": np.zeros((3, 7, 2))})
            >>> dom.batch_size, dom.tag_points("sensors").shape
            (3, (3, 7, 2))
        """
        from ._base import domain

        if not isinstance(arrays, Mapping):
            arrays = {"interior": arrays}
        if not arrays:
            raise ValueError("from_array needs at least one tag")
        normals = dict(normals or {})
        unknown = sorted(set(normals) - set(arrays))
        if unknown:
            raise ValueError(f"from_array: normals given for unknown tags {unknown}")
        specs: dict[str, TagSpec] = {}
        dims, batches = set(), set()
        for tag, value in arrays.items():
            pts = np.asarray(value, dtype=float)
            if pts.ndim not in (2, 3) or pts.shape[-2] == 0 or pts.shape[-1] == 0:
                raise ValueError(
                    f"from_array: tag {tag!r} must have shape (N, Ds) or (B, N, Ds) with N, Ds "
                    f">= 1; got {pts.shape}"
                )
            specs[str(tag)] = fixed(pts, normals.get(tag))
            dims.add(pts.shape[-1])
            batches.add(1 if pts.ndim == 2 else pts.shape[0])
        if len(dims) > 1:
            raise ValueError(f"from_array: tags have different spatial dimensions {sorted(dims)}")
        batch = max(batches)
        if batches - {1, batch}:
            raise ValueError(f"from_array: tags have different batch sizes {sorted(batches)}")
        if "initial" not in specs and "interior" in specs:
            specs["initial"] = TagSpec(mirror="interior", timed_only=True)
        return domain._make(dim=dims.pop(), parts=[(specs, batch)], time=time, name=name)

    @staticmethod
    def stack(
        *domains: domain, n_interior: int = 256, n_boundary: int = 64, sampler: str | None = None
    ) -> domain:
        """Concatenate (batched) domains along the instance axis B.

        Every instance draws exactly `n_interior` interior and `n_boundary`
        boundary points, so that instances of different shapes line up.

        Raises:
            ValueError: for domains of different spatial dimension or time axis.

        Example:
            >>> from shapely.geometry import Point, box
            >>> from jno_lab._domain import domain
            >>> d1, d2 = domain(box(0, 0, 1, 1)), domain(Point(0, 0).buffer(1.0))
            >>> dom = domain.stack(3 * d1, 2 * d2, n_interior=8, n_boundary=4)
            >>> dom.tag_points("interior").shape, dom.tag_points("boundary").shape
            ((5, 8, 2), (5, 4, 2))
        """
        from ._batch import stack_domains

        return stack_domains(domains, n_interior, n_boundary, sampler)
