"""Networks and optimizers for the importer: a wrapped module -> a network node's settings.

The settings of the built-in architectures are read off the module's arrays
(layer shapes, the activation function). The initial-weight seed is found by
rebuilding the network with candidate seeds and comparing the weights; a
trained network no longer matches any seed, so it gets seed 0 (the document
describes the problem, not trained weights) and the importer says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import equinox as eqx
import jax
import numpy as np
import optax

from .._dlrs import DynamicLearningRate
from .._nn.architectures import FNO, MLP, DeepONet, FourierMLP, ModifiedMLP
from .._nn.architectures import deeponet as make_deeponet
from .._nn.architectures import fno as make_fno
from .._nn.architectures import fourier_mlp as make_fourier_mlp
from .._nn.architectures import mlp as make_mlp
from .._nn.architectures import modified_mlp as make_modified_mlp
from .._nn.architectures._common import ACTIVATIONS as _ACTIVATION_FUNCTIONS
from .._schedules import LearningRateSchedule
from .._trainable import _FACTORY_RESULTS
from .catalogue.nodes_networks import ACTIVATIONS

OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop", "lion", "adabelief")
"""Optimizers a training phase can name (the document schema's list)."""

SEED_CANDIDATES = 32
"""Seeds 0..SEED_CANDIDATES-1 are tried (after the solver's and the global seed)."""


class NotImportable(ValueError):
    """Part of a `jno.core` has no workbench node type (raised by `to_document`)."""


def clean_float(value: Any) -> float:
    """A float32 number as the shortest decimal that gives the same float32 back.

    Example:
        >>> clean_float(np.float32(0.1))
        0.1
    """
    arr = np.asarray(value)
    if arr.dtype == np.float32:
        return float(str(np.float32(arr.item())))
    return float(arr.item())


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
        if len(set(modes)) != 1 or len(modes) > 2:
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


# -- optimizers ---------------------------------------------------------------------------
def _schedule(scale: LearningRateSchedule | DynamicLearningRate | None) -> Any:
    """A learning-rate schedule as a document learning rate (None when it is custom)."""

    def num(v: np.ndarray) -> Any:
        out = clean_float(v)
        return int(out) if out.is_integer() and abs(out) >= 1 else out

    if isinstance(scale, DynamicLearningRate):
        numbers = {k: num(np.asarray(v)) for k, v in scale.params.items()}
        return {"kind": "dlrs", "window": scale.window, **numbers}
    if scale is None or scale.kind == "custom":
        return None
    values = {k: np.asarray(v) for k, v in scale.params.items()}

    clamps = {k: num(values.pop(k)) for k in ("min_lr", "max_lr") if k in values}
    if scale.kind == "constant" and not clamps:
        return num(values["lr0"])
    if scale.kind == "constant":
        return {"kind": "constant", "lr": num(values["lr0"]), **clamps}
    args: dict[str, Any] = {}
    for k, v in values.items():
        args[k] = [num(x) for x in v.ravel()] if v.ndim else num(v)
    return {"kind": scale.kind, **args, **clamps}


def _factory_name(transform: Any) -> str | None:
    for name in OPTIMIZERS:
        factory = getattr(optax, name)
        if _FACTORY_RESULTS.get(factory) is transform:
            return name
    return None


def _updates(transform: Any, steps: int = 3) -> list[np.ndarray]:
    params = jax.numpy.asarray([0.5, -1.0, 2.0, 0.25])
    grads = [
        jax.numpy.asarray([0.3, -0.2, 0.05, 1.0]),
        jax.numpy.asarray([-0.1, 0.4, 0.2, -0.7]),
        jax.numpy.asarray([0.25, 0.1, -0.6, 0.3]),
    ][:steps]
    state = transform.init(params)
    out = []
    for g in grads:
        updates, state = transform.update(g, state, params)
        out.append(np.asarray(updates, dtype=np.float64))
        params = optax.apply_updates(params, updates)
    return out


def _probe(transform: Any) -> tuple[str, float] | None:
    """Name and learning rate of a ready optax transformation, found by its updates."""
    try:
        seen = _updates(transform)
    except Exception:  # a transformation that cannot run on a flat vector: not identified
        return None
    for name in OPTIMIZERS:
        reference = _updates(getattr(optax, name)(1.0))
        denom = reference[0]
        pick = np.argmax(np.abs(denom))
        if denom[pick] == 0:
            continue
        lr = float(f"{seen[0][pick] / denom[pick]:.6g}")
        if lr > 0 and all(
            np.allclose(s, lr * r, rtol=1e-4, atol=1e-9)
            for s, r in zip(seen, reference, strict=True)
        ):
            return name, lr
    return None


def optimizer_phase(trainables: list[Any], notes: list[str]) -> dict[str, Any]:
    """One training phase from the optimizers attached to the trainables.

    The first trainable with an identifiable optimizer decides (the workbench
    trains every trainable with the phase's optimizer); otherwise adam at 1e-3.
    """
    phase: dict[str, Any] = {"optimizer": "adam", "learning_rate": 1e-3, "epochs": 1000}
    found: list[tuple[str, Any]] = []
    for t in trainables:
        if t.frozen:
            notes.append(f"{t.describe()!r} is frozen; the document trains it")
        transform = t.transform
        if transform is None:
            continue
        name = _factory_name(transform)
        lr: Any = None
        if name is not None:
            lr = _schedule(t.lr_scale)
            if lr is None:
                name = None
        elif t.lr_scale is None or (
            isinstance(t.lr_scale, LearningRateSchedule)
            and t.lr_scale.kind == "constant"
            and float(t.lr_scale.params["lr0"]) == 1.0
        ):
            probed = _probe(transform)
            if probed is not None:
                name, lr = probed
        elif isinstance(t.lr_scale, DynamicLearningRate):  # optimizer(opt(1)).scale(dlrs)
            probed = _probe(transform)
            if probed is not None and probed[1] == 1:
                name, lr = probed[0], _schedule(t.lr_scale)
        if name is None:
            notes.append(
                f"the optimizer of {t.describe()!r} was not recognised; the document uses "
                "adam with learning rate 1e-3"
            )
            continue
        found.append((name, lr))
    if found:
        phase["optimizer"], phase["learning_rate"] = found[0]
        if any(f != found[0] for f in found[1:]):
            notes.append(
                "the trainables have different optimizers; the document trains all of them with "
                f"{found[0][0]} (the workbench has one optimizer per phase)"
            )
    return phase
