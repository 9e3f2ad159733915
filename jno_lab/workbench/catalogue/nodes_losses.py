"""Losses, constraints, trackers and diagnostics."""

from __future__ import annotations

from typing import Any

from ...introspect import Tracker
from .. import emit
from .match_diagnostics import (
    match_gradient_cosine,
    match_gradient_norm,
    match_ntk,
    match_residual_stats,
)
from .matching import Constraint, Match, MatchContext, NotImportable, describe, is_op, refuse
from .types import EmitContext, NodeType, Port, choice, integer, number, schema, string

REDUCTIONS = ["mse", "mae", "rmse", "huber", "log_cosh"]
LOSSES = (*REDUCTIONS, "relative_l2")
"""What a Constraint node (and a diagnostic's loss port) takes."""


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


def _match_loss(node: Any, ctx: MatchContext) -> Match | None:
    if not is_op(node, *REDUCTIONS):
        return None
    if node.attr_dict.get("delta", 1.0) != 1.0:
        raise refuse(node, "the Loss node's Huber loss has delta = 1", "use delta=1.0")
    return Match({"kind": node.op}, {"residual": node.children[0]}, output="loss", name="loss")


def _match_relative_l2(node: Any, ctx: MatchContext) -> Match | None:
    if not is_op(node, "relative_l2"):
        return None
    prediction, reference = node.children
    inputs = {"prediction": prediction, "reference": reference}
    return Match({}, inputs, output="loss", name="relative_l2")


def _match_constraint(subject: Any, ctx: MatchContext) -> Match | None:
    if not isinstance(subject, Constraint):
        return None
    if not is_op(subject.loss, *LOSSES):
        raise NotImportable(
            f"cannot import constraint {subject.index + 1} `{describe(subject.loss)}`: a "
            "Constraint node takes a loss (residual.mse, .mae, .rmse, jno.fn.huber, "
            "jno.fn.log_cosh, jno.fn.relative_l2); sums and weights of losses have no node "
            "type: give each loss its own constraint (weights go to "
            "solve(constraint_weights=...))"
        )
    params = {"weight": subject.weight}
    return Match(params, {"loss": subject.loss}, output="", name=f"constraint{subject.index + 1}")


def _match_tracker(t: Any, ctx: MatchContext) -> Match | None:
    if not isinstance(t, Tracker):
        return None
    params: dict[str, Any] = {"interval": int(t.interval)}
    if t.name:
        params["name"] = t.name
    return Match(params, {"value": t.expr}, output="tracker", name=t.name or "tracker")


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
        match=_match_loss,
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
        match=_match_relative_l2,
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
        match=_match_constraint,
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
        match=_match_tracker,
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
        match=match_gradient_norm(LOSSES),
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
        match=match_gradient_cosine(LOSSES),
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
        match=match_ntk,
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
        match=match_residual_stats,
    ),
]
