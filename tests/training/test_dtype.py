"""Model precision: parameters and inputs cast at the model seam; the step computes in it."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import jno_lab as jno

from .conftest import assert_no_host_callbacks, step_jaxpr

SHORT = {"bfloat16": "bf16", "float16": "f16", "float32": "f32"}


def _problem(line_dom):
    (x,) = line_dom.variable("interior")
    net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=4, depth=1, key=jax.random.PRNGKey(0)), name="u")
    net.optimizer(optax.adam(1e-2))
    return jno.core([(net(x) - jno.np.sin(3.0 * x)).mse]), net


def _dots(text):
    return [line for line in text.splitlines() if "dot_general" in line]


@pytest.mark.parametrize("dtype", [jnp.bfloat16, jnp.float16])
def test_the_step_computes_in_the_model_dtype(line_dom, dtype):
    crux, net = _problem(line_dom)
    net.dtype(dtype)
    stats = crux.solve(3)
    assert np.isfinite(stats.losses).all()
    short = SHORT[jnp.dtype(dtype).name]
    dots = _dots(step_jaxpr(crux))
    assert dots, "the step has no matrix products"
    # every matrix product of the network (forward and backward) runs in the low dtype
    assert all(f"{short}[" in line and "f32[" not in line.split("=", 1)[1] for line in dots)
    leaves = jax.tree_util.tree_leaves(net.get_params())
    assert {leaf.dtype for leaf in leaves} == {jnp.dtype(dtype)}  # the optimizer kept it
    assert_no_host_callbacks(crux)
    # and back up: promotion to float32 works the same way
    net.dtype(jnp.float32)
    crux.solve(1)
    assert not any("bf16[" in line or "f16[" in line for line in _dots(step_jaxpr(crux)))
    assert crux.eval(net(line_dom.variable("interior")[0])).dtype == np.float32


def test_bad_dtypes_are_clear_errors(line_dom):
    _, net = _problem(line_dom)
    with pytest.raises(ValueError, match=r"u\.dtype\(\.\.\.\) takes a floating dtype"):
        net.dtype(jnp.int32)
    with pytest.raises(ValueError, match="takes a floating dtype"):
        net.dtype("not a dtype")
    if not jax.config.jax_enable_x64:
        with pytest.raises(ValueError, match="needs 64-bit JAX"):
            net.dtype(jnp.float64)
