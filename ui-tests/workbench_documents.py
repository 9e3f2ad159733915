"""Small workbench documents the browser tests write, built with `jno_lab.workbench.document`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jno_lab.workbench.document import new_document, save

CODE = "a.T - 3.0 + 0 * b"
"""A custom function's Python code that the expression grammar does not accept (`.T`)."""


def _edge(source: str, source_port: str, target: str, target_port: str) -> dict[str, str]:
    return {
        "id": f"{source}.{source_port}->{target}.{target_port}",
        "source": source,
        "sourcePort": source_port,
        "target": target,
        "targetPort": target_port,
    }


def code_document(code: str = CODE) -> dict[str, Any]:
    """A trainable parameter p fitted to 3 through a custom function whose text is Python `code`.

    Trust is kept per code for the whole test session: tests that need untrusted
    code pass a text of their own (`variant`).
    """
    doc = new_document("A custom function in Python")
    doc["graph"] = {
        "nodes": [
            {"id": "xs", "type": "variables", "params": {"tag": "interior"}, "position": [0, 0]},
            {
                "id": "p",
                "type": "parameter",
                "params": {"size": 1, "init": 0.0},
                "position": [0, 260],
            },
            {
                "id": "f",
                "type": "function",
                "params": {"inputs": 2, "expression": code, "code": True},
                "position": [260, 120],
            },
            {"id": "fit_loss", "type": "loss", "params": {"kind": "mse"}, "position": [520, 120]},
            {"id": "fit", "type": "constraint", "params": {"weight": 1.0}, "position": [760, 120]},
        ],
        "edges": [
            _edge("p", "out", "f", "in1"),
            _edge("xs", "x", "f", "in2"),
            _edge("f", "out", "fit_loss", "residual"),
            _edge("fit_loss", "loss", "fit", "loss"),
        ],
    }
    doc["training"] = {
        "phases": [{"optimizer": "adam", "learning_rate": 0.1, "epochs": 200, "inner_steps": 100}]
    }
    return doc


def variant(name: str) -> str:
    """`CODE` with a comment-free twist naming `name`, so its trust is its own."""
    return f"{CODE} + 0 * len({name!r})"


def diverging_document() -> dict[str, Any]:
    """mse(p - 3) by SGD with a learning rate of 1e6: the loss overflows within a few steps."""
    doc = new_document("Diverging")
    doc["graph"] = {
        "nodes": [
            {
                "id": "p",
                "type": "parameter",
                "params": {"size": 1, "init": 0.0},
                "position": [0, 0],
            },
            {"id": "three", "type": "constant", "params": {"value": 3.0}, "position": [0, 160]},
            {"id": "d", "type": "sub", "position": [240, 60]},
            {"id": "fit_loss", "type": "loss", "params": {"kind": "mse"}, "position": [460, 60]},
            {"id": "fit", "type": "constraint", "params": {"weight": 1.0}, "position": [680, 60]},
        ],
        "edges": [
            _edge("p", "out", "d", "a"),
            _edge("three", "out", "d", "b"),
            _edge("d", "out", "fit_loss", "residual"),
            _edge("fit_loss", "loss", "fit", "loss"),
        ],
    }
    doc["training"] = {
        "phases": [{"optimizer": "sgd", "learning_rate": 1e6, "epochs": 2000, "inner_steps": 100}]
    }
    return doc


def write(doc: dict[str, Any], root: Path, name: str) -> str:
    """Save `doc` as `root/name`; return `name` (the path relative to the server root)."""
    save(doc, root / name)
    return name
