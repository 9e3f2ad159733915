"""Domains in saved solvers: shapely geometry as WKB bytes, point sets and samples as arrays.

A domain is its list of parts (tag tables repeated along the instance axis),
the regions its tags sample from (boxes, polygons, straight segments), its
fixed point sets, sample counts, tensors, time axis and the points it has
already drawn, so a loaded solver sees exactly the points the saved one saw.

Example:
    >>> import jno_lab as jno
    >>> from jno_lab._solver.archive import ArrayWriter
    >>> dom = jno.domain.rect(mesh_size=0.5)
    >>> entry = encode_domain(dom, ArrayWriter())
    >>> entry["class"], entry["dim"], sorted(entry["tables"][0])[:3]
    ('domain', 2, ['bottom', 'boundary', 'initial'])
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import shapely

from .._domain import PolygonDomain, domain
from .._domain._regions import AreaRegion, BoxRegion, CurveRegion
from .._domain._sampling import SAMPLERS
from .._domain._tags import TagSpec
from .._domain._time import parse_time
from .archive import (
    Archive,
    ArrayWriter,
    Bad,
    as_bool,
    as_dict,
    as_float,
    as_int,
    as_list,
    as_str,
    decode,
    encode,
    field,
)

CLASSES: dict[str, type] = {"domain": domain, "PolygonDomain": PolygonDomain}
"""The domain classes a file may name."""

MAX_COUNT = 2**31 - 1
"""Largest instance or sample count a saved domain may hold."""

_STATE = (
    "name",
    "_dim",
    "_time",
    "_parts",
    "_mesh_points",
    "_bounds",
    "_requests",
    "_tensors",
    "_cache",
    "_nodes",
    "geometry",
)
_SPEC_FIELDS = ("region", "points", "normals", "mirror", "timed_only", "boundary")


def _wkb(geometry: Any, arrays: ArrayWriter) -> dict[str, int]:
    return arrays.add(np.frombuffer(shapely.to_wkb(geometry), dtype=np.uint8))


def _optional_array(value: Any, arrays: ArrayWriter) -> Any:
    return None if value is None else arrays.add(value)


def _region(region: Any, arrays: ArrayWriter) -> dict[str, Any]:
    if type(region) is BoxRegion:
        return {"type": "box", "lo": arrays.add(region.lo), "hi": arrays.add(region.hi)}
    if type(region) is AreaRegion:
        return {"type": "area", "geometry": _wkb(region.geometry, arrays)}
    if type(region) is CurveRegion:
        return {
            "type": "curve",
            "segments": arrays.add(region.segments),
            "normals": arrays.add(region.normals),
        }
    raise ValueError(f"crux.save: a domain region of type {type(region).__name__} cannot be saved")


def encode_domain(dom: Any, arrays: ArrayWriter) -> dict[str, Any]:
    """The JSON entry of one domain (its arrays go to `arrays`).

    Raises:
        ValueError: for a domain class or state the format does not know.
    """
    cls = next((name for name, c in CLASSES.items() if type(dom) is c), None)
    if cls is None:
        raise ValueError(f"crux.save: a domain of type {type(dom).__name__} cannot be saved")
    unknown = [f.name for f in dataclasses.fields(TagSpec) if f.name not in _SPEC_FIELDS]
    if unknown:
        raise ValueError(f"crux.save: tag settings {unknown} are not known to the file format")
    state = dom.__dict__
    regions: list[dict[str, Any]] = []
    region_index: dict[int, int] = {}
    tables: list[dict[str, Any]] = []
    table_index: dict[int, int] = {}
    parts = []
    for specs, count in dom._parts:
        if id(specs) not in table_index:
            table: dict[str, Any] = {}
            for tag, spec in specs.items():
                ref = None
                if spec.region is not None:
                    if id(spec.region) not in region_index:
                        region_index[id(spec.region)] = len(regions)
                        regions.append(_region(spec.region, arrays))
                    ref = region_index[id(spec.region)]
                table[tag] = {
                    "region": ref,
                    "points": _optional_array(spec.points, arrays),
                    "normals": _optional_array(spec.normals, arrays),
                    "mirror": spec.mirror,
                    "timed_only": bool(spec.timed_only),
                    "boundary": bool(spec.boundary),
                }
            table_index[id(specs)] = len(tables)
            tables.append(table)
        parts.append([table_index[id(specs)], int(count)])
    extra = {}
    for key, value in state.items():
        if key not in _STATE:
            try:
                extra[key] = encode(value, arrays, f"domain attribute {key!r}")
            except TypeError as err:
                raise ValueError(f"crux.save: {err}") from None
    geometry = state.get("geometry")
    return {
        "class": cls,
        "name": str(dom.name),
        "dim": int(dom._dim),
        "time": None if dom._time is None else list(dom._time),
        "bounds": None if dom._bounds is None else [float(b) for b in dom._bounds],
        "mesh_points": _optional_array(dom._mesh_points, arrays),
        "requests": {tag: [int(n), str(s)] for tag, (n, s) in dom._requests.items()},
        "tensors": {tag: arrays.add(v) for tag, v in dom._tensors.items()},
        "regions": regions,
        "tables": tables,
        "parts": parts,
        "cache": {
            tag: [arrays.add(p), _optional_array(n, arrays)] for tag, (p, n) in dom._cache.items()
        },
        "geometry": None if geometry is None else _wkb(geometry, arrays),
        "extra": extra,
    }


# -- reading ---------------------------------------------------------------------------------
def _float_array(
    archive: Archive, ref: Any, where: str, ndim: int, last: int | None, finite: bool = True
) -> np.ndarray:
    """A float array of `ndim` axes, `last` coordinates (finite: a region's geometry)."""
    array = archive.array(ref, where)
    if array.ndim != ndim or not np.issubdtype(array.dtype, np.floating):
        raise Bad(f"{where}: expected a {ndim}-d float array, got {array.dtype} {array.shape}")
    if last is not None and array.shape[-1] != last:
        raise Bad(f"{where}: the last axis must have {last} coordinates, got {array.shape}")
    if finite and not np.isfinite(array).all():
        raise Bad(f"{where}: holds NaN or infinite coordinates")
    return array


def _geometry(archive: Archive, ref: Any, where: str, kinds: tuple[str, ...]) -> Any:
    data = archive.array(ref, where)
    if data.dtype != np.uint8 or data.ndim != 1:
        raise Bad(f"{where}: geometry must be WKB bytes (a 1-d uint8 array)")
    try:
        geometry = shapely.from_wkb(data.tobytes())
    except Exception as err:  # shapely raises GEOSException for damaged WKB
        raise Bad(f"{where}: damaged WKB geometry: {err}") from None
    if geometry is None or geometry.geom_type not in kinds or geometry.is_empty:
        shown = None if geometry is None else geometry.geom_type
        raise Bad(f"{where}: expected a non-empty {' or '.join(kinds)}, got {shown}")
    return geometry


def _decode_region(entry: Any, archive: Archive, dim: int, where: str) -> Any:
    entry = as_dict(entry, where)
    kind = field(entry, "type", where)
    if kind == "box":
        lo = _float_array(archive, field(entry, "lo", where), f"{where}.lo", 1, dim)
        hi = _float_array(archive, field(entry, "hi", where), f"{where}.hi", 1, dim)
        return BoxRegion(lo, hi)
    if kind == "area":
        if dim != 2:
            raise Bad(f"{where}: an area region needs a 2-D domain")
        geometry = _geometry(
            archive, field(entry, "geometry", where), where, ("Polygon", "MultiPolygon")
        )
        return AreaRegion(geometry)
    if kind == "curve":
        segments = _float_array(archive, field(entry, "segments", where), where, 3, dim)
        normals = _float_array(archive, field(entry, "normals", where), where, 2, dim)
        if segments.shape[1] != 2 or len(segments) != len(normals) or not len(segments):
            raise Bad(f"{where}: segments (S, 2, D) and normals (S, D) do not fit")
        return CurveRegion(segments, normals)
    raise Bad(f"{where}: unknown region type {kind!r} (box, area or curve)")


def _decode_spec(entry: Any, archive: Archive, regions: list, dim: int, where: str) -> TagSpec:
    entry = as_dict(entry, where)
    unknown = sorted(set(entry) - set(_SPEC_FIELDS))
    if unknown:
        raise Bad(f"{where}: unknown tag settings {unknown}")
    region = entry.get("region")
    if region is not None:
        region = regions[as_int(region, f"{where}.region", 0, len(regions) - 1)]
    points = entry.get("points")
    if points is not None:
        points = _float_array(archive, points, f"{where}.points", 3, dim, finite=False)
        if not points.shape[0] or not points.shape[1]:
            raise Bad(f"{where}.points: an empty point set")
    normals = entry.get("normals")
    if normals is not None:
        normals = _float_array(archive, normals, f"{where}.normals", 3, dim, finite=False)
        if points is None or normals.shape != points.shape:
            raise Bad(f"{where}.normals: must have the shape of the points")
    mirror = entry.get("mirror")
    return TagSpec(
        region=region,
        points=points,
        normals=normals,
        mirror=None if mirror is None else as_str(mirror, f"{where}.mirror"),
        timed_only=as_bool(entry.get("timed_only", False), f"{where}.timed_only"),
        boundary=as_bool(entry.get("boundary", False), f"{where}.boundary"),
    )


def decode_domain(entry: Any, archive: Archive, where: str) -> Any:
    """The domain an `encode_domain` entry describes.

    Raises:
        archive.Bad: for anything that does not describe a valid domain.
    """
    entry = as_dict(entry, where)
    cls_name = field(entry, "class", where)
    if cls_name not in CLASSES:
        raise Bad(f"{where}: unknown domain class {cls_name!r} ({', '.join(CLASSES)})")
    dim = as_int(field(entry, "dim", where), f"{where}.dim", 1, 16)
    time = entry.get("time")
    if time is not None:
        items = as_list(time, f"{where}.time")
        if len(items) != 3:
            raise Bad(f"{where}.time: expected [t0, t1, nt]")
        t0, t1 = (as_float(v, f"{where}.time") for v in items[:2])
        if not (math.isfinite(t0) and math.isfinite(t1)):
            raise Bad(f"{where}.time: t0 and t1 must be finite")
        try:
            time = parse_time((t0, t1, as_int(items[2], f"{where}.time", 1, MAX_COUNT)))
        except ValueError as err:
            raise Bad(f"{where}.time: {err}") from None
    regions = [
        _decode_region(r, archive, dim, f"{where}.regions[{i}]")
        for i, r in enumerate(as_list(entry.get("regions", []), f"{where}.regions"))
    ]
    tables = []
    for i, table in enumerate(as_list(field(entry, "tables", where), f"{where}.tables")):
        table = as_dict(table, f"{where}.tables[{i}]")
        tables.append(
            {
                tag: _decode_spec(spec, archive, regions, dim, f"{where}.tables[{i}][{tag!r}]")
                for tag, spec in table.items()
            }
        )
    parts: list[tuple[dict[str, TagSpec], int]] = []
    for i, part in enumerate(as_list(field(entry, "parts", where), f"{where}.parts")):
        part = as_list(part, f"{where}.parts[{i}]")
        if len(part) != 2:
            raise Bad(f"{where}.parts[{i}]: expected [table, count]")
        index = as_int(part[0], f"{where}.parts[{i}]", 0, len(tables) - 1)
        parts.append((tables[index], as_int(part[1], f"{where}.parts[{i}]", 1, MAX_COUNT)))
    if not parts or sum(count for _, count in parts) > MAX_COUNT:
        raise Bad(f"{where}.parts: a domain has between 1 and {MAX_COUNT} instances")
    batch = sum(count for _, count in parts)
    requests = {}
    for tag, request in as_dict(entry.get("requests", {}), f"{where}.requests").items():
        request = as_list(request, f"{where}.requests[{tag!r}]")
        if len(request) != 2 or request[1] not in SAMPLERS:
            raise Bad(f"{where}.requests[{tag!r}]: expected [count, one of {list(SAMPLERS)}]")
        requests[tag] = (as_int(request[0], f"{where}.requests", 1, MAX_COUNT), request[1])
    tensors = {}
    for tag, ref in as_dict(entry.get("tensors", {}), f"{where}.tensors").items():
        value = archive.array(ref, f"{where}.tensors[{tag!r}]")
        if value.dtype.kind not in "biuf" or value.ndim == 0 or value.shape[0] != batch:
            raise Bad(f"{where}.tensors[{tag!r}]: expected a numeric array (B={batch}, ...)")
        tensors[tag] = value
    cache = {}
    for tag, pair in as_dict(entry.get("cache", {}), f"{where}.cache").items():
        pair = as_list(pair, f"{where}.cache[{tag!r}]")
        if len(pair) != 2:
            raise Bad(f"{where}.cache[{tag!r}]: expected [points, normals]")
        pts = _float_array(archive, pair[0], f"{where}.cache[{tag!r}]", 3, dim, finite=False)
        nrm = None
        if pair[1] is not None:
            nrm = _float_array(archive, pair[1], f"{where}.cache[{tag!r}]", 3, dim, False)
        if pts.shape[0] != batch or (nrm is not None and nrm.shape != pts.shape):
            raise Bad(f"{where}.cache[{tag!r}]: points (B={batch}, N, {dim}) and normals")
        for arr in (pts, nrm):
            if arr is not None:
                arr.flags.writeable = False
        cache[tag] = (pts, nrm)
    mesh_points = entry.get("mesh_points")
    if mesh_points is not None:
        mesh_points = _float_array(archive, mesh_points, f"{where}.mesh_points", 2, dim, False)
    bounds = entry.get("bounds")
    if bounds is not None:
        bounds = tuple(as_float(b, f"{where}.bounds") for b in as_list(bounds, f"{where}.bounds"))
    dom = object.__new__(CLASSES[cls_name])
    dom.name = as_str(field(entry, "name", where), f"{where}.name")
    dom._dim = dim
    dom._time = time
    dom._parts = parts
    dom._mesh_points = mesh_points
    dom._bounds = bounds
    dom._requests = requests
    dom._tensors = tensors
    dom._cache = cache
    dom._nodes = {}
    if cls_name == "PolygonDomain":
        dom.geometry = _geometry(
            archive,
            field(entry, "geometry", where),
            f"{where}.geometry",
            ("Polygon", "MultiPolygon"),
        )
    for key, value in as_dict(entry.get("extra", {}), f"{where}.extra").items():
        if key in _STATE or not key.isidentifier() or key.startswith("__") or hasattr(dom, key):
            raise Bad(f"{where}.extra: {key!r} is not a domain attribute the format allows")
        setattr(dom, key, decode(value, archive, f"{where}.extra[{key!r}]"))
    tags = set(dom._parts[0][0])
    for tag in (*requests, *cache):
        if tag not in tags:
            raise Bad(f"{where}: samples of unknown tag {tag!r}")
    return dom
