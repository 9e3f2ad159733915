"""Networks in saved solvers: the engine's factory and its arguments, plus the array leaves.

A network built by one of the engine's factories (`jno.nn.mlp`, `fourier_mlp`,
`modified_mlp`, `deeponet`, `fno`) is recorded as the factory's name and JSON
arguments read off the module. The reader checks both against the table below,
builds the structure abstractly (`eqx.filter_eval_shape`, no weights drawn) and
puts the saved arrays into it. A module that no factory rebuilds exactly (a
user's class, a custom activation function, a constrained layer) is code, not
data: it is recorded by its model name, and the reader takes it from the user
(`jno.core.load(path, models={name: module})`).

Example:
    >>> import jax, jno_lab as jno
    >>> net = jno.nn.mlp(2, 1, hidden=8, depth=2, activation="sin", key=jax.random.PRNGKey(0))
    >>> recipe = network_recipe(net)
    >>> recipe["factory"], recipe["args"]["hidden_dims"], recipe["args"]["activation"]
    ('mlp', [8, 8], 'sin')
    >>> skeleton = build_skeleton(recipe, leaf_count=6)
    >>> jax.tree_util.tree_structure(skeleton) == jax.tree_util.tree_structure(net)
    True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._nn.architectures import (
    FNO,
    MLP,
    DeepONet,
    FourierMLP,
    ModifiedMLP,
    deeponet,
    fno,
    fourier_mlp,
    mlp,
    modified_mlp,
)
from .._nn.architectures._common import ACTIVATIONS
from .archive import Bad, as_dict, as_float, as_int, as_list, as_str

MAX_SIZE = 2**31 - 1
"""Largest size argument a saved factory call may hold."""


def _activation(fn: Any) -> str | None:
    """The name under which the engine knows activation `fn` (None: a user's function)."""
    for name, known in ACTIVATIONS.items():
        if known is fn:
            return name
    return None


def _uniform(widths: list[int]) -> int | None:
    return widths[0] if widths and len(set(widths)) == 1 else None


def _mlp_args(net: MLP) -> dict[str, Any] | None:
    widths = [int(layer.weight.shape[0]) for layer in net.layers[:-1]]
    act, final = _activation(net.activation), _activation(net.final_activation)
    if act is None or final is None:
        return None
    return {
        "in_size": int(net.in_size),
        "out_size": int(net.out_size),
        "hidden_dims": widths,
        "depth": len(widths),
        "activation": act,
        "final_activation": final,
    }


def _fourier_args(net: FourierMLP) -> dict[str, Any] | None:
    inner = _mlp_args(net.mlp)
    hidden = _uniform(inner["hidden_dims"]) if inner else None
    if inner is None or hidden is None:
        return None
    n_features, in_size = (int(s) for s in net.B.shape)
    return {
        "in_size": in_size,
        "out_size": inner["out_size"],
        "hidden": hidden,
        "depth": inner["depth"],
        "n_features": n_features,
        "activation": inner["activation"],
    }


def _modified_args(net: ModifiedMLP) -> dict[str, Any] | None:
    act = _activation(net.activation)
    if act is None:
        return None
    return {
        "in_size": int(net.in_size),
        "out_size": int(net.out_size),
        "hidden": int(net.encoder_u.weight.shape[0]),
        "depth": len(net.layers),
        "activation": act,
    }


def _deeponet_args(net: DeepONet) -> dict[str, Any] | None:
    branch = _mlp_args(net.branch)
    hidden = _uniform(branch["hidden_dims"]) if branch else None
    if branch is None or hidden is None:
        return None
    return {
        "n_sensors": int(net.n_sensors),
        "coord_dim": int(net.coord_dim),
        "out_size": int(net.out_size),
        "latent": int(net.latent),
        "hidden": hidden,
        "depth": branch["depth"],
        "activation": branch["activation"],
    }


def _fno_args(net: FNO) -> dict[str, Any] | None:
    modes = [int(m) for m in net.modes]
    return {
        "in_channels": int(net.in_channels),
        "out_channels": int(net.out_channels),
        "modes": modes,
        "width": int(net.lift.weight.shape[0]),
        "n_layers": len(net.spectral),
        "n_dims": len(modes),
        "projection_hidden": int(net.projection[0].weight.shape[0]),
    }


# argument kinds: "size" (positive int), "count" (non-negative int, at most the number of
# leaves), "sizes" (a list of positive ints, at most that many), "activation" (a name)
_SIZE, _COUNT, _SIZES, _ACT = "size", "count", "sizes", "activation"

FACTORIES: dict[str, tuple[type, Callable[..., Any], Callable[[Any], Any], dict[str, str]]] = {
    "mlp": (
        MLP,
        mlp,
        _mlp_args,
        {
            "in_size": _SIZE,
            "out_size": _SIZE,
            "hidden_dims": _SIZES,
            "depth": _COUNT,
            "activation": _ACT,
            "final_activation": _ACT,
        },
    ),
    "fourier_mlp": (
        FourierMLP,
        fourier_mlp,
        _fourier_args,
        {
            "in_size": _SIZE,
            "out_size": _SIZE,
            "hidden": _SIZE,
            "depth": _COUNT,
            "n_features": _SIZE,
            "activation": _ACT,
        },
    ),
    "modified_mlp": (
        ModifiedMLP,
        modified_mlp,
        _modified_args,
        {"in_size": _SIZE, "out_size": _SIZE, "hidden": _SIZE, "depth": _COUNT, "activation": _ACT},
    ),
    "deeponet": (
        DeepONet,
        deeponet,
        _deeponet_args,
        {
            "n_sensors": _SIZE,
            "coord_dim": _SIZE,
            "out_size": _SIZE,
            "latent": _SIZE,
            "hidden": _SIZE,
            "depth": _COUNT,
            "activation": _ACT,
        },
    ),
    "fno": (
        FNO,
        fno,
        _fno_args,
        {
            "in_channels": _SIZE,
            "out_channels": _SIZE,
            "modes": _SIZES,
            "width": _SIZE,
            "n_layers": _COUNT,
            "n_dims": _COUNT,
            "projection_hidden": _SIZE,
        },
    ),
}
"""Factory name -> (module class, factory, argument reader, argument kinds)."""


def is_param(leaf: Any) -> bool:
    """A trained leaf: a floating array, or its abstract stand-in in a skeleton."""
    if isinstance(leaf, jax.ShapeDtypeStruct):
        return bool(jnp.issubdtype(leaf.dtype, jnp.inexact))
    return bool(eqx.is_inexact_array(leaf))


def _same_structure(skeleton: Any, module: Any) -> bool:
    """Whether `skeleton` is `module`'s structure: same tree, shapes and static parts."""
    if jax.tree_util.tree_structure(skeleton) != jax.tree_util.tree_structure(module):
        return False
    for abstract, leaf in zip(
        jax.tree_util.tree_leaves(skeleton), jax.tree_util.tree_leaves(module), strict=True
    ):
        abstract_array = isinstance(abstract, jax.ShapeDtypeStruct)
        if eqx.is_inexact_array(leaf):
            same = abstract_array and abstract.shape == leaf.shape
        else:
            same = not abstract_array and not eqx.is_array(leaf) and _equal(abstract, leaf)
        if not same:
            return False
    return True


def _equal(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return bool(a == b)
    except Exception:  # objects without a plain equality
        return False


def network_recipe(module: Any) -> dict[str, Any] | None:
    """`{"factory": name, "args": {...}}` when an engine factory rebuilds `module` exactly.

    None for anything else (user classes, custom activations, constrained layers).
    """
    for name, (cls, _, read_args, _) in FACTORIES.items():
        if type(module) is not cls:
            continue
        try:
            args = read_args(module)
        except (AttributeError, TypeError, ValueError, IndexError):  # e.g. constrained layers
            return None
        if args is None:
            return None
        recipe = {"factory": name, "args": args}
        leaf_count = sum(1 for leaf in jax.tree_util.tree_leaves(module) if is_param(leaf))
        try:
            skeleton = build_skeleton(recipe, leaf_count)
        except Bad:
            return None
        return recipe if _same_structure(skeleton, module) else None
    return None


def _check_args(name: str, args: Any, kinds: dict[str, str], leaf_count: int) -> dict[str, Any]:
    where = f"factory {name!r}"
    args = as_dict(args, f"{where} arguments")
    unknown = sorted(set(args) - set(kinds))
    if unknown:
        raise Bad(f"{where}: unknown arguments {unknown}; it takes {sorted(kinds)}")
    out: dict[str, Any] = {}
    for key, value in args.items():
        kind, at = kinds[key], f"{where} argument {key!r}"
        if kind == _SIZE:
            out[key] = as_int(value, at, 1, MAX_SIZE)
        elif kind == _COUNT:
            out[key] = as_int(value, at, 0, max(leaf_count, 1))
        elif kind == _SIZES:
            items = as_list(value, at)
            if len(items) > max(leaf_count, 1):
                raise Bad(f"{at}: {len(items)} entries for {leaf_count} saved arrays")
            out[key] = [as_int(v, at, 1, MAX_SIZE) for v in items]
        elif kind == _ACT:
            text = as_str(value, at)
            if text not in ACTIVATIONS:
                raise Bad(f"{at}: {text!r} is not one of {', '.join(ACTIVATIONS)}")
            out[key] = text
        else:  # pragma: no cover - the table only uses the kinds above
            out[key] = as_float(value, at)
    if "modes" in out:
        out["modes"] = tuple(out["modes"])
    return out


def build_skeleton(recipe: Any, leaf_count: int) -> Any:
    """The abstract module (arrays as `jax.ShapeDtypeStruct`) a recipe describes.

    Raises:
        archive.Bad: for an unknown factory, arguments it does not take, or values
            it rejects.
    """
    recipe = as_dict(recipe, "network")
    name = as_str(recipe.get("factory"), "network factory")
    if name not in FACTORIES:
        raise Bad(f"network factory {name!r} is not one of the engine's ({', '.join(FACTORIES)})")
    _, make, _, kinds = FACTORIES[name]
    args = _check_args(name, recipe.get("args"), kinds, leaf_count)
    try:
        return eqx.filter_eval_shape(make, **args, key=jax.random.PRNGKey(0))
    except (ValueError, TypeError) as err:
        raise Bad(f"factory {name!r} rejects the saved arguments: {err}") from None


def fill(module: Any, leaves: list[np.ndarray], who: str) -> Any:
    """`module` (a skeleton or a real module) with its trained leaves replaced by `leaves`.

    Raises:
        archive.Bad: when the number, shapes or kinds of the leaves do not fit.
    """
    params, static = eqx.partition(module, is_param)
    old, treedef = jax.tree_util.tree_flatten(params)
    want = [tuple(int(d) for d in np.shape(leaf)) for leaf in old]
    got = [tuple(leaf.shape) for leaf in leaves]
    if want != got:
        raise Bad(
            f"{who}: the saved network has {len(got)} arrays of shapes {_short(got)}, the module "
            f"has {len(want)} of shapes {_short(want)}"
        )
    for i, leaf in enumerate(leaves):
        if not jnp.issubdtype(leaf.dtype, jnp.inexact):
            raise Bad(f"{who}: saved array {i} has dtype {leaf.dtype}, not a floating type")
    new = jax.tree_util.tree_unflatten(treedef, [jnp.asarray(leaf) for leaf in leaves])
    return eqx.combine(new, static)


def _short(shapes: list[tuple[int, ...]]) -> str:
    text = str(shapes)
    return text if len(text) <= 200 else text[:197] + "..."
