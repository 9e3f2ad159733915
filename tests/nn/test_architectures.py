"""Behaviour of the built-in architectures in `jno_lab._nn.architectures`."""

from __future__ import annotations

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jno_lab._nn import architectures as arch
from jno_lab._nn.architectures import (
    FNO,
    MLP,
    DeepONet,
    FourierMLP,
    ModifiedMLP,
    deeponet,
    fno,
    fourier_mlp,
    mlp,
    modified_mlp,
)

KEY = jax.random.PRNGKey(0)


def _is_float(x) -> bool:
    # real arrays and the abstract ones of eqx.filter_eval_shape
    return hasattr(x, "shape") and hasattr(x, "dtype") and jnp.issubdtype(x.dtype, jnp.inexact)


def n_params(module) -> int:
    return sum(math.prod(leaf.shape) for leaf in jax.tree.leaves(eqx.filter(module, _is_float)))


def points(n: int, d: int, seed: int = 1) -> jax.Array:
    return jax.random.uniform(jax.random.PRNGKey(seed), (n, d), minval=-1.0, maxval=1.0)


def randomize(module, seed: int = 3, scale: float = 0.5):
    """Replace every float array of `module` (biases included) by random values."""
    params, static = eqx.partition(module, eqx.is_inexact_array)
    leaves, tree = jax.tree.flatten(params)
    rng = np.random.default_rng(seed)  # numpy: no compilation per shape
    new = [jnp.asarray(scale * rng.standard_normal(leaf.shape), leaf.dtype) for leaf in leaves]
    return eqx.combine(jax.tree.unflatten(tree, new), static)


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def net_mlp() -> MLP:
    return mlp(3, 2, hidden=8, depth=2, key=KEY)


@pytest.fixture(scope="module")
def net_fourier() -> FourierMLP:
    return fourier_mlp(3, 2, hidden=8, depth=2, n_features=5, sigma=2.0, key=KEY)


@pytest.fixture(scope="module")
def net_modified() -> ModifiedMLP:
    return modified_mlp(3, 2, hidden=8, depth=3, key=KEY)


@pytest.fixture(scope="module")
def net_deeponet() -> DeepONet:
    return deeponet(6, 2, out_size=3, latent=4, hidden=8, depth=2, key=KEY)


@pytest.fixture(scope="module")
def net_fno1() -> FNO:
    return fno(2, 3, modes=5, width=6, n_layers=2, key=KEY)


@pytest.fixture(scope="module")
def net_fno2() -> FNO:
    return fno(1, 2, modes=(3, 4), width=4, n_layers=2, key=KEY)


@pytest.fixture(scope="module")
def fno1_jit(net_fno1):
    return eqx.filter_jit(lambda m, u: m(u))


@pytest.fixture(scope="module")
def fno2_jit(net_fno2):
    return eqx.filter_jit(lambda m, u: m(u))


POINTWISE = ("net_mlp", "net_fourier", "net_modified")

apply = eqx.filter_jit(lambda module, *args: module(*args))


# ----------------------------------------------------------------------------- API


def test_exports():
    assert set(arch.__all__) == {
        "MLP",
        "FourierMLP",
        "ModifiedMLP",
        "DeepONet",
        "FNO",
        "mlp",
        "fourier_mlp",
        "modified_mlp",
        "deeponet",
        "fno",
    }
    for name in arch.__all__:
        assert hasattr(arch, name)


def test_pointwise_flags():
    assert MLP.pointwise is True
    assert FourierMLP.pointwise is True
    assert ModifiedMLP.pointwise is True
    assert DeepONet.pointwise is True
    assert FNO.pointwise is False


def test_factories_return_their_classes(net_mlp, net_fourier, net_modified, net_deeponet, net_fno1):
    assert type(net_mlp) is MLP
    assert type(net_fourier) is FourierMLP
    assert type(net_modified) is ModifiedMLP
    assert type(net_deeponet) is DeepONet
    assert type(net_fno1) is FNO


def test_default_key_comes_from_the_global_seed():
    a, b = mlp(2, 1, hidden=3, depth=1), mlp(2, 1, hidden=3, depth=1)
    assert bool(eqx.tree_equal(a, b))
    c = mlp(2, 1, hidden=3, depth=1, key=jax.random.PRNGKey(123))
    assert not np.allclose(a.layers[0].weight, c.layers[0].weight)


# ----------------------------------------------------------------------------- shapes


@pytest.mark.parametrize("name", POINTWISE)
def test_pointwise_shapes_and_key_is_ignored(name, request):
    net = request.getfixturevalue(name)
    x = jnp.array([0.1, -0.2, 0.3])
    y = net(x)
    assert y.shape == (2,)
    assert y.dtype == jnp.float32
    np.testing.assert_array_equal(net(x, key=jax.random.PRNGKey(9)), y)


@pytest.mark.parametrize("name", POINTWISE)
def test_pointwise_modules_reject_batches(name, request):
    net = request.getfixturevalue(name)
    with pytest.raises(ValueError, match=r"per point.*\(3,\).*\(3, 3\).*vmap"):
        net(jnp.zeros((3, 3)))


def test_deeponet_shapes(net_deeponet):
    u, y = jnp.linspace(0.0, 1.0, 6), jnp.array([0.2, 0.4])
    assert net_deeponet(u, y).shape == (3,)
    assert net_deeponet(u, y, key=KEY).shape == (3,)
    ys = points(7, 2)
    assert jax.vmap(net_deeponet, in_axes=(None, 0))(u, ys).shape == (7, 3)
    with pytest.raises(ValueError, match="trunk"):
        net_deeponet(u, ys)


# ----------------------------------------------------------------------------- MLP


def test_mlp_parameter_count_formula():
    # abstract construction: same code path, no arrays drawn
    net = eqx.filter_eval_shape(mlp, 2, 1, hidden=64, depth=2, key=KEY)
    assert n_params(net) == (2 * 64 + 64) + (64 * 64 + 64) + (64 * 1 + 1)
    net = eqx.filter_eval_shape(mlp, 3, 4, hidden=5, depth=3, key=KEY)
    assert n_params(net) == (3 * 5 + 5) + 2 * (5 * 5 + 5) + (5 * 4 + 4)
    net = eqx.filter_eval_shape(mlp, 3, 4, hidden=5, depth=0, key=KEY)
    assert len(net.layers) == 1
    assert n_params(net) == 3 * 4 + 4
    assert n_params(mlp(3, 2, hidden=8, depth=2, key=KEY)) == (3 * 8 + 8) + (8 * 8 + 8) + (
        8 * 2 + 2
    )


def test_mlp_init_is_glorot_normal_with_zero_biases():
    net = mlp(60, 60, hidden=60, depth=2, key=KEY)
    weights = np.stack([np.asarray(layer.weight) for layer in net.layers])
    assert weights.std() == pytest.approx(math.sqrt(2.0 / (60 + 60)), rel=0.05)
    assert abs(weights.mean()) < 0.01
    assert not np.allclose(weights[0], weights[1])  # each layer has its own key
    for layer in net.layers:
        np.testing.assert_array_equal(layer.bias, 0.0)


def test_mlp_identity_depth_one_is_the_affine_map():
    net = randomize(mlp(3, 2, hidden=8, depth=1, activation="identity", key=KEY))
    (w1, b1), (w2, b2) = [(np.asarray(lin.weight), np.asarray(lin.bias)) for lin in net.layers]
    x = np.array([0.3, -1.2, 0.7], dtype=np.float32)
    expected = w2 @ (w1 @ x + b1) + b2
    np.testing.assert_allclose(net(jnp.asarray(x)), expected, rtol=1e-5, atol=1e-6)


def test_mlp_activation_and_final_activation_are_applied():
    net = randomize(mlp(2, 1, hidden=3, depth=1, activation="sin", final_activation="sigmoid"))
    (w1, b1), (w2, b2) = [(np.asarray(lin.weight), np.asarray(lin.bias)) for lin in net.layers]
    x = np.array([0.5, -0.25], dtype=np.float32)
    expected = 1.0 / (1.0 + np.exp(-(w2 @ np.sin(w1 @ x + b1) + b2)))
    np.testing.assert_allclose(net(jnp.asarray(x)), expected, rtol=1e-5, atol=1e-6)


def test_mlp_custom_callable_activation():
    net = randomize(mlp(2, 1, hidden=3, depth=1, activation=lambda z: z**2, key=KEY))
    (w1, b1), (w2, b2) = [(np.asarray(lin.weight), np.asarray(lin.bias)) for lin in net.layers]
    x = np.array([0.5, 2.0], dtype=np.float32)
    np.testing.assert_allclose(
        net(jnp.asarray(x)), w2 @ (w1 @ x + b1) ** 2 + b2, rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize(
    "name", ["tanh", "sin", "relu", "gelu", "silu", "swish", "softplus", "sigmoid", "elu", "TANH"]
)
def test_every_activation_name_is_known(name):
    net = mlp(2, 1, hidden=3, depth=1, activation=name, key=KEY)
    assert net.activation(jnp.float32(0.5)).shape == ()


def test_unknown_activation_lists_the_known_names():
    with pytest.raises(ValueError, match=r"activation='tanhh' is not known.*gelu.*identity.*tanh"):
        mlp(2, 1, activation="tanhh")
    with pytest.raises(ValueError, match="final_activation='nope'"):
        mlp(2, 1, final_activation="nope")
    for factory in (fourier_mlp, modified_mlp):
        with pytest.raises(ValueError, match="is not known"):
            factory(2, 1, activation="bogus")
    with pytest.raises(ValueError, match="is not known"):
        deeponet(3, 1, activation="bogus")
    with pytest.raises(TypeError, match="activation"):
        mlp(2, 1, activation=3)


@pytest.mark.parametrize(("kwargs", "word"), [({"hidden": 0}, "hidden"), ({"depth": -1}, "depth")])
def test_mlp_bad_sizes(kwargs, word):
    with pytest.raises(ValueError, match=word):
        mlp(2, 1, **kwargs)


def test_mlp_output_layer_can_be_replaced_with_tree_at(net_mlp):
    assert net_mlp.output_layer is net_mlp.layers[-1]
    zeroed = eqx.tree_at(lambda m: m.layers[-1].weight, net_mlp, replace_fn=jnp.zeros_like)
    zeroed = eqx.tree_at(lambda m: m.layers[-1].bias, zeroed, jnp.array([1.5, -2.0]))
    np.testing.assert_allclose(zeroed(jnp.array([0.3, 0.1, -0.4])), [1.5, -2.0])
    assert net_mlp.in_size == 3
    assert net_mlp.out_size == 2


# ----------------------------------------------------------------------------- vmap / grads


@pytest.mark.parametrize("name", POINTWISE)
def test_vmap_equals_a_loop_over_points(name, request):
    net = request.getfixturevalue(name)
    xs = points(5, 3)
    batched = jax.vmap(net)(xs)
    looped = jnp.stack([net(x) for x in xs])
    np.testing.assert_allclose(batched, looped, rtol=1e-6, atol=1e-6)


def test_deeponet_vmap_equals_a_loop(net_deeponet):
    us = points(3, 6, seed=4)
    ys = points(4, 2, seed=5)
    batched = jax.vmap(jax.vmap(net_deeponet, in_axes=(None, 0)), in_axes=(0, None))(us, ys)
    looped = jnp.stack([jnp.stack([net_deeponet(u, y) for y in ys]) for u in us])
    assert batched.shape == (3, 4, 3)
    np.testing.assert_allclose(batched, looped, rtol=1e-6, atol=1e-6)


def _grads(net, loss):
    grads = eqx.filter_jit(eqx.filter_grad(loss))(net)
    return jax.tree.leaves_with_path(eqx.filter(grads, eqx.is_inexact_array))


def _assert_finite_nonzero(leaves, skip=()):
    assert leaves
    for path, g in leaves:
        name = jax.tree_util.keystr(path)
        assert bool(jnp.all(jnp.isfinite(g))), name
        if name not in skip:
            assert float(jnp.max(jnp.abs(g))) > 0.0, name


@pytest.mark.parametrize("name", POINTWISE)
def test_pointwise_gradients_are_finite_and_nonzero(name, request):
    net = request.getfixturevalue(name)
    xs = points(6, 3)

    def loss(m):
        return jnp.mean(jax.vmap(m)(xs) ** 2)

    _assert_finite_nonzero(_grads(net, loss), skip=(".B",))


def test_fourier_matrix_gets_no_gradient(net_fourier):
    xs = points(6, 3)
    grads = eqx.filter_jit(eqx.filter_grad(lambda m: jnp.sum(jax.vmap(m)(xs) ** 2)))(net_fourier)
    np.testing.assert_array_equal(grads.B, 0.0)
    assert float(jnp.max(jnp.abs(grads.mlp.layers[0].weight))) > 0.0


def test_fourier_features_by_hand(net_fourier):
    assert net_fourier.B.shape == (5, 3)
    x = np.array([0.2, -0.1, 0.4], dtype=np.float32)
    proj = 2 * np.pi * np.asarray(net_fourier.B) @ x
    np.testing.assert_allclose(
        net_fourier.features(jnp.asarray(x)),
        np.concatenate([np.cos(proj), np.sin(proj)]),
        rtol=1e-5,
        atol=1e-5,
    )
    np.testing.assert_allclose(
        net_fourier(jnp.asarray(x)), net_fourier.mlp(net_fourier.features(jnp.asarray(x)))
    )


def test_fourier_sigma_scales_the_frequencies():
    net = fourier_mlp(3, 1, hidden=3, depth=1, n_features=600, sigma=3.0, key=KEY)
    assert float(jnp.std(net.B)) == pytest.approx(3.0, rel=0.05)
    assert net.mlp.in_size == 1200
    with pytest.raises(ValueError, match="sigma"):
        fourier_mlp(2, 1, sigma=0.0)


def test_deeponet_gradients_are_finite_and_nonzero(net_deeponet):
    us, ys = points(2, 6, seed=4), points(5, 2, seed=5)

    def loss(m):
        out = jax.vmap(jax.vmap(m, in_axes=(None, 0)), in_axes=(0, None))(us, ys)
        return jnp.mean((out - 1.0) ** 2)

    _assert_finite_nonzero(_grads(net_deeponet, loss))


# ----------------------------------------------------------------------------- modified MLP


def test_modified_mlp_parameter_count(net_modified):
    i, h, o, depth = 3, 8, 2, 3
    assert n_params(net_modified) == 3 * (i * h + h) + (depth - 1) * (h * h + h) + h * o + o
    assert net_modified.output_layer is net_modified.output


def test_modified_mlp_with_equal_encoders_is_u(net_modified):
    net = randomize(net_modified)
    same = eqx.tree_at(lambda m: m.encoder_v, net, net.encoder_u)
    other_gates = randomize(same, seed=11, scale=2.0)
    other_gates = eqx.tree_at(
        lambda m: (m.encoder_u, m.encoder_v, m.output),
        other_gates,
        (same.encoder_u, same.encoder_u, same.output),
    )
    x = jnp.array([0.4, -0.3, 0.8])
    u = jnp.tanh(same.encoder_u(x))
    expected = same.output(u)
    np.testing.assert_allclose(same(x), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(other_gates(x), expected, rtol=1e-5, atol=1e-6)
    # with different encoders the gates do matter
    assert not np.allclose(net(x), expected, atol=1e-4)


def test_modified_mlp_one_layer_by_hand():
    net = randomize(modified_mlp(2, 1, hidden=3, depth=1, activation="tanh", key=KEY))
    x = np.array([0.3, -0.6], dtype=np.float32)

    def affine(lin, v):
        return np.asarray(lin.weight) @ v + np.asarray(lin.bias)

    u, v = np.tanh(affine(net.encoder_u, x)), np.tanh(affine(net.encoder_v, x))
    z = np.tanh(affine(net.layers[0], x))
    expected = affine(net.output, (1 - z) * u + z * v)
    np.testing.assert_allclose(net(jnp.asarray(x)), expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="depth"):
        modified_mlp(2, 1, depth=0)


# ----------------------------------------------------------------------------- DeepONet


def test_deeponet_is_branch_dot_trunk_plus_bias(net_deeponet):
    net = eqx.tree_at(lambda m: m.bias, net_deeponet, jnp.array([0.5, -1.0, 2.0]))
    u, y = jnp.linspace(-1.0, 1.0, 6), jnp.array([0.3, 0.7])
    b = np.asarray(net.branch(u)).reshape(3, 4)
    t = np.asarray(net.trunk(y)).reshape(3, 4)
    expected = np.array([b[c] @ t[c] for c in range(3)]) + np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(net(u, y), expected, rtol=1e-5, atol=1e-6)


def test_deeponet_structure(net_deeponet):
    assert net_deeponet.branch.in_size == 6
    assert net_deeponet.trunk.in_size == 2
    assert net_deeponet.branch.out_size == net_deeponet.trunk.out_size == 3 * 4
    np.testing.assert_array_equal(net_deeponet.bias, 0.0)
    # the trunk ends with the activation, so its outputs lie in (-1, 1) for tanh
    assert float(jnp.max(jnp.abs(net_deeponet.trunk(jnp.array([50.0, -50.0]))))) <= 1.0
    expected = n_params(net_deeponet.branch) + n_params(net_deeponet.trunk) + 3
    assert n_params(net_deeponet) == expected


# ----------------------------------------------------------------------------- FNO


def test_fno_shapes(net_fno1, net_fno2, fno1_jit, fno2_jit):
    assert fno1_jit(net_fno1, jnp.ones((16, 2))).shape == (16, 3)
    assert fno2_jit(net_fno2, jnp.ones((8, 10, 1))).shape == (8, 10, 2)
    assert net_fno1(jnp.ones((16, 2)), key=KEY).shape == (16, 3)
    assert net_fno1.n_dims == 1
    assert net_fno2.modes == (3, 4)
    batched = jax.vmap(lambda u: fno1_jit(net_fno1, u))(jnp.ones((2, 16, 2)))
    assert batched.shape == (2, 16, 3)


def test_fno_3d_shape():
    def build():
        return fno(1, 1, modes=2, width=2, n_layers=1, n_dims=3, projection_hidden=3, key=KEY)

    # abstract evaluation: the same code path without compiling anything
    out = eqx.filter_eval_shape(lambda: build()(jnp.ones((4, 4, 6, 1))))
    assert out.shape == (4, 4, 6, 1)
    assert eqx.filter_eval_shape(build).spectral[0].weight_real.shape == (4, 2, 2, 2, 2, 2)


def test_fno_parameters_are_real(net_fno2):
    leaves = jax.tree.leaves(eqx.filter(net_fno2, eqx.is_array))
    assert leaves
    assert all(jnp.issubdtype(leaf.dtype, jnp.floating) for leaf in leaves)
    conv = net_fno2.spectral[0]
    # two corners (positive and negative first-axis frequencies), modes (3, 4), width 4
    assert conv.weight_real.shape == conv.weight_imag.shape == (2, 3, 4, 4, 4)
    w, hidden = 4, 16
    expected = (
        (1 * w + w)
        + 2 * (2 * 2 * 3 * 4 * w * w + w * w + w)
        + (w * hidden + hidden)
        + (hidden * 2 + 2)
    )
    assert n_params(net_fno2) == expected


def test_fno_constant_input_gives_constant_output(net_fno1, net_fno2, fno1_jit, fno2_jit):
    out1 = fno1_jit(net_fno1, jnp.broadcast_to(jnp.array([0.7, -0.3]), (16, 2)))
    np.testing.assert_allclose(out1, jnp.broadcast_to(out1[0], out1.shape), atol=1e-5)
    assert float(jnp.max(jnp.abs(out1))) > 0.0
    out2 = fno2_jit(net_fno2, jnp.full((8, 10, 1), 1.3))
    np.testing.assert_allclose(out2, jnp.broadcast_to(out2[0, 0], out2.shape), atol=1e-5)


def test_fno_is_translation_equivariant(net_fno1, net_fno2, fno1_jit, fno2_jit):
    u1 = points(16, 2, seed=7)
    out1 = fno1_jit(net_fno1, u1)
    shifted = fno1_jit(net_fno1, jnp.roll(u1, 5, axis=0))
    np.testing.assert_allclose(shifted, jnp.roll(out1, 5, axis=0), atol=1e-5)

    u2 = jax.random.normal(jax.random.PRNGKey(8), (8, 10, 1))
    out2 = fno2_jit(net_fno2, u2)
    shifted2 = fno2_jit(net_fno2, jnp.roll(u2, (3, -4), axis=(0, 1)))
    np.testing.assert_allclose(shifted2, jnp.roll(out2, (3, -4), axis=(0, 1)), atol=1e-5)
    # the output is not trivially constant, so the check above means something
    assert float(jnp.std(out2)) > 1e-3


def test_fno_spectral_conv_keeps_only_low_modes(net_fno1):
    conv = net_fno1.spectral[0]  # modes 5 on a 1-D grid of 32 points
    n = 32
    x = jnp.arange(n) / n
    high = jnp.stack([jnp.cos(2 * jnp.pi * 9 * x)] * 6, axis=-1)  # frequency 9 >= 5
    np.testing.assert_allclose(apply(conv, high), 0.0, atol=1e-5)
    low = jnp.stack([jnp.cos(2 * jnp.pi * 2 * x)] * 6, axis=-1)
    assert float(jnp.max(jnp.abs(apply(conv, low)))) > 1e-4


def test_fno_2d_keeps_negative_first_axis_frequencies(net_fno2):
    conv = net_fno2.spectral[0]  # modes (3, 4)
    n1, n2 = 8, 10
    i = jnp.arange(n1)[:, None] / n1
    j = jnp.arange(n2)[None, :] / n2
    # exp(2 pi i (-2 i + j)): a negative first-axis frequency inside the kept band
    field = jnp.cos(2 * jnp.pi * (-2 * i + 1 * j))[..., None]
    field = jnp.broadcast_to(field, (n1, n2, 4))
    assert float(jnp.max(jnp.abs(apply(conv, field)))) > 1e-4


def test_fno_gradients_are_finite_and_nonzero(net_fno2):
    u = jax.random.normal(jax.random.PRNGKey(2), (8, 10, 1))
    _assert_finite_nonzero(_grads(net_fno2, lambda m: jnp.mean((m(u) - 1.0) ** 2)))


def test_fno_modes_too_large_raise(net_fno1, net_fno2):
    with pytest.raises(ValueError, match=r"modes=5 is too large.*\(6,\).*at most 4"):
        net_fno1(jnp.ones((6, 2)))
    with pytest.raises(
        ValueError, match=r"modes=\(3, 4\) is too large.*modes\[0\] may be at most 2"
    ):
        net_fno2(jnp.ones((4, 10, 1)))
    with pytest.raises(ValueError, match=r"modes\[1\] may be at most 3"):
        net_fno2(jnp.ones((8, 4, 1)))


def test_fno_bad_arguments(net_fno1):
    with pytest.raises(ValueError, match="one entry per grid axis"):
        fno(1, 1, modes=(4, 4), n_dims=1)
    with pytest.raises(ValueError, match="n_dims"):
        fno(1, 1, modes=4, n_dims=4)
    with pytest.raises(ValueError, match="modes"):
        fno(1, 1, modes=0)
    with pytest.raises(ValueError, match=r"channels-last.*\(\*grid, 2\)"):
        net_fno1(jnp.ones((16, 3)))
    with pytest.raises(ValueError, match="vmap"):
        net_fno1(jnp.ones((2, 16, 2)))


def test_mlp_accepts_jno_keyword_forms():
    key = jax.random.PRNGKey(0)
    net = mlp(3, hidden_dims=[16, 8], output_dim=2, key=key)
    assert [layer.weight.shape for layer in net.layers] == [(16, 3), (8, 16), (2, 8)]
    uniform = mlp(2, hidden_dims=32, depth=2, key=key)
    assert [layer.weight.shape for layer in uniform.layers] == [(32, 2), (32, 32), (1, 32)]
    with pytest.raises(ValueError, match=r"hidden\[1\] must be a positive integer"):
        mlp(2, hidden_dims=[4, 0], key=key)
