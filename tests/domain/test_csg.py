import numpy as np
import pytest
from shapely.geometry import Point, box

from jno_lab._domain import PolygonDomain, domain


def _check(geo, dom, n_interior=200, n_boundary=200):
    dom.variable("interior", sample=n_interior)
    dom.variable("boundary", sample=n_boundary, normals=True)
    geo.inside(dom.geometry, dom.tag_points("interior"))
    geo.on_boundary(dom.geometry, dom.tag_points("boundary"))
    geo.outward(dom.geometry, dom.tag_points("boundary"), dom.normals("boundary"))


def test_square_minus_disc(geo):
    square = domain(box(-1, -1, 1, 1))
    disc = domain(Point(0, 0).buffer(0.5))
    dom = square - disc
    assert isinstance(dom, PolygonDomain)
    assert len(dom.geometry.interiors) == 1
    np.testing.assert_allclose(dom.geometry.area, 4 - disc.geometry.area)
    _check(geo, dom)
    radius = np.linalg.norm(dom.tag_points("interior")[0], axis=-1)
    assert (radius > 0.49).all()
    # on the hole, normals point to the centre
    pts, nrm = dom.tag_points("boundary")[0], dom.normals("boundary")[0]
    on_hole = np.linalg.norm(pts, axis=-1) < 0.6
    assert on_hole.any()
    assert (np.sum(pts[on_hole] * nrm[on_hole], axis=-1) < 0).all()


def test_union_intersection_xor(geo):
    a, b = domain(box(0, 0, 2, 1)), domain(box(1, 0, 3, 1))
    union, inter, xor = a | b, a & b, a ^ b
    assert (union.geometry.area, inter.geometry.area, xor.geometry.area) == (3.0, 1.0, 2.0)
    for dom in (union, inter, xor):
        _check(geo, dom)
    xs = xor.tag_points("interior")[0, :, 0]
    assert not ((xs > 1) & (xs < 2)).any()
    assert union.geometry.bounds == (0.0, 0.0, 3.0, 1.0)


def test_rect_takes_part_as_its_box(geo):
    dom = domain.rect(x_range=(0, 2), y_range=(0, 2), mesh_size=0.5) - domain(box(1, 1, 3, 3))
    np.testing.assert_allclose(dom.geometry.area, 3.0)
    _check(geo, dom, 100, 100)
    with_geometry = domain.rect(mesh_size=0.5) | box(1, 0, 2, 1)
    assert with_geometry.geometry.area == 2.0
    assert isinstance(domain.csg(domain.rect(mesh_size=0.5)), PolygonDomain)


def test_time_axis_is_kept_and_checked():
    a = domain(box(0, 0, 1, 1), time=(0, 1, 4))
    b = domain(box(0.5, 0, 2, 1), time=(0, 1, 4))
    assert (a | b).time == (0.0, 1.0, 4)
    with pytest.raises(ValueError, match="different time axes"):
        a | domain(box(0.5, 0, 2, 1))
    with pytest.raises(ValueError, match="different time axes"):
        a - domain.rect(mesh_size=0.5)


def test_csg_errors():
    a, b = domain(box(0, 0, 1, 1)), domain(box(2, 0, 3, 1))
    with pytest.raises(ValueError, match="empty"):
        a & b
    with pytest.raises(ValueError, match="empty"):
        a - domain(box(-1, -1, 2, 2))
    with pytest.raises(ValueError, match="empty"):
        domain(box(0, 0, 1, 1)) & domain(box(1, 0, 2, 1))  # touching along a line
    with pytest.raises(ValueError, match="before batching"):
        (2 * a) | b
    with pytest.raises(ValueError, match="no 2-D geometry"):
        domain.line(mesh_size=0.5) | a
    with pytest.raises(TypeError):
        a | 3
