"""The geometry catalogue: emit and `document_shape` agree, bounds hold, the snapshot is current."""

import json
from typing import Any

import numpy as np
import pytest
import shapely

import jno_lab
from jno_lab.workbench import emit
from jno_lab.workbench.catalogue.geometry import (
    CSG_OPS,
    PRIMITIVE_TYPES,
    document_shape,
    geometry_catalogue_json,
    primitive_bounds,
    primitive_type,
    snapshot_text,
    write_snapshot,
)
from jno_lab.workbench.geometry import geometry_statements
from jno_lab.workbench.validate import validate

REGENERATE = "python -m jno_lab.workbench.catalogue"

SHAPES: dict[str, dict[str, Any]] = {
    "rectangle": {"type": "rectangle", "x": [-0.5, 1.0], "y": [0.25, 2.0]},
    "circle": {"type": "circle", "center": [0.3, -0.2], "radius": 0.7},
    "ellipse": {"type": "ellipse", "center": [0.1, 0.4], "radii": [1.2, 0.4], "angle": 30.0},
    "ellipse_default_angle": {"type": "ellipse", "center": [0.0, 0.0], "radii": [0.5, 1.0]},
    "polygon": {"type": "polygon", "points": [[0, 0], [1.5, 0.2], [0.7, 1.1], [-0.3, 0.6]]},
}
OTHER = {"id": "other", "type": "rectangle", "x": [0.0, 0.6], "y": [-0.4, 0.5]}


def _geometry(primitives: list[dict[str, Any]], csg: Any) -> dict[str, Any]:
    return {"dimension": 2, "primitives": primitives, "csg": csg, "tags": []}


def _executed(geometry: dict[str, Any]) -> Any:
    """The domain the lowered statements build (as the preview runs them)."""
    namespace: dict[str, Any] = {"jno": jno_lab, "shapely": shapely, "np": np}
    for statement in geometry_statements(geometry):
        exec(compile(statement, "<geometry>", "exec"), namespace)
    return namespace["domain"]


def _same_shape(a: Any, b: Any) -> None:
    assert a.area == pytest.approx(b.area, rel=1e-12)
    assert a.symmetric_difference(b).area <= 1e-12 * max(a.area, 1.0)


def test_every_two_dimensional_type_is_exercised():
    planar = {t for t, d in PRIMITIVE_TYPES.items() if d.dimension == 2}
    assert planar == {s["type"] for s in SHAPES.values()}


@pytest.mark.parametrize("name", SHAPES)
def test_emitted_primitive_builds_the_document_shape(name):
    geometry = _geometry([{"id": "p", **SHAPES[name]}], "p")
    shape = document_shape(geometry)
    _same_shape(_executed(geometry).geometry, shape)
    assert shape.equals(_executed(geometry).geometry)


@pytest.mark.parametrize("name", SHAPES)
def test_bounds_contain_the_shape_and_are_tight(name):
    primitive = {"id": "p", **SHAPES[name]}
    x0, y0, x1, y1 = primitive_bounds(primitive)
    sx0, sy0, sx1, sy1 = primitive_type(primitive["type"]).shape(primitive).bounds
    tol = 1e-12
    assert np.all(np.array([x0, y0]) <= np.array([sx0, sy0]) + tol)
    assert np.all(np.array([x1, y1]) >= np.array([sx1, sy1]) - tol)
    # the box is the shape's own (within the polygonal approximation of curves)
    assert max(sx0 - x0, sy0 - y0, x1 - sx1, y1 - sy1) < 1e-3


@pytest.mark.parametrize("op", CSG_OPS)
@pytest.mark.parametrize("name", SHAPES)
def test_every_csg_op_gives_the_same_shape_both_ways(name, op):
    geometry = _geometry([{"id": "p", **SHAPES[name]}, OTHER], {"op": op, "args": ["p", "other"]})
    shape = document_shape(geometry)
    _same_shape(_executed(geometry).geometry, shape)
    x0, y0, x1, y1 = np.array([primitive_bounds(p) for p in geometry["primitives"]]).T
    bx0, by0, bx1, by1 = shape.bounds
    assert np.all(np.array([min(x0), min(y0)]) <= np.array([bx0, by0]))
    assert np.all(np.array([max(x1), max(y1)]) >= np.array([bx1, by1]))


def test_nested_csg_and_three_arguments():
    primitives = [{"id": k, **v} for k, v in SHAPES.items()] + [OTHER]
    csg = {
        "op": "difference",
        "args": [
            {"op": "union", "args": ["rectangle", "circle", "polygon"]},
            {"op": "intersection", "args": ["ellipse", "other"]},
        ],
    }
    geometry = _geometry(primitives, csg)
    _same_shape(_executed(geometry).geometry, document_shape(geometry))


def test_interval_is_a_line_with_the_domain_extent():
    geometry = {
        "dimension": 1,
        "primitives": [{"id": "line", "type": "interval", "x": [-1.0, 2.0]}],
        "csg": "line",
    }
    shape = document_shape(geometry)
    nodes = _executed(geometry).tag_points("boundary")[0][:, 0]
    assert shape.bounds == (-1.0, 0.0, 2.0, 0.0)
    assert (nodes.min(), nodes.max()) == (-1.0, 2.0)
    assert primitive_bounds(geometry["primitives"][0]) == shape.bounds


def test_document_shape_refuses_what_is_not_an_area():
    touching = _geometry(
        [OTHER, {"id": "b", "type": "rectangle", "x": [0.6, 1.0], "y": [-0.4, 0.5]}],
        {"op": "intersection", "args": ["other", "b"]},
    )
    with pytest.raises(ValueError, match="the geometry"):
        document_shape(touching)
    with pytest.raises(ValueError, match="unknown primitive 'nope'"):
        document_shape(_geometry([OTHER], "nope"))
    with pytest.raises(KeyError, match="unknown primitive type 'hexagon'"):
        primitive_type("hexagon")


def test_emit_names_the_field_at_fault():
    bad = {"id": "c", "type": "circle", "center": [0, "x"], "radius": 1}
    with pytest.raises(emit.UnsafeValue, match="geometry/primitives/0/center/1"):
        geometry_statements(_geometry([bad], "c"))
    line = {"id": "l", "type": "interval", "x": [0, 1]}
    with pytest.raises(emit.UnsafeValue, match="not a 2-D shape"):
        geometry_statements(_geometry([line], "l"))


def test_validation_reads_the_required_fields_from_the_catalogue(repo_root):
    example = repo_root / "examples" / "poisson.jnolab"
    document = json.loads(example.read_text(encoding="utf-8"))
    document["geometry"]["primitives"] = [{"id": "e", "type": "ellipse", "center": [0, 0]}]
    document["geometry"]["csg"] = "e"
    messages = [p["message"] for p in validate(document)]
    assert "primitive 'e' lacks radii" in messages
    assert primitive_type("ellipse").missing({"center": [0, 0], "radii": [1, 1]}) == []


def test_new_primitives_are_valid_and_build():
    for definition in PRIMITIVE_TYPES.values():
        fresh = {"id": "p", **definition.new()}
        assert definition.missing(fresh) == []
        if definition.dimension == 2:
            assert document_shape(_geometry([fresh], "p")).area > 0


def test_handles_name_fields_of_their_primitive():
    catalogue = geometry_catalogue_json()
    kinds = set(catalogue["handleKinds"])
    for entry in catalogue["primitives"]:
        fields = {f["name"] for f in entry["fields"]}
        for handle in entry["handles"]:
            assert handle["kind"] in kinds
            assert set(handle["fields"]) <= fields
            assert handle.get("anchor", next(iter(fields))) in fields
    rectangle = catalogue["primitives"][1]
    assert [h["id"] for h in rectangle["handles"]] == ["x0y0", "x1y0", "x0y1", "x1y1"]


def test_snapshot_is_up_to_date(repo_root):
    path = repo_root / "src" / "geometryCatalogue.json"
    assert path.is_file(), (
        f"src/geometryCatalogue.json is missing; regenerate it with: {REGENERATE}"
    )
    stale = path.read_text(encoding="utf-8") != snapshot_text()
    assert not stale, (
        "src/geometryCatalogue.json is stale (the geometry catalogue changed); "
        f"regenerate it from the repository root with: {REGENERATE}"
    )


def test_write_snapshot_round_trips(tmp_path):
    target = tmp_path / "geometryCatalogue.json"
    write_snapshot(target)
    text = target.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert json.loads(text) == json.loads(json.dumps(geometry_catalogue_json()))
