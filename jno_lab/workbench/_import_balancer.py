"""Importing a loss balancer: constraints `w[i] * loss_i` -> a balancer node and plain losses.

The workbench's balancer nodes weight every constraint (see
`catalogue.nodes_balancers`), so a solver imports with one when each of its
constraints is its balancer's i-th weight times that balancer's i-th loss, the
form the lowering writes. Any other use of balancer weights is refused, naming
the constraint. The weights' trackers are the balancer node's own and are not
imported as separate tracker nodes. The node's settings are read by its
catalogue entry (`nodes_balancers`).
"""

from __future__ import annotations

from ..introspect import Balancer, BalancerWeights, Op, Placeholder, describe
from .catalogue.matching import NotImportable
from .catalogue.nodes_balancers import FUNCTIONS


def balancer_of(constraints: list[Placeholder]) -> Balancer | None:
    """The balancer weighting every constraint, or None when no constraint uses one."""
    used = {
        id(node.balancer): node.balancer
        for root in constraints
        for node in root.walk()
        if isinstance(node, BalancerWeights)
    }
    if not used:
        return None
    if len(used) > 1:
        raise NotImportable(
            f"the constraints use {len(used)} balancers; a workbench document has one, which "
            "weights all constraints: balance all losses with a single jno.fn.adaptive call"
        )
    (balancer,) = used.values()
    for i, root in enumerate(constraints):
        if _weighted_loss(root, balancer, i) is None:
            raise NotImportable(
                f"cannot import constraint {i + 1} `{describe(root)}`: with a balancer every "
                f"constraint must be its weight times its loss, w[{i}] * loss_{i}, in the "
                f"order the losses were given to jno.fn.adaptive.{FUNCTIONS[balancer.kind]}"
            )
    if balancer.n != len(constraints):
        raise NotImportable(
            f"the {balancer.kind} balancer weights {balancer.n} losses but the solver has "
            f"{len(constraints)} constraints; balance exactly the constraints' losses"
        )
    return balancer


def _weighted_loss(root: Placeholder, balancer: Balancer, index: int) -> Placeholder | None:
    if not (isinstance(root, Op) and root.op == "mul" and len(root.children) == 2):
        return None
    for weight, loss in (root.children, root.children[::-1]):
        if is_weight(weight, balancer) == index and loss is balancer.inputs[index]:
            return loss
    return None


def is_weight(node: Placeholder, balancer: Balancer | None) -> int | None:
    """`i` when `node` is `balancer`'s i-th weight, else None."""
    if balancer is None or not (isinstance(node, Op) and node.op == "getitem"):
        return None
    (child,) = node.children
    index = node.attr_dict.get("index")
    if child is balancer.node and isinstance(index, int) and not isinstance(index, bool):
        return index
    return None
