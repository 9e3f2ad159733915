import doctest
import importlib
import pkgutil

import numpy as np
import pytest
from shapely.geometry import box

import jno_lab._domain as domain_pkg
from jno_lab._domain import domain
from jno_lab._trace.nodes import Variable


def test_variables_of_a_stationary_domain():
    dom = domain.rect(mesh_size=0.5)
    x, y = dom.variable("interior")
    assert all(isinstance(v, Variable) for v in (x, y))
    assert [(v.tag, v.dim, v.axis) for v in (x, y)] == [
        ("interior", 0, "spatial"),
        ("interior", 1, "spatial"),
    ]
    assert x.domain is dom
    x2, y2 = dom.variable("interior")
    assert x2 is x
    assert x2.key == x.key
    assert y2.key == y.key
    assert x.key != y.key
    xb, _yb, nx, ny = dom.variable("boundary", normals=True)
    assert (nx.axis, nx.dim, ny.dim) == ("normal", 0, 1)
    assert xb.key != x.key


def test_variables_of_a_timed_domain():
    dom = domain(box(0, 0, 1, 1), time=(0, 1, 3))
    x, y, t, nx, ny = dom.variable("boundary", sample=8, normals=True)
    assert [v.axis for v in (x, y, t, nx, ny)] == ["spatial"] * 2 + ["temporal"] + ["normal"] * 2
    dom.variable("interior", sample=12)
    _xi, _yi, ti = dom.variable("initial")
    assert ti.tag == "initial"
    np.testing.assert_array_equal(dom.tag_points("initial"), dom.tag_points("interior"))
    dom.variable("initial", sample=5)
    assert dom.tag_points("initial").shape == (1, 5, 2)
    assert dom.times("initial").tolist() == [0.0]
    ctx = dom.context
    assert set(ctx) == {"interior", "boundary", "initial", "__time__"}


def test_initial_needs_interior_points():
    dom = domain(box(0, 0, 1, 1), time=(0, 1, 3))
    dom.variable("initial")  # no error yet: it will use the interior samples
    with pytest.raises(ValueError, match=r"'initial' has no points yet.*or give 'interior' one"):
        dom.tag_points("initial")


def test_unknown_tag_lists_known_tags():
    dom = domain.line(mesh_size=0.5)
    with pytest.raises(
        ValueError, match="unknown tag 'inlet'; known tags: interior, boundary, left"
    ):
        dom.variable("inlet")
    with pytest.raises(ValueError, match="unknown tag"):
        dom.tag_points("inlet")
    with pytest.raises(ValueError, match="unknown tag"):
        dom.times("inlet")


def test_domains_compare_by_identity():
    a, b = domain.rect(mesh_size=0.5), domain.rect(mesh_size=0.5)
    assert a != b
    assert a == a
    assert len({a, b}) == 2
    assert domain.domain is domain
    assert "rect" in repr(a)


@pytest.mark.parametrize("sampler", ["uniform", "sobol", "halton", "grid"])
def test_sampling_is_deterministic_under_a_seed(seed, sampler):
    def draw():
        dom = 2 * domain(box(0, 0, 1, 1) - box(0.2, 0.2, 0.4, 0.4))
        dom.variable("interior", sample=(32, sampler))
        dom.variable("boundary", sample=(16, sampler))
        return dom.tag_points("interior"), dom.tag_points("boundary")

    seed(3)
    first = draw()
    again = draw()
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    seed(4)
    other = draw()
    assert (sampler == "grid") == np.array_equal(first[0], other[0])


def test_tags_draw_independent_streams(seed):
    seed(0)
    dom = domain(box(0, 0, 1, 1)).region("also", "interior")
    dom.variable("interior", sample=10)
    dom.variable("also", sample=10)
    assert not np.allclose(dom.tag_points("interior"), dom.tag_points("also"))


def test_docstring_examples_run():
    names = [m.name for m in pkgutil.iter_modules(domain_pkg.__path__)]
    failed = attempted = 0
    for name in names:
        module = importlib.import_module(f"jno_lab._domain.{name}")
        result = doctest.testmod(module, verbose=False)
        failed += result.failed
        attempted += result.attempted
    assert attempted >= 25
    assert failed == 0


def test_copies_keep_their_own_state():
    import copy
    import pickle

    dom = 2 * domain(box(0, 0, 1, 1), time=(0, 1, 3))
    dom.variable("interior", sample=10)
    dom.variable("k", np.ones((2, 3)))
    for other in (copy.copy(dom), copy.deepcopy(dom), pickle.loads(pickle.dumps(dom))):
        assert other is not dom
        assert other.time == (0.0, 1.0, 3)
        assert other.tensor("k").shape == (2, 3)
        np.testing.assert_array_equal(other.tag_points("interior"), dom.tag_points("interior"))
    shallow = copy.copy(dom)
    shallow.variable("interior", sample=5)
    assert dom.tag_points("interior").shape == (2, 10, 2)


def test_none_pair_means_the_mesh_points():
    from jno_lab._domain import domain

    dom = domain.rect(mesh_size=0.25)
    assert len(dom.variable("interior", (None, None))) == 2
    assert dom.tag_points("interior").shape == (1, 9, 2)
