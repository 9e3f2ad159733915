"""Networks without provenance for the importer: a wrapped module -> a network node's settings.

A network built by a `jno.nn` factory is recognised by its recorded call (see
`catalogue.network_provenance`). One assembled otherwise (e.g. a copy made by
a tree operation) falls back to this: the settings of the built-in
architectures are read off the module's arrays (layer shapes, the activation
function), and the initial-weight seed is found by rebuilding the network with
candidate seeds and comparing the weights; a trained network no longer matches
any seed, so it gets seed 0 (the document describes the problem, not trained
weights) and the importer says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import equinox as eqx
import jax
import numpy as np

from ..introspect import ACTIVATIONS as _ACTIVATION_FUNCTIONS
from ..introspect import FNO, MLP, DeepONet, FourierMLP, ModifiedMLP
from ..nn import deeponet as make_deeponet
from ..nn import fno as make_fno
from ..nn import fourier_mlp as make_fourier_mlp
from ..nn import mlp as make_mlp
from ..nn import modified_mlp as make_modified_mlp
from .catalogue.matching import NotImportable, clean_float
from .catalogue.nodes_networks import ACTIVATIONS

SEED_CANDIDATES = 32
"""Seeds 0..SEED_CANDIDATES-1 are tried (after the solver's and the global seed)."""


# -- networks -----------------------------------------------------------------------------
def _activation_name(fn: Any, owner: str) -> str:
    for name in ACTIVATIONS:
        if _ACTIVATION_FUNCTIONS.get(name) is fn:
            return name
    raise NotImportable(
        f"network {owner!r}: its activation {getattr(fn, '__name__', fn)!r} is not one of the "
        f"workbench's ({', '.join(ACTIVATIONS)}); build it with activation=<one of these names>"
    )


def _mlp_shape(net: MLP, owner: str) -> dict[str, Any]:
    widths = [layer.weight.shape[0] for layer in net.layers[:-1]]
    if len(set(widths)) > 1:
        raise NotImportable(
            f"network {owner!r}: hidden layers of different widths {widths}; the workbench MLP "
            "has one width (hidden) for every hidden layer"
        )
    if _ACTIVATION_FUNCTIONS["identity"] is not net.final_activation:
        raise NotImportable(
            f"network {owner!r}: a final_activation has no workbench setting; leave it out"
        )
    return {
        "in_size": int(net.in_size),
        "out_size": int(net.out_size),
        "hidden": int(widths[0]) if widths else 64,
        "depth": len(widths),
        "activation": _activation_name(net.activation, owner),
    }


def _leaves(tree: Any) -> list[np.ndarray]:
    return [np.asarray(x) for x in jax.tree_util.tree_leaves(eqx.filter(tree, eqx.is_array))]


def _same(a: Any, b: Any) -> bool:
    la, lb = _leaves(a), _leaves(b)
    return len(la) == len(lb) and all(
        x.shape == y.shape and np.array_equal(x, y) for x, y in zip(la, lb, strict=True)
    )


def _find_seed(
    seeds: Iterable[int], build: Callable[[jax.Array], Any], part: Callable[[Any], Any]
) -> int | None:
    """The first seed whose rebuilt network matches `part` of the module (None: none does)."""
    target = part(None)
    for seed in seeds:
        try:
            candidate = build(jax.random.PRNGKey(seed))
        except (ValueError, TypeError):
            return None
        if _same(part(candidate), target):
            return seed
    return None


def network_node(model: Any, seeds: list[int], notes: list[str]) -> tuple[str, dict[str, Any]]:
    """The node type and parameters of a wrapped built-in network.

    Args:
        model: a `jno.nn.wrap(...)` Model.
        seeds: seeds to try first (the solver's and the global seed).
        notes: where to record what the document cannot carry (trained weights).

    Raises:
        NotImportable: for a module that is not a workbench architecture, or
            settings the node cannot express.
    """
    module = getattr(model, "module", None)
    owner = model.describe()
    candidates = list(dict.fromkeys([*seeds, *range(SEED_CANDIDATES)]))
    kind: str
    params: dict[str, Any]
    if isinstance(module, MLP):
        kind, params = "mlp", _mlp_shape(module, owner)

        def build(key: jax.Array) -> Any:
            return make_mlp(
                params["in_size"],
                params["out_size"],
                params["hidden"],
                params["depth"],
                params["activation"],
                key=key,
            )

        seed = _find_seed(candidates, build, lambda m: module if m is None else m)
    elif isinstance(module, FourierMLP):
        inner = _mlp_shape(module.mlp, owner)
        n_features, in_size = (int(s) for s in module.B.shape)
        kind = "fourier_mlp"
        params = {
            **inner,
            "in_size": in_size,
            "n_features": n_features,
            "sigma": _estimate_sigma(module.B),
        }
        seed, sigma = _fourier_seed(module, params, candidates)
        if sigma is not None:
            params["sigma"] = sigma
        else:
            notes.append(
                f"the Fourier features of {owner!r} match no seed tried: sigma "
                f"{params['sigma']} is estimated from the spread of its frequencies"
            )
    elif isinstance(module, ModifiedMLP):
        kind = "modified_mlp"
        params = {
            "in_size": int(module.in_size),
            "out_size": int(module.out_size),
            "hidden": int(module.encoder_u.weight.shape[0]),
            "depth": len(module.layers),
            "activation": _activation_name(module.activation, owner),
        }

        def build(key: jax.Array) -> Any:
            return make_modified_mlp(
                params["in_size"],
                params["out_size"],
                params["hidden"],
                params["depth"],
                params["activation"],
                key=key,
            )

        seed = _find_seed(candidates, build, lambda m: module if m is None else m)
    elif isinstance(module, DeepONet):
        branch = _mlp_shape(module.branch, f"{owner} (branch)")
        if branch["depth"] < 1:
            raise NotImportable(f"network {owner!r}: a DeepONet needs depth >= 1 in the workbench")
        trunk = module.trunk
        if trunk.final_activation is not module.trunk.activation:
            raise NotImportable(f"network {owner!r}: the trunk is not the one deeponet() builds")
        kind = "deeponet"
        params = {
            "n_sensors": int(module.n_sensors),
            "coord_dim": int(module.coord_dim),
            "out_size": int(module.out_size),
            "latent": int(module.latent),
            "hidden": branch["hidden"],
            "depth": branch["depth"],
            "activation": branch["activation"],
        }

        def build(key: jax.Array) -> Any:
            return make_deeponet(
                params["n_sensors"],
                params["coord_dim"],
                params["out_size"],
                params["latent"],
                params["hidden"],
                params["depth"],
                params["activation"],
                key=key,
            )

        seed = _find_seed(candidates, build, lambda m: module if m is None else m)
    elif isinstance(module, FNO):
        modes = tuple(int(m) for m in module.modes)
        width = int(module.lift.weight.shape[0])
        if len(modes) not in (1, 2) or len(set(modes)) != 1:
            raise NotImportable(
                f"network {owner!r}: FNO modes {modes}; the workbench FNO keeps the same number "
                "of modes on each of 1 or 2 grid axes"
            )
        if int(module.projection[0].weight.shape[0]) != 4 * width:
            raise NotImportable(
                f"network {owner!r}: projection_hidden is not 4 * width, the workbench's setting"
            )
        kind = "fno"
        params = {
            "in_channels": int(module.in_channels),
            "out_channels": int(module.out_channels),
            "modes": modes[0],
            "width": width,
            "n_layers": len(module.spectral),
            "n_dims": len(modes),
        }

        def build(key: jax.Array) -> Any:
            return make_fno(
                params["in_channels"],
                params["out_channels"],
                modes=params["modes"],
                width=params["width"],
                n_layers=params["n_layers"],
                n_dims=params["n_dims"],
                key=key,
            )

        seed = _find_seed(candidates, build, lambda m: module if m is None else m)
    else:
        raise NotImportable(
            f"network {owner!r} is a {type(module).__name__}, which has no workbench node type; "
            "the workbench builds MLP, FourierMLP, ModifiedMLP, DeepONet and FNO "
            "(jno.nn.mlp, fourier_mlp, modified_mlp, deeponet, fno)"
        )
    if seed is None:
        notes.append(
            f"the weights of network {owner!r} are not carried (trained, or not from one of the "
            f"seeds tried): the document starts it from seed 0"
        )
        seed = 0
    params["seed"] = int(seed)
    return kind, params


def _estimate_sigma(B: Any) -> float:
    std = float(np.std(np.asarray(B)))
    return float(f"{std:.3g}") if std > 0 else 1.0


def _fourier_seed(
    module: FourierMLP, params: dict[str, Any], seeds: list[int]
) -> tuple[int | None, float | None]:
    """Seed and sigma of a Fourier MLP from its (untrained) frequency matrix B."""
    B = np.asarray(module.B)
    for seed in seeds:
        b_key, _ = jax.random.split(jax.random.PRNGKey(seed))
        z = np.asarray(jax.random.normal(b_key, B.shape))
        mask = np.abs(z) > 1e-3
        if not mask.any():
            continue
        ratio = B[mask] / z[mask]
        sigma = clean_float(np.float32(np.median(ratio)))
        if not sigma > 0:
            continue
        rebuilt = make_fourier_mlp(
            params["in_size"],
            params["out_size"],
            params["hidden"],
            params["depth"],
            params["n_features"],
            sigma,
            params["activation"],
            key=jax.random.PRNGKey(seed),
        )
        if np.array_equal(np.asarray(rebuilt.B), B):
            return seed, sigma
    return None, None
