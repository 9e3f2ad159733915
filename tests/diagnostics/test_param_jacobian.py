"""Parameter Jacobians `u.grad(net)` against jax.jacrev of the raw module, and the spec's uses."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from jax.flatten_util import ravel_pytree

import jno_lab as jno
from jno_lab.numpy import tracker


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(0)
    pts = rng.uniform(0, 1, size=(5, 2))
    bnd = rng.uniform(0, 1, size=(4, 2))
    dom = jno.domain.from_array({"interior": pts, "boundary": bnd})
    module = jno.nn.mlp(2, 1, hidden=6, depth=2, key=jax.random.PRNGKey(0))
    net = jno.nn.wrap(module, name="u_net").optimizer(optax.adam(1e-3))
    x, y = dom.variable("interior")
    xb, yb = dom.variable("boundary")
    return dom, module, net, (x, y, xb, yb), pts, bnd


def _raw_jacobian(module, points):
    params, static = eqx.partition(module, eqx.is_inexact_array)
    flat, unravel = ravel_pytree(jax.tree_util.tree_leaves(params))
    treedef = jax.tree_util.tree_structure(params)

    def u(flat_params, p):
        leaves = unravel(flat_params)
        return eqx.combine(jax.tree_util.tree_unflatten(treedef, leaves), static)(p)[0]

    return jax.vmap(lambda p: jax.jacrev(u)(flat, p))(jnp.asarray(points, jnp.float32))


def test_jacobian_matches_jacrev_of_the_module(problem):
    _dom, module, net, (x, y, *_), pts, _ = problem
    u = net(x, y)[..., 0]
    crux = jno.core([u.mse])
    J = crux.eval(u.grad(net))
    P = 2 * 6 + 6 + 6 * 6 + 6 + 6 + 1
    assert J.shape == (1, 5, P)
    np.testing.assert_allclose(J[0], _raw_jacobian(module, pts), rtol=1e-5, atol=1e-6)
    # a vector output keeps its feature axis: (B, N, D, P)
    assert crux.eval(net(x, y).grad(net)).shape == (1, 5, 1, P)


def test_masked_jacobian_width_is_the_selected_leaves(problem):
    _, _module, net, (x, y, *_), _, _ = problem
    u = net(x, y)[..., 0]
    all_false = jax.tree_util.tree_map(lambda _: False, net.module)
    mask = eqx.tree_at(lambda m: m.layers[-1].weight, all_false, True)
    J = jno.core([u.mse]).eval(u.grad(net.mask(mask)))
    assert J.shape == (1, 5, 6)
    # the output layer's weights: du/dW_out = hidden activations
    full = jno.core([u.mse]).eval(u.grad(net))
    np.testing.assert_allclose(J, full[..., -7:-1], rtol=1e-6)


def test_ntk_is_symmetric_psd_and_cosine_matches_hand_computation(problem):
    _, _, net, (x, y, xb, yb), _, _ = problem
    u = net(x, y)[..., 0]
    pde = u.laplacian(x, y) + 1.0
    bc = net(xb, yb)[..., 0]
    J = u.grad(net)
    J_flat = J[0]
    K = J_flat @ J_flat.T
    g_pde = jno.np.mean(pde.grad(net)[0], axis=0)
    g_bc = jno.np.mean(bc.grad(net)[0], axis=0)
    cos = jno.np.dot(g_pde, g_bc) / (jno.np.norm(g_pde) * jno.np.norm(g_bc) + 1e-8)
    crux = jno.core([pde.mse, bc.mse])
    K_val, eig, c, jp, jb = crux.eval([K, jno.np.eigvalsh(K), cos, pde.grad(net), bc.grad(net)])
    assert K_val.shape == (5, 5)
    np.testing.assert_allclose(K_val, K_val.T, rtol=1e-5, atol=1e-7)
    assert eig.min() > -1e-5 * eig.max()
    gp, gb = jp[0].mean(axis=0), jb[0].mean(axis=0)
    expected = gp @ gb / (np.linalg.norm(gp) * np.linalg.norm(gb) + 1e-8)
    assert -1.0 <= float(c) <= 1.0
    assert float(c) == pytest.approx(float(expected), rel=1e-4)


def test_gradient_of_a_loss_is_the_training_gradient(problem):
    _, module, net, (x, y, *_), pts, _ = problem
    u = net(x, y)[..., 0]
    loss = (u - 1.0).mse
    g = jno.core([loss]).eval(loss.grad(net))

    params, static = eqx.partition(module, eqx.is_inexact_array)

    def raw(p):
        m = eqx.combine(p, static)
        return jnp.mean((jax.vmap(m)(jnp.asarray(pts, jnp.float32))[:, 0] - 1.0) ** 2)

    expected, _ = ravel_pytree(jax.tree_util.tree_leaves(jax.grad(raw)(params)))
    np.testing.assert_allclose(g, expected, rtol=1e-5, atol=1e-7)


def test_spec_tracker_examples_run_as_written(problem):
    _, _, net, (x, y, xb, yb), _, _ = problem
    u = net(x, y)[..., 0]
    pde = u.laplacian(x, y) + 1.0
    bc = net(xb, yb)[..., 0]
    J = u.grad(net)
    J_norm = tracker(jno.np.mean(J**2), interval=2)
    K = J[0] @ J[0].T
    K_norm = tracker(jno.np.max(K) / (jno.np.min(K) + 1e-8), interval=3)
    crux = jno.core([pde.mse, bc.mse, J_norm, K_norm])
    stats = crux.solve(6)
    names = list(stats.trackers)
    assert len(names) == 2
    assert stats.tracker_epochs[names[0]].tolist() == [0, 2, 4]
    assert stats.tracker_epochs[names[1]].tolist() == [0, 3]
    assert np.all(np.isfinite(stats.trackers[names[0]]))
    assert crux.compile_count == 1


def test_jacobian_as_a_loss_term_with_stop_gradient(problem):
    _, _, net, (x, y, *_), _, _ = problem
    u = net(x, y)[..., 0]
    reg = jno.np.mean(u.grad(net).stop_gradient ** 2)
    crux = jno.core([(u - 1.0).mse, reg])
    stats = crux.solve(3)
    assert stats.losses.shape == (3, 2)


def test_grad_errors(problem):
    _, _, net, (x, y, *_), _, _ = problem
    other = jno.nn.wrap(jno.nn.mlp(2, 1, hidden=2, depth=1, key=jax.random.PRNGKey(1)), name="v")
    u = net(x, y)
    with pytest.raises(ValueError, match="does not call model 'v'"):
        u.grad(other)
    with pytest.raises(TypeError, match=r"takes a model from jno\.nn\.wrap"):
        u.grad(x)
    with pytest.raises(ValueError, match="does not match its structure"):
        net.mask({"not": "the module"})
