"""Training: the compiled step, continued training, recompilation, statistics."""

import jax
import numpy as np
import optax
import pytest

import jno_lab as jno
from jno_lab import LearningRateSchedule as lrs
from jno_lab import WeightSchedule as ws


def _inverse_problem():
    dom = jno.domain(constructor=jno.domain.line(mesh_size=0.05))
    (x,) = dom.variable("interior")
    keys = jax.random.split(jax.random.PRNGKey(0), 3)
    a, b, c = (jno.np.parameter((1,), key=k, name=n) for k, n in zip(keys, "abc", strict=True))
    for p in (a, b, c):
        p.optimizer(optax.adam(1e-2))
    pi = jno.np.pi
    target = 1.5 * jno.np.sin(pi * x) - 0.5 * jno.np.cos(pi * x) + 2.0 * x * (1 - x)
    residual = a * jno.np.sin(pi * x) + b * jno.np.cos(pi * x) + c * x * (1 - x) - target
    return jno.core([residual.mse]), (a, b, c)


def test_inverse_problem_recovers_the_coefficients():
    crux, params = _inverse_problem()
    crux.solve(30000, inner_steps=5000)
    values = [float(v[0]) for v in crux.eval(list(params))]
    np.testing.assert_allclose(values, [1.5, -0.5, 2.0], atol=1e-3)


def test_repeated_solve_continues_and_compiles_nothing_new():
    crux, (a, _, _) = _inverse_problem()
    first = crux.solve(50, inner_steps=10)
    assert crux.compile_count == 1
    loss_after_first = first.total_loss
    stats = crux.solve(50, inner_steps=10)
    assert crux.compile_count == 1
    assert stats.epoch.tolist() == list(range(100))
    assert stats.total_loss < loss_after_first
    assert stats.losses.shape == (100, 1)
    assert len(stats.training_logs) == 2
    # new schedule numbers and new weights of the same kind reuse the compiled step
    a.optimizer(optax.adam, lr=lrs.exponential(1e-2, 0.9, 100, 1e-5))
    crux.solve(10, inner_steps=10, constraint_weights=ws([2.0]))
    compiled = crux.compile_count
    a.optimizer(optax.adam, lr=lrs.exponential(5e-3, 0.5, 10, 1e-6))
    crux.solve(10, inner_steps=10, constraint_weights=ws([3.0]))
    assert crux.compile_count == compiled
    np.testing.assert_allclose(crux.stats.weights[-1], [3.0])


def test_weights_enter_the_total_loss():
    crux, _ = _inverse_problem()
    stats = crux.solve(5, constraint_weights=[10.0])
    np.testing.assert_allclose(stats.total_loss_history, 10.0 * stats.losses[:, 0], rtol=1e-6)


def test_learning_rate_schedule_is_applied_per_step():
    p = jno.np.parameter((1,), init=0.0, name="p")
    # plain SGD on (p - 1)^2 has gradient 2(p - 1): one step moves p by lr * 2 at p = 0
    p.optimizer(optax.sgd, lr=lrs.piecewise_constant([1], [0.1, 0.0]))
    crux = jno.core([(p - 1.0).mse])
    stats = crux.solve(3)
    assert float(crux.eval(p)[0]) == pytest.approx(0.2, abs=1e-6)
    np.testing.assert_allclose(stats.learning_rates[:, 0], [0.1, 0.0, 0.0])


def test_statistics_plot_save_load_and_summary(tmp_path, capsys):
    crux, _ = _inverse_problem()
    stats = crux.solve(20, inner_steps=10)
    assert stats.trainable_params == 3
    assert stats.total_params == 3
    assert stats.training_time > 0
    stats.plot(tmp_path / "history.png")
    assert (tmp_path / "history.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    stats.save(tmp_path / "stats.pkl")
    loaded = jno.statistics.load(tmp_path / "stats.pkl")
    np.testing.assert_array_equal(loaded.losses, stats.losses)
    text = stats.summary()
    assert "final total loss" in text
    assert "final total loss" in capsys.readouterr().out


def test_trackers_are_logged_at_their_interval_and_do_not_train():
    dom = jno.domain(constructor=jno.domain.line(mesh_size=0.5))
    p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(0.1))
    crux = jno.core([(p - 1.0).mse, jno.np.tracker(p * 10.0, interval=3, name="ten_p")], dom)
    stats = crux.solve(7)
    assert stats.tracker_epochs["ten_p"].tolist() == [0, 3, 6]
    # p before steps 0, 3, 6 of SGD(0.1) on (p - 1)^2: p_k = 1 - 0.8^k
    expected = [10 * (1 - 0.8**k) for k in (0, 3, 6)]
    np.testing.assert_allclose(stats.trackers["ten_p"], expected, rtol=1e-5)


def test_heat_equation_shapes_with_a_time_axis(timed_dom):
    x, y, t = timed_dom.variable("interior")
    net = jno.nn.wrap(jno.nn.mlp(3, 1, hidden=8, depth=1, key=jax.random.PRNGKey(0)))
    net.optimizer(optax.adam(1e-3))
    u = net(x, y, t)
    pde = u.d(t) - 0.1 * u.laplacian(x, y)
    x0, y0, t0 = timed_dom.variable("initial")
    ic = net(x0, y0, t0) - jno.np.sin(jno.np.pi * x0)
    crux = jno.core([pde.mse, ic.mse])
    crux.solve(2)
    assert crux.eval(u, min_consecutive=None).shape == (1, 3, 9, 1)
    n_initial = timed_dom.tag_points("initial").shape[1]
    assert crux.eval(ic).shape == (1, 1, n_initial, 1)


def test_batched_instances_and_batchsize():
    dom = 4 * jno.domain(constructor=jno.domain.line(mesh_size=0.25))
    (x,) = dom.variable("interior")
    p = jno.np.parameter((1,), init=0.0).optimizer(optax.adam(1e-2))
    crux = jno.core([(p * x - x).mse])
    crux.solve(4, batchsize=2)
    assert crux.eval(x).shape == (4, 1, 3, 1)
    with pytest.raises(ValueError, match="batchsize=5"):
        crux.solve(1, batchsize=5)


def test_fused_and_per_step_training_give_the_same_history():
    class Count(jno.Callback):
        def __init__(self):
            self.steps = []

        def on_epoch_end(self, solver, step, records):
            self.steps.append(step)

    fused, _ = _inverse_problem()
    per_step, _ = _inverse_problem()
    counter = Count()
    a = fused.solve(70)  # more than one fused call, the last one partly masked
    b = per_step.solve(70, inner_steps=10, callbacks=[counter])
    assert counter.steps == list(range(10, 71, 10))
    assert a.losses.shape == (70, 1)
    np.testing.assert_allclose(a.losses, b.losses, rtol=1e-6)
    assert fused.compile_count == 1
    fused.solve(3)
    assert fused.compile_count == 1


def test_a_callback_can_stop_training():
    class StopAt(jno.Callback):
        def on_epoch_end(self, solver, step, records):
            if step >= 20:
                solver.stop_training = True

    crux, _ = _inverse_problem()
    stats = crux.solve(100, inner_steps=10, callbacks=[StopAt()])
    assert stats.epoch.tolist() == list(range(20))


def test_schedule_with_python_control_flow_runs_on_the_host():
    p = jno.np.parameter((1,), init=0.0, name="p")
    # the spec's example: drop the rate once the loss is small
    p.optimizer(optax.sgd, lr=lrs(lambda epoch, losses: 0.25 if losses[0] > 0.5 else 0.0))
    crux = jno.core([(p - 1.0).mse], jno.domain.from_array(np.zeros((1, 1))))
    with pytest.warns(UserWarning, match="evaluated on the host"):
        stats = crux.solve(4)
    # a schedule sees the previous step's losses (measured before that step's update):
    # step 0 sees [0] -> rate 0; steps 1, 2 see loss 1 (p = 0) -> p = 0.5, then 0.75;
    # step 3 sees 0.25 (p = 0.5) -> rate 0
    np.testing.assert_allclose(stats.learning_rates[:, 0], [0.0, 0.25, 0.25, 0.0])
    assert float(crux.eval(p)[0]) == pytest.approx(0.75)
    w = ws(lambda e, losses: [2.0 if e < 1 else 1.0])
    with pytest.warns(UserWarning, match="evaluated on the host"):
        stats = crux.solve(2, constraint_weights=w)
    np.testing.assert_allclose(stats.weights[-2:, 0], [1.0, 1.0])


def test_min_consecutive_trains_on_random_runs_of_time_steps(timed_dom):
    _, _, t = timed_dom.variable("interior")
    p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(0.0))
    crux = jno.core([(p - t).mse])
    singles = crux.solve(30, min_consecutive=1).losses[:, 0]
    # one random time step of t in {0, 0.5, 1} per step: loss is t_s² for that step
    assert set(np.round(singles, 6)) == {0.0, 0.25, 1.0}
    pairs = crux.solve(30, min_consecutive=2).losses[-30:, 0]
    assert set(np.round(pairs, 6)) == {round((0 + 0.25) / 2, 6), round((0.25 + 1) / 2, 6)}
    whole = crux.solve(5, min_consecutive=None).losses[-5:, 0]
    np.testing.assert_allclose(whole, (0 + 0.25 + 1) / 3, rtol=1e-6)
    with pytest.raises(ValueError, match="min_consecutive must be a positive integer or None"):
        crux.solve(1, min_consecutive=0)


def test_eval_in_time_windows(timed_dom):
    x, _, t = timed_dom.variable("interior")
    u = x * t
    crux = jno.core([u.mse])
    whole = crux.eval(u, min_consecutive=None)
    np.testing.assert_array_equal(crux.eval(u, min_consecutive=1), whole)
    np.testing.assert_array_equal(crux.eval(u, min_consecutive=2), whole)
    per_step = crux.eval(u.mse, min_consecutive=1)
    assert per_step.shape == (3,)
    np.testing.assert_allclose(per_step, np.mean(whole[0, :, :, 0] ** 2, axis=1), rtol=1e-6)
