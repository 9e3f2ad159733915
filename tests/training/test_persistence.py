"""Persistence: orbax checkpoints, exact resume, crux.checkpoints, solver and statistics files."""

import json
import os
import pickle
from pathlib import Path

import jax
import numpy as np
import optax
import pytest

import jno_lab as jno
from jno_lab import LearningRateSchedule as lrs
from jno_lab import WeightSchedule as ws
from jno_lab._solver import checkpoint as ckpt
from jno_lab.utils.callbacks import CheckpointCallback

K = 3  # steps per checkpoint: 2K with checkpoints, then K resumed == 3K uninterrupted


def _build(resume_from=None, **core_args):
    """The same problem every time: a net, a free parameter, a balancer, batches, schedules."""
    rng = np.random.default_rng(0)
    dom = jno.domain.from_array({"interior": rng.uniform(-1.0, 1.0, size=(4, 5, 1))})
    (x,) = dom.variable("interior")
    net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=4, depth=1, key=jax.random.PRNGKey(0)), name="u")
    net.optimizer(optax.adam, lr=lrs.exponential(2e-2, 0.5, 2, 1e-4))
    c = jno.np.parameter((1,), init=0.0, name="c").optimizer(
        optax.sgd, lr=jno.fn.adaptive.dlrs(0.1, window=2)
    )
    fit = (net(x) - jno.np.sin(3.0 * x)).mse
    offset = (c - net(x)).mse
    w0, w1 = jno.fn.adaptive.relobralo([fit, offset])
    crux = jno.core([w0 * fit, w1 * offset], dom, resume_from=resume_from, **core_args)
    return crux, net, c


def _solve(crux, steps, **kwargs):
    return crux.solve(
        steps, batchsize=2, constraint_weights=ws(lambda e, L: [1.0, 1.0 + L[0]]), **kwargs
    )


def _params(*trainables):
    return [
        np.asarray(leaf) for t in trainables for leaf in jax.tree_util.tree_leaves(t.get_params())
    ]


@pytest.fixture(scope="module")
def uninterrupted():
    crux, net, c = _build()
    stats = _solve(crux, 3 * K)
    return stats.losses, _params(net, c)


def test_kill_and_resume_continues_exactly(tmp_path, uninterrupted):
    first, _, _ = _build()
    _solve(first, 2 * K, callbacks=[CheckpointCallback(tmp_path, every=K)])
    del first  # "killed": nothing of the first run survives but the folder
    resumed, net, c = _build(resume_from=str(tmp_path))
    stats = _solve(resumed, K)
    losses, params = uninterrupted
    np.testing.assert_array_equal(stats.epoch, np.arange(2 * K, 3 * K))
    np.testing.assert_allclose(stats.losses, losses[2 * K :], rtol=1e-6, atol=1e-7)
    for got, want in zip(_params(net, c), params, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_resume_restores_parameters_at_construction(tmp_path):
    first, net, c = _build()
    _solve(first, K, callbacks=[CheckpointCallback(tmp_path, every=K)])
    trained = _params(net, c)
    resumed, net2, c2 = _build(resume_from=str(tmp_path / str(K)))  # a step folder works too
    for got, want in zip(_params(net2, c2), trained, strict=True):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(
        resumed.eval(resumed.constraints[0]), first.eval(first.constraints[0])
    )


def test_every_n_steps_keep_last_k_atomic(tmp_path):
    p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(0.1))
    crux = jno.core([(p - 1.0).mse], jno.domain.from_array({"interior": [[0.0]]}))
    crux.solve(10, inner_steps=2, callbacks=[CheckpointCallback(tmp_path, every=4, keep=2)])
    # 4, 8 and the final 10 were written; only the newest two stay, no temporary folders
    assert sorted(os.listdir(tmp_path)) == ["10", "8"]
    assert all((tmp_path / s / "state").is_dir() for s in ("8", "10"))
    assert [path.name for path in crux.checkpoints if path.parent == tmp_path] == ["8", "10"]


def test_checkpoints_after_every_solve(tmp_path):
    p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(0.1))
    dom = jno.domain.from_array({"interior": [[0.0]]})
    crux = jno.core([(p - 1.0).mse], dom, checkpoint_dir=str(tmp_path), keep_checkpoints=None)
    crux.solve(2)
    assert crux.checkpoints == [tmp_path / "2"]  # written at once in a configured folder
    crux.solve(3)
    assert crux.checkpoints == [tmp_path / "2", tmp_path / "5"]
    value = float(crux.eval(p)[0])
    # a checkpoint feeds both a resumed solver and model.initialize
    q = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(0.1))
    again = jno.core([(q - 1.0).mse], dom, resume_from=str(crux.checkpoints[-1]))
    assert float(again.eval(q)[0]) == value


def test_default_checkpoints_go_to_a_temporary_folder():
    p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(0.1))
    crux = jno.core([(p - 1.0).mse], jno.domain.from_array({"interior": [[0.0]]}))
    crux.solve(1)
    crux.solve(1)
    paths = crux.checkpoints
    assert [path.name for path in paths] == ["1", "2"]
    assert all((path / "state").is_dir() for path in paths)


def test_saved_solver_evaluates_identically_and_trains_on(tmp_path):
    crux, net, _ = _build()
    _solve(crux, 2)
    path = tmp_path / "run" / "solver.pkl"
    crux.save(path)
    loaded = jno.core.load(path)
    for mine, theirs in zip(crux.constraints, loaded.constraints, strict=True):
        np.testing.assert_array_equal(loaded.eval(theirs), crux.eval(mine))
    assert loaded.stats.epoch.tolist() == crux.stats.epoch.tolist()
    u = next(t for t in loaded.trainables if t.describe() == "u")
    assert u is not net  # a new object: attach optimizers again
    assert not u.has_optimizer  # optimizers are code (closures): not in the file
    u.set_optimizer(optax.adam, lr=lrs(1e-3))
    next(t for t in loaded.trainables if t.describe() == "c").set_optimizer(optax.sgd(0.1))
    stats = _solve(loaded, 2)
    assert stats.epoch.tolist()[-2:] == [2, 3]
    assert not os.path.exists(str(path) + ".tmp")


def test_statistics_round_trip(tmp_path):
    crux, _, _ = _build()
    stats = _solve(crux, 2)
    stats.save(tmp_path / "stats.pkl")
    back = jno.statistics.load(tmp_path / "stats.pkl")
    np.testing.assert_array_equal(back.losses, stats.losses)
    np.testing.assert_array_equal(back.epoch, stats.epoch)
    np.testing.assert_array_equal(back.learning_rates, stats.learning_rates)
    assert back.constraint_names == stats.constraint_names
    assert back.balancer_weights[0].tolist() == stats.balancer_weights[0].tolist()


def test_bad_checkpoint_inputs_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"resume_from=.*no checkpoint there"):
        _build(resume_from=str(tmp_path / "missing"))
    with pytest.raises(ValueError, match=r"every=\.\.\.\) must be a positive integer"):
        CheckpointCallback(tmp_path, every=0)
    with pytest.raises(ValueError, match=r"keep=\.\.\.\) must be a positive integer or None"):
        CheckpointCallback(tmp_path, keep=0)
    p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(0.1))
    dom = jno.domain.from_array({"interior": [[0.0]]})
    small = jno.core([(p - 1.0).mse], dom, checkpoint_dir=str(tmp_path / "small"))
    small.solve(1)
    q = jno.np.parameter((2,), init=0.0, name="p")
    with pytest.raises(ValueError, match="do not fit this solver"):
        jno.core([(q - 1.0).mse], dom, resume_from=str(tmp_path / "small"))
    other = jno.np.parameter((1,), init=0.0, name="other")
    with pytest.raises(ValueError, match="build the solver from the same code"):
        jno.core([(other - 1.0).mse], dom, resume_from=str(tmp_path / "small"))
    small.stats.save(tmp_path / "stats.pkl")
    with pytest.raises(ValueError, match=r"not a solver written by crux\.save"):
        jno.core.load(tmp_path / "stats.pkl")


def _largest_file(folder: Path) -> Path:
    return max((p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.stat().st_size)


def test_resume_skips_a_damaged_newest_step_with_a_warning(tmp_path):
    first, net, c = _build()
    _solve(first, K, callbacks=[CheckpointCallback(tmp_path, every=K)])
    at_k = _params(net, c)
    _solve(first, K, callbacks=[CheckpointCallback(tmp_path, every=K)])
    newest = tmp_path / str(2 * K)
    data = _largest_file(newest / "state")  # the array data of the newest step
    data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])
    with pytest.warns(UserWarning, match=rf"skipping checkpoint step {2 * K} in .*trying step {K}"):
        resumed, net2, c2 = _build(resume_from=str(tmp_path))
    assert resumed.step_count == K
    for got, want in zip(_params(net2, c2), at_k, strict=True):
        np.testing.assert_array_equal(got, want)
    # training on into the same folder writes a sound step in place of the damaged one
    stats = _solve(resumed, K, callbacks=[CheckpointCallback(tmp_path, every=K)])
    assert stats.epoch.tolist() == list(range(K, 2 * K))
    assert ckpt.read(tmp_path)[1]["step"] == 2 * K
    # named directly, a damaged step is the only choice: an error naming it
    bad_meta = newest / "meta" / "metadata"
    bad_meta.write_text(bad_meta.read_text()[:10])
    with pytest.raises(ValueError, match=rf"cannot read the checkpoint {newest}.*metadata.*JSON"):
        _build(resume_from=str(newest))


def test_a_root_of_damaged_steps_is_a_clear_error(tmp_path):
    first, _, _ = _build()
    _solve(first, K, callbacks=[CheckpointCallback(tmp_path, every=K)])
    meta = tmp_path / str(K) / "state" / "_METADATA"
    meta.write_bytes(b"\x00" * 16)
    with pytest.raises(ValueError, match=rf"no checkpoint in .* can be read: .*{K}.*_METADATA"):
        _build(resume_from=str(tmp_path))


def test_checkpoint_metadata_is_never_unpickled(tmp_path):
    p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(0.1))
    dom = jno.domain.from_array({"interior": [[0.0]]})
    crux = jno.core([(p - 1.0).mse], dom, checkpoint_dir=str(tmp_path / "run"))
    crux.solve(1)
    step = tmp_path / "run" / "1"
    marker = tmp_path / "marker.txt"

    class Marker:
        def __reduce__(self):
            return (Path.write_text, (marker, "ran"))

    for name in ("meta/metadata", "state/_METADATA"):
        original = (step / name).read_bytes()
        json.loads(original)  # orbax keeps these as JSON
        (step / name).write_bytes(pickle.dumps(Marker()))
        q = jno.np.parameter((1,), init=0.0, name="p")
        with pytest.raises(ValueError, match=rf"{name}: not valid JSON"):
            jno.core([(q - 1.0).mse], dom, resume_from=str(step))
        assert not marker.exists()
        (step / name).write_bytes(original)
