"""Models in expressions: per-point and whole-array modules, normals, predict, compile."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import jno_lab as jno


class RowNorm(eqx.Module):
    """Works only on whole point arrays (N, D): subtracts the mean over the points."""

    scale: jax.Array
    pointwise = False

    def __call__(self, x):
        return self.scale * (x - jnp.mean(x, axis=0))


class BatchOnly(eqx.Module):
    """A module written for (N, D) arrays that fails on one point."""

    w: jax.Array

    def __call__(self, x):
        return x @ self.w[: x.shape[1]]


def test_whole_array_module_is_called_per_instance():
    dom = 2 * jno.domain(constructor=jno.domain.line(mesh_size=0.25))
    (x,) = dom.variable("interior")
    net = jno.nn.wrap(RowNorm(jnp.ones(())), name="rownorm").optimizer(optax.sgd(6.0))
    u = net(x)
    crux = jno.core([(u - 2 * (x - 0.5)).mse])
    out = crux.eval(u)
    np.testing.assert_allclose(out[0, 0, :, 0], [-0.25, 0.0, 0.25], atol=1e-6)
    crux.solve(200)
    assert float(net.module.scale) == pytest.approx(2.0, rel=1e-3)
    with pytest.raises(ValueError, match="not a per-point expression"):
        jno.core([u.d(x).mse])


def test_a_batch_only_module_gets_a_hint(points2d, dom2d):
    x, y = dom2d.variable("interior")
    net = jno.nn.wrap(BatchOnly(jnp.ones((2, 1))), name="batchy")
    with pytest.raises(ValueError, match="give its class `pointwise = False`"):
        jno.core([net(jno.np.concat([x, y])).mse]).eval(net(jno.np.concat([x, y])))


def test_neumann_condition_with_normals():
    dom = jno.domain(constructor=jno.domain.rect(mesh_size=0.25))
    xb, yb, nx, ny = dom.variable("boundary", normals=True)
    u = xb**2 + 3 * yb
    flux = u.d(xb) * nx + u.d(yb) * ny
    got = jno.core([flux.mse]).eval(flux)[0, 0, :, 0]
    pts, normals = dom.tag_points("boundary")[0], dom.normals("boundary")[0]
    expected = 2 * pts[:, 0] * normals[:, 0] + 3 * normals[:, 1]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_predict_on_arbitrary_points_and_compile_ahead():
    dom = jno.domain(constructor=jno.domain.rect(mesh_size=0.25))
    x, y = dom.variable("interior")
    net = jno.nn.wrap(jno.nn.mlp(2, 1, hidden=8, depth=1, key=jax.random.PRNGKey(3)))
    net.optimizer(optax.adam(1e-3))
    u = net(x, y)
    crux = jno.core([u.mse]).compile()
    assert crux.compile_count == 0
    crux.solve(5)
    assert crux.compile_count == 0  # solve() reuses what compile() traced
    test = jno.domain(constructor=jno.domain.rect(mesh_size=0.1))
    points = np.tile(test.points[None, ...], (2, 1, 1))
    pred = crux.predict(points=points, operation=u, context=test.context)
    assert pred.shape == (2, 1, test.points.shape[0], 1)
    direct = jax.vmap(net.module)(jnp.asarray(test.points, jnp.float32))
    np.testing.assert_allclose(pred[1, 0], direct, rtol=1e-5, atol=1e-6)


def test_debug_flags_print_through_jax(dom2d, capfd):
    x, y = dom2d.variable("interior")
    expr = jno.np.sin(x) * y
    expr.debug._shape = True
    expr.debug._mean = True
    jno.core([expr.mse]).eval(expr.mse)
    out = capfd.readouterr().out
    assert "[jno debug]" in out
    assert "shape (1,)" in out
    assert "mean" in out
