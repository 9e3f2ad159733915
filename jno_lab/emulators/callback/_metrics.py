"""Callbacks that log the loss of a configuration, gradient norms and weight norms."""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, PyTree

from ..configuration import BaseConfiguration
from ._base import BaseCallback


@eqx.filter_jit
def _loss_value(config, stepper, data, ref_stepper, residuum_fn):
    return config(stepper, data, ref_stepper=ref_stepper, residuum_fn=residuum_fn)


@eqx.filter_jit
def _loss_and_grad(config, stepper, data, ref_stepper, residuum_fn):
    return eqx.filter_value_and_grad(
        lambda m: config(m, data, ref_stepper=ref_stepper, residuum_fn=residuum_fn)
    )(stepper)


def _squared_norm(tree: PyTree) -> Array:
    leaves = jax.tree_util.tree_leaves(eqx.filter(tree, eqx.is_inexact_array))
    return sum((jnp.sum(jnp.square(x)) for x in leaves), jnp.zeros(()))


def _check_config(owner: str, config: Any) -> BaseConfiguration:
    if not isinstance(config, BaseConfiguration):
        raise TypeError(
            f"{owner}(loss_configuration=...) must be a tx.configuration.* instance, got {config!r}"
        )
    return config


class Loss(BaseCallback):
    """Logs the value (and with `with_grad` the gradient) of a configuration on the minibatch.

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> cb = tx.callback.Loss(1, tx.configuration.Supervised(1), name="one_step")
        >>> float(cb(0, lambda u: 0.0 * u, jnp.ones((2, 2, 1, 4)))["one_step"])
        1.0
    """

    loss_configuration: BaseConfiguration
    with_grad: bool = eqx.field(static=True)
    ref_stepper: Any
    residuum_fn: Any

    def __init__(
        self,
        every: int,
        loss_configuration: BaseConfiguration,
        *,
        with_grad: bool = False,
        ref_stepper: Any = None,
        residuum_fn: Any = None,
        name: str,
    ):
        self.loss_configuration = _check_config("Loss", loss_configuration)
        self.with_grad = bool(with_grad)
        self.ref_stepper = ref_stepper
        self.residuum_fn = residuum_fn
        super().__init__(every, name)

    def callback(self, update_i: int, stepper: eqx.Module, data: PyTree) -> Any:
        """The configuration's loss on `data` (and its gradient with `with_grad`)."""
        fn = _loss_and_grad if self.with_grad else _loss_value
        return fn(self.loss_configuration, stepper, data, self.ref_stepper, self.residuum_fn)


class GradNorm(BaseCallback):
    """Logs the L2 norm (or its square) of a configuration's gradient on the minibatch.

    Example:
        >>> import jno_lab.emulators as tx
        >>> cb = tx.callback.GradNorm(10, tx.configuration.Supervised(1), name="grad")
        >>> cb.name
        'grad'
    """

    loss_configuration: BaseConfiguration
    squared: bool = eqx.field(static=True)
    ref_stepper: Any
    residuum_fn: Any

    def __init__(
        self,
        every: int,
        loss_configuration: BaseConfiguration,
        *,
        squared: bool = False,
        ref_stepper: Any = None,
        residuum_fn: Any = None,
        name: str,
    ):
        self.loss_configuration = _check_config("GradNorm", loss_configuration)
        self.squared = bool(squared)
        self.ref_stepper = ref_stepper
        self.residuum_fn = residuum_fn
        super().__init__(every, name)

    def callback(self, update_i: int, stepper: eqx.Module, data: PyTree) -> Array:
        """Norm of the gradient of the configuration's loss w.r.t. the network."""
        _, grad = _loss_and_grad(
            self.loss_configuration, stepper, data, self.ref_stepper, self.residuum_fn
        )
        value = _squared_norm(grad)
        return value if self.squared else jnp.sqrt(value)


class WeightNorm(BaseCallback):
    """Logs the L2 norm (or its square) of all floating-point parameters.

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> float(tx.callback.WeightNorm(1)(0, [jnp.array([3.0, 4.0])], None)["weight_norm"])
        5.0
    """

    squared: bool = eqx.field(static=True)

    def __init__(self, every: int, squared: bool = False, name: str = "weight_norm"):
        self.squared = bool(squared)
        super().__init__(every, name)

    def callback(self, update_i: int, stepper: eqx.Module, data: PyTree) -> Array:
        """Norm of the network's parameters."""
        value = _squared_norm(stepper)
        return value if self.squared else jnp.sqrt(value)
