"""`solve()` options: accumulation, remat, callbacks, profile, substeps, offload, L-BFGS."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import jno_lab as jno
from jno_lab import LearningRateSchedule as lrs

from .conftest import assert_no_host_callbacks, step_jaxpr


def _linear_fit(dom, opt=None):
    (x,) = dom.variable("interior")
    p = jno.np.parameter((2,), init=0.0, name="p").optimizer(opt or optax.adam(5e-2))
    residual = p[0] * x + p[1] - (3.0 * x - 1.0)
    return jno.core([residual.mse, (p[1] + 0.5).mse], dom), p


def test_accumulated_micro_batches_equal_one_larger_batch(batched_dom):
    accumulated, _ = _linear_fit(batched_dom)
    large, _ = _linear_fit(batched_dom)
    a = accumulated.solve(20, batchsize=2, accumulation_steps=2)
    b = large.solve(20, batchsize=4)
    np.testing.assert_allclose(a.losses, b.losses, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(
        accumulated.eval(accumulated.trainables[0]),
        large.eval(large.trainables[0]),
        rtol=1e-6,
    )
    assert_no_host_callbacks(accumulated)
    assert "scan" in step_jaxpr(accumulated)


def test_accumulation_needs_a_batchsize(batched_dom):
    crux, _ = _linear_fit(batched_dom)
    with pytest.raises(ValueError, match="accumulation_steps=2 needs batchsize="):
        crux.solve(2, accumulation_steps=2)
    with pytest.raises(ValueError, match="exceeds the B=8 problem instances"):
        crux.solve(2, batchsize=4, accumulation_steps=3)
    with pytest.raises(ValueError, match="accumulation_steps must be a positive integer"):
        crux.solve(2, batchsize=4, accumulation_steps=0)


def _temp_bytes(crux) -> int:
    config, chunk = list(crux._chunks.items())[-1]
    args = (crux._initial_state(config), crux._bind(), crux._hyper(None, config))
    compiled = chunk.lower(*args, jnp.asarray(1, jnp.int32)).compile()
    return int(compiled.memory_analysis().temp_size_in_bytes)


@pytest.mark.parametrize("chunk", [True, 7])  # 7: 11 chunks of 77 rows, the last one padded
def test_checkpoint_gradients_rematerialises_and_trains_the_same(chunk):
    points = np.random.default_rng(0).uniform(0, 1, size=(1, 77, 2))
    dom = jno.domain.from_array({"interior": points})
    x, y = dom.variable("interior")

    def build():
        net = jno.nn.wrap(jno.nn.mlp(2, 1, hidden=32, depth=3, key=jax.random.PRNGKey(0)))
        net.optimizer(optax.adam(1e-2))
        return jno.core([(net(x, y).laplacian(x, y) + 1.0).mse], dom)

    plain, remat = build(), build()
    a = plain.solve(5)
    b = remat.solve(5, checkpoint_gradients=chunk)
    np.testing.assert_allclose(a.losses, b.losses, rtol=1e-5)
    assert "checkpoint" in step_jaxpr(remat) or "remat" in step_jaxpr(remat)
    plain_text = step_jaxpr(plain)
    assert "remat" not in plain_text
    assert "checkpoint" not in plain_text
    if chunk == 7:  # one chunk's activations at a time
        assert _temp_bytes(remat) < 0.5 * _temp_bytes(plain)


def test_checkpoint_gradients_must_be_a_flag_or_a_chunk_size(line_dom):
    crux, _ = _linear_fit(line_dom)
    with pytest.raises(ValueError, match="checkpoint_gradients must be True, False or a positive"):
        crux.solve(2, checkpoint_gradients=0)


def test_callback_returning_true_stops_and_hooks_run(line_dom):
    events = []

    class Stop(jno.Callback):
        def on_training_start(self, solver):
            events.append("start")

        def on_epoch_end(self, solver, step, records):
            events.append(step)
            return step >= 6

        def on_training_end(self, solver, stats):
            events.append(("end", stats.epoch.size))

    crux, _ = _linear_fit(line_dom)
    stats = crux.solve(20, inner_steps=2, callbacks=[Stop()])
    assert stats.epoch.tolist() == list(range(6))
    assert events == ["start", 2, 4, 6, ("end", 6)]


def test_profile_writes_a_trace(line_dom, tmp_path):
    crux, _ = _linear_fit(line_dom)
    crux.solve(4, inner_steps=2, profile=str(tmp_path / "traces"))
    written = list((tmp_path / "traces").rglob("*.xplane.pb"))
    assert written, "no profiler trace was written"
    with pytest.raises(ValueError, match="profile must be True, False or a folder"):
        crux.solve(2, profile=3)


def test_substeps_alternate_with_independent_optimizer_states():
    dom = jno.domain.from_array({"interior": np.zeros((1, 1))})
    c = jno.np.parameter((1,), init=0.0, name="c").optimizer(optax.adam(0.1))
    d = jno.np.parameter((1,), init=0.5, name="d").optimizer(optax.sgd(0.1))
    crux = jno.core([(c - 1.0).mse, (c + 1.0).mse + (d - 2.0).mse], dom)
    stats = crux.solve(5, substeps=[[0], ([1], 2)])
    # by hand: two Adam states for c, one per substep; d only moves in substep 1
    adam = optax.adam(0.1)
    s0, s1 = adam.init(np.zeros(1)), adam.init(np.zeros(1))
    cv, dv = np.zeros(1, np.float32), np.full(1, 0.5, np.float32)
    for _ in range(5):
        u, s0 = adam.update(2 * (cv - 1.0), s0, cv)
        cv = cv + u
        for _ in range(2):
            u, s1 = adam.update(2 * (cv + 1.0), s1, cv)
            cv, dv = cv + u, dv - 0.1 * 2 * (dv - 2.0)
    assert stats.epoch.size == 5
    np.testing.assert_allclose(crux.eval(c), cv, rtol=1e-5)
    np.testing.assert_allclose(crux.eval(d), dv, rtol=1e-5)


def test_substeps_leave_models_of_other_substeps_untouched():
    dom = jno.domain.from_array({"interior": np.zeros((1, 1))})
    a = jno.np.parameter((1,), init=0.0, name="a").optimizer(optax.adam(0.1))
    b = jno.np.parameter((1,), init=0.3, name="b").optimizer(optax.adamw(0.1))
    crux = jno.core([(a - 1.0).mse, (b - 1.0).mse], dom)
    crux.solve(4, substeps=[[0]])
    assert np.asarray(crux.eval(b)).tobytes() == np.float32([0.3]).tobytes()
    with pytest.raises(ValueError, match=r"constraint indices must lie in 0\.\.1"):
        crux.solve(1, substeps=[[0, 2]])
    with pytest.raises(ValueError, match=r"give a list of constraint indices"):
        crux.solve(1, substeps=[(0, 1, 2)])


def test_offload_data_streams_host_drawn_batches(batched_dom):
    (x,) = batched_dom.variable("interior")
    p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(0.0))
    crux = jno.core([(p - x).mse], batched_dom, rng_seed=7)
    stats = crux.solve(5, batchsize=3, offload_data=True)
    # documented draw: per step, a generator seeded (seed, step) orders the instances
    points = batched_dom.tag_points("interior")[..., 0]
    expected = []
    for step in range(0, 5):
        rng = np.random.default_rng([7, 0])
        order = np.argsort(rng.random((64, 8)), axis=1)[step, :3]
        expected.append(np.mean(points[order] ** 2))
    np.testing.assert_allclose(stats.losses[:, 0], expected, rtol=1e-5)
    with pytest.raises(ValueError, match="offload_data=True needs batchsize <"):
        crux.solve(1, offload_data=True)


def _least_squares_optimum(line_dom) -> tuple[np.ndarray, float]:
    """`_linear_fit`'s optimum (both constraints), by numpy: parameters and total loss."""
    xs = line_dom.tag_points("interior").reshape(-1)
    rows = np.vstack([np.stack([xs, np.ones_like(xs)], 1) / np.sqrt(xs.size), [0.0, 1.0]])
    rhs = np.concatenate([(3.0 * xs - 1.0) / np.sqrt(xs.size), [-0.5]])
    best, *_ = np.linalg.lstsq(rows, rhs, rcond=None)
    return best, float(np.sum((rows @ best - rhs) ** 2))


def test_lbfgs_phase_after_adam_converges(line_dom):
    crux, p = _linear_fit(line_dom)
    first_loss = crux.solve(20).total_loss
    p.optimizer(optax.lbfgs, lr=lrs(1.0))
    stats = crux.solve(15)
    assert stats.losses.shape == (35, 2)
    best, optimum = _least_squares_optimum(line_dom)
    np.testing.assert_allclose(crux.eval(p), best, atol=1e-4)
    assert stats.total_loss == pytest.approx(optimum, rel=1e-4)
    assert first_loss > 2 * optimum
    assert_no_host_callbacks(crux)
    p.optimizer(optax.lbfgs, lr=lrs(5e-5))  # the spec's form: runs, barely moves
    assert crux.solve(3).total_loss == pytest.approx(optimum, rel=1e-4)


def test_second_order_phase_with_hessian_estimates(line_dom):
    # Sophia preconditions with a Hutchinson estimate of the Hessian diagonal, built
    # from Hessian-vector products of the loss (obj_fn) inside the compiled step
    crux, p = _linear_fit(line_dom)
    adam = crux.solve(10).total_loss
    p.optimizer(optax.contrib.sophia(0.2, update_interval=1, weight_decay=0.0))
    stats = crux.solve(200)
    _, optimum = _least_squares_optimum(line_dom)
    assert adam > 2 * optimum
    assert stats.total_loss == pytest.approx(optimum, rel=1e-2)
    assert_no_host_callbacks(crux)
