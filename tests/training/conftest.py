"""Shared helpers of the training-control tests (tiny problems: these tests are compile-bound)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jno_lab as jno

CALLBACK_PRIMITIVES = ("callback", "outside_call", "host_callback")


def step_jaxpr(crux) -> str:
    """The jaxpr text of the compiled step `crux` used last."""
    config, chunk = list(crux._chunks.items())[-1]
    state = crux._initial_state(config)
    hyper = crux._hyper(None, config)
    data = crux._bind()
    return str(jax.make_jaxpr(chunk)(state, data, hyper, jnp.asarray(1, jnp.int32)))


def assert_no_host_callbacks(crux) -> None:
    text = step_jaxpr(crux)
    for name in CALLBACK_PRIMITIVES:
        assert name not in text, f"the step contains a {name} primitive"


@pytest.fixture(scope="session")
def line_dom():
    return jno.domain(constructor=jno.domain.line(mesh_size=0.25))


@pytest.fixture(scope="session")
def batched_dom():
    rng = np.random.default_rng(0)
    return jno.domain.from_array({"interior": rng.uniform(0.0, 1.0, size=(8, 3, 1))})
