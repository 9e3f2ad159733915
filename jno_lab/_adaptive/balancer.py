"""A loss balancer: weights computed on the device from the losses of previous steps.

`relobralo([pde, bc])` returns one weight expression per loss. The weights are
the value of a `BalancerWeights` node, which the solver does not train: it sets
it before every step from the balancer's state and, after the step, feeds the
balancer the input losses that step measured. So the weights of step `t` follow
from the losses of steps `0 .. t-1` (like `WeightSchedule`, which also sees the
previous step's losses); they are constants for the gradient and cost no second
forward pass. Step 0 uses the rule's initial weights (ones for most rules).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from .._config import get_seed
from .._trace.nodes import Placeholder
from .._trace.parameter import Parameter
from .normalise import check_mode, normalise
from .rules import RULES, initial_state


class BalancerWeights(Parameter):
    """The weight vector of one balancer, as an expression leaf (never trained)."""

    def __init__(self, balancer: Balancer):
        n = len(balancer.inputs)
        start = initial_state(balancer.kind, n, balancer.numbers)["weights"]
        super().__init__((n,), init=start, name=f"{balancer.kind}_weights")
        self.balancer = balancer

    @property
    def frozen(self) -> bool:
        return True

    def optimizer(self, opt_fn: Any, lr: Any = None) -> Any:
        raise TypeError(
            f"{self.describe()} are set by their balancer every step and are not trained; "
            "attach optimizers to the models instead"
        )


class Balancer:
    """One balancer: its kind, input losses, numbers, preprocessing and seed."""

    def __init__(
        self,
        kind: str,
        inputs: Sequence[Any],
        numbers: Mapping[str, ArrayLike],
        mode: str = "raw",
        seed: int | None = None,
    ):
        who = f"jno.fn.adaptive.{kind}"
        if isinstance(inputs, Placeholder) or not isinstance(inputs, Sequence) or not inputs:
            raise TypeError(f"{who} expects a list of loss expressions, e.g. {kind}([pde, bc])")
        for i, loss in enumerate(inputs):
            if not isinstance(loss, Placeholder):
                raise TypeError(
                    f"{who}: loss {i} is a {type(loss).__name__}, not an expression; pass the "
                    "scalar losses, e.g. [pde.mse, bc.mse]"
                )
        self.kind = kind
        self.inputs = list(inputs)
        self.n = len(self.inputs)
        self.mode = check_mode(mode, who)
        self.seed = get_seed() if seed is None else int(seed)
        self.numbers = {k: jnp.asarray(v, jnp.float32) for k, v in numbers.items()}
        for name, value in self.numbers.items():
            if value.ndim and value.shape != (self.n,):
                raise ValueError(
                    f"{who}: {name} needs one value per loss ({self.n}) or a single number, "
                    f"got shape {tuple(value.shape)}"
                )
        self.node = BalancerWeights(self)

    def weights(self) -> tuple[Placeholder, ...]:
        """One expression per input loss: its weight."""
        return tuple(self.node[i] for i in range(self.n))

    # -- inside the step ---------------------------------------------------------------
    def init_state(self) -> dict:
        """The on-device state before the first step."""
        state = initial_state(self.kind, self.n, self.numbers)
        state["count"] = jnp.asarray(0, jnp.int32)
        state["lo"] = jnp.full((self.n,), jnp.inf, jnp.float32)
        state["hi"] = jnp.full((self.n,), -jnp.inf, jnp.float32)
        return state

    def observe(self, state: dict, numbers: dict, losses: jax.Array, step: jax.Array) -> dict:
        """The state after a step that measured input `losses` (weights for the next step)."""
        # one materialised value: XLA may otherwise recompute the losses in two fusions
        # that round differently, and the min-max range would see the difference
        losses = jax.lax.optimization_barrier(
            jax.lax.stop_gradient(jnp.asarray(losses, jnp.float32))
        )
        values, lo, hi = normalise(self.mode, losses, state["lo"], state["hi"])
        count = state["count"]
        key = jax.random.fold_in(jax.random.PRNGKey(self.seed), count)
        rule_state = {k: v for k, v in state.items() if k not in ("count", "lo", "hi")}
        weights, rule_state = RULES[self.kind](rule_state, numbers, values, count, key)
        return {**rule_state, "weights": weights, "count": count + 1, "lo": lo, "hi": hi}
