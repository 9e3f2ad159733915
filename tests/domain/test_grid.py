import numpy as np
import pytest

from jno_lab._domain import domain

S = 1 / np.sqrt(2)


@pytest.fixture
def unit():
    return domain(constructor=domain.rect(mesh_size=0.25, x_range=(0, 1), y_range=(0, 1)))


def test_rect_counts_and_coordinates(unit):
    assert unit.spatial_dim == 2
    assert unit.batch_size == 1
    assert not unit.has_time
    assert unit.tags() == ["interior", "boundary", "left", "right", "bottom", "top"]
    counts = {t: unit.tag_points(t).shape for t in unit.tags()}
    assert counts == {
        "interior": (1, 9, 2),
        "boundary": (1, 16, 2),
        "left": (1, 5, 2),
        "right": (1, 5, 2),
        "bottom": (1, 5, 2),
        "top": (1, 5, 2),
    }
    interior = unit.tag_points("interior")[0]
    assert sorted(set(interior[:, 0])) == [0.25, 0.5, 0.75]
    assert sorted(set(interior[:, 1])) == [0.25, 0.5, 0.75]
    np.testing.assert_allclose(
        unit.tag_points("left")[0], [[0, 0], [0, 0.25], [0, 0.5], [0, 0.75], [0, 1]]
    )
    np.testing.assert_allclose(unit.tag_points("top")[0][:, 1], 1.0)
    boundary = unit.tag_points("boundary")[0]
    assert len({tuple(p) for p in boundary}) == 16  # corners once
    on_edge = (boundary == 0) | (boundary == 1)
    assert on_edge.any(axis=1).all()
    assert unit.mesh_points.shape == (25, 2)


def test_rect_spacing_and_ranges():
    dom = domain.rect(x_range=(-1, 2), y_range=(0, 1), mesh_size=0.5)
    assert dom.mesh_points.shape == (7 * 3, 2)
    assert dom.tag_points("interior").shape == (1, 5, 2)
    assert dom.tag_points("bottom")[0, :, 0].tolist() == [-1, -0.5, 0, 0.5, 1, 1.5, 2]
    spec = domain(constructor=domain.rect(mesh_size=0.05), time=None)
    assert spec.tag_points("interior").shape == (1, 19 * 19, 2)


def test_rect_normals(unit):
    for tag, normal in {"left": (-1, 0), "right": (1, 0), "bottom": (0, -1), "top": (0, 1)}.items():
        np.testing.assert_array_equal(unit.normals(tag)[0], np.tile(normal, (5, 1)))
    pts, nrm = unit.tag_points("boundary")[0], unit.normals("boundary")[0]
    np.testing.assert_allclose(np.linalg.norm(nrm, axis=-1), 1.0)
    corners = {(0, 0): (-S, -S), (1, 0): (S, -S), (1, 1): (S, S), (0, 1): (-S, S)}
    for corner, normal in corners.items():
        (i,) = np.flatnonzero((pts == corner).all(axis=1))
        np.testing.assert_allclose(nrm[i], normal)
    (i,) = np.flatnonzero((pts == (0.5, 0)).all(axis=1))
    np.testing.assert_array_equal(nrm[i], (0, -1))
    with pytest.raises(ValueError, match="'interior' has no normals"):
        unit.normals("interior")
    with pytest.raises(ValueError, match="'interior' has no normals"):
        unit.variable("interior", normals=True)


def test_rect_sampling_replaces_nodes(unit):
    unit.variable("interior", sample=50)
    pts = unit.tag_points("interior")[0]
    assert pts.shape == (50, 2)
    assert ((pts > 0) & (pts < 1)).all()
    unit.variable("left", sample=(7, "grid"))
    np.testing.assert_allclose(unit.tag_points("left")[0, :, 0], 0.0)
    np.testing.assert_allclose(np.sort(unit.tag_points("left")[0, :, 1]), (np.arange(7) + 0.5) / 7)
    unit.variable("boundary", sample=(40, "sobol"), normals=True)
    pts, nrm = unit.tag_points("boundary")[0], unit.normals("boundary")[0]
    assert pts.shape == (40, 2)
    assert (np.isclose(pts, 0) | np.isclose(pts, 1)).any(axis=1).all()
    assert (np.abs(nrm).sum(axis=1) == 1).all()  # edge normals away from the corners
    assert unit.tag_points("top").shape == (1, 5, 2)  # other tags keep their nodes


def test_line():
    dom = domain.line(mesh_size=0.1, x_range=(0, 1))
    assert dom.spatial_dim == 1
    assert dom.tags() == ["interior", "boundary", "left", "right"]
    assert dom.tag_points("interior").shape == (1, 9, 1)
    np.testing.assert_allclose(dom.tag_points("interior")[0, :, 0], np.linspace(0.1, 0.9, 9))
    assert dom.tag_points("boundary")[0, :, 0].tolist() == [0.0, 1.0]
    assert dom.normals("boundary")[0, :, 0].tolist() == [-1.0, 1.0]
    assert dom.normals("left")[0, :, 0].tolist() == [-1.0]
    assert dom.normals("right")[0, :, 0].tolist() == [1.0]
    assert dom.mesh_points.shape == (11, 1)
    (_x,) = dom.variable("interior", sample=(6, "grid"))
    np.testing.assert_allclose(dom.tag_points("interior")[0, :, 0], (np.arange(6) + 0.5) / 6)
    dom.variable("boundary", sample=5)
    assert set(dom.tag_points("boundary")[0, :, 0]) <= {0.0, 1.0}
    assert (dom.normals("boundary")[0, :, 0] == 2 * dom.tag_points("boundary")[0, :, 0] - 1).all()


def test_time_axis_and_initial():
    dom = domain(constructor=domain.rect(mesh_size=0.25), time=(0, 1, 5))
    assert dom.has_time
    assert dom.time == (0.0, 1.0, 5)
    assert dom.tags()[-1] == "initial"
    _x, _y, t = dom.variable("interior")
    assert (t.axis, t.dim, t.tag) == ("temporal", 0, "interior")
    np.testing.assert_allclose(dom.times("interior"), [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_allclose(dom.times("initial"), [0.0])
    assert dom.tag_points("initial").shape == (1, 25, 2)  # interior and boundary nodes
    ctx = dom.context
    assert ctx["__time__"].shape == (5,)
    assert ctx["initial"].shape == (1, 25, 2)
    stationary = domain.rect(mesh_size=0.25)
    assert stationary.times("interior") is None
    assert "initial" not in stationary.tags()
    assert "__time__" not in stationary.context
    with pytest.raises(ValueError, match="unknown tag 'initial'"):
        stationary.tag_points("initial")
    line = domain.line(mesh_size=0.5, time=(0, 2, 3))
    assert line.tag_points("initial")[0, :, 0].tolist() == [0.0, 0.5, 1.0]


def test_copy_keeps_or_replaces_time():
    timed = domain.rect(mesh_size=0.5, time=(0, 1, 3))
    assert domain(constructor=timed).time == (0.0, 1.0, 3)
    assert domain(constructor=timed, time=(0, 2, 4)).time == (0.0, 2.0, 4)
    assert timed.time == (0.0, 1.0, 3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"mesh_size": 0}, "mesh_size must be positive"),
        ({"x_range": (1, 0)}, "start < stop"),
        ({"y_range": 3}, "y_range must be a pair"),
        ({"time": (0, 1)}, "triple"),
        ({"time": (0, 1, 0)}, "positive integer"),
        ({"time": (1, 0, 3)}, "t0 must not exceed t1"),
    ],
)
def test_grid_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        domain.rect(**kwargs)


def test_constructor_errors():
    with pytest.raises(ValueError, match="needs a geometry"):
        domain()
    with pytest.raises(ValueError, match="cannot build a domain from a str"):
        domain("mesh.msh")
    with pytest.raises(TypeError, match="unexpected keyword"):
        domain.rect(mesh_sise=0.1)
    domain.rect(mesh_size=0.5, algorithm=6)  # jNO's meshing options are accepted
