"""Weighted sums of configurations evaluated on the same data."""

from __future__ import annotations

from collections.abc import Sequence

import jax.numpy as jnp
from jaxtyping import Array, Float

from ._base import BaseConfiguration, ResiduumFn, Stepper


class Composite(BaseConfiguration):
    """`sum_i w_i * config_i` on the same windows (long enough for every member).

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> cfg = tx.configuration
        >>> both = cfg.Composite([cfg.Supervised(1), cfg.Supervised(2)], [1.0, 0.5])
        >>> float(both(lambda u: 0.0 * u, jnp.ones((2, 3, 1, 4))))
        2.0
    """

    configurations: tuple[BaseConfiguration, ...]
    weights: Float[Array, " n"]

    def __init__(
        self, configurations: Sequence[BaseConfiguration], weights: Sequence[float] | None = None
    ):
        configurations = tuple(configurations)
        if not configurations or not all(isinstance(c, BaseConfiguration) for c in configurations):
            raise TypeError(
                "Composite(configurations=...) needs a non-empty list of configurations "
                f"(tx.configuration.*), got {configurations!r}"
            )
        values = jnp.ones(len(configurations)) if weights is None else jnp.asarray(weights, float)
        if values.shape != (len(configurations),):
            raise ValueError(
                f"Composite(weights=...) needs one weight per configuration: got shape "
                f"{values.shape} for {len(configurations)} configurations"
            )
        self.configurations = configurations
        self.weights = values

    @property
    def needs_ref_stepper(self) -> bool:  # type: ignore[override]
        """Whether any member needs the reference stepper."""
        return any(c.needs_ref_stepper for c in self.configurations)

    @property
    def needs_residuum_fn(self) -> bool:  # type: ignore[override]
        """Whether any member needs the residuum function."""
        return any(c.needs_residuum_fn for c in self.configurations)

    @property
    def window_length(self) -> int:
        """The longest window any member needs."""
        return max(c.window_length for c in self.configurations)

    def sample_loss(
        self,
        stepper: Stepper,
        window: Float[Array, "L C ..."],
        *,
        ref_stepper: Stepper | None = None,
        residuum_fn: ResiduumFn | None = None,
    ) -> Float[Array, ""]:
        """Weighted sum of the members' window losses."""
        total = jnp.zeros(())
        for i, config in enumerate(self.configurations):
            value = config.sample_loss(
                stepper, window, ref_stepper=ref_stepper, residuum_fn=residuum_fn
            )
            total = total + self.weights[i] * value
        return total
