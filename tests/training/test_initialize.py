"""`model.initialize`: .eqx files, solver checkpoints ("path::model"), pytrees, initializers."""

import equinox as eqx
import jax
import numpy as np
import optax
import pytest

import jno_lab as jno


def _net(name="u", seed=0):
    return jno.nn.wrap(jno.nn.mlp(1, 1, hidden=3, depth=1, key=jax.random.PRNGKey(seed)), name=name)


def _leaves(net):
    return [np.asarray(a) for a in jax.tree_util.tree_leaves(net.get_params())]


def _same(a, b):
    return all(x.tobytes() == y.tobytes() for x, y in zip(_leaves(a), _leaves(b), strict=True))


def test_from_eqx_file_pytree_and_initializer(tmp_path):
    source, target = _net(seed=1), _net(seed=2)
    eqx.tree_serialise_leaves(tmp_path / "w.eqx", source.module)
    assert _same(target.initialize(str(tmp_path / "w.eqx")), source)
    assert _same(_net(seed=3).initialize(source.module), source)
    ones = _net(seed=4).initialize(jax.nn.initializers.ones)
    assert all((leaf == 1).all() for leaf in _leaves(ones))


def test_from_a_solver_checkpoint_by_index_or_name(tmp_path, line_dom):
    (x,) = line_dom.variable("interior")
    u, v = _net("u", 1), _net("v", 2)
    u.optimizer(optax.adam(1e-2))
    v.optimizer(optax.adam(1e-2))
    crux = jno.core([(u(x) - v(x) - x).mse], checkpoint_dir=str(tmp_path))
    crux.solve(2)
    folder = crux.checkpoints[-1]
    assert _same(_net("a", 5).initialize(f"{folder}::u"), u)
    index = crux.trainables.index(v)  # indices follow crux.trainables
    assert _same(_net("b", 6).initialize(f"{folder}::{index}"), v)
    assert _same(_net("c", 7).initialize(f"{tmp_path}::v"), v)  # the root: its newest step
    with pytest.raises(ValueError, match=r"pick one with '.*::<index or name>'"):
        _net("d").initialize(str(folder))
    with pytest.raises(ValueError, match="no trainable 'w' in the checkpoint"):
        _net("d").initialize(f"{folder}::w")
    wide = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=5, depth=1, key=jax.random.PRNGKey(0)))
    with pytest.raises(ValueError, match="do not match the module's parameter structure"):
        wide.initialize(f"{folder}::u")


def test_bad_weights_are_clear_errors(tmp_path):
    net = _net()
    with pytest.raises(FileNotFoundError, match="no file or checkpoint folder"):
        net.initialize(str(tmp_path / "missing.eqx"))
    (tmp_path / "w.msgpack").write_bytes(b"\x80")
    with pytest.raises(ValueError, match=r"\.msgpack files hold Flax parameters"):
        net.initialize(str(tmp_path / "w.msgpack"))
    (tmp_path / "bad.eqx").write_bytes(b"xx")
    with pytest.raises(ValueError, match=r"cannot read .* as equinox leaves"):
        net.initialize(str(tmp_path / "bad.eqx"))
    with pytest.raises(ValueError, match="is not a folder"):
        net.initialize(f"{tmp_path / 'bad.eqx'}::0")
    with pytest.raises(ValueError, match="do not match the module's parameter structure"):
        net.initialize(jno.nn.mlp(1, 1, hidden=4, depth=1, key=jax.random.PRNGKey(0)))
