"""Validation returns every problem at once, each naming node and port."""

import copy
import json
from pathlib import Path

import pytest

from jno_lab.workbench.validate import validate

EXAMPLE = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "poisson.jnolab").read_text()
)


def _doc():
    return copy.deepcopy(EXAMPLE)


def _codes(doc):
    return sorted((p["code"], p["node_id"], p["port"]) for p in validate(doc))


def test_the_example_is_valid():
    assert validate(_doc()) == []


def test_many_problems_are_reported_together():
    doc = _doc()
    doc["graph"]["nodes"].append({"id": "mystery", "type": "sine"})
    doc["graph"]["nodes"].append({"id": "net2", "type": "mlp", "params": {"hidden": 0}})
    doc["graph"]["edges"].append(
        {"source": "xy", "sourcePort": "x", "target": "ghost", "targetPort": "a"}
    )
    doc["graph"]["edges"] = [e for e in doc["graph"]["edges"] if e["target"] != "sxy"]
    codes = _codes(doc)
    assert ("unknown_type", "mystery", None) in codes
    assert ("param", "net2", "hidden") in codes
    assert ("dangling_edge", None, "a") in codes
    assert ("missing_input", "sxy", "a") in codes
    assert ("missing_input", "sxy", "b") in codes


def test_type_mismatch_names_the_port():
    doc = _doc()
    for e in doc["graph"]["edges"]:
        if e["target"] == "lap" and e["targetPort"] == "var1":
            e["source"], e["sourcePort"] = "sx", "out"  # a field where a coordinate is needed
    assert ("type_mismatch", "lap", "var1") in _codes(doc)


def test_ports_that_do_not_exist_in_this_geometry():
    doc = _doc()
    doc["graph"]["edges"].append(
        {"source": "xy", "sourcePort": "t", "target": "res", "targetPort": "a"}
    )
    problems = validate(doc)
    assert any(p["code"] == "unknown_port" and p["port"] == "t" for p in problems)


def test_cycle_unknown_tag_empty_plan_and_no_constraint():
    doc = _doc()
    doc["graph"]["edges"].append(
        {"source": "res", "sourcePort": "out", "target": "sxy", "targetPort": "c"}
    )
    doc["graph"]["edges"] = [
        e for e in doc["graph"]["edges"] if not (e["target"] == "sxy" and e["targetPort"] == "a")
    ]
    doc["graph"]["edges"].append(
        {"source": "res", "sourcePort": "out", "target": "sxy", "targetPort": "a"}
    )
    assert any(p["code"] == "cycle" for p in validate(doc))
    doc = _doc()
    doc["graph"]["nodes"][0]["params"]["tag"] = "inlet"
    assert ("unknown_tag", "xy", None) in _codes(doc)
    doc = _doc()
    doc["training"]["phases"] = []
    assert ("empty_plan", None, None) in _codes(doc)
    doc = _doc()
    doc["graph"]["nodes"] = [n for n in doc["graph"]["nodes"] if n["type"] != "constraint"]
    doc["graph"]["edges"] = [e for e in doc["graph"]["edges"] if e["target"] not in ("pde", "bc")]
    assert ("no_constraint", None, None) in _codes(doc)


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda d: d.update(version=99), "newer_version"),
        (lambda d: d.update(format="something"), "schema"),
        (lambda d: d["geometry"].update(csg="nowhere"), "geometry"),
        (lambda d: d["geometry"].update(tags=[{"name": "t1", "predicate": "x <"}]), "syntax"),
        (lambda d: d["training"]["phases"][0].update(epochs=1000, inner_steps=300), "plan"),
        (lambda d: d["training"]["phases"][0].update(weights=[1.0]), "plan"),
        (
            lambda d: d["graph"]["nodes"].append(copy.deepcopy(d["graph"]["nodes"][0])),
            "duplicate_id",
        ),
    ],
)
def test_document_level_problems(mutate, code):
    doc = _doc()
    mutate(doc)
    assert code in {p["code"] for p in validate(doc)}


def test_not_a_document():
    assert validate([1, 2])[0]["code"] == "document"
    assert validate({})[0]["code"] == "schema"


def test_a_coordinate_too_large_for_a_float_is_named():
    doc = _doc()
    primitive = doc["geometry"]["primitives"][0]
    key = next(k for k in ("x", "center", "points") if k in primitive)
    primitive[key] = [10**400, 1] if key != "points" else [[10**400, 0], [1, 0], [0, 1]]
    (found,) = [p for p in validate(doc) if "too large" in p["message"]]
    assert found["code"] == "geometry"
    assert found["message"].startswith(f"geometry/primitives/0/{key}/0")
    assert "401 digits" in found["message"]


def test_a_tag_without_points_names_the_variables_node():
    doc = _doc()
    del doc["geometry"]["sampling"]["boundary"]
    assert ("no_points", "xyb", None) in _codes(doc)
    (node,) = [n for n in doc["graph"]["nodes"] if n["id"] == "xyb"]
    node.setdefault("params", {})["sample"] = 64  # the node's own count is enough
    assert "no_points" not in {code for code, _, _ in _codes(doc)}


def test_normals_of_the_interior_are_refused_at_the_node():
    doc = _doc()
    (node,) = [n for n in doc["graph"]["nodes"] if n["id"] == "xy"]
    node["params"]["normals"] = True
    assert ("no_normals", "xy", None) in _codes(doc)
