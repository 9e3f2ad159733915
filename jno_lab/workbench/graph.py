"""The expression graph of a document: nodes, edges, inputs of a node, topological order."""

from __future__ import annotations

import hashlib
import keyword
import re
from collections import deque
from typing import Any

_OTHER_CHARS = re.compile(r"[^A-Za-z0-9_]")
_HASHED = re.compile(r"n_[A-Za-z0-9_]*_[0-9a-f]{6}")
"""What a hashed name looks like: ids of this shape are hashed too, so no id can take the
name another id was given."""


def identifier(node_id: str, port: str) -> str:
    """The Python name of a node's output: readable, and distinct for distinct node ids.

    Only `[A-Za-z0-9_]` is used. An id that is not already such a name (other
    characters, a leading digit, a keyword, empty) keeps its letters and digits,
    the rest becoming `_`, and gets a hash of the id: `n_<clean>_<6 hex digits>`.

    Example:
        >>> identifier("n3", "x")
        'n3_x'
        >>> identifier("a-b", "out")
        'n_a_b_34fafd_out'
        >>> identifier("x²", "out")
        'n_x__6caab3_out'
    """
    if (  # an ASCII identifier is `[A-Za-z_][A-Za-z0-9_]*`
        node_id.isascii()
        and node_id.isidentifier()
        and not keyword.iskeyword(node_id)
        and not (node_id.startswith("n_") and _HASHED.fullmatch(node_id))
    ):
        return f"{node_id}_{port}"
    clean = _OTHER_CHARS.sub("_", node_id)
    digest = hashlib.sha1(node_id.encode("utf-8", "surrogatepass")).hexdigest()[:6]
    return f"n_{clean}_{digest}_{port}"


class Graph:
    """Read-only view of `document["graph"]` (assumes ids are unique; see validation).

    The edges are indexed by target and by source once, so that the inputs and
    successors of a node, `cycle()` and `order()` cost time linear in the graph.
    """

    def __init__(self, document: dict[str, Any]):
        graph = document.get("graph", {})
        self.nodes: dict[str, dict[str, Any]] = {n["id"]: n for n in graph.get("nodes", [])}
        self.edges: list[dict[str, Any]] = list(graph.get("edges", []))
        self._into: dict[str, list[dict[str, Any]]] = {}
        self._out: dict[str, list[str]] = {}
        for e in self.edges:
            self._into.setdefault(e["target"], []).append(e)
            self._out.setdefault(e["source"], []).append(e["target"])

    def inputs_of(self, node_id: str) -> dict[str, tuple[str, str]]:
        """Target port -> (source node, source port) for the edges into `node_id`."""
        return {
            e["targetPort"]: (e["source"], e["sourcePort"]) for e in self._into.get(node_id, ())
        }

    def successors(self, node_id: str) -> list[str]:
        """Nodes fed by `node_id` (once per edge, in edge order)."""
        return list(self._out.get(node_id, ()))

    def cycle(self) -> list[str] | None:
        """The nodes of one cycle, or None when the graph is acyclic."""
        state: dict[str, int] = {}  # 1 = on the path, 2 = done
        empty: tuple[str, ...] = ()
        for start in self.nodes:
            if start in state:
                continue
            state[start] = 1
            path = [start]  # depth first, each node with the iterator over its successors
            pending = [iter(self._out.get(start, empty))]
            while pending:
                for nxt in pending[-1]:
                    if nxt not in self.nodes:
                        continue
                    seen = state.get(nxt)
                    if seen == 1:
                        return path[path.index(nxt) :]
                    if seen is None:
                        state[nxt] = 1
                        path.append(nxt)
                        pending.append(iter(self._out.get(nxt, empty)))
                        break
                else:
                    state[path.pop()] = 2
                    pending.pop()
        return None

    def order(self) -> list[dict[str, Any]]:
        """Nodes so that every node comes after its inputs (document order otherwise)."""
        indegree = {nid: 0 for nid in self.nodes}
        for e in self.edges:
            if e["target"] in indegree and e["source"] in self.nodes:
                indegree[e["target"]] += 1
        ready = deque(nid for nid in self.nodes if indegree[nid] == 0)
        out = []
        while ready:
            nid = ready.popleft()
            out.append(self.nodes[nid])
            for succ in self._out.get(nid, ()):
                if succ in indegree:
                    indegree[succ] -= 1
                    if indegree[succ] == 0:
                        ready.append(succ)
        return out
