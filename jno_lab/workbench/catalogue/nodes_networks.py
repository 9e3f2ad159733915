"""Networks (built-in architectures) and calling them."""

from __future__ import annotations

from .. import emit
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
    ),
]
