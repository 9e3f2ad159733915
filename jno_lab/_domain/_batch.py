"""Batching: `n * dom` (independent samplings) and `domain.stack(...)` (concatenation)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._sampling import parse_sample
from ._tensors import tile_tensors

if TYPE_CHECKING:
    from ._base import domain


class BatchOperators:
    """`n * dom` and `dom * n`, mixed into `domain`."""

    def __rmul__(self, n: Any) -> domain:
        """A domain of `n` independent instances of this one (B multiplied by n).

        Each instance draws its own points; grid nodes and data are repeated.

        Example:
            >>> from jno_lab._domain import domain
            >>> (4 * domain.rect(mesh_size=0.5)).tag_points("boundary").shape
            (4, 8, 2)
        """
        if isinstance(n, bool) or not isinstance(n, int | np.integer):
            return NotImplemented
        if n < 1:
            raise ValueError(f"the number of instances must be a positive integer, got {n}")
        dom: Any = self
        if len(dom._parts) == 1:
            specs, count = dom._parts[0]
            parts = [(specs, count * int(n))]
        else:
            parts = list(dom._parts) * int(n)
        return dom._clone(_parts=parts, _tensors=tile_tensors(dom._tensors, int(n)))

    def __mul__(self, n: Any) -> domain:
        """`dom * n`, the same as `n * dom`."""
        return self.__rmul__(n)


def stack_domains(
    domains: Sequence[domain], n_interior: int, n_boundary: int, sampler: str | None
) -> domain:
    """Concatenate domains along B with fixed interior and boundary counts per instance."""
    from ._base import domain
    from ._tags import TagSpec

    if not domains:
        raise ValueError("stack needs at least one domain")
    for d in domains:
        if not isinstance(d, domain):
            raise ValueError(f"stack: expected domains, got {type(d).__name__}")
    dims = sorted({d.spatial_dim for d in domains})
    if len(dims) > 1:
        raise ValueError(f"stack: the domains have different spatial dimensions {dims}")
    times = {d.time for d in domains}
    if len(times) > 1:
        raise ValueError(f"stack: the domains have different time axes {sorted(map(str, times))}")
    names = [tuple(sorted(d.tensor_names())) for d in domains]
    if len(set(names)) > 1:
        raise ValueError(f"stack: the domains have different tensor tags {sorted(set(names))}")
    keep = ("interior", "boundary", "initial")
    parts = []
    for d in domains:
        missing = [t for t in keep[:2] if t not in d._declared()]
        if missing:
            raise ValueError(f"stack: domain {d.name!r} has no tag(s) {missing}")
        for specs, count in d._parts:
            kept = {t: specs[t] for t in keep if t in specs}
            kept["initial"] = TagSpec(mirror="interior", timed_only=True)
            parts.append((kept, count))
    tensors = {
        k: np.concatenate([d.tensor(k) for d in domains], axis=0) for k in domains[0].tensor_names()
    }
    requests = {
        "interior": parse_sample((n_interior, sampler)),
        "boundary": parse_sample((n_boundary, sampler)),
    }
    return domain._make(
        dim=dims[0],
        parts=parts,
        time=domains[0].time,
        name="stack",
        requests=requests,
        tensors=tensors,
    )
