"""Coordinate derivatives against hand-derived formulas, for every scheme string."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jno_lab as jno

FIRST = [
    "automatic_differentiation",
    "automatic_differentiation:forward",
    "automatic_differentiation:reverse",
]
SECOND = [
    *FIRST,
    "automatic_differentiation:fwd-over-rev",
    "automatic_differentiation:fwd-over-fwd",
    "automatic_differentiation:rev-over-rev",
    "automatic_differentiation:rev-over-fwd",
]


def _eval(expr, dom):
    crux = jno.core([expr.mse], dom)
    return np.asarray(crux.eval(expr))[0, 0, :, 0]


@pytest.mark.parametrize("scheme", FIRST)
def test_first_derivatives_of_an_analytic_field(dom2d, points2d, scheme):
    x, y = dom2d.variable("interior")
    u = jno.np.sin(x) * y**2 + x**3
    px, py = points2d[:, 0], points2d[:, 1]
    np.testing.assert_allclose(
        _eval(u.d(x, scheme=scheme), dom2d), np.cos(px) * py**2 + 3 * px**2, rtol=1e-5
    )
    np.testing.assert_allclose(_eval(u.d(y, scheme=scheme), dom2d), 2 * np.sin(px) * py, rtol=1e-5)


@pytest.mark.parametrize("scheme", SECOND)
def test_second_and_mixed_derivatives(dom2d, points2d, scheme):
    x, y = dom2d.variable("interior")
    u = jno.np.sin(x) * y**2 + x**3
    px, py = points2d[:, 0], points2d[:, 1]
    u_xx = -np.sin(px) * py**2 + 6 * px
    u_yy = 2 * np.sin(px)
    u_xy = 2 * np.cos(px) * py
    np.testing.assert_allclose(_eval(u.d(x, scheme).d(x, scheme), dom2d), u_xx, rtol=1e-4)
    np.testing.assert_allclose(_eval(u.d(x, scheme).d(y, scheme), dom2d), u_xy, rtol=1e-4)
    np.testing.assert_allclose(
        _eval(u.laplacian(x, y, scheme=scheme), dom2d), u_xx + u_yy, rtol=1e-4, atol=1e-5
    )
    hess = jno.core([u.mse], dom2d).eval(u.hessian(x, y, scheme=scheme))
    assert hess.shape == (1, 1, 7, 1, 2, 2)  # (B, T, N, *F, k, k) with F = (1,)
    np.testing.assert_allclose(hess[0, 0, :, 0, 0, 1], u_xy, rtol=1e-4)
    np.testing.assert_allclose(hess[0, 0, :, 0, 1, 1], u_yy, rtol=1e-4)


def test_laplacian_of_a_network_matches_jax_hessian(dom2d, points2d):
    module = jno.nn.mlp(2, 1, hidden=8, depth=2, key=jax.random.PRNGKey(1))
    net = jno.nn.wrap(module)
    x, y = dom2d.variable("interior")
    u = net(x, y)[..., 0]
    expected = jax.vmap(lambda p: jnp.trace(jax.hessian(lambda q: module(q)[0])(p)))(
        jnp.asarray(points2d, jnp.float32)
    )
    for expr in (u.laplacian(x, y), u.d(x).d(x) + u.d(y).d(y)):
        np.testing.assert_allclose(_eval(expr, dom2d), expected, rtol=1e-4, atol=1e-5)


def test_time_derivative_on_a_timed_domain(timed_dom):
    x, _, t = timed_dom.variable("interior")
    u = jno.np.exp(-t) * jno.np.sin(x)
    crux = jno.core([u.mse])
    value = crux.eval(u.d(t))
    assert value.shape == (1, 3, 9, 1)
    pts = timed_dom.tag_points("interior")[0]
    times = timed_dom.times("interior")
    expected = -np.exp(-times)[:, None] * np.sin(pts[:, 0])[None, :]
    np.testing.assert_allclose(value[0, :, :, 0], expected, rtol=1e-5)


def test_chained_d_folds_into_one_derivative_node(dom2d):
    x, y = dom2d.variable("interior")
    u = x * y
    assert u.d(x).d(y).variables == (x, y)
    assert u.diff(x, y).key == u.d(x).d(y).key


def test_explicit_fwd_over_rev_is_what_jax_hessian_computes(dom2d, points2d):
    module = eqx.nn.MLP(2, 1, 8, 1, activation=jnp.tanh, key=jax.random.PRNGKey(2))
    net = jno.nn.wrap(module)
    x, y = dom2d.variable("interior")
    u = net(x, y)[..., 0]
    got = _eval(u.laplacian(x, y, scheme="automatic_differentiation:fwd-over-rev"), dom2d)
    expected = jax.vmap(lambda p: jnp.trace(jax.hessian(lambda q: module(q)[0])(p)))(
        jnp.asarray(points2d, jnp.float32)
    )
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
