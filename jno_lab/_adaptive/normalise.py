"""Loss preprocessing of the balancers (`mode=`): raw, min-max over the run, or L2."""

from __future__ import annotations

import jax
import jax.numpy as jnp

MODES = ("raw", "minmax", "l2")
EPS = 1e-12
RELATIVE_RANGE = 1e-6


def check_mode(mode: str, who: str) -> str:
    """`mode`, or a ValueError naming the choices."""
    if mode not in MODES:
        raise ValueError(f"{who}: mode={mode!r} is not one of {', '.join(map(repr, MODES))}")
    return mode


def normalise(
    mode: str, losses: jax.Array, lo: jax.Array, hi: jax.Array
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """`(preprocessed losses, new lo, new hi)`; `lo`/`hi` are each loss's observed range.

    - `raw`: the losses as they are;
    - `minmax`: `(L - min) / (max - min)` over every value of that loss seen so far
      (this one included), so each lies in [0, 1]; 0 while the range is below
      `RELATIVE_RANGE` of the loss's size (e.g. at the first step);
    - `l2`: `L / ||L||_2` over the losses of this step.
    """
    lo = jnp.minimum(lo, losses)
    hi = jnp.maximum(hi, losses)
    if mode == "minmax":
        span = hi - lo
        floor = RELATIVE_RANGE * jnp.maximum(jnp.abs(hi), jnp.abs(lo)) + EPS
        scaled = jnp.clip((losses - lo) / jnp.maximum(span, floor), 0.0, 1.0)
        return jnp.where(span > floor, scaled, 0.0), lo, hi
    if mode == "l2":
        return losses / jnp.maximum(jnp.linalg.norm(losses), EPS), lo, hi
    return losses, lo, hi
