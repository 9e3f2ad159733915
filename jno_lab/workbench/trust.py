"""Trust in a document's code: what is code, and which code this user has trusted.

Most of a document is data: the lowering builds code from it through checked
emitters. A custom-function node marked as code (`params.code`) holds Python
text that runs as it is written; such a document runs only once its user trusts
it, as Jupyter trusts notebooks. Trust is about the code, so it is stored per
digest of the document's code (every code node's id, inputs and text): editing
the layout, the geometry or the training plan keeps it, changing any code needs
trust again. The store is a JSON file of digests in the user's Jupyter data
folder (`JNO_LAB_TRUST_FILE` names another file), written by this user only.

Example:
    >>> import os, tempfile
    >>> from jno_lab.workbench import new_document
    >>> store = os.path.join(tempfile.mkdtemp(), "trusted.json")
    >>> doc = new_document()
    >>> doc["graph"]["nodes"].append(
    ...     {"id": "f", "type": "function", "params": {"expression": "a.T", "code": True}}
    ... )
    >>> [c["node_id"] for c in code_nodes(doc)], is_trusted(doc, store)
    (['f'], False)
    >>> trust(doc, store) == digest(doc), is_trusted(doc, store)
    (True, True)
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any, TypedDict

__all__ = ["CodeNode", "code_nodes", "digest", "is_trusted", "store_path", "trust"]

TRUST_FILE_VARIABLE = "JNO_LAB_TRUST_FILE"


class CodeNode(TypedDict):
    """A node whose text runs as Python: what the user is asked to read before trusting."""

    node_id: str
    title: str
    field: str
    code: str


def code_nodes(document: Any) -> list[CodeNode]:
    """The nodes of `document` whose text runs as code (custom functions marked as code)."""
    from .catalogue import NODE_TYPES

    graph = document.get("graph") if isinstance(document, dict) else None
    nodes = graph.get("nodes") if isinstance(graph, dict) else None
    out: list[CodeNode] = []
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, dict):
            continue
        type_name = node.get("type")
        kind = NODE_TYPES.get(type_name) if isinstance(type_name, str) else None
        params = node.get("params")
        if kind is None or not kind.code or not isinstance(params, dict):
            continue
        if params.get("code") is True:
            label = node.get("label")
            out.append(
                {
                    "node_id": str(node.get("id")),
                    "title": label if isinstance(label, str) and label else kind.title,
                    "field": "expression",
                    "code": str(params.get("expression", "")),
                }
            )
    return out


def digest(document: Any) -> str:
    """SHA-256 of the document's code: every code node's id, inputs and text."""
    from .catalogue import NODE_TYPES

    parts = []
    for node in code_nodes(document):
        raw = next(
            n
            for n in document["graph"]["nodes"]
            if isinstance(n, dict) and str(n.get("id")) == node["node_id"]
        )
        params = raw["params"]
        inputs = params.get("inputs", NODE_TYPES[raw["type"]].defaults().get("inputs"))
        parts.append([node["node_id"], inputs, node["code"]])
    text = json.dumps(sorted(parts, key=str), ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def store_path() -> Path:
    """Where trusted digests are kept (`JNO_LAB_TRUST_FILE`, else the Jupyter data folder)."""
    chosen = os.environ.get(TRUST_FILE_VARIABLE)
    if chosen:
        return Path(chosen).expanduser()
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "jno_lab" / "trusted.json"


def _read(path: Path) -> dict[str, float]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    trusted = data.get("trusted") if isinstance(data, dict) else None
    if not isinstance(trusted, dict):
        return {}
    return {k: v for k, v in trusted.items() if isinstance(k, str) and isinstance(v, int | float)}


def is_trusted(document: Any, path: str | Path | None = None) -> bool:
    """Whether `document` may run: it holds no code, or its code's digest was trusted."""
    if not code_nodes(document):
        return True
    return digest(document) in _read(Path(path) if path is not None else store_path())


def trust(document: Any, path: str | Path | None = None) -> str:
    """Trust the document's code now; returns the digest stored."""
    target = Path(path) if path is not None else store_path()
    value = digest(document)
    trusted = _read(target)
    trusted[value] = time.time()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".trusted-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"version": 1, "trusted": trusted}, f, indent=1)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return value
