"""Crafted documents, end to end: no path through jNO Lab runs the code hidden in them.

Each document hides code that would create a marker file in a different field:
the title, a label, a tag predicate, a custom-function expression (plain and
marked as code), a learning-rate key, node, primitive and port names, a network
name, the description, the phase name, the layout and the sampling keys. They go
through validate, export, notebook export and preview (kernel and CLI), and, in
the slow test, through Run (kernel and CLI), the exported script and notebook,
and import back. The marker never appears; code marked as code runs only after
the user trusts it.
"""

from __future__ import annotations

import ast
import copy
import json
from pathlib import Path
from typing import Any

import pytest

from jno_lab.cli import main
from jno_lab.workbench import trust
from jno_lab.workbench.document import new_document, save
from jno_lab.workbench.kernel import WorkbenchHandler
from jno_lab.workbench.lowering import UntrustedCode, lower
from jno_lab.workbench.session import Session
from jno_lab.workbench.validate import validate


def tiny() -> dict[str, Any]:
    """A 2-D fit of u = x on a square with a hole: a tiny network, two steps."""
    doc = new_document("tiny")
    doc["geometry"]["primitives"].append(
        {"id": "hole", "type": "circle", "center": [0.5, 0.5], "radius": 0.2}
    )
    doc["geometry"]["csg"] = {"op": "difference", "args": ["square", "hole"]}
    doc["geometry"]["tags"] = [{"name": "left", "predicate": "x < 1e-9"}]
    doc["geometry"]["sampling"] = {"interior": 16, "boundary": 8, "left": 4}
    doc["training"]["phases"] = [{"optimizer": "adam", "learning_rate": 1e-3, "epochs": 2}]
    nodes = [
        {"id": "xy", "type": "variables", "params": {"tag": "interior"}},
        {"id": "net", "type": "mlp", "params": {"in_size": 2, "hidden": 4, "depth": 1}},
        {"id": "u", "type": "call", "params": {"inputs": 2}},
        {"id": "u0", "type": "component"},
        {"id": "f", "type": "function", "params": {"inputs": 1, "expression": "a * 1.0"}},
        {"id": "r", "type": "sub"},
        {"id": "fit", "type": "loss"},
        {"id": "c", "type": "constraint"},
    ]
    edges = [
        ("net", "model", "u", "model"),
        ("xy", "x", "u", "in1"),
        ("xy", "y", "u", "in2"),
        ("u", "out", "u0", "value"),
        ("xy", "x", "f", "in1"),
        ("u0", "out", "r", "a"),
        ("f", "out", "r", "b"),
        ("r", "out", "fit", "residual"),
        ("fit", "loss", "c", "loss"),
    ]
    doc["graph"] = {
        "nodes": nodes,
        "edges": [
            {"source": s, "sourcePort": sp, "target": t, "targetPort": tp} for s, sp, t, tp in edges
        ],
    }
    assert validate(doc) == []
    return doc


def node(doc: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in doc["graph"]["nodes"] if n["id"] == node_id)


def crafted(marker: Path) -> dict[str, dict[str, Any]]:
    """Documents hiding `touch(marker)` in one field each."""
    code = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    out: dict[str, dict[str, Any]] = {}

    def variant(name: str) -> dict[str, Any]:
        out[name] = doc = tiny()
        return doc

    variant("title")["meta"]["title"] = f'x"""\n{code}\n"""'
    variant("description")["meta"]["description"] = f"'''\n{code}\n"
    node(variant("label"), "net")["label"] = f"net\n{code}\n#"
    variant("predicate")["geometry"]["tags"][0]["predicate"] = f"{code} or x < 1e-9"
    node(variant("expression"), "f")["params"]["expression"] = code
    node(variant("code"), "f")["params"].update(expression=f"({code}, a)[1]", code=True)
    variant("schedule")["training"]["phases"][0]["learning_rate"] = {
        "kind": "constant",
        "lr": 1e-3,
        f"min_lr=0, **{{}}) or {code} #": 1,
    }
    node(variant("network_name"), "net")["params"]["name"] = f"'); {code}; ('"
    variant("phase_name")["training"]["phases"][0]["name"] = f"\n{code}"
    variant("layout")["layout"] = {code: code}
    doc = variant("node_id")
    for n in doc["graph"]["nodes"]:
        if n["id"] == "r":
            n["id"] = f"r=0;{code};r"
    for e in doc["graph"]["edges"]:
        for end in ("source", "target"):
            if e[end] == "r":
                e[end] = f"r=0;{code};r"
    doc = variant("primitive_id")
    doc["geometry"]["primitives"][1]["id"] = f"h=0;{code};h"
    doc["geometry"]["csg"]["args"][1] = f"h=0;{code};h"
    doc = variant("port")
    doc["graph"]["edges"][0]["sourcePort"] = f"model;{code}"
    doc = variant("sampling_key")
    doc["geometry"]["sampling"][f"left'; {code}; '"] = 3
    return out


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "pwned"


def _handler() -> WorkbenchHandler:
    return WorkbenchHandler(lambda m, b: None, session=Session(progress_interval=0.05))


def test_no_request_that_only_reads_a_document_runs_its_code(marker, tmp_path, capsys):
    handler = _handler()
    for name, doc in crafted(marker).items():
        problems = validate(doc)
        for request in ("validate", "export", "notebook", "preview_geometry"):
            reply, _ = handler.handle({"id": "1", "type": request, "document": doc}, [])
            assert reply["ok"] or reply["error"]["code"] != "internal", (name, reply)
        path = tmp_path / f"{name}.jnolab"
        save(doc, path)
        assert main(["validate", str(path)]) == (1 if problems else 0)
        assert main(["export", str(path)]) == (1 if problems else 0)
        if not problems:
            source = lower(doc).to_source()
            ast.parse(source)
    capsys.readouterr()
    assert not marker.exists()


def test_the_crafted_fields_are_refused_or_kept_as_data(marker):
    outcome = {}
    for name, doc in crafted(marker).items():
        problems = validate(doc)
        outcome[name] = "refused" if problems else "data"
        if problems:
            assert all(p["message"] for p in problems)
    assert outcome == {
        "title": "data",
        "description": "data",
        "label": "data",
        "predicate": "refused",  # outside the expression grammar
        "expression": "refused",
        "code": "data",  # code, but it runs only once trusted
        "schedule": "refused",  # not a keyword of the schedule
        "network_name": "data",
        "phase_name": "data",
        "layout": "data",
        "node_id": "data",
        "primitive_id": "data",
        "port": "refused",  # no such output
        "sampling_key": "refused",  # not a tag name
    }
    program = lower(crafted(marker)["code"])
    assert program.code_nodes == ["f"]
    with pytest.raises(UntrustedCode, match="trust"):
        program.execute()
    assert not marker.exists()


def test_untrusted_code_is_refused_until_the_user_trusts_it(marker, tmp_path, capsys):
    doc = crafted(marker)["code"]
    handler = _handler()
    reply, _ = handler.handle({"id": "1", "type": "validate", "document": doc}, [])
    assert reply["problems"] == []
    assert reply["trusted"] is False
    assert [(c["node_id"], c["field"]) for c in reply["code_nodes"]] == [("f", "expression")]
    assert "pathlib" in reply["code_nodes"][0]["code"]
    reply, _ = handler.handle({"id": "2", "type": "run", "document": doc}, [])
    assert not reply["ok"]
    assert reply["error"]["code"] == "untrusted"
    assert reply["error"]["node_id"] == "f"
    assert reply["code_nodes"][0]["node_id"] == "f"
    path = tmp_path / "code.jnolab"
    save(doc, path)
    assert main(["run", str(path), "--no-progress", "--out", str(tmp_path / "out")]) == 1
    assert "not trusted" in capsys.readouterr().err
    assert not marker.exists()

    reply, _ = handler.handle({"id": "3", "type": "trust", "document": doc}, [])
    assert reply["ok"]
    assert reply["digest"] == trust.digest(doc)
    assert trust.is_trusted(doc)
    moved = copy.deepcopy(doc)
    moved["layout"] = {"moved": True}
    moved["training"]["phases"][0]["epochs"] = 4
    assert trust.is_trusted(moved)  # trust is about the code
    changed = copy.deepcopy(doc)
    node(changed, "f")["params"]["expression"] = "a * 2.0"
    assert not trust.is_trusted(changed)
    reply, _ = handler.handle({"id": "4", "type": "validate", "document": doc}, [])
    assert reply["trusted"] is True


def test_a_corrupt_trust_store_trusts_nothing(tmp_path):
    store = tmp_path / "trusted.json"
    doc = tiny()
    node(doc, "f")["params"]["code"] = True
    for text in ("not json", "[]", '{"trusted": [1, 2]}', json.dumps({"trusted": {"x": "y"}})):
        store.write_text(text)
        assert not trust.is_trusted(doc, store)
    assert trust.trust(doc, store) == trust.digest(doc)
    assert trust.is_trusted(doc, store)
    assert trust.is_trusted(tiny(), store)  # no code: nothing to trust
    odd = tiny()
    odd["graph"]["nodes"] += [{"id": "x", "type": []}, {"id": "y", "type": "function"}, "node"]
    assert trust.code_nodes(odd) == []  # malformed nodes are no code (validation names them)


@pytest.mark.slow
def test_running_crafted_documents_never_runs_their_code(marker, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    handler = _handler()
    for name, doc in crafted(marker).items():
        if validate(doc) or name == "code":
            continue
        reply, _ = handler.handle({"id": "r", "type": "run", "document": doc}, [])
        assert reply["ok"], (name, reply)
        assert handler.session.wait(120)
        assert handler.session.status["state"] == "finished", handler.session.status
        path = tmp_path / f"{name}.jnolab"
        save(doc, path)
        out = tmp_path / f"out-{name}"
        assert main(["run", str(path), "--no-progress", "--out", str(out)]) == 0
        source = lower(doc).to_source()
        namespace: dict[str, Any] = {"__name__": "__main__"}
        exec(compile(source, f"{name}.py", "exec"), namespace)  # the exported script
        reply, _ = handler.handle({"id": "n", "type": "notebook", "document": doc}, [])
        cells = [c for c in reply["notebook"]["cells"] if c["cell_type"] == "code"]
        notebook_ns: dict[str, Any] = {"__name__": "__main__"}
        for cell in cells:
            exec(compile("".join(cell["source"]), f"{name}.ipynb", "exec"), notebook_ns)
        assert handler.built is not None
        handler.namespace["crux"] = handler.built.crux  # the editor's run
        reply, _ = handler.handle({"id": "i", "type": "import", "expression": "crux"}, [])
        assert reply["ok"], reply
        assert validate(reply["document"]) == []
    capsys.readouterr()
    assert not marker.exists()
