"""The node catalogue: every node type of the workbench, defined once, in Python.

The editor's palette and port checks are built from `catalogue_json()`; a JSON
snapshot ships with the frontend (`src/catalogue.json`), and a test keeps it in
sync, so a new node type is a Python-only change.
"""

from __future__ import annotations

from typing import Any

from . import nodes_balancers, nodes_inputs, nodes_losses, nodes_math, nodes_networks
from .types import ACCEPTS, PORT_TYPES, EmitContext, NodeType, Port

CATALOGUE_VERSION = 1

NODE_TYPES: dict[str, NodeType] = {
    node.type: node
    for module in (nodes_inputs, nodes_networks, nodes_math, nodes_losses, nodes_balancers)
    for node in module.NODES
}


def node_type(name: str) -> NodeType:
    """The node type called `name` (KeyError when unknown)."""
    return NODE_TYPES[name]


def catalogue_json() -> dict[str, Any]:
    """The catalogue as JSON: what the frontend builds its palette from."""
    return {
        "version": CATALOGUE_VERSION,
        "portTypes": list(PORT_TYPES),
        "accepts": {k: list(v) for k, v in ACCEPTS.items()},
        "nodes": [node.to_json() for node in NODE_TYPES.values()],
    }


__all__ = [
    "ACCEPTS",
    "NODE_TYPES",
    "EmitContext",
    "NodeType",
    "Port",
    "catalogue_json",
    "node_type",
]
