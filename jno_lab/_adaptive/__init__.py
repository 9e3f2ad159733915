"""`jno.fn.adaptive`: loss balancers and the loss-adaptive learning rate `dlrs`.

A balancer takes the scalar losses and returns one weight expression per loss;
multiply them in and pass the weighted losses to `jno.core`. The weights are
recomputed inside the compiled step from the losses of the previous steps,
with all state on the device. Every balancer takes `mode=` (`"raw"`,
`"minmax"`, `"l2"`) to preprocess the losses it sees.

Example:
    >>> import jax, optax, jno_lab as jno
    >>> dom = jno.domain(constructor=jno.domain.line(mesh_size=0.5))
    >>> (x,) = dom.variable("interior")
    >>> p = jno.np.parameter((1,), init=0.0).optimizer(optax.adam(1e-2))
    >>> pde, bc = (p * x - x).mse, (p - 1.0).mse
    >>> w0, w1 = jno.fn.adaptive.dwa([pde, bc], temperature=2.0)
    >>> stats = jno.core([w0 * pde, w1 * bc, w0.tracker(name="w0")]).solve(3)
    >>> stats.trackers["w0"].shape
    (3,)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._dlrs import DynamicLearningRate, dlrs
from .._trace.nodes import Placeholder
from .balancer import Balancer, BalancerWeights
from .normalise import MODES


def relobralo(
    losses: Sequence[Any],
    alpha: float = 0.999,
    tau: float = 0.1,
    expected_rho: float = 0.999,
    seed: int | None = None,
    *,
    mode: str = "raw",
) -> tuple[Placeholder, ...]:
    """Relative Loss Balancing with Random Lookback (Bischof & Kraus, 2021).

    Args:
        losses: the scalar loss expressions.
        alpha: weight of the history term (exponential moving average factor).
        tau: softmax temperature.
        expected_rho: probability of keeping the history rather than looking back to step 0.
        seed: seed of the Bernoulli look-back draws (default `jno.get_seed()`).
        mode: loss preprocessing, `"raw"`, `"minmax"` or `"l2"`.

    Returns:
        One weight expression per loss.
    """
    _check_unit("relobralo", alpha=alpha, expected_rho=expected_rho)
    _check_positive("relobralo", tau=tau)
    numbers = {"alpha": alpha, "tau": tau, "expected_rho": expected_rho}
    return Balancer("relobralo", losses, numbers, mode, seed).weights()


def softadapt(
    losses: Sequence[Any], beta: float = 0.1, *, mode: str = "raw"
) -> tuple[Placeholder, ...]:
    """SoftAdapt (Heydari et al., 2019): softmax of each loss's latest change, times `beta`.

    Losses that improve fastest get the smallest weight; the weights sum to 1.
    """
    return Balancer("softadapt", losses, {"beta": beta}, mode).weights()


def dwa(
    losses: Sequence[Any], temperature: float = 2.0, *, mode: str = "raw"
) -> tuple[Placeholder, ...]:
    """Dynamic Weight Average (Liu et al., 2019): softmax of `L(t) / L(t-1)` over `temperature`.

    The weights sum to the number of losses.
    """
    _check_positive("dwa", temperature=temperature)
    return Balancer("dwa", losses, {"temperature": temperature}, mode).weights()


def lbpinns_loss_balancing(
    losses: Sequence[Any], init_s: float = 0.0, lr_s: float = 1e-2, *, mode: str = "raw"
) -> tuple[Placeholder, ...]:
    """LbPINNs (Xiang et al., 2022): weights `exp(-s)` of learnable log-variances `s`.

    Each step takes one Adam step of rate `lr_s` on `sum(exp(-s) * L + s)`.

    Args:
        losses: the scalar loss expressions.
        init_s: the initial log-variance (a number or one per loss).
        lr_s: the Adam rate of the log-variances.
        mode: loss preprocessing.
    """
    _check_positive("lbpinns_loss_balancing", lr_s=lr_s)
    numbers = {"init_s": init_s, "lr_s": lr_s}
    return Balancer("lbpinns", losses, numbers, mode).weights()


def rlw(
    losses: Sequence[Any], alpha: float = 1.0, seed: int | None = None, *, mode: str = "raw"
) -> tuple[Placeholder, ...]:
    """Random Loss Weighting (Lin et al., 2021): weights drawn from Dirichlet(`alpha`) per step.

    The weights sum to 1. `mode` is accepted for a uniform interface (the draw ignores losses).
    """
    _check_positive("rlw", alpha=alpha)
    return Balancer("rlw", losses, {"alpha": alpha}, mode, seed).weights()


def _check_unit(who: str, **values: float) -> None:
    for name, value in values.items():
        if not 0.0 <= float(value) <= 1.0:
            raise ValueError(f"{who}: {name} must lie in [0, 1], got {value}")


def _check_positive(who: str, **values: float) -> None:
    for name, value in values.items():
        if not float(value) > 0.0:
            raise ValueError(f"{who}: {name} must be positive, got {value}")


__all__ = [
    "MODES",
    "Balancer",
    "BalancerWeights",
    "DynamicLearningRate",
    "dlrs",
    "dwa",
    "lbpinns_loss_balancing",
    "relobralo",
    "rlw",
    "softadapt",
]
