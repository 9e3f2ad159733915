"""Per-model controls: mask scopes, parameter groups, freeze/unfreeze, whole and masked."""

import equinox as eqx
import jax
import numpy as np
import optax
import pytest

import jno_lab as jno
from jno_lab import LearningRateSchedule as lrs


def _net_problem(line_dom):
    (x,) = line_dom.variable("interior")
    net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=4, depth=2, key=jax.random.PRNGKey(0)), name="u")
    crux = jno.core([(net(x) - jno.np.sin(3.0 * x)).mse])
    return crux, net


def _leaves(net):
    return [np.asarray(leaf) for leaf in jax.tree_util.tree_leaves(net.get_params())]


def _mask(net, pick):
    all_false = jax.tree_util.tree_map(lambda _: False, net.module)
    return eqx.tree_at(pick, all_false, replace_fn=lambda _: True)


def _last_layer(m):
    return (m.layers[-1].weight, m.layers[-1].bias)


def _changed(before, after):
    return [b.tobytes() != a.tobytes() for b, a in zip(before, after, strict=True)]


def test_masked_optimizer_trains_only_the_selected_leaves(line_dom):
    crux, net = _net_problem(line_dom)
    net.mask(_mask(net, _last_layer)).optimizer(optax.adam, lr=lrs(5e-2))
    before = _leaves(net)
    stats = crux.solve(5)
    # leaves: w0 b0 w1 b1 w2 b2 -> only the last layer moved; the rest bit-identical
    assert _changed(before, _leaves(net)) == [False] * 4 + [True] * 2
    assert stats.trainable_params == 4 + 1
    assert stats.learning_rate_names == ["u[mask0]"]


def test_parameter_groups_have_their_own_optimizers_and_rates(line_dom):
    crux, net = _net_problem(line_dom)
    first = _mask(net, lambda m: (m.layers[0].weight, m.layers[0].bias))
    net.optimizer(optax.adam(1e-2))  # the rest
    net.mask(first).optimizer(optax.sgd(1))
    net.mask(first).scale(lrs.piecewise_constant([2], [0.1, 0.0]))
    before = _leaves(net)
    stats = crux.solve(4)
    assert stats.learning_rate_names == ["u", "u[mask0]"]
    np.testing.assert_allclose(stats.learning_rates[:, 1], [0.1, 0.1, 0.0, 0.0])
    np.testing.assert_allclose(stats.learning_rates[:, 0], 1.0)
    after_four = _leaves(net)
    assert all(_changed(before, after_four))
    crux.solve(3)  # the first layer's rate is 0 from now on: it stays put
    assert _changed(after_four, _leaves(net)) == [False, False] + [True] * 4


def test_masked_freeze_and_whole_freeze_unfreeze(line_dom):
    crux, net = _net_problem(line_dom)
    net.optimizer(optax.adam(1e-2))
    net.mask(_mask(net, _last_layer)).freeze()
    before = _leaves(net)
    crux.solve(3)
    assert _changed(before, _leaves(net)) == [True] * 4 + [False] * 2
    net.freeze()
    frozen = _leaves(net)
    other = jno.np.parameter((1,), init=0.0).optimizer(optax.sgd(0.1))
    (x,) = line_dom.variable("interior")
    crux2 = jno.core([(net(x) - other).mse])
    crux2.solve(3)
    assert not any(_changed(frozen, _leaves(net)))
    net.unfreeze()
    crux2.solve(3)
    assert all(_changed(frozen, _leaves(net)))  # every leaf again, the frozen mask dropped


def test_bad_masks_are_clear_errors(line_dom):
    _, net = _net_problem(line_dom)
    with pytest.raises(ValueError, match="does not match its structure"):
        net.mask({"not": True}).optimizer(optax.adam(1e-3))
    with pytest.raises(ValueError, match="no parameter group has this mask"):
        net.mask(_mask(net, _last_layer)).scale(lrs(1e-3))
    with pytest.raises(ValueError, match=r"give the mask"):
        net.mask().freeze()
