"""Networks (built-in architectures) and calling them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...introspect import ModelCall, Op
from .. import emit
from .matching import Match, MatchContext, NotImportable, is_global, refuse
from .network_provenance import network_match
from .types import EmitContext, NodeType, Port, choice, integer, number, schema, string

ACTIVATIONS = ["tanh", "sin", "relu", "gelu", "silu", "softplus", "sigmoid", "elu", "identity"]


def _wrap(ctx: EmitContext, factory: str, args: list[str]) -> list[str]:
    name = emit.string(ctx.params.get("name") or ctx.node_id, "name")
    seed = emit.integer(ctx.params.get("seed", 0), "seed", 0)
    call = f"jno.nn.{factory}({', '.join(args)}, key=jax.random.PRNGKey({seed}))"
    return [f"{ctx.outputs['model']} = jno.nn.wrap({call}, name={name})"]


def _int(p: dict, key: str, minimum: int = 1) -> str:
    return emit.integer(p[key], key, minimum)


def _activation(p: dict) -> str:
    return emit.string(emit.keyword(p["activation"], ACTIVATIONS, "activation"), "activation")


def _mlp_like(factory: str, extra: tuple[tuple[str, type], ...] = ()):
    def emitter(ctx: EmitContext) -> list[str]:
        p = ctx.params
        args = [_int(p, "in_size"), _int(p, "out_size")]
        args += [f"hidden={_int(p, 'hidden')}", f"depth={_int(p, 'depth', 0)}"]
        for key, kind in extra:
            value = _int(p, key) if kind is int else emit.number(p[key], key)
            args.append(f"{key}={value}")
        args.append(f"activation={_activation(p)}")
        return _wrap(ctx, factory, args)

    return emitter


def _deeponet(ctx: EmitContext) -> list[str]:
    p = ctx.params
    args = [_int(p, "n_sensors"), _int(p, "coord_dim")]
    args += [f"out_size={_int(p, 'out_size')}", f"latent={_int(p, 'latent')}"]
    args += [f"hidden={_int(p, 'hidden')}", f"depth={_int(p, 'depth')}"]
    args.append(f"activation={_activation(p)}")
    return _wrap(ctx, "deeponet", args)


def _fno(ctx: EmitContext) -> list[str]:
    p = ctx.params
    args = [_int(p, "in_channels"), _int(p, "out_channels")]
    args += [f"modes={_int(p, 'modes')}", f"width={_int(p, 'width')}"]
    args += [f"n_layers={_int(p, 'n_layers')}", f"n_dims={_int(p, 'n_dims')}"]
    return _wrap(ctx, "fno", args)


def _call(ctx: EmitContext) -> list[str]:
    n = int(_int(ctx.params, "inputs"))
    args = [ctx.inputs[f"in{i + 1}"] for i in range(n)]
    return [f"{ctx.outputs['out']} = {ctx.inputs['model']}({', '.join(args)})"]


def _component(ctx: EmitContext) -> list[str]:
    return [f"{ctx.outputs['out']} = {ctx.inputs['value']}[..., {_int(ctx.params, 'index', 0)}]"]


def _match_call(node: Any, ctx: MatchContext) -> Match | None:
    if not isinstance(node, ModelCall):
        return None
    args = list(node.children)
    if (
        len(args) == 1
        and isinstance(args[0], Op)
        and args[0].op == "concat"
        and args[0].attr_dict.get("axis", -1) == -1
        and node.model.positional_arity() == 1
    ):
        args = list(args[0].children)  # net(concat([x, y])) is net(x, y) for one-input nets
    if len(args) > 8:
        raise refuse(node, f"a network called on {len(args)} inputs; the call node takes 8")
    inputs = {f"in{i + 1}": arg for i, arg in enumerate(args)}  # inputs first: the layout
    return Match({"inputs": len(args)}, {**inputs, "model": node.model}, name="call")


def _index(node: Op, ctx: MatchContext) -> int | None:
    """`k` for `u[..., k]` (or `u[k]` on a per-point value) with k >= 0, else None."""
    index = node.attr_dict.get("index")
    if isinstance(index, tuple) and len(index) == 2 and index[0] == "...":
        index = index[1]
    elif not isinstance(index, int) or is_global(node.children[0]):
        return None
    return index if isinstance(index, int) and not isinstance(index, bool) and index >= 0 else None


def _match_component(node: Any, ctx: MatchContext) -> Match | None:
    if not (isinstance(node, Op) and node.op == "getitem"):
        return None
    index = _index(node, ctx)
    if index is None:
        raise refuse(
            node,
            "the Output-component node picks one component `u[..., k]` with k >= 0",
            "index with [..., k]",
        )
    return Match({"index": index}, {"value": node.children[0]}, name="component")


def _activation_of(kwargs: dict[str, Any], owner: str, key: str = "activation") -> str:
    value = kwargs[key]
    if value not in ACTIVATIONS:
        shown = getattr(value, "__name__", value)
        raise NotImportable(
            f"network {owner!r}: its activation {shown!r} is not one of the workbench's "
            f"({', '.join(ACTIVATIONS)}); build it with activation=<one of these names>"
        )
    return value


def _mlp_settings(kwargs: dict[str, Any], owner: str) -> dict[str, Any]:
    depth, given = kwargs["depth"], kwargs.get("hidden_dims")
    widths = (
        [given] * depth if isinstance(given, int) else list(given or [kwargs["hidden"]] * depth)
    )
    if len(set(widths)) > 1:
        raise NotImportable(
            f"network {owner!r}: hidden layers of different widths {widths}; the workbench MLP "
            "has one width (hidden) for every hidden layer"
        )
    if kwargs.get("final_activation") not in (None, "identity"):
        raise NotImportable(
            f"network {owner!r}: a final_activation has no workbench setting; leave it out"
        )
    out_size = kwargs.get("output_dim") or kwargs["out_size"]
    return {
        "in_size": kwargs["in_size"],
        "out_size": out_size,
        "hidden": widths[0] if widths else kwargs["hidden"],
        "depth": len(widths),
        "activation": _activation_of(kwargs, owner),
    }


def _settings(*keys: str) -> Callable[[dict[str, Any], str], dict[str, Any]]:
    def read(kwargs: dict[str, Any], owner: str) -> dict[str, Any]:
        out = {k: kwargs[k] for k in keys}
        if "activation" in kwargs:
            out["activation"] = _activation_of(kwargs, owner)
        return out

    return read


def _deeponet_settings(kwargs: dict[str, Any], owner: str) -> dict[str, Any]:
    if kwargs["depth"] < 1:
        raise NotImportable(f"network {owner!r}: a DeepONet needs depth >= 1 in the workbench")
    return _settings("n_sensors", "coord_dim", "out_size", "latent", "hidden", "depth")(
        kwargs, owner
    )


def _fno_settings(kwargs: dict[str, Any], owner: str) -> dict[str, Any]:
    modes, n_dims, width = kwargs["modes"], kwargs["n_dims"], kwargs["width"]
    n_dims = n_dims or (1 if isinstance(modes, int) else len(modes))
    modes_t = (modes,) * n_dims if isinstance(modes, int) else tuple(modes)
    if len(set(modes_t)) != 1 or n_dims > 2:
        raise NotImportable(
            f"network {owner!r}: FNO modes {modes_t}; the workbench FNO keeps the same number "
            "of modes on each of 1 or 2 grid axes"
        )
    if kwargs.get("projection_hidden") not in (None, 4 * width):
        raise NotImportable(
            f"network {owner!r}: projection_hidden is not 4 * width, the workbench's setting"
        )
    return {
        "in_channels": kwargs["in_channels"],
        "out_channels": kwargs["out_channels"],
        "modes": modes_t[0],
        "width": width,
        "n_layers": kwargs["n_layers"],
        "n_dims": n_dims,
    }


_COMMON = {
    "name": string("", "display name (default: the node id)"),
    "seed": integer(0, "seed of the initial weights", minimum=0),
}
_MLP = {
    "in_size": integer(2, "inputs per point"),
    "out_size": integer(1, "outputs per point"),
    "hidden": integer(64, "width of the hidden layers"),
    "depth": integer(4, "number of hidden layers", minimum=0),
    "activation": choice("tanh", ACTIVATIONS),
    **_COMMON,
}
_MODEL_OUT = (Port("model", "model", "the network, to call and to train"),)

NODES = [
    NodeType(
        "mlp",
        "Networks",
        "MLP",
        "Fully connected network applied per point.",
        (),
        _MODEL_OUT,
        schema(_MLP),
        _mlp_like("mlp"),
        match=network_match("mlp", _mlp_settings),
    ),
    NodeType(
        "fourier_mlp",
        "Networks",
        "Fourier-feature MLP",
        "MLP on random Fourier features (Tancik et al. 2020), for high-frequency solutions.",
        (),
        _MODEL_OUT,
        schema(
            {
                **_MLP,
                "n_features": integer(64, "number of Fourier features"),
                "sigma": number(1.0, "scale of the random frequencies", exclusiveMinimum=0),
            }
        ),
        _mlp_like("fourier_mlp", (("n_features", int), ("sigma", float))),
        match=network_match(
            "fourier_mlp",
            _settings("in_size", "out_size", "hidden", "depth", "n_features", "sigma"),
        ),
    ),
    NodeType(
        "modified_mlp",
        "Networks",
        "Modified MLP",
        "MLP with two encoders gating every layer (Wang, Teng & Perdikaris 2021).",
        (),
        _MODEL_OUT,
        schema({**_MLP, "depth": integer(4, "number of gated layers")}),
        _mlp_like("modified_mlp"),
        match=network_match("modified_mlp", _settings("in_size", "out_size", "hidden", "depth")),
    ),
    NodeType(
        "deeponet",
        "Networks",
        "DeepONet",
        "Branch net on sensor values, trunk net on coordinates; call with (sensors, coords).",
        (),
        _MODEL_OUT,
        schema(
            {
                "n_sensors": integer(16, "sensor values per instance"),
                "coord_dim": integer(2, "coordinates per point"),
                "out_size": integer(1, "outputs per point"),
                "latent": integer(64, "number of basis functions"),
                "hidden": integer(64, "width"),
                "depth": integer(3, "layers of branch and trunk"),
                "activation": choice("tanh", ACTIVATIONS),
                **_COMMON,
            }
        ),
        _deeponet,
        match=network_match("deeponet", _deeponet_settings),
    ),
    NodeType(
        "fno",
        "Networks",
        "Fourier neural operator",
        "FNO on a grid (called on all points of an instance at once).",
        (),
        _MODEL_OUT,
        schema(
            {
                "in_channels": integer(1, "input channels"),
                "out_channels": integer(1, "output channels"),
                "modes": integer(8, "Fourier modes kept per axis"),
                "width": integer(32, "channels inside"),
                "n_layers": integer(4, "Fourier layers"),
                "n_dims": integer(1, "grid dimensions (1 or 2)", maximum=2),
                **_COMMON,
            }
        ),
        _fno,
        match=network_match("fno", _fno_settings),
    ),
    NodeType(
        "call",
        "Networks",
        "Call network",
        "The network's output at the given inputs (concatenated per point).",
        (Port("model", "model"), Port("in*", "field", "an input")),
        (Port("out", "field", "the network output (all components)"),),
        schema({"inputs": integer(2, "number of inputs", maximum=8)}),
        _call,
        dynamic_inputs="inputs",
        match=_match_call,
    ),
    NodeType(
        "component",
        "Networks",
        "Output component",
        "One component of a vector field: value[..., index].",
        (Port("value", "field"),),
        (Port("out", "field"),),
        schema({"index": integer(0, "component index", minimum=0)}),
        _component,
        match=_match_component,
    ),
]
