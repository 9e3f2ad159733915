"""The published update rules of the loss balancers, on plain arrays.

Each rule maps `(state, numbers, L, count, key)` to `(weights, state)`: `L` are the
(preprocessed) input losses of the step just taken, `count` how many steps were
observed before it, and the weights are the ones the next step uses. Before any
step the weights are `initial_weights(...)`.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

EPS = 1e-12
ADAM_B1, ADAM_B2, ADAM_EPS = 0.9, 0.999, 1e-8


def _ratio(numerator: jax.Array, denominator: jax.Array) -> jax.Array:
    return numerator / (denominator + EPS)


def _softmax(z: jax.Array) -> jax.Array:
    # Shifted twice: for huge arguments (a loss ratio over a min-max normalised 0 is
    # ~1e12) XLA's fused CPU code recomputes z with a different rounding inside the
    # subtraction, so the largest entry can come out at -142 instead of 0 and every
    # exp underflows (0 / 0). The second shift works on numbers small enough for
    # that rounding to be harmless.
    z = z - jnp.max(z)
    z = z - jnp.max(z)
    e = jnp.exp(z)
    return e / jnp.sum(e)


def relobralo(state: dict, p: dict, losses: jax.Array, count: jax.Array, key: jax.Array) -> tuple:
    """ReLoBRaLo (Bischof & Kraus, 2021).

    `bal(t, t') = m * softmax(L(t) / (tau * L(t')))`; with `rho ~ Bernoulli(expected_rho)`,
    `w(t) = alpha * (rho * w(t-1) + (1 - rho) * bal(t, 0)) + (1 - alpha) * bal(t, t-1)`.
    """
    m = losses.shape[0]
    first = jnp.where(count == 0, losses, state["first"])
    prev = jnp.where(count == 0, losses, state["prev"])
    bal_prev = m * _softmax(_ratio(losses, p["tau"] * prev))
    bal_first = m * _softmax(_ratio(losses, p["tau"] * first))
    rho = jax.random.bernoulli(key, p["expected_rho"]).astype(jnp.float32)
    history = rho * state["weights"] + (1.0 - rho) * bal_first
    weights = p["alpha"] * history + (1.0 - p["alpha"]) * bal_prev
    return weights, {**state, "first": first, "prev": losses}


def softadapt(state: dict, p: dict, losses: jax.Array, count: jax.Array, key: jax.Array) -> tuple:
    """SoftAdapt (Heydari et al., 2019): `softmax(beta * (L(t) - L(t-1)))`, summing to 1."""
    prev = jnp.where(count == 0, losses, state["prev"])
    weights = _softmax(p["beta"] * (losses - prev))
    return weights, {**state, "prev": losses}


def dwa(state: dict, p: dict, losses: jax.Array, count: jax.Array, key: jax.Array) -> tuple:
    """Dynamic Weight Average (Liu et al., 2019): `K * softmax((L(t) / L(t-1)) / T)`."""
    prev = jnp.where(count == 0, losses, state["prev"])
    ratio = _ratio(losses, prev)
    weights = losses.shape[0] * _softmax(ratio / p["temperature"])
    return weights, {**state, "prev": losses}


def lbpinns(state: dict, p: dict, losses: jax.Array, count: jax.Array, key: jax.Array) -> tuple:
    """LbPINNs (Xiang et al., 2022): learnable log-variances `s`, weights `exp(-s)`.

    `s` minimises `sum(exp(-s) * L + s)` by one Adam step (b1 0.9, b2 0.999,
    eps 1e-8, rate `lr_s`) per training step.
    """
    s, m, v = state["s"], state["m"], state["v"]
    grad = 1.0 - jnp.exp(-s) * losses
    t = (count + 1).astype(jnp.float32)
    m = ADAM_B1 * m + (1.0 - ADAM_B1) * grad
    v = ADAM_B2 * v + (1.0 - ADAM_B2) * grad**2
    m_hat = m / (1.0 - ADAM_B1**t)
    v_hat = v / (1.0 - ADAM_B2**t)
    s = s - p["lr_s"] * m_hat / (jnp.sqrt(v_hat) + ADAM_EPS)
    return jnp.exp(-s), {**state, "s": s, "m": m, "v": v}


def rlw(state: dict, p: dict, losses: jax.Array, count: jax.Array, key: jax.Array) -> tuple:
    """Random Loss Weighting (Lin et al., 2021): weights drawn from Dirichlet(alpha)."""
    alpha = jnp.full(losses.shape, p["alpha"], jnp.float32)
    return jax.random.dirichlet(key, alpha).astype(jnp.float32), state


RULES: dict[str, Any] = {
    "relobralo": relobralo,
    "softadapt": softadapt,
    "dwa": dwa,
    "lbpinns": lbpinns,
    "rlw": rlw,
}


def initial_state(kind: str, n: int, p: dict) -> dict:
    """The rule's state before any step (its `weights` are the first step's)."""
    zeros = jnp.zeros((n,), jnp.float32)
    state = {"weights": jnp.ones((n,), jnp.float32), "first": zeros, "prev": zeros}
    if kind == "lbpinns":
        s = jnp.broadcast_to(p["init_s"], (n,)).astype(jnp.float32)
        state.update(s=s, m=zeros, v=zeros, weights=jnp.exp(-s))
    return state
