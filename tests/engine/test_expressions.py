"""Expression building: CSE, Laplacian fusion, operators, jno.np/jno.fn, config."""

import jax.numpy as jnp
import numpy as np
import pytest

import jno_lab as jno
from jno_lab._lower.analysis import canonicalize
from jno_lab._trace.nodes import Laplacian


def test_equal_subexpressions_are_merged(dom2d):
    x, y = dom2d.variable("interior")
    a = jno.np.sin(x * y) + 1
    b = jno.np.sin(x * y) + 1
    roots = canonicalize([a.mse, (b * 2).mse])
    first = roots[0].children[0]
    second = roots[1].children[0].children[0]
    assert first is second
    assert a is not b
    assert a.key == b.key


def test_sum_of_second_derivatives_becomes_one_laplacian(dom2d):
    x, y = dom2d.variable("interior")
    u = jno.np.sin(x) * y
    (root,) = canonicalize([(u.d(x).d(x) + u.d(y).d(y)).mse])
    assert isinstance(root.children[0], Laplacian)
    assert [v.dim for v in root.children[0].variables] == [0, 1]


def test_arithmetic_with_scalars_on_both_sides_and_numpy_functions(dom2d, points2d):
    x, y = dom2d.variable("interior")
    expr = 2 - x * 3 + 1 / (1 + y) ** 2 - (-x) + abs(y - 1) + np.float32(2.0) * x
    px, py = points2d[:, 0], points2d[:, 1]
    expected = 2 - px * 3 + 1 / (1 + py) ** 2 + px + np.abs(py - 1) + 2 * px
    got = jno.core([expr.mse]).eval(expr)[0, 0, :, 0]
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_math_functions_and_losses(dom2d, points2d):
    x, y = dom2d.variable("interior")
    px, py = points2d[:, 0], points2d[:, 1]
    cases = {
        jno.np.tanh(x) * jno.np.cosh(y): np.tanh(px) * np.cosh(py),
        jno.np.arctan(x) + jno.np.arcsin(y) - jno.np.arccos(y): np.arctan(px)
        + np.arcsin(py)
        - np.arccos(py),
        jno.np.sqrt(x) * jno.np.log(y) + jno.np.exp(x) * jno.np.e: np.sqrt(px) * np.log(py)
        + np.exp(px) * np.e,
        jno.np.where(x > 0.5, x, -y): np.where(px > 0.5, px, -py),
        jno.np.clip(x, 0.3, 0.6): np.clip(px, 0.3, 0.6),
        jno.np.maximum(x, y) - jno.np.minimum(x, y): np.abs(px - py),
    }
    crux = jno.core([x.mse])
    for expr, expected in cases.items():
        np.testing.assert_allclose(crux.eval(expr)[0, 0, :, 0], expected, rtol=1e-5)
    losses = {
        x.mse: np.mean(px**2),
        x.mae: np.mean(np.abs(px)),
        x.rmse: np.sqrt(np.mean(px**2)),
        jno.fn.mse(x, y): np.mean((px - py) ** 2),
        jno.fn.relative_l2(x, y): np.linalg.norm(px - py) / np.linalg.norm(py),
        jno.fn.huber(x - y, delta=0.1): np.mean(
            np.where(np.abs(px - py) <= 0.1, 0.5 * (px - py) ** 2, 0.1 * (np.abs(px - py) - 0.05))
        ),
        jno.fn.log_cosh(x, y): np.mean(np.log(np.cosh(px - py))),
    }
    for expr, expected in losses.items():
        assert float(crux.eval(expr)) == pytest.approx(expected, rel=1e-5)


def test_concat_indexing_and_custom_functions(dom2d, points2d):
    x, y = dom2d.variable("interior")
    v = jno.np.concat([x, y])
    crux = jno.core([x.mse])
    np.testing.assert_allclose(crux.eval(v)[0, 0], points2d, rtol=1e-6)
    np.testing.assert_allclose(crux.eval(v[..., 1])[0, 0, :, 0], points2d[:, 1], rtol=1e-6)
    f = jno.np.function(lambda a, b: jnp.exp(-(a**2)) * jnp.sin(b), [x, y])
    g = jno.fn(lambda a, b: a**2 + b, [x, y], name="my_op")
    expected = np.exp(-(points2d[:, 0] ** 2)) * np.sin(points2d[:, 1])
    np.testing.assert_allclose(crux.eval(f)[0, 0, :, 0], expected, rtol=1e-5)
    # a custom function is differentiated like any expression
    np.testing.assert_allclose(crux.eval(g.d(x))[0, 0, :, 0], 2 * points2d[:, 0], rtol=1e-5)
    assert g.label() == "my_op"


def test_global_array_ops_on_point_values(dom2d, points2d):
    x, y = dom2d.variable("interior")
    crux = jno.core([x.mse])
    v = jno.np.concat([x, y])  # (B, T, N, 2)
    # indexing a per-point value picks features; a whole-array function returns a global array
    np.testing.assert_allclose(crux.eval(v[1])[0, 0, :, 0], points2d[:, 1], rtol=1e-6)
    rows = jno.fn(lambda a: a[0, 0], [v], reduces_axis=0)  # (N, 2), global
    gram = crux.eval(rows @ rows.T)
    np.testing.assert_allclose(gram, points2d @ points2d.T, rtol=1e-5)
    assert float(crux.eval(jno.np.max(x))) == pytest.approx(points2d[:, 0].max())
    np.testing.assert_allclose(
        crux.eval(jno.np.norm(v, axis=-1))[0, 0, :, 0], np.linalg.norm(points2d, axis=1), rtol=1e-5
    )


def test_seed_resolution(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JNO_SEED", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    jno.setup(seed=None)
    assert jno.get_seed() == 42
    (tmp_path / ".jno.toml").write_text("[jno]\nseed = 7\n")
    assert jno.get_seed() == 7
    monkeypatch.setenv("JNO_SEED", "11")
    assert jno.get_seed() == 11
    jno.setup(seed=3)
    assert jno.get_seed() == 3
    jno.setup(seed=None)
    monkeypatch.setenv("JNO_SEED", "eleven")
    with pytest.raises(ValueError, match="JNO_SEED must be an integer"):
        jno.get_seed()


def test_setup_rejects_unknown_modes():
    with pytest.raises(ValueError, match="diff_type='sideways' is not known"):
        jno.setup(diff_type="sideways")
    jno.setup()


def test_print_tree_and_shapes(dom2d, capsys):
    x, y = dom2d.variable("interior")
    u = jno.np.sin(x) * y
    crux = jno.core([(u.d(x).d(x) + u.d(y).d(y)).mse])
    tree = crux.print_tree()
    assert "laplacian(x[interior], y[interior])" in tree
    shapes = crux.print_shapes()
    assert "(1, 1, 7, 1)" in shapes
    assert "per point (1,)" in shapes
    assert "laplacian" in capsys.readouterr().out


def test_calling_an_expression_substitutes_coordinates(timed_dom):
    x, y, t = timed_dom.variable("interior")
    x0, y0, t0 = timed_dom.variable("initial")
    u = jno.np.sin(x) * y + t * x
    u0 = u(x0, y0, t0)
    crux = jno.core([u.mse])
    pts = timed_dom.tag_points("initial")[0]
    expected = np.sin(pts[:, 0]) * pts[:, 1]  # t0 = 0
    np.testing.assert_allclose(crux.eval(u0)[0, 0, :, 0], expected, rtol=1e-6)
    # derivatives follow the substitution: d/dx0 (sin(x0) y0 + t0 x0) = cos(x0) y0 at t0 = 0
    grad0 = u.d(x)(x0, y0, t0)
    np.testing.assert_allclose(
        crux.eval(grad0)[0, 0, :, 0], np.cos(pts[:, 0]) * pts[:, 1], rtol=1e-5
    )
    assert u(x, y, t).key == u.key
    with pytest.raises(TypeError, match="arguments must be variables"):
        u(x0 + 1)


def test_configured_defaults_resolve_bare_scheme_strings(monkeypatch, tmp_path):
    from jno_lab._trace._schemes import first_order_mode, second_order_mode

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    jno.setup()
    assert second_order_mode("automatic_differentiation") == "auto"
    (tmp_path / ".jno.toml").write_text('[jno]\ndiff_type = "reverse"\nhessian_type = "forward"\n')
    assert first_order_mode("automatic_differentiation") == "reverse"
    assert second_order_mode("automatic_differentiation") == "fwd-over-fwd"
    jno.setup(hessian_type="rev-over-fwd")
    assert second_order_mode("automatic_differentiation") == "rev-over-fwd"
    # an explicit scheme string always wins
    assert second_order_mode("automatic_differentiation:fwd-over-rev") == "fwd-over-rev"
    jno.setup()


def test_relative_l2_aligns_per_point_scalars(dom2d, points2d):
    x, y = dom2d.variable("interior")
    scalar = jno.np.concat([x, y])[..., 0]  # (B, T, N)
    column = y * 1.0  # (B, T, N, 1)
    got = float(jno.core([x.mse]).eval(jno.fn.relative_l2(scalar, column)))
    px, py = points2d[:, 0], points2d[:, 1]
    assert got == pytest.approx(np.linalg.norm(px - py) / np.linalg.norm(py), rel=1e-5)


def test_trackers_read_the_time_coordinate(timed_dom):
    import optax

    _, _, t = timed_dom.variable("interior")
    p = jno.np.parameter((1,), init=0.0).optimizer(optax.sgd(0.0))
    crux = jno.core([(p + t).mse, jno.np.tracker(jno.np.mean(t), name="mean_t")])
    stats = crux.solve(3, min_consecutive=None)
    np.testing.assert_allclose(stats.trackers["mean_t"], [0.5, 0.5, 0.5])  # t in {0, .5, 1}
