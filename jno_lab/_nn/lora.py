"""LoRA adapters: low-rank updates `W + (alpha / rank) * B @ A` of linear and conv layers.

`Model.lora(...)` replaces the chosen layers by adapters; only `A` and `B` train
(the wrapped layer's own weights stay bit-identical), and after `solve()` every
adapter is merged back into a plain layer. `B` starts at zero, so wrapping
changes nothing until training moves it.

A custom adapter subclasses `LoRAWrapper` and implements `accepts`, `wrap`,
`__call__` and `delta`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp


class LoRAWrapper(eqx.Module):
    """Base class of adapters: a frozen `base` layer plus trainable low-rank factors."""

    base: Any
    a: jax.Array
    b: jax.Array
    scale: float = eqx.field(static=True)

    @classmethod
    def accepts(cls, layer: Any) -> bool:
        """True when this adapter can wrap `layer`."""
        raise NotImplementedError

    @classmethod
    def wrap(cls, layer: Any, rank: int, alpha: float, key: jax.Array) -> LoRAWrapper:
        """The adapter around `layer` (its update starts at zero)."""
        raise NotImplementedError

    def delta(self) -> jax.Array:
        """The weight update `scale * B @ A`, in the shape of `base.weight`."""
        update = self.scale * (self.b @ self.a)
        return update.reshape(self.base.weight.shape).astype(self.base.weight.dtype)

    @property
    def weight(self) -> jax.Array:
        """The effective weight `base.weight + delta()` (for code that reads layer weights)."""
        return self.base.weight + self.delta()

    @property
    def bias(self) -> Any:
        return getattr(self.base, "bias", None)

    def merge(self) -> Any:
        """The base layer with the update added to its weight."""
        return eqx.tree_at(lambda layer: layer.weight, self.base, self.base.weight + self.delta())


def _factors(
    out_dim: int, in_dim: int, rank: int, key: jax.Array, dtype: Any
) -> tuple[jax.Array, jax.Array]:
    a = jax.random.normal(key, (rank, in_dim), dtype) / jnp.sqrt(jnp.asarray(in_dim, dtype))
    return a, jnp.zeros((out_dim, rank), dtype)


class LoRALinear(LoRAWrapper):
    """Adapter of `eqx.nn.Linear`: `y = base(x) + scale * B @ (A @ x)`.

    Example:
        >>> import jax, equinox as eqx
        >>> layer = eqx.nn.Linear(3, 2, key=jax.random.PRNGKey(0))
        >>> adapter = LoRALinear.wrap(layer, rank=1, alpha=1.0, key=jax.random.PRNGKey(1))
        >>> bool((adapter(jax.numpy.ones(3)) == layer(jax.numpy.ones(3))).all())
        True
    """

    @classmethod
    def accepts(cls, layer: Any) -> bool:
        return isinstance(layer, eqx.nn.Linear)

    @classmethod
    def wrap(cls, layer: Any, rank: int, alpha: float, key: jax.Array) -> LoRALinear:
        out_dim, in_dim = layer.weight.shape
        a, b = _factors(out_dim, in_dim, rank, key, layer.weight.dtype)
        return cls(layer, a, b, float(alpha) / rank)

    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array:
        y = self.base(x)
        return y + (self.scale * (self.b @ (self.a @ x.reshape(-1)))).reshape(y.shape)


class LoRAConv(LoRAWrapper):
    """Adapter of `eqx.nn.Conv` (any number of dimensions): the kernel gets `B @ A`, reshaped.

    Example:
        >>> import jax, equinox as eqx
        >>> conv = eqx.nn.Conv1d(2, 3, kernel_size=3, key=jax.random.PRNGKey(0))
        >>> adapter = LoRAConv.wrap(conv, rank=2, alpha=1.0, key=jax.random.PRNGKey(1))
        >>> adapter.a.shape, adapter.b.shape
        ((2, 6), (3, 2))
    """

    @classmethod
    def accepts(cls, layer: Any) -> bool:
        return isinstance(layer, eqx.nn.Conv)

    @classmethod
    def wrap(cls, layer: Any, rank: int, alpha: float, key: jax.Array) -> LoRAConv:
        out_dim = layer.weight.shape[0]
        in_dim = int(layer.weight.size // out_dim)
        a, b = _factors(out_dim, in_dim, rank, key, layer.weight.dtype)
        return cls(layer, a, b, float(alpha) / rank)

    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array:
        return self.merge()(x)


DEFAULT_WRAPPERS: tuple[type[LoRAWrapper], ...] = (LoRALinear, LoRAConv)


@dataclass(frozen=True)
class LoRASpec:
    """One group of layers to adapt: a path regex (None: any), rank, alpha, adapter classes."""

    target: str | None
    rank: int
    alpha: float
    wrappers: tuple[type[LoRAWrapper], ...]


def make_specs(
    who: str,
    rank: Any,
    alpha: Any,
    target: Any,
    wrapper: Any,
    specs: Any,
) -> tuple[LoRASpec, ...]:
    """Validated `LoRASpec`s from `Model.lora`'s arguments (uniform or per-target)."""
    if specs is None:
        return (_spec(who, {"target": target, "rank": rank, "alpha": alpha, "wrapper": wrapper}),)
    if target is not None or wrapper is not None:
        raise ValueError(
            f"{who}.lora: give either specs=[...] or target=/wrapper=, not both (put target "
            "and wrapper into each spec dict)"
        )
    if not isinstance(specs, list | tuple) or not specs:
        raise ValueError(
            f"{who}.lora(specs=...) takes a non-empty list of dicts, e.g. "
            'specs=[{"target": "layers", "rank": 4, "alpha": 1.0}]'
        )
    return tuple(_spec(who, s) for s in specs)


def _spec(who: str, spec: Any) -> LoRASpec:
    if not isinstance(spec, dict):
        raise ValueError(f"{who}.lora(specs=...): each spec is a dict, got {spec!r}")
    unknown = set(spec) - {"target", "rank", "alpha", "wrapper"}
    if unknown:
        raise ValueError(
            f"{who}.lora: unknown spec keys {sorted(unknown)}; use target, rank, alpha, wrapper"
        )
    rank = spec.get("rank", 4)
    alpha = spec.get("alpha", 1.0)
    target = spec.get("target")
    if not isinstance(rank, int) or isinstance(rank, bool) or rank < 1:
        raise ValueError(f"{who}.lora(rank=...) must be a positive integer, got {rank!r}")
    if not isinstance(alpha, int | float) or isinstance(alpha, bool):
        raise ValueError(f"{who}.lora(alpha=...) must be a number, got {alpha!r}")
    if target is not None:
        if not isinstance(target, str):
            raise ValueError(f"{who}.lora(target=...) must be a regex string, got {target!r}")
        try:
            re.compile(target)
        except re.error as err:
            raise ValueError(f"{who}.lora(target={target!r}) is not a valid regex: {err}") from None
    wrapper = spec.get("wrapper")
    if wrapper is None:
        wrappers = DEFAULT_WRAPPERS
    elif isinstance(wrapper, type):
        wrappers = (wrapper,)
    else:
        wrappers = tuple(wrapper)
    for w in wrappers:
        if not (isinstance(w, type) and issubclass(w, LoRAWrapper)):
            raise ValueError(
                f"{who}.lora(wrapper=...) takes LoRAWrapper subclasses (LoRALinear, LoRAConv "
                f"or your own), got {w!r}"
            )
    return LoRASpec(target, rank, float(alpha), wrappers)


def path_name(path: Sequence[Any]) -> str:
    """A pytree path as dotted text: `layers.0.weight`."""
    parts = []
    for entry in path:
        for attr in ("name", "key", "idx"):
            if hasattr(entry, attr):
                parts.append(str(getattr(entry, attr)))
                break
    return ".".join(parts)


def _is_layer(node: Any) -> bool:
    return isinstance(node, eqx.Module) and any(w.accepts(node) for w in _known_wrappers())


_REGISTERED: list[type[LoRAWrapper]] = list(DEFAULT_WRAPPERS)


def _known_wrappers() -> list[type[LoRAWrapper]]:
    return _REGISTERED


def _stop(node: Any) -> bool:
    """Where the layer search stops: adapters (never wrapped twice) and wrappable layers."""
    return isinstance(node, LoRAWrapper) or _is_layer(node)


def wrap_layers(
    who: str,
    module: Any,
    specs: tuple[LoRASpec, ...],
    selected: Any,
    key: jax.Array,
) -> Any:
    """`module` with every layer matched by a spec (and `selected`, when given) wrapped.

    `selected` is a mask tree of `module` (`Model.mask(m).lora(...)`) or None.
    """
    for spec in specs:
        for w in spec.wrappers:
            if w not in _REGISTERED:
                _REGISTERED.append(w)
    chosen: dict[str, bool] = {}
    if selected is not None:
        mask_layers = jax.tree_util.tree_flatten_with_path(selected, is_leaf=_stop)[0]
        for path, node in mask_layers:
            chosen[path_name(path)] = any(bool(f) for f in jax.tree_util.tree_leaves(node))
    count = [0]

    def replace(path: Any, node: Any) -> Any:
        if isinstance(node, LoRAWrapper) or not _is_layer(node):
            return node
        name = path_name(path)
        if selected is not None and not chosen.get(name, False):
            return node
        for spec in specs:
            if spec.target is not None and re.search(spec.target, name) is None:
                continue
            for w in spec.wrappers:
                if w.accepts(node):
                    count[0] += 1
                    return w.wrap(node, spec.rank, spec.alpha, jax.random.fold_in(key, count[0]))
            return node  # the first matching spec decides
        return node

    out = jax.tree_util.tree_map_with_path(replace, module, is_leaf=_stop)
    if count[0] == 0:
        raise ValueError(
            f"{who}.lora: no layer was wrapped: no linear or conv layer matches the target/"
            "mask; check target= against the layer paths (e.g. 'layers.0') or pass "
            "wrapper= an adapter for your layer type"
        )
    return out


def _is_wrapper(node: Any) -> bool:
    return isinstance(node, LoRAWrapper)


def has_adapters(module: Any) -> bool:
    """True when `module` holds at least one adapter."""
    return any(_is_wrapper(n) for n in jax.tree_util.tree_leaves(module, is_leaf=_is_wrapper))


def merge_all(module: Any) -> Any:
    """`module` with every adapter merged into its base layer."""
    return jax.tree_util.tree_map(
        lambda n: n.merge() if _is_wrapper(n) else n, module, is_leaf=_is_wrapper
    )


def adapter_flags(module: Any) -> tuple[tuple[bool, ...], tuple[bool, ...]]:
    """Per inexact-array leaf of `module`: (is a base leaf of an adapter, is an adapter factor)."""
    base, factor = [], []

    def visit(node: Any) -> None:
        if _is_wrapper(node):
            n_base = len(
                [x for x in jax.tree_util.tree_leaves(node.base) if eqx.is_inexact_array(x)]
            )
            base.extend([True] * n_base + [False, False])
            factor.extend([False] * n_base + [True, True])
        elif eqx.is_inexact_array(node):
            base.append(False)
            factor.append(False)

    for node in jax.tree_util.tree_leaves(module, is_leaf=_is_wrapper):
        visit(node)
    return tuple(base), tuple(factor)
