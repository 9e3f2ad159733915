import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiLineString, Point, box

from jno_lab._domain import PolygonDomain, domain


def test_from_polygons_tags(geo):
    dom = domain.csg.from_polygons(
        {"left": [(0, 0), (1, 0), (1, 1), (0, 1)], "right": [(1, 0), (3, 0), (3, 1), (1, 1)]},
        time=(0, 1, 2),
    )
    assert isinstance(dom, PolygonDomain)
    assert dom.geometry.area == 3.0
    assert dom._declared() == ["interior", "boundary", "initial", "left", "right"]
    dom.variable("left", sample=100)
    dom.variable("right", sample=100)
    left, right = dom.tag_points("left")[0], dom.tag_points("right")[0]
    geo.inside(box(0, 0, 1, 1), left)
    geo.inside(box(1, 0, 3, 1), right)
    assert dom.tags() == ["left", "right"]
    with pytest.raises(ValueError, match="at least 3 vertices"):
        domain.csg.from_polygons({"a": [(0, 0), (1, 1)]})
    with pytest.raises(ValueError, match="non-empty mapping"):
        domain.csg.from_polygons({})


def test_from_regions_tags(geo):
    disc = Point(0, 0).buffer(0.3)
    dom = domain.csg.from_regions({"plate": box(-1, -1, 1, 1), "heater": disc})
    assert dom.geometry.area == pytest.approx(4.0)
    _x, _y = dom.variable("heater", sample=50)
    geo.inside(disc, dom.tag_points("heater")[0])
    with pytest.raises(ValueError, match="reserved"):
        domain.csg.from_regions({"interior": box(0, 0, 1, 1)})
    with pytest.raises(ValueError, match="region 'bad'"):
        domain.csg.from_regions({"bad": LineString([(0, 0), (1, 0)])})


def test_region_with_line_geometry(geo):
    dom = domain(box(0, 0, 2, 1)).region("bottom", LineString([(0, 0), (2, 0)]))
    dom.region("top", LineString([(0, 1), (2, 1)]))  # given left to right: normal is flipped
    dom.variable("bottom", sample=20, normals=True)
    dom.variable("top", sample=20, normals=True)
    np.testing.assert_allclose(dom.tag_points("bottom")[0, :, 1], 0.0)
    np.testing.assert_array_equal(dom.normals("bottom")[0], np.tile([0.0, -1.0], (20, 1)))
    np.testing.assert_array_equal(dom.normals("top")[0], np.tile([0.0, 1.0], (20, 1)))
    walls = MultiLineString([[(0, 0), (0, 1)], [(2, 0), (2, 1)]])
    dom.region("walls", walls)
    dom.variable("walls", sample=(10, "grid"), normals=True)
    pts, nrm = dom.tag_points("walls")[0], dom.normals("walls")[0]
    np.testing.assert_array_equal(nrm[:, 0], np.where(pts[:, 0] == 0, -1.0, 1.0))
    geo.outward(dom.geometry, pts, nrm)
    with pytest.raises(ValueError, match="a line cannot be an interior region"):
        dom.region("x", walls, kind="interior")


def test_region_with_area_geometry(geo):
    dom = domain(box(0, 0, 2, 1))
    assert dom.region("hot", box(1.5, -1, 3, 3)) is dom
    dom.variable("hot", sample=100)
    pts = dom.tag_points("hot")[0]
    geo.inside(box(1.5, 0, 2, 1), pts)
    with pytest.raises(ValueError, match="empty"):
        dom.region("none", box(5, 5, 6, 6))
    dom.region("right_wall", box(1.9, -1, 3, 3), kind="boundary")
    dom.variable("right_wall", sample=10, normals=True)
    np.testing.assert_allclose(dom.tag_points("right_wall")[0, :, 0], 2.0)
    np.testing.assert_array_equal(dom.normals("right_wall")[0], np.tile([1.0, 0.0], (10, 1)))
    with pytest.raises(ValueError, match="expected a line or an area"):
        dom.region("p", Point(0, 0))


def test_region_with_predicate(geo):
    dom = domain(box(0, 0, 1, 1) - Point(0.5, 0.5).buffer(0.2))
    dom.region("inlet", lambda x, y: x < 1e-9)
    dom.region("hole", lambda x, y: (x - 0.5) ** 2 + (y - 0.5) ** 2 < 0.25**2)
    dom.variable("inlet", sample=30, normals=True)
    dom.variable("hole", sample=30, normals=True)
    np.testing.assert_allclose(dom.tag_points("inlet")[0, :, 0], 0.0)
    np.testing.assert_array_equal(dom.normals("inlet")[0], np.tile([-1.0, 0.0], (30, 1)))
    pts, nrm = dom.tag_points("hole")[0], dom.normals("hole")[0]
    np.testing.assert_allclose(np.linalg.norm(pts - 0.5, axis=-1), 0.2, atol=1e-3)
    assert (np.sum((pts - 0.5) * nrm, axis=-1) < 0).all()  # into the hole
    geo.outward(dom.geometry, pts, nrm)
    with pytest.raises(ValueError, match="selects no boundary edge"):
        dom.region("nothing", lambda x, y: x > 5)
    with pytest.raises(ValueError, match="a predicate selects boundary edges only"):
        dom.region("inside", lambda x, y: True, kind="interior")


def test_region_alias_and_errors():
    dom = domain(box(0, 0, 1, 1)).region("wall", "boundary").region("domain", "interior")
    _x, _y, _nx, _ny = dom.variable("wall", sample=8, normals=True)
    dom.variable("domain", sample=8)
    assert dom.tag_points("wall").shape == dom.normals("wall").shape == (1, 8, 2)
    assert dom.tag_points("domain").shape == (1, 8, 2)
    with pytest.raises(ValueError, match="unknown tag 'nope'; known tags: interior, boundary"):
        dom.region("alias", "nope")
    with pytest.raises(ValueError, match="kind must be"):
        dom.region("w", "boundary", kind="edge")
    with pytest.raises(ValueError, match="reserved"):
        dom.region("interior", box(0, 0, 0.5, 0.5))
    with pytest.raises(ValueError, match="where must be"):
        dom.region("w", 3)


def test_add_boundary_segments(geo):
    dom = domain(box(0, 0, 1, 1))
    segs = [[(0, 1), (1, 1)], [(1, 0), (1, 1)]]
    assert dom.add_boundary_segments("lid", segs) is dom
    dom.variable("lid", sample=(40, "halton"), normals=True)
    pts, nrm = dom.tag_points("lid")[0], dom.normals("lid")[0]
    top = np.isclose(pts[:, 1], 1.0) & ~np.isclose(pts[:, 0], 1.0)
    np.testing.assert_array_equal(nrm[top], np.tile([0.0, 1.0], (top.sum(), 1)))
    np.testing.assert_array_equal(nrm[~top], np.tile([1.0, 0.0], ((~top).sum(), 1)))
    geo.outward(dom.geometry, pts, nrm)
    # normals relative to another geometry: the segment x = 1 seen from the box [1, 2] x [0, 1]
    dom.add_boundary_segments("iface", [[(1, 0), (1, 1)]], normal_geometry=box(1, 0, 2, 1))
    dom.variable("iface", sample=3, normals=True)
    np.testing.assert_array_equal(dom.normals("iface")[0], np.tile([-1.0, 0.0], (3, 1)))
    dom.add_boundary_segments("iface2", [[(1, 0), (1, 1)]], normal_geometry=domain(box(1, 0, 2, 1)))
    dom.variable("iface2", sample=3, normals=True)
    assert dom.normals("iface2")[0, 0].tolist() == [-1.0, 0.0]
    with pytest.raises(ValueError, match=r"shape \(S, 2, 2\)"):
        dom.add_boundary_segments("bad", [(0, 0), (1, 1)])
    with pytest.raises(ValueError, match="zero length"):
        dom.add_boundary_segments("bad", [[(0, 0), (0, 0)]])
    assert shapely.contains_xy(dom.geometry, 0.5, 0.5)
