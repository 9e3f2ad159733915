"""Trainers against a hand-written Python-loop trainer with the Trainax semantics."""

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import jno_lab.emulators as tx

STEPS, BATCH = 10, 7


def windows_by_hand(data, length, only_ic=False):
    s, t1 = data.shape[:2]
    out = [np.asarray(data[i, j : j + length]) for i in range(s) for j in range(t1 - length + 1)]
    out = np.stack(out)
    return jnp.asarray(out[:, :1] if only_ic else out)


def reference_training(config, windows, model, optimizer, key, steps=STEPS, bs=BATCH, **kw):
    """One Python iteration per update, remainder minibatches smaller (Trainax semantics)."""
    total = windows.shape[0]
    per_epoch = math.ceil(total / bs)
    perms, k = [], key
    for _ in range(math.ceil(steps / per_epoch)):
        perms.append(jax.random.permutation(k, total))
        k = jax.random.split(k)[0]
    value_and_grad = eqx.filter_jit(eqx.filter_value_and_grad(lambda m, d: config(m, d, **kw)))
    opt_state = optimizer.init(eqx.filter(model, eqx.is_array))
    losses, models = [], []
    for i in range(steps):
        epoch, b = divmod(i, per_epoch)
        idx = perms[epoch][b * bs : min((b + 1) * bs, total)]
        models.append(model)
        loss, grad = value_and_grad(model, windows[idx])
        updates, opt_state = optimizer.update(grad, opt_state, model)
        model = eqx.apply_updates(model, updates)
        losses.append(float(loss))
    return model, np.array(losses), models


def residuum(nxt, prev):
    return nxt - 0.25 * prev - 0.75 * jnp.roll(prev, -1, axis=-1)


def make_case(name, data, ref):
    opt = optax.adam(3e-2)
    common = {"optimizer": opt, "num_training_steps": STEPS, "batch_size": BATCH}
    cfg = tx.configuration
    if name == "supervised":
        trainer = tx.trainer.SupervisedTrainer(data, num_rollout_steps=2, **common)
        return trainer, cfg.Supervised(2), windows_by_hand(data, 3), {}
    if name == "branch_one":
        trainer = tx.trainer.DivertedChainBranchOneTrainer(
            data, ref_stepper=ref, num_rollout_steps=2, **common
        )
        return (
            trainer,
            cfg.DivertedChainBranchOne(2),
            windows_by_hand(data, 3, True),
            {"ref_stepper": ref},
        )
    if name == "diverted":
        trainer = tx.trainer.DivertedChainTrainer(
            data, ref_stepper=ref, num_rollout_steps=3, num_branch_steps=2, **common
        )
        return (
            trainer,
            cfg.DivertedChain(3, 2),
            windows_by_hand(data, 4, True),
            {"ref_stepper": ref},
        )
    if name == "mix":
        trainer = tx.trainer.MixChainTrainer(
            data, ref_stepper=ref, num_rollout_steps=2, num_post_physics_steps=1, **common
        )
        return trainer, cfg.MixChain(2, 1), windows_by_hand(data, 4), {"ref_stepper": ref}
    trainer = tx.trainer.ResiduumTrainer(
        data, residuum_fn=residuum, num_rollout_steps=2, cut_prev=True, **common
    )
    return (
        trainer,
        cfg.Residuum(2, cut_prev=True),
        windows_by_hand(data, 3, True),
        {"residuum_fn": residuum},
    )


@pytest.mark.parametrize("name", ["supervised", "branch_one", "diverted", "mix", "residuum"])
def test_trainer_matches_the_python_loop_trainer(name, tiny_data, stencil, ref_stepper):
    trainer, config, windows, kw = make_case(name, tiny_data, ref_stepper)
    # the data hold an uneven remainder minibatch each epoch
    assert windows.shape[0] % BATCH != 0
    key = jax.random.PRNGKey(7)
    model, history = trainer(stencil, key=key)
    ref_model, ref_history, _ = reference_training(
        config, windows, stencil, optax.adam(3e-2), key, **kw
    )
    np.testing.assert_allclose(history, ref_history, rtol=2e-5)
    np.testing.assert_allclose(model.weight, ref_model.weight, rtol=2e-5, atol=1e-6)
    assert trainer.compile_count == 1  # the remainder batches compiled nothing extra


@pytest.fixture(scope="module")
def supervised(tiny_data):
    return tx.trainer.SupervisedTrainer(
        tiny_data,
        num_rollout_steps=2,
        optimizer=optax.adam(3e-2),
        num_training_steps=STEPS,
        batch_size=BATCH,
    )


TRACES = []


class CountingStencil(eqx.Module):
    weight: jax.Array

    def __call__(self, u):
        TRACES.append(1)
        return self.weight[0] * u + self.weight[1] * jnp.roll(u, -1, axis=-1)


def test_second_call_compiles_nothing(tiny_data):
    trainer = tx.trainer.ResiduumTrainer(
        tiny_data,
        residuum_fn=residuum,
        optimizer=optax.adam(1e-2),
        num_training_steps=7,
        batch_size=BATCH,
    )
    model = CountingStencil(jnp.array([0.5, 0.5]))
    first, h1 = trainer(model, key=jax.random.PRNGKey(0))
    traced = len(TRACES)
    assert trainer.compile_count == 1
    other = CountingStencil(jnp.array([0.1, 0.2]))
    _, h2, opt_state = trainer(other, key=jax.random.PRNGKey(1), return_opt_state=True)
    # only the one shape check per call traces the model again, never the fused loop
    assert len(TRACES) == traced + 1
    assert trainer.compile_count == 1
    assert trainer.stats.compile_time == 0.0
    assert not np.allclose(h1, h2)
    third = trainer(
        first, key=jax.random.PRNGKey(1), opt_state=opt_state, return_loss_history=False
    )
    assert isinstance(third, CountingStencil)
    assert trainer.compile_count == 1


def test_history_options_and_statistics(supervised, stencil, tmp_path):
    _, history = supervised(stencil, key=jax.random.PRNGKey(3), record_loss_every=3)
    assert history.shape == (4,)
    full = supervised(stencil, key=jax.random.PRNGKey(3))[1]
    np.testing.assert_allclose(history, full[::3], rtol=1e-6)
    stats = supervised.stats
    assert stats.epoch.tolist() == list(range(STEPS))
    np.testing.assert_allclose(stats.total_loss_history, full, rtol=1e-6)
    assert stats.total_loss == pytest.approx(float(full[-1]))
    assert stats.training_time > 0
    assert stats.constraint_names == ["Supervised"]
    assert stats.trainable_params == 2
    text = stats.summary()
    assert "steps: 10" in text
    assert "final Supervised loss" in text
    png = tmp_path / "history.png"
    assert stats.plot(png) is stats
    assert png.stat().st_size > 1000
    stats.save(tmp_path / "stats.pkl")
    loaded = tx.EmulatorStatistics.load(tmp_path / "stats.pkl")
    np.testing.assert_array_equal(loaded.total_loss_history, stats.total_loss_history)


def test_callbacks_see_the_network_before_each_due_update(tiny_data, stencil, tmp_path):
    val = tx.sample_data.advection_1d_periodic(
        num_points=8,
        num_samples=2,
        cfl=-0.75,
        highest_init_mode=3,
        temporal_horizon=4,
        key=jax.random.PRNGKey(9),
    )
    callback = tx.callback.CompositeCallback(
        [
            tx.callback.GetNetwork(5),
            tx.callback.Loss(5, tx.configuration.Supervised(1), name="one_step"),
            tx.callback.ValidationRollout(5, val, name="val"),
            tx.callback.SaveNetwork(10, tmp_path, "net"),
            tx.callback.WeightNorm(2),
        ]
    )
    trainer = tx.trainer.SupervisedTrainer(
        tiny_data,
        num_rollout_steps=2,
        optimizer=optax.adam(3e-2),
        num_training_steps=STEPS,
        batch_size=BATCH,
        callback_fn=callback,
    )
    model, _, aux = trainer(stencil, key=jax.random.PRNGKey(7))
    _, _, models = reference_training(
        tx.configuration.Supervised(2),
        windows_by_hand(tiny_data, 3),
        stencil,
        optax.adam(3e-2),
        jax.random.PRNGKey(7),
    )
    assert len(aux) == STEPS
    assert [i for i, a in enumerate(aux) if a["network"] is not None] == [0, 5]
    assert [i for i, a in enumerate(aux) if a["weight_norm"] is not None] == [0, 2, 4, 6, 8]
    np.testing.assert_allclose(aux[5]["network"].weight, models[5].weight, rtol=1e-5)
    norm = float(jnp.linalg.norm(models[4].weight))
    assert float(aux[4]["weight_norm"]) == pytest.approx(norm, rel=1e-5)
    assert (tmp_path / "net_0.eqx").exists()
    restored = eqx.tree_deserialise_leaves(tmp_path / "net_0.eqx", stencil)
    np.testing.assert_array_equal(restored.weight, stencil.weight)
    # validation history: before updates 0 and 5, then the final network
    stats = trainer.stats
    assert stats.validation_epochs["val"].tolist() == [0, 5, 10]
    exact = tx.callback.ValidationRollout(1, val).errors(model)
    assert stats.validation["val"][-1] == pytest.approx(float(jnp.mean(exact)), rel=1e-5)
    assert stats.validation["val"][-1] < stats.validation["val"][0]
    assert stats.trackers["one_step"].shape == (2,)


class Recorder(tx.Callback):
    def __init__(self, stop_at=None):
        self.events, self.stop_at = [], stop_at

    def on_training_start(self, solver):
        self.events.append(("start", solver.step))

    def on_epoch_end(self, solver, step, records):
        self.events.append(("chunk", step, np.asarray(records["loss"]).shape))
        if step == self.stop_at:
            solver.stop_training = True

    def on_training_end(self, solver, stats):
        self.events.append(("end", stats.epoch.size))


def test_dashboard_hooks_run_between_chunks(supervised, stencil):
    rec = Recorder()
    _, history = supervised(stencil, key=jax.random.PRNGKey(0), callbacks=[rec], chunk_size=4)
    assert rec.events == [
        ("start", 0),
        ("chunk", 4, (4,)),
        ("chunk", 8, (4,)),
        ("chunk", 10, (2,)),
        ("end", 10),
    ]
    plain = supervised(stencil, key=jax.random.PRNGKey(0))[1]
    np.testing.assert_allclose(history, plain, rtol=1e-6)
    stopper = Recorder(stop_at=4)
    _, short = supervised(stencil, key=jax.random.PRNGKey(0), callbacks=[stopper], chunk_size=4)
    assert short.shape == (4,)
    assert stopper.events[-1] == ("end", 4)


def test_bad_input_gets_a_clear_error(tiny_data, stencil, ref_stepper):
    opt = optax.adam(1e-2)
    common = {"optimizer": opt, "num_training_steps": 5, "batch_size": 4}
    with pytest.raises(ValueError, match=r"windows of 8 snapshots \(7 rollout steps"):
        tx.trainer.SupervisedTrainer(tiny_data, num_rollout_steps=7, **common)
    with pytest.raises(ValueError, match=r"num_training_steps=...\) must be a positive integer"):
        tx.trainer.SupervisedTrainer(tiny_data, optimizer=opt, num_training_steps=0, batch_size=4)
    with pytest.raises(ValueError, match=r"pass ref_stepper=..."):
        tx.trainer.MixChainTrainer(tiny_data, ref_stepper=None, **common)
    with pytest.raises(ValueError, match=r"pass residuum_fn=..."):
        tx.trainer.ResiduumTrainer(tiny_data, residuum_fn=None, **common)
    with pytest.raises(TypeError, match=r"optimizer=...\) must be an optax gradient"):
        tx.trainer.SupervisedTrainer(
            tiny_data, optimizer="adam", num_training_steps=5, batch_size=4
        )
    with pytest.raises(ValueError, match="shape"):
        tx.trainer.SupervisedTrainer(tiny_data[0], **common)
    trainer = tx.trainer.SupervisedTrainer(tiny_data, **common)
    bad_conv = eqx.nn.Conv1d(1, 1, 2, use_bias=False, key=jax.random.PRNGKey(0))
    with pytest.raises(
        ValueError, match=r"maps a state of shape \(1, 8\) to \(1, 7\).*padding='SAME'"
    ):
        trainer(bad_conv, key=jax.random.PRNGKey(0))
    with pytest.raises(TypeError, match=r"key=...\) must be a PRNG key"):
        trainer(stencil, key=0)
    with pytest.raises(TypeError, match=r"callbacks=...\) takes jno_lab.Callback hooks"):
        trainer(stencil, key=jax.random.PRNGKey(0), callbacks=[tx.callback.GetNetwork(1)])
    with_cb = tx.trainer.SupervisedTrainer(
        tiny_data, callback_fn=tx.callback.GetNetwork(3), **common
    )
    with pytest.raises(ValueError, match=r"chunk_size=2 does not divide .* every=\[3\]"):
        with_cb(stencil, key=jax.random.PRNGKey(0), chunk_size=2)
    with pytest.warns(UserWarning, match="full batches"):
        tx.trainer.SupervisedTrainer(
            tiny_data[:1], optimizer=opt, num_training_steps=2, batch_size=64
        )(stencil, key=jax.random.PRNGKey(0))


def test_mixer_and_substacker_follow_the_trainax_layout(tiny_data):
    stacker = tx.TrajectorySubStacker(tiny_data, 3)
    np.testing.assert_array_equal(stacker.data_sub_trajectories, windows_by_hand(tiny_data, 3))
    only_ic = tx.TrajectorySubStacker(tiny_data, 3, only_store_ic=True)
    assert only_ic(jnp.arange(4)).shape == (4, 1, 1, 8)
    first = tx.TrajectorySubStacker(tiny_data, 3, do_sub_stacking=False)
    assert first.num_total_samples == 3
    mixer = tx.PermutationMixer(15, 9, 4, jax.random.PRNGKey(2))
    assert [len(mixer(i)) for i in range(9)] == [4, 4, 4, 3, 4, 4, 4, 3, 4]
    epoch0 = np.concatenate([np.asarray(mixer(i)) for i in range(4)])
    assert sorted(epoch0.tolist()) == list(range(15))
    padded = mixer.padded_permutations()
    idx, mask = mixer.device_batch(jnp.asarray(3), padded)
    assert np.asarray(mask).tolist() == [True, True, True, False]
    np.testing.assert_array_equal(np.asarray(idx)[:3], mixer(3))
    with pytest.raises(ValueError, match="out of range"):
        mixer(9)
