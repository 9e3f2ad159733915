"""Loss balancers: one node per `jno.fn.adaptive` rule, weighting every constraint.

A balancer node has no ports: it balances all Constraint nodes of the document.
The lowering calls its emitter once the constraints are known, with
`ctx.inputs["losses"]` the Python list of their losses and
`ctx.outputs["weights"]` the name to bind the weights to; each constraint then
enters `jno.core` as `weights[i] * loss_i` (times its own fixed weight, if any),
and each weight is logged as a tracker named `"<balancer>/<constraint>"`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import emit
from .matching import Match, MatchContext, NotImportable, Weighting, clean_float
from .types import EmitContext, NodeType, choice, number, schema

MODES = ["raw", "minmax", "l2"]

FUNCTIONS = {
    "relobralo": "relobralo",
    "softadapt": "softadapt",
    "dwa": "dwa",
    "lbpinns": "lbpinns_loss_balancing",
    "rlw": "rlw",
}
"""Node type -> `jno.fn.adaptive` function."""

NUMBERS = {
    "relobralo": ("alpha", "tau", "expected_rho"),
    "softadapt": ("beta",),
    "dwa": ("temperature",),
    "lbpinns": ("init_s", "lr_s"),
    "rlw": ("alpha",),
}
"""Node type -> its numeric parameters, in the function's argument names."""


def _emit(kind: str):
    def emitter(ctx: EmitContext) -> list[str]:
        numbers = "".join(f", {n}={emit.number(ctx.params[n], n)}" for n in NUMBERS[kind])
        mode = emit.string(emit.keyword(ctx.params["mode"], MODES, "mode"), "mode")
        return [
            f"{ctx.outputs['weights']} = jno.fn.adaptive.{FUNCTIONS[kind]}("
            f"{ctx.inputs['losses']}{numbers}, mode={mode})"
        ]

    return emitter


_SEEDED = ("relobralo", "rlw")


def _match(kind: str):
    def match(subject: Any, ctx: MatchContext) -> Match | None:
        if not (isinstance(subject, Weighting) and subject.balancer.kind == kind):
            return None
        balancer = subject.balancer
        params: dict[str, Any] = {"mode": balancer.mode}
        for name in NUMBERS[kind]:
            value = np.asarray(balancer.numbers[name])
            if value.ndim:
                raise NotImportable(
                    f"the {kind} balancer has one {name} per loss; the workbench's "
                    f"balancer node holds a single {name}"
                )
            params[name] = clean_float(value.astype(np.float32))
        if kind in _SEEDED and balancer.seed != subject.seed:
            ctx.notes.append(
                f"the {kind} balancer's seed {balancer.seed} becomes the document seed "
                f"{subject.seed}"
            )
        return Match(params, name=kind)

    return match


def _params(numbers: dict) -> dict:
    return schema({**numbers, "mode": choice("raw", MODES, "how the losses are preprocessed")})


def _unit(default: float, doc: str) -> dict:
    return number(default, doc, minimum=0, maximum=1)


def _balancer(kind: str, title: str, doc: str, numbers: dict) -> NodeType:
    return NodeType(
        kind,
        "Balancers",
        title,
        doc,
        (),
        (),
        _params(numbers),
        _emit(kind),
        "balancer",
        match=_match(kind),
    )


NODES = [
    _balancer(
        "relobralo",
        "ReLoBRaLo",
        "Relative loss balancing with random lookback (Bischof & Kraus 2021) over all constraints.",
        {
            "alpha": _unit(0.999, "weight of the history (moving-average factor)"),
            "tau": number(0.1, "softmax temperature", exclusiveMinimum=0),
            "expected_rho": _unit(0.999, "probability of keeping the history at each step"),
        },
    ),
    _balancer(
        "softadapt",
        "SoftAdapt",
        "SoftAdapt (Heydari et al. 2019): softmax of each constraint's latest change; the "
        "weights sum to 1.",
        {"beta": number(0.1, "softmax sharpness")},
    ),
    _balancer(
        "dwa",
        "Dynamic weight average",
        "DWA (Liu et al. 2019): softmax of L(t)/L(t-1); the weights sum to the number of "
        "constraints.",
        {"temperature": number(2.0, "softmax temperature", exclusiveMinimum=0)},
    ),
    _balancer(
        "lbpinns",
        "LbPINNs balancing",
        "Learnable log-variances s (Xiang et al. 2022), weights exp(-s), one Adam step on "
        "sum(exp(-s) L + s) per training step.",
        {
            "init_s": number(0.0, "initial log-variance"),
            "lr_s": number(1e-2, "Adam rate of the log-variances", exclusiveMinimum=0),
        },
    ),
    _balancer(
        "rlw",
        "Random loss weighting",
        "RLW (Lin et al. 2021): weights drawn from a Dirichlet distribution every step; "
        "they sum to 1.",
        {"alpha": number(1.0, "Dirichlet concentration", exclusiveMinimum=0)},
    ),
]
