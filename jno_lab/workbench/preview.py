"""The geometry preview: a document's geometry section built alone and sampled, for drawing.

The domain is built by running the geometry statements of the program
(`geometry_statements`: built by the emitters, tag predicates as grammar
expressions, and checked against the allow-list) in a namespace of their own
with `jno`, `np`, `shapely` and `shapely.affinity`; no code from the document
runs. The outline drawn is `document_shape`, the shape that domain has.

Sampling policy: each tag gets its sample count from `geometry.sampling`
(default `PREVIEW_SAMPLING`; tags without one that a run could not sample
either are drawn with `PREVIEW_OTHER_TAG_POINTS`), at most `PREVIEW_MAX_POINTS`.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from . import allowlist, emit
from .catalogue.geometry import document_shape
from .document import FORMAT, VERSION
from .geometry import geometry_statements
from .protocol import PREVIEW_MAX_POINTS, PREVIEW_OTHER_TAG_POINTS, PREVIEW_SAMPLING
from .refusal import Refusal, describe, format_traceback, invalid
from .validate import validate

PREVIEW_MAX_1D_NODES = 1_000_000
"""A 1-D preview refuses a mesh with more nodes than this (it would only eat memory)."""


def preview_geometry(document: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
    """Build the geometry section of `document` alone and sample its tags, for drawing.

    Floating-point overflow in absurd geometries is not warned about: the
    affected coordinates arrive as null (outline) or inf/nan (points).

    Args:
        document: a workbench document (only its "geometry" is read).

    Returns:
        `(fields, buffers)`: the reply fields (`dimension`, `outline`, `bounds`,
        `tags`, `buffers`, `truncated`) and one float32 little-endian buffer of
        shape `(N, dimension)` per entry of `fields["buffers"]`.

    Raises:
        Refusal: code "geometry" when the section is invalid or fails to build.

    Example:
        >>> geometry = {
        ...     "dimension": 2,
        ...     "primitives": [{"id": "sq", "type": "rectangle", "x": [0, 1], "y": [0, 2]}],
        ...     "csg": "sq",
        ...     "sampling": {"interior": 8, "boundary": 4},
        ... }
        >>> fields, buffers = preview_geometry({"geometry": geometry})
        >>> fields["bounds"], fields["tags"], len(buffers[0])
        ([0.0, 0.0, 1.0, 2.0], {'interior': 8, 'boundary': 4}, 64)
    """
    with np.errstate(all="ignore"):
        return _preview_geometry(document)


def _preview_geometry(document: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
    geometry = document.get("geometry")
    problems = [p for p in validate(_geometry_only(geometry)) if p["code"] != "no_constraint"]
    if problems:
        raise invalid(problems, "the geometry", code="geometry")
    geometry = cast("dict[str, Any]", geometry)  # the schema, checked above, makes it an object
    dimension = int(geometry["dimension"])
    interval = _checked_interval(geometry) if dimension == 1 else None
    dom = _domain(geometry)
    if interval is not None:
        x0, x1 = interval
        outline = {"type": "Interval", "coordinates": [x0, x1]}
        bounds: list[float] = [min(x0, x1), max(x0, x1)]
    else:
        shape = document_shape(geometry)
        outline = {"type": "MultiPolygon", "coordinates": _polygons(shape)}
        bounds = [float(v) for v in shape.bounds]
    sampling = geometry.get("sampling") or {}
    tags: dict[str, int] = {}
    infos: list[dict[str, Any]] = []
    buffers: list[bytes] = []
    truncated: list[str] = []
    for tag in preview_tags(geometry):
        try:
            points, cut = sample(dom, tag, sampling.get(tag, PREVIEW_SAMPLING.get(tag)))
        except Exception as err:
            raise Refusal(
                "geometry",
                f"tag {tag!r} could not be sampled: {describe(err)}",
                details=format_traceback(err),
            ) from None
        if cut:
            truncated.append(tag)
        data = np.ascontiguousarray(points, dtype="<f4")
        tags[tag] = int(data.shape[0])
        infos.append({"tag": tag, "shape": [int(n) for n in data.shape]})
        buffers.append(data.tobytes())
    fields = {
        "dimension": dimension,
        "outline": outline,
        "bounds": bounds,
        "tags": tags,
        "buffers": infos,
        "truncated": truncated,
    }
    return fields, buffers


def _checked_interval(geometry: dict[str, Any]) -> tuple[float, float]:
    """The ends of a 1-D geometry, refused when empty or meshed too finely to draw."""
    (interval,) = [p for p in geometry["primitives"] if p["type"] == "interval"]
    x0, x1 = (float(v) for v in interval["x"])
    if not x0 < x1:
        raise Refusal("geometry", f"the interval [{x0!r}, {x1!r}] is empty or reversed")
    mesh = float(geometry.get("mesh_size", (x1 - x0) / 64))
    if not 0 < (x1 - x0) / mesh <= PREVIEW_MAX_1D_NODES:
        raise Refusal(
            "geometry",
            f"mesh_size={mesh!r} gives more than {PREVIEW_MAX_1D_NODES} nodes on "
            f"[{x0!r}, {x1!r}]; choose a larger mesh_size",
        )
    return x0, x1


def _domain(geometry: dict[str, Any]) -> Any:
    """The live domain of a geometry section, from its checked geometry statements."""
    import shapely
    import shapely.affinity

    import jno_lab

    try:
        statements = geometry_statements(geometry)
    except emit.UnsafeValue as err:
        raise Refusal("geometry", f"the geometry has a problem: {err}", port=err.field) from None
    refused = allowlist.check_statements(statements)
    if refused:
        raise Refusal("geometry", f"the geometry could not be built: {refused[0]}")
    namespace: dict[str, Any] = {"jno": jno_lab, "shapely": shapely, "np": np}
    for statement in statements:
        try:
            exec(compile(statement, "<geometry>", "exec"), namespace)
        except Exception as err:
            raise Refusal(
                "geometry",
                f"the geometry could not be built: {describe(err)}",
                details=format_traceback(err),
            ) from None
    return namespace["domain"]


def _geometry_only(geometry: Any) -> dict[str, Any]:
    """A document around `geometry` with nothing else, to validate the section alone."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "geometry": geometry,
        "graph": {"nodes": [], "edges": []},
        "training": {"phases": [{"epochs": 1}]},
    }


def preview_tags(geometry: dict[str, Any]) -> list[str]:
    """The tags a preview samples, in order: built-in ones, then the document's.

    Example:
        >>> preview_tags({"dimension": 1, "time": {"t0": 0, "t1": 1, "steps": 3}})
        ['interior', 'boundary', 'left', 'right', 'initial']
    """
    tags = ["interior", "boundary"]
    if geometry["dimension"] == 1:
        tags += ["left", "right"]
    if geometry.get("time"):
        tags.append("initial")
    tags += [t["name"] for t in geometry.get("tags", [])]
    return list(dict.fromkeys(tags))


def sample(dom: Any, tag: str, count: int | None) -> tuple[np.ndarray, bool]:
    """Points `(N, D)` of one tag and whether they were cut to `PREVIEW_MAX_POINTS`.

    With no `count`, a tag the domain already holds (grid nodes, or a mirror of
    a sampled tag) gives its points, and any other `PREVIEW_OTHER_TAG_POINTS`.
    """
    if count is None:
        if tag in dom.tags():
            points = dom.tag_points(tag)[0]
            return points[:PREVIEW_MAX_POINTS], len(points) > PREVIEW_MAX_POINTS
        count = PREVIEW_OTHER_TAG_POINTS
    count = int(count)
    dom.variable(tag, sample=min(count, PREVIEW_MAX_POINTS))
    return dom.tag_points(tag)[0], count > PREVIEW_MAX_POINTS


def _polygons(geometry: Any) -> list[list[list[list[float]]]]:
    """GeoJSON MultiPolygon coordinates: polygons of rings (exterior first) of [x, y]."""
    parts = list(geometry.geoms) if hasattr(geometry, "geoms") else [geometry]
    return [
        [
            np.asarray(ring.coords, dtype=float)[:, :2].tolist()
            for ring in (p.exterior, *p.interiors)
        ]
        for p in parts
        if not p.is_empty
    ]
