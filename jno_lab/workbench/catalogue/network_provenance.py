"""Network node types recognise a wrapped network by the factory call that built it.

`jno.nn.mlp(...)` and the other factories record their arguments
(`jno_lab.provenance`), and `jno.nn.wrap` keeps them on the model, so a network
node reads its settings and seed from that record. Weights that no longer are
the factory's (trained, loaded, initialised anew) are not carried by a document:
the node starts from the recorded seed and the importer says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import numpy as np

from ... import nn
from ...introspect import Model
from ...provenance import Provenance, provenance_of
from .matching import Match, MatchContext, seed_of

Settings = Callable[[dict[str, Any], str], dict[str, Any]]


def network_provenance(model: Any) -> Provenance | None:
    """How a wrapped network's module was made (None when it was built by hand)."""
    if not isinstance(model, Model):
        return None
    return provenance_of(model) or provenance_of(model.module)


def network_match(kind: str, settings: Settings) -> Callable[[Any, MatchContext], Match | None]:
    """The matcher of the network node type `kind` (built by `jno.nn.<kind>`)."""

    def match(model: Any, ctx: MatchContext) -> Match | None:
        made = network_provenance(model)
        if made is None or made.factory != f"jno.nn.{kind}":
            return None
        owner = model.describe()
        params = settings(made.kwargs, owner)
        seed = seed_of(made.kwargs.get("key"))
        if seed is None:
            ctx.notes.append(
                f"network {owner!r} was built from a key that is not jax.random.PRNGKey(seed): "
                "the document starts it from seed 0"
            )
        elif not _same_arrays(model.module, getattr(nn, kind)(**made.kwargs)):
            ctx.notes.append(
                f"the weights of network {owner!r} are not carried (trained or loaded): the "
                f"document starts it from its initial weights, seed {seed}"
            )
        params["seed"] = seed or 0
        name = model.name or kind
        return Match({**params, "name": name}, output="model", name=name)

    return match


def _same_arrays(a: Any, b: Any) -> bool:
    la, lb = (jax.tree_util.tree_leaves(eqx.filter(t, eqx.is_array)) for t in (a, b))
    return len(la) == len(lb) and all(
        np.shape(x) == np.shape(y) and np.array_equal(x, y) for x, y in zip(la, lb, strict=True)
    )
