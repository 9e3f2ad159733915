"""jno.diagnostics: gradient norms and cosines, NTK spectra, residual statistics."""

import jax
import numpy as np
import optax
import pytest

import jno_lab as jno


@pytest.fixture(scope="module")
def poisson():
    rng = np.random.default_rng(1)
    dom = jno.domain.from_array(
        {"interior": rng.uniform(size=(40, 2)), "boundary": rng.uniform(size=(12, 2))}
    )
    x, y = dom.variable("interior")
    xb, yb = dom.variable("boundary")
    net = jno.nn.wrap(jno.nn.mlp(2, 1, hidden=8, depth=2, key=jax.random.PRNGKey(0)), name="u")
    net.optimizer(optax.adam(1e-3))
    u = net(x, y)[..., 0]
    pde = u.laplacian(x, y) + 1.0
    bc = net(xb, yb)[..., 0]
    return net, pde, bc


def test_gradient_norms_and_cosines_match_hand_computations(poisson):
    net, pde, bc = poisson
    losses = [pde.mse, bc.mse]
    trackers = jno.diagnostics.gradient_norms(losses, net, interval=2, names=["pde", "bc"])
    trackers += jno.diagnostics.gradient_cosines(losses, net, interval=2, names=["pde", "bc"])
    crux = jno.core([*losses, *trackers])
    g_pde, g_bc = crux.eval([pde.mse.grad(net), bc.mse.grad(net)])  # initial parameters
    stats = crux.solve(3)
    assert stats.tracker_epochs["grad_norm/pde"].tolist() == [0, 2]
    # step 0 logs the initial parameters' values
    norms = stats.trackers["grad_norm/pde"]
    assert norms[0] == pytest.approx(np.linalg.norm(g_pde), rel=1e-5)
    cos = stats.trackers["grad_cos/pde|bc"]
    assert np.all((cos >= -1.0) & (cos <= 1.0))
    expected = g_pde @ g_bc / (np.linalg.norm(g_pde) * np.linalg.norm(g_bc))
    assert cos[0] == pytest.approx(float(expected), rel=1e-4)


def test_ntk_spectrum_condition_and_trace_weights(poisson):
    net, pde, bc = poisson
    trackers = jno.diagnostics.ntk([pde, bc], net, points=10, interval=1, names=["pde", "bc"])
    names = [t.name for t in trackers]
    assert names == [
        "ntk_eig/pde", "ntk_cond/pde", "ntk_trace/pde",
        "ntk_eig/bc", "ntk_cond/bc", "ntk_trace/bc",
        "ntk_weight/pde", "ntk_weight/bc",
    ]  # fmt: skip
    crux = jno.core([pde.mse, bc.mse, *trackers])
    stats = crux.solve(2)
    eig = stats.trackers["ntk_eig/pde"]
    assert eig.shape == (2, 10)
    assert np.all(np.diff(eig, axis=1) >= -1e-6 * eig.max())  # ascending
    last = eig[-1]
    assert last.min() > -1e-4 * last.max()  # PSD up to round-off
    np.testing.assert_allclose(stats.trackers["ntk_trace/pde"], eig.sum(axis=1) / 10, rtol=1e-5)
    t_pde, t_bc = stats.trackers["ntk_trace/pde"], stats.trackers["ntk_trace/bc"]
    np.testing.assert_allclose(stats.trackers["ntk_weight/pde"], (t_pde + t_bc) / t_pde, rtol=1e-5)
    # the kernel on the subset is J J^T of the per-point Jacobian rows
    J = crux.eval(pde.grad(net))[0]  # all 40 points
    K = J @ J.T
    assert np.all(np.linalg.eigvalsh(K) > -1e-4 * np.abs(K).max())


def test_residual_stats(poisson):
    _, _, bc = poisson
    trackers = jno.diagnostics.residual_stats([bc], interval=1, names=["bc"])
    crux = jno.core([bc.mse, *trackers])
    values = crux.eval(bc)[0, 0, :, 0]
    got = crux.eval([t.expr for t in trackers])
    np.testing.assert_allclose(
        [float(g) for g in got],
        [np.abs(values).mean(), np.abs(values).max(), values.std()],
        rtol=1e-5,
    )


def test_diagnostic_errors(poisson):
    net, pde, bc = poisson
    with pytest.raises(ValueError, match="interval must be a positive integer"):
        jno.diagnostics.gradient_norms([pde.mse], net, interval=0)
    with pytest.raises(ValueError, match="tracker interval must be a positive integer"):
        jno.np.tracker(pde.mse, interval=-1)
    with pytest.raises(ValueError, match="needs at least two losses"):
        jno.diagnostics.gradient_cosines([pde.mse], net)
    with pytest.raises(ValueError, match="got 1 names for 2 expressions"):
        jno.diagnostics.residual_stats([pde, bc], names=["only"])
    with pytest.raises(ValueError, match="points must be a positive integer"):
        jno.diagnostics.ntk([pde], net, points=0)


def test_diagnostics_cost_no_recompilation(poisson):
    net, pde, bc = poisson
    crux = jno.core([pde.mse, bc.mse, *jno.diagnostics.gradient_norms([pde.mse, bc.mse], net)])
    crux.solve(5)
    crux.solve(5)
    assert crux.compile_count == 1


def test_ntk_on_a_time_dependent_residual():
    """Tracker shapes follow the time window a step sees (min_consecutive)."""
    import shapely

    dom = jno.domain(shapely.box(0, 0, 1, 1), time=(0, 1, 3))
    x, y, t = dom.variable("interior", sample=8)
    net = jno.nn.wrap(jno.nn.mlp(3, 1, hidden=4, depth=1, key=jax.random.PRNGKey(0)))
    net.optimizer(optax.adam(1e-3))
    r = net(x, y, t)[..., 0] - x
    stats = jno.core(
        [r.mse, *jno.diagnostics.ntk([r], net, points=4, interval=2, names=["r"])]
    ).solve(4)
    assert stats.trackers["ntk_eig/r"].shape == (2, 4)  # one time step per training step
