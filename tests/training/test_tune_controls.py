"""`Model.tune(lora=..., dtype=...)`: sweeps try adapters and working dtypes."""

import jax
import jax.numpy as jnp
import optax
import pytest

import jno_lab as jno
from jno_lab._search import tune


def test_sweep_tries_lora_and_dtype_candidates(line_dom):
    (x,) = line_dom.variable("interior")
    net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=4, depth=1, key=jax.random.PRNGKey(0)), name="u")
    net.optimizer(optax.adam(1e-2))
    net.tune(lora=[(1, 2.0), None], dtype=[jnp.bfloat16])
    crux = jno.core([(net(x) - x).mse])
    space = tune.space()
    space.unique("epochs", [3])
    crux.sweep(space=space, optimizer=None)
    rows = crux.sweep_results
    assert len(rows) == 2
    assert all(r["error"] is None for r in rows), rows
    assert {str(r["config"]["u.lora"]) for r in rows} == {"[1, 2.0]", "None"}  # JSON rows
    # the best configuration is applied: bfloat16 weights, adapters merged after training
    assert net.working_dtype == jnp.bfloat16
    assert type(net.module.layers[0]).__name__ == "Linear"


def test_bad_tune_candidates_are_clear_errors():
    net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=2, depth=1, key=jax.random.PRNGKey(0)), name="u")
    with pytest.raises(ValueError, match=r"each candidate is \(rank, alpha\)"):
        net.tune(lora=[4])
    with pytest.raises(ValueError, match="takes a floating dtype"):
        net.tune(dtype=[jnp.int8])
