"""Wrapped networks: `jno.nn.wrap(module)` turns an equinox module into a trainable `Model`."""

from __future__ import annotations

import inspect
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import paramax

from .._config import default_key
from .._trace._operators import as_node
from .._trace.nodes import ModelCall, Placeholder
from .._trainable import Trainable

__all__ = ["MaskedModel", "Model"]


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
        self._dtype: Any = None  # set by dtype(): parameters and inputs are cast to it
        self._lora: tuple | None = None  # (specs, freeze the rest, layer mask) from lora()
        self._lora_flags: tuple[bool, ...] | None = None  # leaves LoRA keeps fixed
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
        from .._lower.selection import ParameterSelection

        ParameterSelection(self, param_mask)  # validates the structure now
        return MaskedModel(self, param_mask)

    def leaf_flags(self, mask_tree: Any) -> tuple[bool, ...]:
        """One flag per array leaf of `get_params()`, read from a mask over `self.module`."""
        from .._lower.selection import ParameterSelection

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
        """Call `module` (this model's structure with given parameters) on `inputs`.

        The model seam: constrained leaves are transformed (`paramax.unwrap`) and,
        after `dtype(...)`, parameters and floating inputs are cast to that dtype.
        """
        arity = self.positional_arity()
        if len(inputs) > 1 and arity == 1:
            inputs = [jnp.concatenate([jnp.atleast_1d(i) for i in inputs], axis=-1)]
        if paramax.contains_unwrappables(module):
            module = paramax.unwrap(module)
        if self._dtype is not None:
            from .precision import cast_floating

            module = cast_floating(module, self._dtype)
            inputs = cast_floating(list(inputs), self._dtype)
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
        """Load pretrained weights into this model.

        Args:
            weights: an `.eqx` file (`eqx.tree_serialise_leaves`); a checkpoint folder
                of the solver (`crux.checkpoints[-1]`, or a `CheckpointCallback` root),
                with `"folder::model"` picking a trainable by index or name; a module or
                parameter pytree of the same structure; or an initializer
                `f(key, shape, dtype)` applied to every floating leaf.
            key: PRNG key for an initializer (default: from the global seed).

        Returns:
            self, for chaining.

        Example:
            >>> import jax, jno_lab as jno
            >>> net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=2, depth=1, key=jax.random.PRNGKey(0)))
            >>> float(net.initialize(jax.nn.initializers.ones).module.layers[0].weight[0, 0])
            1.0
        """
        from .weights import load_module

        self.module = load_module(self.describe(), self.module, weights, key)
        if self._dtype is not None:
            self.dtype(self._dtype)
        return self

    def dtype(self, dtype: Any) -> Model:
        """Set the working dtype: parameters are cast now, inputs at every call.

        Works both ways (float32 -> bfloat16 and back); integer leaves stay as they
        are. The optimizer then also runs in `dtype`.

        Args:
            dtype: `jnp.bfloat16`, `jnp.float16`, `jnp.float32` or `jnp.float64`
                (the last needs `jax_enable_x64`).

        Returns:
            self, for chaining.

        Example:
            >>> import jax, jax.numpy as jnp, jno_lab as jno
            >>> net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=2, depth=1, key=jax.random.PRNGKey(0)))
            >>> net.dtype(jnp.bfloat16).module.layers[0].weight.dtype
            dtype(bfloat16)
        """
        from .precision import cast_floating, check_dtype

        self._dtype = check_dtype(self.describe(), dtype)
        self.module = cast_floating(self.module, self._dtype)
        self.optimizer_generation += 1  # optimizer states of the old dtype are stale
        return self

    @property
    def working_dtype(self) -> Any:
        """The dtype set by `dtype(...)`, or None."""
        return self._dtype

    def constrain(self, transform: Any, *, _mask: Any = None) -> Model:
        """Reparameterize the floating leaves: the forward pass sees `transform(leaf)`.

        The stored (trained) values are the unconstrained ones; `paramax.unwrap`
        applies `transform` at every call, inside the compiled step. After
        `mask(m)`, only the selected leaves are constrained. Masks built before
        `constrain` no longer fit the module: build them from `model.module` again.

        Args:
            transform: a jit-compatible elementwise function, e.g. `jax.nn.softplus`.

        Returns:
            self, for chaining.

        Example:
            >>> import jax, paramax, jno_lab as jno
            >>> net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=2, depth=1, key=jax.random.PRNGKey(0)))
            >>> w = paramax.unwrap(net.constrain(jax.nn.softplus).module).layers[0].weight
            >>> bool((w > 0).all())
            True
        """
        if not callable(transform):
            raise TypeError(
                f"{self.describe()}.constrain(transform): transform must be a callable such as "
                f"jax.nn.softplus, got {type(transform).__name__}"
            )
        flags = None if _mask is None else self.leaf_flags(_mask)
        position = [0]

        def wrap(leaf: Any) -> Any:
            if not eqx.is_inexact_array(leaf):
                return leaf
            j = position[0]
            position[0] += 1
            return paramax.Parameterize(transform, leaf) if flags is None or flags[j] else leaf

        self.module = jax.tree_util.tree_map(wrap, self.module)
        self.optimizer_generation += 1
        return self

    def lora(
        self,
        rank: int = 4,
        alpha: float = 1.0,
        *,
        target: str | None = None,
        wrapper: Any = None,
        specs: list[dict] | None = None,
        _mask: Any = None,
    ) -> Model:
        """Train low-rank adapters instead of the wrapped layers' weights.

        Linear and conv layers (or those `wrapper` adapters accept) are replaced by
        adapters `W + (alpha / rank) * B @ A`; only `A` and `B` train, the layers'
        own weights and biases stay fixed, and after every `solve()` the adapters
        are merged back into plain layers (a later `solve()` adds fresh ones).
        Layers not wrapped keep training, unless `freeze()` came first: then only
        the adapters train. After `mask(m)`, only layers with a selected leaf are
        wrapped.

        Args:
            rank: adapter rank (uniform mode).
            alpha: scaling factor (uniform mode).
            target: regex over layer paths such as `layers.0` (uniform mode).
            wrapper: an adapter class or a list tried in order (default
                `(LoRALinear, LoRAConv)`).
            specs: per-target dicts with `target`, `rank`, `alpha`, optional `wrapper`;
                the first matching spec wins.

        Returns:
            self, for chaining.

        Example:
            >>> import jax, jno_lab as jno
            >>> net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=8, depth=2, key=jax.random.PRNGKey(0)))
            >>> type(net.lora(rank=2, alpha=4.0, target="layers.1").module.layers[1]).__name__
            'LoRALinear'
        """
        from .lora import make_specs

        chosen = make_specs(self.describe(), rank, alpha, target, wrapper, specs)
        freeze_rest = self._frozen or bool(self._lora and self._lora[1])
        self._lora = (chosen, freeze_rest, _mask)
        self._frozen = False  # lora() takes priority over freeze(): the adapters train
        self._drop_adapters()
        self._add_adapters()
        return self

    def _add_adapters(self) -> None:
        from .lora import adapter_flags, wrap_layers

        assert self._lora is not None
        chosen, freeze_rest, mask = self._lora
        key = jax.random.fold_in(default_key(), self.optimizer_generation)
        self.module = wrap_layers(self.describe(), self.module, chosen, mask, key)
        base, factor = adapter_flags(self.module)
        self._lora_flags = tuple(not f for f in factor) if freeze_rest else base
        self.optimizer_generation += 1  # fresh optimizer states for fresh adapters

    def _drop_adapters(self) -> None:
        """Merge the adapters into their layers (what `solve()` does when it ends)."""
        from .lora import has_adapters, merge_all

        if has_adapters(self.module):
            self.module = merge_all(self.module)
            self.optimizer_generation += 1
        self._lora_flags = None

    def _clear_lora(self) -> None:
        """Stop using LoRA (adapters merged)."""
        self._drop_adapters()
        self._lora = None

    def before_solve(self) -> None:
        """Called by `solve()` first: adds fresh adapters when LoRA is on and they were merged."""
        from .lora import has_adapters

        if self._lora is not None and not has_adapters(self.module):
            self._add_adapters()

    def after_solve(self) -> None:
        """Called by `solve()` last: merges the LoRA adapters into the base weights."""
        if self._lora is not None:
            self._drop_adapters()

    def extra_frozen_flags(self) -> list[tuple[bool, ...]]:
        """Leaves kept fixed by LoRA (the base weights, or all but the adapters)."""
        return [] if self._lora_flags is None else [self._lora_flags]

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

    def constrain(self, transform: Any) -> Model:
        """Constrain only the selected leaves (see `Model.constrain`); returns the model."""
        self._need_mask("constrain(...)")
        return self.model.constrain(transform, _mask=self.mask_tree)

    def lora(self, rank: int = 4, alpha: float = 1.0, **kwargs: Any) -> Model:
        """Add adapters only to layers with a selected leaf (see `Model.lora`)."""
        self._need_mask("lora(...)")
        return self.model.lora(rank, alpha, _mask=self.mask_tree, **kwargs)
