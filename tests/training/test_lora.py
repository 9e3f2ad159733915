"""LoRA: adapters train, base weights stay bit-identical until the merge, updates have rank <= r."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import jno_lab as jno
from jno_lab.nn import LoRAConv, LoRALinear, LoRAWrapper

from .conftest import assert_no_host_callbacks

RANK = 1


def _problem(line_dom, name="u"):
    (x,) = line_dom.variable("interior")
    net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=6, depth=2, key=jax.random.PRNGKey(0)), name=name)
    return jno.core([(net(x) - jno.np.sin(3.0 * x)).mse]), net


def _weights(module):
    return [np.asarray(layer.weight) for layer in module.layers]


def _biases(module):
    return [np.asarray(layer.bias) for layer in module.layers]


class _BaseWatcher(jno.Callback):
    """Records, after every chunk, whether the live base weights still equal the originals."""

    def __init__(self, index, originals):
        self.index, self.originals, self.same, self.factors_moved = index, originals, [], []

    def on_epoch_end(self, solver, step, records):
        live = solver.live_params()[self.index]
        bases = [np.asarray(layer.base.weight) for layer in live.layers]
        self.same.append(
            all(b.tobytes() == o.tobytes() for b, o in zip(bases, self.originals, strict=True))
        )
        self.factors_moved.append(
            any(np.abs(np.asarray(layer.b)).max() > 0 for layer in live.layers)
        )


def test_adapters_train_base_fixed_until_merge_rank_bounded(line_dom):
    crux, net = _problem(line_dom)
    before_w, before_b = _weights(net.module), _biases(net.module)
    net.optimizer(optax.adam(5e-2)).lora(rank=RANK, alpha=2.0)
    assert all(isinstance(layer, LoRALinear) for layer in net.module.layers)
    watcher = _BaseWatcher(crux.trainables.index(net), before_w)
    stats = crux.solve(6, callbacks=[watcher])
    assert all(watcher.same)
    assert watcher.factors_moved[-1]
    # merged back: plain layers; each weight moved by a matrix of rank <= RANK; biases untouched
    assert all(isinstance(layer, eqx.nn.Linear) for layer in net.module.layers)
    for old, new in zip(before_w, _weights(net.module), strict=True):
        delta = new - old
        assert np.abs(delta).max() > 0
        assert np.linalg.matrix_rank(delta, tol=1e-6) <= RANK
    for old, new in zip(before_b, _biases(net.module), strict=True):
        assert old.tobytes() == new.tobytes()
    shapes = [(6, 1), (6, 6), (1, 6)]
    assert stats.trainable_params == sum(RANK * (o + i) for o, i in shapes)
    assert stats.losses[-1, 0] < stats.losses[0, 0]
    # the merged model evaluates as the adapters did; a second solve adds fresh adapters
    crux.solve(2)
    assert all(isinstance(layer, eqx.nn.Linear) for layer in net.module.layers)
    net.before_solve()  # adapters back on, as the compiled step saw them
    assert_no_host_callbacks(crux)


def test_target_freeze_mask_and_specs(line_dom):
    crux, net = _problem(line_dom)
    before = _weights(net.module)
    net.optimizer(optax.adam(5e-2)).lora(rank=2, target=r"layers\.1")
    assert [type(layer).__name__ for layer in net.module.layers] == [
        "Linear",
        "LoRALinear",
        "Linear",
    ]
    crux.solve(3)
    after = _weights(net.module)
    assert all(np.abs(a - b).max() > 0 for a, b in zip(after, before, strict=True))  # rest trains
    assert np.linalg.matrix_rank(after[1] - before[1], tol=1e-6) <= 2

    crux, net = _problem(line_dom, "v")
    before = _weights(net.module)
    net.optimizer(optax.adam(5e-2)).freeze().lora(rank=1, target=r"layers\.2")  # only adapters
    crux.solve(3)
    after = _weights(net.module)
    assert [a.tobytes() == b.tobytes() for a, b in zip(after, before, strict=True)] == [
        True,
        True,
        False,
    ]

    _, net = _problem(line_dom, "w")
    mask = jax.tree_util.tree_map(lambda _: False, net.module)
    mask = eqx.tree_at(lambda m: m.layers[0].weight, mask, True)
    net.mask(mask).lora(rank=1)
    assert [type(layer).__name__ for layer in net.module.layers] == [
        "LoRALinear",
        "Linear",
        "Linear",
    ]

    _, net = _problem(line_dom, "s")
    net.lora(
        specs=[{"target": r"layers\.0", "rank": 1}, {"target": "layers", "rank": 3, "alpha": 6.0}]
    )
    ranks = [layer.a.shape[0] for layer in net.module.layers]
    assert ranks == [1, 3, 3]
    assert net.module.layers[1].scale == 2.0


def test_lora_conv_adapter_matches_its_merge():
    conv = eqx.nn.Conv1d(2, 3, kernel_size=3, key=jax.random.PRNGKey(0))
    adapter = LoRAConv.wrap(conv, rank=2, alpha=1.0, key=jax.random.PRNGKey(1))
    x = jax.random.normal(jax.random.PRNGKey(2), (2, 7))
    np.testing.assert_array_equal(adapter(x), conv(x))  # B = 0: no change yet
    adapter = eqx.tree_at(lambda a: a.b, adapter, jax.random.normal(jax.random.PRNGKey(3), (3, 2)))
    np.testing.assert_allclose(adapter(x), adapter.merge()(x), rtol=1e-6)
    delta = np.asarray(adapter.merge().weight - conv.weight).reshape(3, -1)
    assert np.linalg.matrix_rank(delta, tol=1e-6) <= 2
    assert LoRAConv.accepts(conv)
    assert not LoRALinear.accepts(conv)


def test_bad_lora_arguments_are_clear_errors(line_dom):
    _, net = _problem(line_dom)
    with pytest.raises(ValueError, match=r"lora\(rank=\.\.\.\) must be a positive integer"):
        net.lora(rank=0)
    with pytest.raises(ValueError, match="is not a valid regex"):
        net.lora(target="(")
    with pytest.raises(ValueError, match="no layer was wrapped"):
        net.lora(target="nothing_here")
    with pytest.raises(ValueError, match="LoRAWrapper subclasses"):
        net.lora(wrapper=eqx.nn.Linear)
    with pytest.raises(ValueError, match="either specs"):
        net.lora(specs=[{"rank": 2}], target="layers")
    with pytest.raises(ValueError, match="unknown spec keys"):
        net.lora(specs=[{"rnk": 2}])
    assert issubclass(LoRALinear, LoRAWrapper)
    assert jnp.ndim(net.module.layers[0].weight) == 2  # the failed calls changed nothing
