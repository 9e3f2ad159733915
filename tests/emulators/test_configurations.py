"""Every configuration against a hand-written, Python-unrolled reference (loss and gradient)."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jno_lab.emulators as tx

cfg = tx.configuration
sg = jax.lax.stop_gradient


def mse(a, b=None):
    d = a if b is None else a - b
    return jnp.mean(jnp.square(d), axis=tuple(range(1, d.ndim))).mean()


def vm(f, u):
    return jax.vmap(f)(u)


def ref_supervised(model, data, r, w, cut_every):
    u, loss = data[:, 0], 0.0
    for t in range(r):
        u = vm(model, u)
        loss += w[t] * mse(u, data[:, t + 1])
        if cut_every and (t + 1) % cut_every == 0:
            u = sg(u)
    return loss


def ref_branch_one(model, data, ref, r, w, cut_every, cut_div):
    u, loss = data[:, 0], 0.0
    for t in range(r):
        target = vm(ref, u)
        target = sg(target) if cut_div else target
        u = vm(model, u)
        loss += w[t] * mse(u, target)
        if cut_every and (t + 1) % cut_every == 0:
            u = sg(u)
    return loss


def ref_diverted(model, data, ref, r, b, w, v, cut_every, cut_div):
    main, loss = data[:, 0], 0.0
    for t in range(r - b + 1):
        pred, target, branch = main, sg(main) if cut_div else main, 0.0
        for j in range(b):
            pred, target = vm(model, pred), vm(ref, target)
            branch += v[j] * mse(pred, target)
            if cut_every and (t + j + 1) % cut_every == 0:
                pred = sg(pred)
        loss += w[t] * branch
        main = vm(model, main)
        if cut_every and (t + 1) % cut_every == 0:
            main = sg(main)
    return loss


def ref_mix(model, data, ref, r, p, w, cut_every):
    u, loss = data[:, 0], 0.0
    for t in range(r):
        u = vm(model, u)
        loss += w[t] * mse(u, data[:, t + 1])
        if cut_every and (t + 1) % cut_every == 0:
            u = sg(u)
    for t in range(r, r + p):
        u = vm(ref, u)
        loss += w[t] * mse(u, data[:, t + 1])
    return loss


def ref_residuum(model, data, res, r, w, cut_every, cut_prev, cut_next):
    prev, loss = data[:, 0], 0.0
    for t in range(r):
        nxt = vm(model, prev)
        a = sg(nxt) if cut_next else nxt
        b = sg(prev) if cut_prev else prev
        loss += w[t] * mse(jax.vmap(res)(a, b))
        prev = sg(nxt) if cut_every and (t + 1) % cut_every == 0 else nxt
    return loss


def residuum(nxt, prev):
    return nxt - 0.25 * prev - 0.75 * jnp.roll(prev, -1, axis=-1)


W4 = jnp.array([1.0, 0.5, 2.0, 0.25])

CASES = {
    "supervised": (
        cfg.Supervised(4, time_level_weights=W4),
        lambda m, d, ref: ref_supervised(m, d, 4, W4, 0),
    ),
    "supervised_cut_every_2": (
        cfg.Supervised(4, cut_bptt=True, cut_bptt_every=2, time_level_weights=W4),
        lambda m, d, ref: ref_supervised(m, d, 4, W4, 2),
    ),
    "branch_one": (
        cfg.DivertedChainBranchOne(3),
        lambda m, d, ref: ref_branch_one(m, d, ref, 3, jnp.ones(3), 0, False),
    ),
    "branch_one_cut": (
        cfg.DivertedChainBranchOne(3, cut_bptt=True, cut_div_chain=True, time_level_weights=W4[:3]),
        lambda m, d, ref: ref_branch_one(m, d, ref, 3, W4[:3], 1, True),
    ),
    "diverted_4_2": (
        cfg.DivertedChain(4, 2, time_level_weights=W4[:3], branch_level_weights=W4[2:]),
        lambda m, d, ref: ref_diverted(m, d, ref, 4, 2, W4[:3], W4[2:], 0, False),
    ),
    "diverted_4_2_cut": (
        cfg.DivertedChain(4, 2, cut_bptt=True, cut_bptt_every=2, cut_div_chain=True),
        lambda m, d, ref: ref_diverted(m, d, ref, 4, 2, jnp.ones(3), jnp.ones(2), 2, True),
    ),
    "mix_2_2": (
        cfg.MixChain(2, 2, time_level_weights=W4),
        lambda m, d, ref: ref_mix(m, d, ref, 2, 2, W4, 0),
    ),
    "mix_3_1_cut": (
        cfg.MixChain(3, 1, cut_bptt=True, cut_bptt_every=2),
        lambda m, d, ref: ref_mix(m, d, ref, 3, 1, jnp.ones(4), 2),
    ),
    "residuum": (
        cfg.Residuum(3, time_level_weights=W4[:3]),
        lambda m, d, ref: ref_residuum(m, d, residuum, 3, W4[:3], 0, False, False),
    ),
    "residuum_cut_prev": (
        cfg.Residuum(3, cut_prev=True),
        lambda m, d, ref: ref_residuum(m, d, residuum, 3, jnp.ones(3), 0, True, False),
    ),
    "residuum_cut_next_bptt": (
        cfg.Residuum(3, cut_next=True, cut_bptt=True),
        lambda m, d, ref: ref_residuum(m, d, residuum, 3, jnp.ones(3), 1, False, True),
    ),
}


@pytest.fixture(scope="module")
def windows(tiny_data):
    return tx.TrajectorySubStacker(tiny_data, 5).data_sub_trajectories[:6]


@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_and_gradient_match_the_hand_written_reference(name, windows, stencil, ref_stepper):
    config, reference = CASES[name]

    def ours(model):
        return config(model, windows, ref_stepper=ref_stepper, residuum_fn=residuum)

    loss, grad = eqx.filter_value_and_grad(ours)(stencil)
    ref_loss, ref_grad = eqx.filter_value_and_grad(lambda m: reference(m, windows, ref_stepper))(
        stencil
    )
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-6)
    np.testing.assert_allclose(grad.weight, ref_grad.weight, rtol=1e-6, atol=1e-7)
    assert float(loss) > 1e-3


class Scale(eqx.Module):
    a: jax.Array

    def __call__(self, u):
        return self.a * u


@pytest.mark.parametrize(("cut", "every"), [(False, 1), (True, 1), (True, 2), (True, 3)])
def test_cut_bptt_changes_the_gradient_exactly_where_documented(cut, every):
    # u_t = a^t u0 (scalar); cutting after step k makes later levels see u_k as a constant.
    a, u0 = 0.9, 1.5
    ys = np.array([1.0, 0.7, 0.4])
    data = jnp.asarray(np.concatenate([[u0], ys]).reshape(1, 4, 1, 1), jnp.float32)
    config = cfg.Supervised(3, cut_bptt=cut, cut_bptt_every=every)
    grad = eqx.filter_grad(lambda m: config(m, data))(Scale(jnp.asarray(a)))
    expected, last_cut = 0.0, 0
    for t in range(1, 4):
        u_t = a**t * u0
        # d u_t / d a with the chain restarted at the last cut before t
        du = (t - last_cut) * a ** (t - last_cut - 1) * (a**last_cut * u0)
        expected += 2 * (u_t - ys[t - 1]) * du
        if cut and t % every == 0:
            last_cut = t
    assert float(grad.a) == pytest.approx(expected, rel=1e-6)


def test_general_diverted_chain_contains_supervised_and_branch_one(tiny_data, stencil, ref_stepper):
    windows = tx.TrajectorySubStacker(tiny_data, 5).data_sub_trajectories
    kw = {"ref_stepper": ref_stepper}
    full = cfg.DivertedChain(4, 4)(stencil, windows, **kw)
    sup = cfg.Supervised(4)(stencil, windows)
    np.testing.assert_allclose(full, sup, rtol=1e-5)
    one = cfg.DivertedChain(4, 1, cut_div_chain=True)(stencil, windows, **kw)
    np.testing.assert_allclose(
        one, cfg.DivertedChainBranchOne(4)(stencil, windows, **kw), rtol=1e-6
    )


def test_mask_gives_the_mean_of_the_kept_windows(windows, stencil):
    config = cfg.Supervised(2)
    mask = jnp.array([1, 1, 0, 1, 0, 0])
    masked = config(stencil, windows, mask=mask)
    kept = config(stencil, windows[np.array([0, 1, 3])])
    np.testing.assert_allclose(masked, kept, rtol=1e-6)


def test_composite_configuration(windows, stencil):
    both = cfg.Composite([cfg.Supervised(1), cfg.Supervised(3)], [2.0, 0.5])
    expected = 2.0 * cfg.Supervised(1)(stencil, windows) + 0.5 * cfg.Supervised(3)(stencil, windows)
    np.testing.assert_allclose(both(stencil, windows), expected, rtol=1e-6)
    assert both.window_length == 4


def test_configuration_errors_name_the_argument(windows, stencil):
    with pytest.raises(
        ValueError, match=r"num_branch_steps=5\) must be at most num_rollout_steps=3"
    ):
        cfg.DivertedChain(3, 5)
    with pytest.raises(ValueError, match=r"time_level_weights=...\) must have shape \(3,\)"):
        cfg.Supervised(3, time_level_weights=[1.0, 2.0])
    with pytest.raises(ValueError, match=r"num_rollout_steps=...\) must be an integer >= 1"):
        cfg.Residuum(0)
    with pytest.raises(TypeError, match=r"time_level_loss=...\) must be a time-level loss"):
        cfg.Supervised(1, time_level_loss=jnp.mean)
    with pytest.raises(ValueError, match="batch_reduction"):
        cfg.Supervised(1, time_level_loss=tx.loss.MSELoss(batch_reduction=jnp.sum))
    with pytest.raises(ValueError, match="Supervised needs windows of at least 6 snapshots"):
        cfg.Supervised(5)(stencil, windows)
    with pytest.raises(ValueError, match="needs a ref_stepper"):
        cfg.MixChain(1, 1)(stencil, windows)


def test_changing_weights_values_reuses_the_compiled_loss(windows, stencil):
    traces = []

    @eqx.filter_jit
    def value(config, model):
        traces.append(1)
        return config(model, windows)

    a = value(cfg.Supervised(3, time_level_weights=[1.0, 1.0, 1.0]), stencil)
    b = value(cfg.Supervised(3, time_level_weights=[1.0, 0.0, 0.0]), stencil)
    assert len(traces) == 1
    np.testing.assert_allclose(b, cfg.Supervised(1)(stencil, windows), rtol=1e-6)
    assert float(a) > float(b)


def test_stencil_helper_matches_equinox_circular_conv(stencil):
    conv = eqx.nn.Conv1d(
        1, 1, 2, padding="SAME", padding_mode="CIRCULAR", use_bias=False, key=jax.random.PRNGKey(0)
    )
    conv = eqx.tree_at(lambda c: c.weight, conv, stencil.weight.reshape(1, 1, 2))
    u = jnp.arange(8.0).reshape(1, 8)
    np.testing.assert_allclose(conv(u), stencil(u), rtol=1e-6)


def test_metric_callbacks_report_the_configuration_values(windows, stencil):
    config = cfg.Supervised(2)
    loss, grad = eqx.filter_value_and_grad(lambda m: config(m, windows))(stencil)
    logged = tx.callback.Loss(1, config, with_grad=True, name="l")(0, stencil, windows)["l"]
    np.testing.assert_allclose(logged[0], loss, rtol=1e-6)
    np.testing.assert_allclose(logged[1].weight, grad.weight, rtol=1e-6)
    norm = tx.callback.GradNorm(1, config, name="g")(0, stencil, windows)["g"]
    assert float(norm) == pytest.approx(float(jnp.linalg.norm(grad.weight)), rel=1e-6)
    squared = tx.callback.GradNorm(1, config, squared=True, name="g")(0, stencil, windows)["g"]
    assert float(squared) == pytest.approx(float(norm) ** 2, rel=1e-5)
    assert tx.callback.GradNorm(2, config, name="g")(1, stencil, windows) == {"g": None}
