"""`dlrs(...)`: a learning rate that follows the recent trend of the loss, on the device.

The rule is the loss-slope scheduler of Dharanalakota, Raikar & Ghosh (2025),
"DLRS: dynamic learning-rate scheduling": over a window of the latest total
losses `J`, the normalised slope `s = (J[-1] - J[0]) / mean(J)` picks a change of
the learning rate measured in units of its order of magnitude `10**floor(log10 lr)`:

- `s > 1` (loss rising fast): lower it by `decremental_factor` units;
- `0 < s <= 1` (stagnating): lower it by `stagnation_factor` units;
- `s <= 0` (falling): raise it by `increment_factor` units;

then clip it to `[min_lr, max_lr]`. The first step uses `lr0`. The window and the
rate are part of the training state, so the rule runs inside the compiled step.
"""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp

EPS = 1e-12


class DynamicLearningRate(eqx.Module):
    """A loss-adaptive learning-rate scale; build it with `dlrs(...)`.

    Example:
        >>> import jax.numpy as jnp
        >>> sched = dlrs(1e-2, window=3)
        >>> state = sched.init_state()
        >>> lr, state = sched.advance(state, 0.0, None, jnp.array([1.0]))
        >>> round(float(lr), 6)  # the first step uses lr0
        0.01
        >>> lr, state = sched.advance(state, 1.0, None, jnp.array([0.5]))
        >>> round(float(lr), 6)  # falling loss: raised by 0.1 * 10**-2
        0.011
    """

    window: int = eqx.field(static=True)
    params: dict[str, jax.Array]

    def __init__(
        self,
        lr0: float,
        window: int,
        decremental_factor: float,
        stagnation_factor: float,
        increment_factor: float,
        min_lr: float,
        max_lr: float,
    ):
        if not isinstance(window, int) or window < 2:
            raise ValueError(f"dlrs: window must be an integer >= 2, got {window!r}")
        if not 0 < min_lr <= max_lr:
            raise ValueError(
                f"dlrs: need 0 < min_lr <= max_lr, got min_lr={min_lr}, max_lr={max_lr}"
            )
        if lr0 <= 0:
            raise ValueError(f"dlrs: lr0 must be positive, got {lr0}")
        self.window = window
        numbers = {
            "lr0": lr0,
            "decremental_factor": decremental_factor,
            "stagnation_factor": stagnation_factor,
            "increment_factor": increment_factor,
            "min_lr": min_lr,
            "max_lr": max_lr,
        }
        self.params = {k: jnp.asarray(v, jnp.float32) for k, v in numbers.items()}

    def init_state(self) -> tuple:
        """`(lr, window of losses, number of losses seen)`."""
        return (
            jnp.asarray(0.0, jnp.float32),
            jnp.zeros((self.window,), jnp.float32),
            jnp.asarray(0, jnp.int32),
        )

    def advance(
        self, state: tuple, epoch: Any, prev_losses: Any, losses: jax.Array
    ) -> tuple[jax.Array, tuple]:
        """`(lr, new_state)` after seeing this step's per-constraint `losses`."""
        p = self.params
        lr, history, seen = state
        total = jnp.maximum(jnp.sum(jnp.asarray(losses, jnp.float32)), EPS)
        # the window holds the latest `window` losses, oldest first
        history = jnp.where(
            seen == 0, jnp.full_like(history, total), jnp.roll(history, -1).at[-1].set(total)
        )
        filled = jnp.minimum(seen + 1, self.window)
        first = history[self.window - filled]
        mean = jnp.maximum(
            jnp.sum(jnp.where(jnp.arange(self.window) >= self.window - filled, history, 0.0))
            / filled,
            EPS,
        )
        slope = (history[-1] - first) / mean
        current = jnp.clip(lr, p["min_lr"], p["max_lr"])
        unit = 10.0 ** jnp.floor(jnp.log10(jnp.maximum(current, p["min_lr"])))
        change = jnp.where(
            slope > 1.0,
            p["decremental_factor"],
            jnp.where(slope > 0.0, p["stagnation_factor"], -p["increment_factor"]),
        )
        updated = jnp.clip(current - unit * change, p["min_lr"], p["max_lr"])
        new_lr = jnp.where(seen == 0, jnp.clip(p["lr0"], p["min_lr"], p["max_lr"]), updated)
        return new_lr, (new_lr, history, seen + 1)


def dlrs(
    lr0: float = 1e-3,
    window: int = 10,
    decremental_factor: float = 0.5,
    stagnation_factor: float = 0.1,
    increment_factor: float = 0.1,
    min_lr: float = 1e-10,
    max_lr: float = 1.0,
) -> DynamicLearningRate:
    """A loss-adaptive learning rate for `.scale(...)` or `optimizer(..., lr=...)`.

    Args:
        lr0: the rate of the first step.
        window: how many of the latest total losses the slope is taken over.
        decremental_factor: units of `10**floor(log10 lr)` removed when the loss rises fast.
        stagnation_factor: units removed when it rises slowly (slope in (0, 1]).
        increment_factor: units added when it falls.
        min_lr: lower clamp.
        max_lr: upper clamp.

    Example:
        >>> import optax, jno_lab as jno
        >>> p = jno.np.parameter((1,), init=0.0)
        >>> p = p.optimizer(optax.adam(1)).scale(jno.fn.adaptive.dlrs(1e-3))
    """
    return DynamicLearningRate(
        lr0, window, decremental_factor, stagnation_factor, increment_factor, min_lr, max_lr
    )
