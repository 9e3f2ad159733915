"""How the diagnostic nodes recognise the trackers of a `jno.diagnostics` call.

`jno.diagnostics` records each call on the trackers it makes
(`jno_lab.provenance`); a diagnostic node type matches the call's provenance
and gives one node per loss, pair of losses or residual, as the node's emitter
writes one call per node.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...introspect import Model
from .matching import Match, MatchContext, NotImportable, describe, is_op, made_by
from .types import Matcher


def _model(call: Any, label: str) -> Model:
    model = call.args[-1]
    if not isinstance(model, Model):
        raise NotImportable(
            f"cannot import tracker {label!r}: a parameter mask (net.mask(m)) has no "
            "workbench setting"
        )
    return model


def _loss(node: Any, label: str, losses: Sequence[str]) -> Any:
    if not is_op(node, *losses):
        raise NotImportable(
            f"cannot import tracker {label!r}: its loss `{describe(node)}` is not a loss node"
        )
    return node


def match_gradient_norm(losses: Sequence[str]) -> Matcher:
    """`jno.diagnostics.gradient_norms(losses, model)`: one node per loss."""

    def match(subject: Any, ctx: MatchContext) -> list[Match] | None:
        call = made_by(subject, "jno.diagnostics.gradient_norms")
        if call is None:
            return None
        interval, labels = call.kwargs["interval"], call.kwargs["names"]
        out = []
        for loss, label in zip(call.args[0], labels, strict=True):
            inputs = {"loss": _loss(loss, label, losses), "model": _model(call, label)}
            out.append(Match({"interval": interval, "name": label}, inputs, "tracker", label))
        return out

    return match


def match_gradient_cosine(losses: Sequence[str]) -> Matcher:
    """`jno.diagnostics.gradient_cosines(losses, model)`: one node per pair of losses."""

    def match(subject: Any, ctx: MatchContext) -> list[Match] | None:
        call = made_by(subject, "jno.diagnostics.gradient_cosines")
        if call is None:
            return None
        interval, labels, items = call.kwargs["interval"], call.kwargs["names"], call.args[0]
        out = []
        for i in range(len(items)):
            for j in range(i + 1, len(items)):
                left, right = labels[i], labels[j]
                # the node named `n` names its losses n_1 and n_2
                paired = left.endswith("_1") and right == left[:-2] + "_2"
                label = left[:-2] if paired else f"{left}|{right}"
                inputs = {
                    "first": _loss(items[i], label, losses),
                    "second": _loss(items[j], label, losses),
                    "model": _model(call, label),
                }
                params = {"interval": interval, "name": label}
                out.append(Match(params, inputs, "tracker", label))
        return out

    return match


def match_ntk(subject: Any, ctx: MatchContext) -> list[Match] | None:
    """`jno.diagnostics.ntk(residuals, model)`: one node per residual."""
    call = made_by(subject, "jno.diagnostics.ntk")
    if call is None:
        return None
    labels = call.kwargs["names"]
    if len(labels) > 1:
        ctx.notes.append(
            f"the NTK trace weights of {', '.join(map(repr, labels))} are relative to all "
            "residuals of one jno.diagnostics.ntk call; each NTK node weighs its own residual"
        )
    params = {"interval": call.kwargs["interval"], "points": call.kwargs["points"]}
    return [
        Match(
            {**params, "name": label},
            {"residual": r, "model": _model(call, label)},
            "tracker",
            label,
        )
        for r, label in zip(call.args[0], labels, strict=True)
    ]


def match_residual_stats(subject: Any, ctx: MatchContext) -> list[Match] | None:
    """`jno.diagnostics.residual_stats(residuals)`: one node per residual."""
    call = made_by(subject, "jno.diagnostics.residual_stats")
    if call is None:
        return None
    interval = call.kwargs["interval"]
    return [
        Match({"interval": interval, "name": label}, {"residual": r}, "tracker", label)
        for r, label in zip(call.args[0], call.kwargs["names"], strict=True)
    ]
