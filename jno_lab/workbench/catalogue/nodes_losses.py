"""Losses, constraints, trackers and diagnostics."""

from __future__ import annotations

from .. import emit
from .types import EmitContext, NodeType, Port, choice, integer, number, schema, string

REDUCTIONS = ["mse", "mae", "rmse", "huber", "log_cosh"]


def _loss(ctx: EmitContext) -> list[str]:
    kind = emit.keyword(ctx.params["kind"], REDUCTIONS, "kind")
    return [f"{ctx.outputs['loss']} = jno.fn.{kind}({ctx.inputs['residual']})"]


def _relative_l2(ctx: EmitContext) -> list[str]:
    return [
        f"{ctx.outputs['loss']} = jno.fn.relative_l2({ctx.inputs['prediction']}, "
        f"{ctx.inputs['reference']})"
    ]


def _constraint(ctx: EmitContext) -> list[str]:
    return []  # collected by the lowering into jno.core's constraint list


def _name(ctx: EmitContext) -> str:
    return str(ctx.params.get("name") or ctx.node_id)


def _label(ctx: EmitContext, suffix: str = "") -> str:
    """The tracker name as a string literal."""
    return emit.string(_name(ctx) + suffix, "name")


def _interval(ctx: EmitContext) -> str:
    return emit.integer(ctx.params["interval"], "interval", 1)


def _tracker(ctx: EmitContext) -> list[str]:
    return [
        f"{ctx.outputs['tracker']} = [jno.np.tracker({ctx.inputs['value']}, "
        f"interval={_interval(ctx)}, name={_label(ctx)})]"
    ]


def _gradient_norm(ctx: EmitContext) -> list[str]:
    return [
        f"{ctx.outputs['tracker']} = jno.diagnostics.gradient_norms([{ctx.inputs['loss']}], "
        f"{ctx.inputs['model']}, interval={_interval(ctx)}, names=[{_label(ctx)}])"
    ]


def _gradient_cosine(ctx: EmitContext) -> list[str]:
    return [
        f"{ctx.outputs['tracker']} = jno.diagnostics.gradient_cosines("
        f"[{ctx.inputs['first']}, {ctx.inputs['second']}], {ctx.inputs['model']}, "
        f"interval={_interval(ctx)}, names=[{_label(ctx, '_1')}, {_label(ctx, '_2')}])"
    ]


def _ntk(ctx: EmitContext) -> list[str]:
    return [
        f"{ctx.outputs['tracker']} = jno.diagnostics.ntk([{ctx.inputs['residual']}], "
        f"{ctx.inputs['model']}, points={emit.integer(ctx.params['points'], 'points', 1)}, "
        f"interval={_interval(ctx)}, names=[{_label(ctx)}])"
    ]


def _residual_stats(ctx: EmitContext) -> list[str]:
    return [
        f"{ctx.outputs['tracker']} = jno.diagnostics.residual_stats([{ctx.inputs['residual']}], "
        f"interval={_interval(ctx)}, names=[{_label(ctx)}])"
    ]


_TRACKER_OUT = (Port("tracker", "tracker", "logged values"),)
_INTERVAL = {"interval": integer(100, "log every this many steps"), "name": string("", "name")}

NODES = [
    NodeType(
        "loss",
        "Losses",
        "Loss",
        "Reduce a residual over its points to a scalar loss.",
        (Port("residual", "field"),),
        (Port("loss", "loss"),),
        schema({"kind": choice("mse", REDUCTIONS, "the reduction")}),
        _loss,
    ),
    NodeType(
        "relative_l2",
        "Losses",
        "Relative L2",
        "‖prediction − reference‖ / ‖reference‖.",
        (Port("prediction", "field"), Port("reference", "field")),
        (Port("loss", "loss"),),
        schema({}),
        _relative_l2,
    ),
    NodeType(
        "constraint",
        "Losses",
        "Constraint",
        "A loss the training minimises, with its weight.",
        (Port("loss", "loss"),),
        (),
        schema({"weight": number(1.0, "weight in the total loss", minimum=0)}),
        _constraint,
        role="constraint",
    ),
    NodeType(
        "tracker",
        "Diagnostics",
        "Tracker",
        "Log a value during training (not part of the loss).",
        (Port("value", "field"),),
        _TRACKER_OUT,
        schema(dict(_INTERVAL)),
        _tracker,
        role="tracker",
    ),
    NodeType(
        "gradient_norm",
        "Diagnostics",
        "Gradient norm",
        "‖∇θ loss‖ for the network's parameters.",
        (Port("loss", "loss"), Port("model", "model")),
        _TRACKER_OUT,
        schema(dict(_INTERVAL)),
        _gradient_norm,
        role="tracker",
    ),
    NodeType(
        "gradient_cosine",
        "Diagnostics",
        "Gradient cosine",
        "Cosine between the parameter gradients of two losses: near -1 they conflict.",
        (Port("first", "loss"), Port("second", "loss"), Port("model", "model")),
        _TRACKER_OUT,
        schema(dict(_INTERVAL)),
        _gradient_cosine,
        role="tracker",
    ),
    NodeType(
        "ntk",
        "Diagnostics",
        "NTK spectrum",
        "Eigenvalues, condition number and trace of the neural tangent kernel of a residual.",
        (Port("residual", "field"), Port("model", "model")),
        _TRACKER_OUT,
        schema(
            {
                **_INTERVAL,
                "interval": integer(500, "log every this many steps"),
                "points": integer(64, "points in the kernel"),
            }
        ),
        _ntk,
        role="tracker",
    ),
    NodeType(
        "residual_stats",
        "Diagnostics",
        "Residual statistics",
        "Mean |r|, max |r| and standard deviation of a residual.",
        (Port("residual", "field"),),
        _TRACKER_OUT,
        schema(dict(_INTERVAL)),
        _residual_stats,
        role="tracker",
    ),
]
