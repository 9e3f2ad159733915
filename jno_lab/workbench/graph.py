"""The expression graph of a document: nodes, edges, inputs of a node, topological order."""

from __future__ import annotations

import hashlib
import keyword
from typing import Any


def identifier(node_id: str, port: str) -> str:
    """The Python name of a node's output: readable, and distinct for distinct node ids.

    Example:
        >>> identifier("n3", "x")
        'n3_x'
    """
    clean = "".join(c if c.isalnum() or c == "_" else "_" for c in node_id)
    if clean != node_id or not clean or clean[0].isdigit() or keyword.iskeyword(clean):
        digest = hashlib.sha1(node_id.encode()).hexdigest()[:6]
        clean = f"n_{clean}_{digest}"
    return f"{clean}_{port}"


class Graph:
    """Read-only view of `document["graph"]` (assumes ids are unique; see validation)."""

    def __init__(self, document: dict[str, Any]):
        graph = document.get("graph", {})
        self.nodes: dict[str, dict[str, Any]] = {n["id"]: n for n in graph.get("nodes", [])}
        self.edges: list[dict[str, Any]] = list(graph.get("edges", []))

    def inputs_of(self, node_id: str) -> dict[str, tuple[str, str]]:
        """Target port -> (source node, source port) for the edges into `node_id`."""
        return {
            e["targetPort"]: (e["source"], e["sourcePort"])
            for e in self.edges
            if e["target"] == node_id
        }

    def successors(self, node_id: str) -> list[str]:
        """Nodes fed by `node_id`."""
        return [e["target"] for e in self.edges if e["source"] == node_id]

    def cycle(self) -> list[str] | None:
        """The nodes of one cycle, or None when the graph is acyclic."""
        state: dict[str, int] = {}  # 1 = on the stack, 2 = done
        for start in self.nodes:
            if state.get(start):
                continue
            stack: list[tuple[str, int]] = [(start, 0)]
            path: list[str] = []
            while stack:
                node, index = stack.pop()
                if index == 0:
                    state[node] = 1
                    path.append(node)
                succ = [s for s in self.successors(node) if s in self.nodes]
                if index < len(succ):
                    stack.append((node, index + 1))
                    nxt = succ[index]
                    if state.get(nxt) == 1:
                        return path[path.index(nxt) :]
                    if not state.get(nxt):
                        stack.append((nxt, 0))
                else:
                    state[node] = 2
                    path.pop()
        return None

    def order(self) -> list[dict[str, Any]]:
        """Nodes so that every node comes after its inputs (document order otherwise)."""
        indegree = {nid: 0 for nid in self.nodes}
        for e in self.edges:
            if e["target"] in indegree and e["source"] in self.nodes:
                indegree[e["target"]] += 1
        ready = [nid for nid in self.nodes if indegree[nid] == 0]
        out = []
        while ready:
            nid = ready.pop(0)
            out.append(self.nodes[nid])
            for succ in self.successors(nid):
                if succ in indegree:
                    indegree[succ] -= 1
                    if indegree[succ] == 0:
                        ready.append(succ)
        return out
