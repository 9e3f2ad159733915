"""Parameter constraints via paramax: the forward pass sees transform(stored value)."""

import equinox as eqx
import jax
import numpy as np
import optax
import paramax
import pytest

import jno_lab as jno

from .conftest import assert_no_host_callbacks


def _problem(line_dom, name):
    (x,) = line_dom.variable("interior")
    net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=4, depth=1, key=jax.random.PRNGKey(1)), name=name)
    net.optimizer(optax.adam(1e-1))
    # the target pulls every weight negative: only the constraint keeps them positive
    return jno.core([(net(x) + 3.0 * x + 1.0).mse]), net, x


def _effective(net):
    return [
        np.asarray(a)
        for a in jax.tree_util.tree_leaves(paramax.unwrap(net.module))
        if eqx.is_array(a)
    ]


def test_whole_model_stays_in_the_constraint_set(line_dom):
    crux, net, x = _problem(line_dom, "k")
    net.constrain(jax.nn.softplus)
    stored_before = [np.asarray(a) for a in jax.tree_util.tree_leaves(net.get_params())]
    stats = crux.solve(30)
    assert stats.losses[-1, 0] < stats.losses[0, 0]
    stored_after = [np.asarray(a) for a in jax.tree_util.tree_leaves(net.get_params())]
    assert any(np.abs(a - b).max() > 0 for a, b in zip(stored_after, stored_before, strict=True))
    assert all((leaf > 0).all() for leaf in _effective(net))  # softplus(...) > 0 after training
    # the forward pass used the constrained values: evaluate the unwrapped module by hand
    plain = paramax.unwrap(net.module)
    points = np.linspace(0.0, 1.0, 5).reshape(1, 5, 1)
    by_hand = jax.vmap(plain)(points[0])
    pred = crux.predict(points=points, operation=net(x))
    np.testing.assert_allclose(
        np.asarray(pred).reshape(-1), np.asarray(by_hand).reshape(-1), rtol=1e-6
    )
    assert_no_host_callbacks(crux)


def test_masked_constraint_wraps_only_the_selected_leaves(line_dom):
    crux, net, _ = _problem(line_dom, "m")
    mask = jax.tree_util.tree_map(lambda _: False, net.module)
    mask = eqx.tree_at(lambda m: m.layers[-1].weight, mask, True)
    net.mask(mask).constrain(jax.nn.softplus)
    assert isinstance(net.module.layers[-1].weight, paramax.Parameterize)
    assert not isinstance(net.module.layers[0].weight, paramax.Parameterize)
    crux.solve(30)
    assert (np.asarray(paramax.unwrap(net.module).layers[-1].weight) > 0).all()
    assert (np.asarray(net.module.layers[-1].bias) < 0).any()  # unconstrained: it went negative


def test_constrain_needs_a_callable(line_dom):
    _, net, _ = _problem(line_dom, "c")
    with pytest.raises(TypeError, match=r"constrain\(transform\): transform must be a callable"):
        net.constrain(2.0)
    with pytest.raises(ValueError, match="give the mask"):
        net.mask().constrain(jax.nn.softplus)
