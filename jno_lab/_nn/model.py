"""Wrapped networks: `jno.nn.wrap(module)` turns an equinox module into a trainable `Model`."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp

from .._config import default_key
from .._trace._operators import as_node
from .._trace.nodes import ModelCall, Placeholder
from .._trainable import Trainable


class Model(Trainable):
    """An equinox module taking part in expressions: `net(x, y)` builds a model-call node.

    The module is called once per point on feature vectors (`(D,)`), unless it
    declares `pointwise = False` (then it gets the `(N, D)` arrays of a whole
    instance). With several arguments, a module whose `__call__` takes a single
    input receives them concatenated along the last axis.

    Example:
        >>> import jax, optax, jno_lab as jno
        >>> net = jno.nn.wrap(jno.nn.mlp(2, 1, hidden=8, depth=1, key=jax.random.PRNGKey(0)))
        >>> net.optimizer(optax.adam(1e-3)) is net
        True
    """

    def __init__(self, module: Any, name: str = "", weight_path: str | None = None):
        if isinstance(module, Model):
            module = module.module
        if not callable(module):
            raise TypeError(f"jno.nn.wrap expects an equinox module, got {type(module).__name__}")
        super().__init__(name or type(module).__name__)
        self.module = module
        if weight_path is not None:
            self.initialize(weight_path)

    def __call__(self, *args: Any) -> Placeholder:
        if not args:
            raise TypeError(f"model {self.describe()!r} called with no inputs")
        return ModelCall(self, *(as_node(a) for a in args))

    def __repr__(self) -> str:
        return f"Model({self.describe()!r}, frozen={self.frozen})"

    def mask(self, param_mask: Any = None) -> MaskedModel:
        """Select a subset of parameters: `u.grad(net.mask(m))` restricts the Jacobian.

        Args:
            param_mask: a pytree of booleans with the structure of `self.module`.
        """
        if param_mask is None:
            return MaskedModel(self, None)
        from .selection import ParameterSelection

        ParameterSelection(self, param_mask)  # validates the structure now
        return MaskedModel(self, param_mask)

    def leaf_flags(self, mask_tree: Any) -> tuple[bool, ...]:
        """One flag per array leaf of `get_params()`, read from a mask over `self.module`."""
        from .selection import ParameterSelection

        selection = ParameterSelection(self, mask_tree)
        n = self.leaf_count()
        chosen = set(selection.positions)
        return tuple(j in chosen for j in range(n))

    # -- call convention -------------------------------------------------------------
    @property
    def pointwise(self) -> bool:
        return bool(getattr(self.module, "pointwise", True))

    def positional_arity(self) -> int | None:
        """Number of positional inputs `module.__call__` takes (None: variadic/unknown)."""
        try:
            sig = inspect.signature(self.module)
        except (TypeError, ValueError):
            return None
        count = 0
        for p in sig.parameters.values():
            if p.kind is inspect.Parameter.VAR_POSITIONAL:
                return None
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name != "key":
                count += 1
        return count

    def apply(self, module: Any, inputs: list[jax.Array]) -> jax.Array:
        """Call `module` (this model's structure with given parameters) on `inputs`."""
        arity = self.positional_arity()
        if len(inputs) > 1 and arity == 1:
            inputs = [jnp.concatenate([jnp.atleast_1d(i) for i in inputs], axis=-1)]
        return module(*inputs)

    # -- parameters ------------------------------------------------------------------
    def get_params(self) -> Any:
        params, _ = eqx.partition(self.module, eqx.is_inexact_array)
        return params

    def static_part(self) -> Any:
        _, static = eqx.partition(self.module, eqx.is_inexact_array)
        return static

    def set_params(self, params: Any) -> None:
        self.module = eqx.combine(params, self.static_part())

    def initialize(self, weights: Any, *, key: jax.Array | None = None) -> Model:
        """Load weights: an `.eqx` file, a module/pytree of the same structure, or an initializer.

        Returns:
            self, for chaining.
        """
        if isinstance(weights, str | Path):
            path = Path(weights)
            if not path.is_file():
                raise FileNotFoundError(f"{self.describe()}.initialize: no file {path}")
            self.module = eqx.tree_deserialise_leaves(path, self.module)
        elif callable(weights) and not isinstance(weights, eqx.Module):
            key = default_key() if key is None else key
            params, static = eqx.partition(self.module, eqx.is_inexact_array)
            leaves, tree = jax.tree_util.tree_flatten(params)
            keys = jax.random.split(key, max(len(leaves), 1))
            new = [weights(k, leaf.shape, leaf.dtype) for k, leaf in zip(keys, leaves, strict=True)]
            self.module = eqx.combine(jax.tree_util.tree_unflatten(tree, new), static)
        else:
            new_params, _ = eqx.partition(weights, eqx.is_inexact_array)
            old_params = self.get_params()
            old_shapes = jax.tree_util.tree_map(jnp.shape, old_params)
            new_shapes = jax.tree_util.tree_map(jnp.shape, new_params)
            if (
                jax.tree_util.tree_structure(old_params) != jax.tree_util.tree_structure(new_params)
                or old_shapes != new_shapes
            ):
                raise ValueError(
                    f"{self.describe()}.initialize: the given weights do not match the module's "
                    "parameter structure and shapes"
                )
            self.set_params(new_params)
        return self

    def parameter_count(self) -> int:
        return sum(x.size for x in jax.tree_util.tree_leaves(self.get_params()))


class MaskedModel:
    """A model with a parameter mask, as returned by `Model.mask(m)`.

    The mask scopes the next call: `optimizer(...)` makes a parameter group of
    the selected leaves with its own optimizer (the bare `model.optimizer(...)`
    trains the rest), `scale(...)` sets that group's learning-rate scale,
    `freeze()` keeps the selected leaves fixed. `u.grad(net.mask(m))` reads it too.

    Example:
        >>> import jax, optax, jno_lab as jno
        >>> net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=4, depth=1, key=jax.random.PRNGKey(0)))
        >>> first = jax.tree_util.tree_map(lambda leaf: eqx.is_array(leaf), net.module)
        >>> net.mask(first).optimizer(optax.sgd(1e-2)) is net
        True
    """

    def __init__(self, model: Model, mask_tree: Any):
        self.model = model
        self.mask_tree = mask_tree

    def __repr__(self) -> str:
        return f"MaskedModel({self.model.describe()!r})"

    def _need_mask(self, what: str) -> None:
        if self.mask_tree is None:
            raise ValueError(
                f"{self.model.describe()}.mask().{what}: give the mask, e.g. "
                f"{self.model.describe()}.mask(param_mask).{what}"
            )

    def optimizer(self, opt_fn: Any, lr: Any = None) -> Model:
        """Train the selected leaves with their own optimizer; returns the model."""
        from .._trainable import resolve_optimizer

        self._need_mask("optimizer(...)")
        transform, scale = resolve_optimizer(opt_fn, lr, self.model.describe())
        self.model._masked_groups.append([self.mask_tree, transform, scale])
        self.model._frozen = False
        self.model.optimizer_generation += 1
        return self.model

    def scale(self, schedule: Any) -> Model:
        """Set the learning-rate scale of the group this mask made; returns the model."""
        from .._schedules import as_lr_schedule

        self._need_mask("scale(...)")
        flags = self.model.leaf_flags(self.mask_tree)
        for group in reversed(self.model._masked_groups):
            if self.model.leaf_flags(group[0]) == flags:
                group[2] = as_lr_schedule(schedule)
                return self.model
        raise ValueError(
            f"{self.model.describe()}.mask(m).scale(...): no parameter group has this mask; "
            f"call {self.model.describe()}.mask(m).optimizer(...) first"
        )

    def freeze(self) -> Model:
        """Keep the selected leaves fixed (everything else stays trainable); returns the model."""
        self._need_mask("freeze()")
        self.model.leaf_flags(self.mask_tree)  # validate now
        self.model._frozen_masks.append(self.mask_tree)
        self.model.optimizer_generation += 1
        return self.model

    def unfreeze(self) -> Model:
        """Train the whole model again (drops every frozen mask); returns the model."""
        return self.model.unfreeze()
