import numpy as np
import pytest
from shapely.geometry import Point, box

from jno_lab._domain import domain
from jno_lab._trace.nodes import TensorTag


def test_batched_polygon_instances_differ():
    base = domain(box(0, 0, 1, 1))
    dom = 3 * base
    assert dom is not base
    assert base.batch_size == 1
    assert dom.batch_size == 3
    assert (base * 3).batch_size == 3
    dom.variable("interior", sample=16)
    pts = dom.tag_points("interior")
    assert pts.shape == (3, 16, 2)
    assert not np.allclose(pts[0], pts[1])
    assert not np.allclose(pts[1], pts[2])
    assert (2 * dom).batch_size == 6


def test_batched_grid_instances_are_equal():
    dom = 4 * domain.rect(mesh_size=0.25)
    pts = dom.tag_points("interior")
    assert pts.shape == (4, 9, 2)
    assert all(np.array_equal(pts[0], pts[b]) for b in range(4))
    assert dom.normals("left").shape == (4, 5, 2)
    assert dom.mesh_points.shape == (25, 2)


def test_batch_errors():
    with pytest.raises(ValueError, match="positive integer"):
        0 * domain.rect(mesh_size=0.5)
    with pytest.raises(TypeError):
        1.5 * domain.rect(mesh_size=0.5)


def test_stack_spec_example():
    d1 = domain(box(0, 0, 1, 1))
    d2 = domain(Point(0, 0).buffer(1.0))
    dom = domain.stack(100 * d1, 100 * d2, n_interior=512, n_boundary=128)
    assert dom.batch_size == 200
    assert dom.tag_points("interior").shape == (200, 512, 2)
    assert dom.tag_points("boundary").shape == (200, 128, 2)
    assert dom.normals("boundary").shape == (200, 128, 2)
    x, y = dom.variable("interior")
    assert (x.tag, x.dim, y.dim) == ("interior", 0, 1)
    pts = dom.tag_points("interior")
    assert (pts[:100] >= 0).all()  # squares
    assert (pts[100:] < 0).any()  # discs
    assert not np.allclose(pts[0], pts[100])


def test_stack_with_grids_and_time():
    a = domain.rect(mesh_size=0.5, time=(0, 1, 3))
    b = domain(box(0, 0, 2, 1), time=(0, 1, 3))
    dom = domain.stack(a, 2 * b, n_interior=10, n_boundary=6, sampler="sobol")
    assert dom.tag_points("interior").shape == (3, 10, 2)
    assert dom.tag_points("initial").shape == (3, 10, 2)
    np.testing.assert_array_equal(dom.tag_points("initial"), dom.tag_points("interior"))
    assert dom.times("initial").tolist() == [0.0]
    assert dom.tags() == ["interior", "boundary", "initial"]


def test_stack_errors():
    sq = domain(box(0, 0, 1, 1))
    with pytest.raises(ValueError, match="different spatial dimensions"):
        domain.stack(sq, domain.line(mesh_size=0.5))
    with pytest.raises(ValueError, match="different time axes"):
        domain.stack(sq, domain(box(0, 0, 1, 1), time=(0, 1, 2)))
    with pytest.raises(ValueError, match="at least one domain"):
        domain.stack()
    with pytest.raises(ValueError, match="expected domains"):
        domain.stack(sq, box(0, 0, 1, 1))
    with pytest.raises(ValueError, match="has no tag"):
        domain.stack(sq, domain.from_array(np.zeros((4, 2))))


def test_from_array():
    pts = np.random.default_rng(0).random((2, 7, 2))
    dom = domain.from_array({"sensors": pts, "probe": np.zeros((3, 2))}, time=(0, 1, 4))
    assert dom.batch_size == 2
    assert dom.spatial_dim == 2
    assert dom.has_time
    np.testing.assert_array_equal(dom.tag_points("sensors"), pts)
    assert dom.tag_points("probe").shape == (2, 3, 2)
    assert dom.tags() == ["sensors", "probe"]
    assert dom.times("sensors").shape == (4,)
    single = domain.from_array(np.linspace(0, 1, 5)[:, None])
    assert single.tags() == ["interior"]
    assert single.tag_points("interior").shape == (1, 5, 1)
    dom.variable("sensors", sample=(4, "grid"))
    np.testing.assert_array_equal(dom.tag_points("sensors"), pts[:, [0, 2, 4, 6]])
    with_normals = domain.from_array(
        {"wall": np.zeros((3, 2))}, normals={"wall": np.tile([0.0, 1.0], (3, 1))}
    )
    assert with_normals.normals("wall").shape == (1, 3, 2)
    with pytest.raises(ValueError, match=r"shape \(N, Ds\) or \(B, N, Ds\)"):
        domain.from_array({"a": np.zeros(3)})
    with pytest.raises(ValueError, match="different spatial dimensions"):
        domain.from_array({"a": np.zeros((3, 2)), "b": np.zeros((3, 3))})
    with pytest.raises(ValueError, match="different batch sizes"):
        domain.from_array({"a": np.zeros((2, 3, 2)), "b": np.zeros((3, 3, 2))})
    with pytest.raises(ValueError, match="normals given for unknown tags"):
        domain.from_array({"a": np.zeros((3, 2))}, normals={"b": np.zeros((3, 2))})


def test_tensor_tags():
    dom = domain.rect(mesh_size=0.5)
    k = dom.variable("k", np.array([1.0, 2.0, 3.0]))
    assert isinstance(k, TensorTag)
    assert k.tag == "k"
    assert k.domain is dom
    assert dom.tensor("k").shape == (1, 3)
    assert dom.tensor_names() == ["k"]
    assert dom.variable("k") is k
    assert dom.context["k"].shape == (1, 3)
    dom.variable("scalar", 2.5)
    assert dom.tensor("scalar").shape == (1,)
    batched = 3 * dom
    assert batched.tensor("k").shape == (3, 3)
    batched.variable("field", np.zeros((3, 4, 4)))
    assert batched.tensor("field").shape == (3, 4, 4)
    with pytest.raises(ValueError, match=r"shape \(B, \.\.\.\) with B = 3"):
        batched.variable("bad", np.zeros((2, 4)))
    with pytest.raises(ValueError, match="is a point tag"):
        dom.variable("interior", np.zeros(3))
    with pytest.raises(ValueError, match="must be numeric"):
        dom.variable("names", np.array(["a", "b"]))
    with pytest.raises(ValueError, match="unknown tensor tag 'nope'"):
        dom.tensor("nope")
    with pytest.raises(ValueError, match="is a tensor tag"):
        dom.tag_points("k")
    stacked = domain.stack(2 * domain(box(0, 0, 1, 1)), domain(box(0, 0, 2, 1)))
    assert stacked.tensor_names() == []
