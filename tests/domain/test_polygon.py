import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box

from jno_lab._domain import PolygonDomain, domain


def test_polygon_domain_is_lazy(square_with_hole):
    dom = domain(square_with_hole, name="plate")
    assert isinstance(dom, PolygonDomain)
    assert isinstance(dom, domain)
    assert domain.csg is PolygonDomain
    assert dom.tags() == []
    assert dom.context == {}
    with pytest.raises(ValueError, match=r"no points yet: pass a sample count.*sample="):
        dom.variable("interior")
    with pytest.raises(ValueError, match="sample="):
        dom.tag_points("boundary")
    with pytest.raises(ValueError, match="has no mesh"):
        _ = dom.mesh_points


@pytest.mark.parametrize("sampler", [None, "uniform", "sobol", "halton", "grid"])
def test_polygon_with_hole_sampling(square_with_hole, sampler, geo):
    dom = domain(square_with_hole)
    dom.variable("interior", sample=(300, sampler))
    dom.variable("boundary", sample=(200, sampler), normals=True)
    pts = dom.tag_points("interior")
    assert pts.shape == (1, 300, 2)
    geo.inside(square_with_hole, pts[0])
    bnd, nrm = dom.tag_points("boundary"), dom.normals("boundary")
    assert bnd.shape == nrm.shape == (1, 200, 2)
    geo.on_boundary(square_with_hole, bnd)
    geo.outward(square_with_hole, bnd, nrm)


def test_hole_normals_point_into_the_hole(square_with_hole):
    dom = domain(square_with_hole)
    dom.variable("boundary", sample=400, normals=True)
    pts, nrm = dom.tag_points("boundary")[0], dom.normals("boundary")[0]
    on_hole = shapely.distance(square_with_hole.interiors[0], shapely.points(pts)) < 1e-9
    assert 50 < on_hole.sum() < 200  # hole perimeter 4 of total 12
    hole = Polygon(square_with_hole.interiors[0])
    ahead = pts[on_hole] + 1e-3 * nrm[on_hole]
    assert shapely.contains_xy(hole, ahead[:, 0], ahead[:, 1]).all()
    # the left side of the hole has x = 0.5 and the normal (+1, 0), towards the hole centre
    left = on_hole & np.isclose(pts[:, 0], 0.5) & (pts[:, 1] > 0.55) & (pts[:, 1] < 1.45)
    np.testing.assert_allclose(nrm[left], np.tile([1.0, 0.0], (left.sum(), 1)), atol=1e-12)


def test_boundary_is_length_weighted(square_with_hole):
    dom = domain(square_with_hole)
    dom.variable("boundary", sample=6000)
    pts = dom.tag_points("boundary")[0]
    on_hole = shapely.distance(square_with_hole.interiors[0], shapely.points(pts)) < 1e-9
    assert abs(on_hole.mean() - 4 / 12) < 0.02


def test_interior_is_area_weighted(geo):
    small, large = box(0, 0, 1, 1), box(3, 0, 6, 1)  # areas 1 and 3, disjoint
    dom = domain(MultiPolygon([small, large]))
    dom.variable("interior", sample=4000)
    pts = dom.tag_points("interior")[0]
    in_small = shapely.contains_xy(small, pts[:, 0], pts[:, 1])
    geo.inside(dom.geometry, pts)
    assert abs(in_small.mean() - 0.25) < 0.02
    dom.variable("interior", sample=(4000, "sobol"))
    pts = dom.tag_points("interior")[0]
    assert abs(shapely.contains_xy(small, pts[:, 0], pts[:, 1]).mean() - 0.25) < 0.01


def test_exterior_ring_orientation_does_not_matter(geo):
    clockwise = Polygon([(0, 0), (0, 1), (1, 1), (1, 0)])
    dom = domain(clockwise)
    dom.variable("boundary", sample=50, normals=True)
    geo.outward(clockwise, dom.tag_points("boundary"), dom.normals("boundary"))


def test_disc_normals_are_radial():
    disc = Point(0, 0).buffer(1.0, quad_segs=64)
    dom = domain(disc)
    dom.variable("boundary", sample=100, normals=True)
    pts, nrm = dom.tag_points("boundary")[0], dom.normals("boundary")[0]
    radial = pts / np.linalg.norm(pts, axis=-1, keepdims=True)
    assert (np.sum(radial * nrm, axis=-1) > 0.99).all()


def test_resampling_with_new_count(square_with_hole):
    dom = domain(square_with_hole)
    dom.variable("interior", sample=10)
    first = dom.tag_points("interior").copy()
    assert not dom.tag_points("interior").flags.writeable
    dom.variable("interior", sample=20)
    assert dom.tag_points("interior").shape == (1, 20, 2)
    dom.variable("interior", sample=10)
    np.testing.assert_array_equal(dom.tag_points("interior"), first)


@pytest.mark.parametrize(
    ("geometry", "match"),
    [
        (Polygon(), "empty"),
        (shapely.LineString([(0, 0), (1, 1)]), "expected a Polygon or MultiPolygon"),
        (Polygon([(0, 0), (1, 1), (1, 0), (0, 1)]), "not a valid polygon"),
    ],
)
def test_bad_geometry(geometry, match):
    with pytest.raises(ValueError, match=match):
        domain(geometry)


def test_bad_sample_requests(square_with_hole):
    dom = domain(square_with_hole)
    with pytest.raises(ValueError, match="positive integer"):
        dom.variable("interior", sample=0)
    with pytest.raises(ValueError, match="unknown sampler 'lhs'"):
        dom.variable("interior", sample=(10, "lhs"))
