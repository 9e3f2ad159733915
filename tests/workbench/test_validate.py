"""Validation returns every problem at once, each naming node and port."""

import copy
import doctest
import json
import keyword
import math
import re
import sys
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jno_lab.workbench.catalogue import NODE_TYPES
from jno_lab.workbench.document import load, schema
from jno_lab.workbench.graph import Graph, identifier
from jno_lab.workbench.validate import MAX_CSG_DEPTH, MAX_DEPTH, MAX_LISTED, validate
from jno_lab.workbench.validate_fast_schema import surely_valid

graph_module = sys.modules[Graph.__module__]

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


# -- crafted documents: deep nesting, odd values, size --------------------------------------
def _nested(depth, leaf=None):
    """`depth` lists, one inside the other (built without recursion)."""
    value = [] if leaf is None else leaf
    for _ in range(depth):
        value = [value]
    return value


def _deep_csg(depth, where=0):
    tree = "square"
    for _ in range(depth):
        tree = {"op": "union", "args": [tree, "square"] if where == 0 else ["square", tree]}
    return tree


def _node(doc, node_id):
    (node,) = [n for n in doc["graph"]["nodes"] if n["id"] == node_id]
    return node


@pytest.mark.parametrize(
    ("place", "prefix", "node_id", "port"),
    [
        (lambda d, v: d["layout"].update(x=v), "layout/x/0/0/0/0/0/0/0/0/0/0/0/0", None, None),
        (
            lambda d, v: _node(d, "pix")["params"].update(factor=v),
            "graph/nodes/6/params/factor/0/0/0",
            "pix",
            "factor",
        ),
        (lambda d, v: d["meta"].update(description=v), "meta/description/0/0/0", None, None),
        (lambda d, v: d["graph"]["edges"].append(v), "graph/edges/", None, None),
    ],
)
def test_very_deep_json_is_a_problem_naming_its_place_and_the_limit(place, prefix, node_id, port):
    doc = _doc()
    place(doc, _nested(100_000))
    problems = validate(doc)
    assert [p["code"] for p in problems] == ["depth"]
    (found,) = problems
    assert found["message"].startswith(prefix)
    assert f"more than {MAX_DEPTH} levels" in found["message"]
    assert (found["node_id"], found["port"]) == (node_id, port)


def test_nesting_up_to_the_limit_is_no_depth_problem():
    doc = _doc()
    doc["layout"]["x"] = _nested(MAX_DEPTH - 3)  # document, layout, x: 3 levels above
    assert validate(doc) == []
    doc["layout"]["x"] = _nested(MAX_DEPTH - 2)
    (found,) = validate(doc)
    assert found["code"] == "depth"
    assert found["message"].startswith("layout/x/" + "0/" * (MAX_DEPTH - 3) + "0: ")


@pytest.mark.parametrize("where", [0, 1])
def test_a_very_deep_csg_tree_is_a_problem_naming_its_place_and_the_limit(where):
    doc = _doc()
    doc["geometry"]["csg"] = _deep_csg(10_000, where)
    (found,) = validate(doc)
    assert found["code"] == "depth"
    assert found["message"].startswith("geometry/csg" + f"/args/{where}" * MAX_CSG_DEPTH + ": ")
    assert f"more than {MAX_CSG_DEPTH} operations" in found["message"]


def test_csg_trees_up_to_the_limit_are_checked_as_usual():
    doc = _doc()
    doc["geometry"]["csg"] = _deep_csg(MAX_CSG_DEPTH)
    assert validate(doc) == []
    doc["geometry"]["csg"] = _deep_csg(MAX_CSG_DEPTH + 1)
    assert [p["code"] for p in validate(doc)] == ["depth"]
    doc["geometry"]["csg"] = _deep_csg(MAX_CSG_DEPTH)
    doc["geometry"]["csg"]["args"][1] = "nowhere"
    assert [p["message"] for p in validate(doc)] == [
        "the CSG tree names an unknown primitive 'nowhere'"
    ]


def test_shared_and_cyclic_python_values_end():
    doc = _doc()
    loop = []
    loop.append(loop)
    shared = [1.0]
    doc["layout"].update(loop=loop, a=shared, b=shared, nan=[float("nan")] * 3)
    assert [p["message"].split(":")[0] for p in validate(doc)] == [
        "layout/nan/0",
        "layout/nan/1",
        "layout/nan/2",
    ]
    doc = _doc()
    doc["geometry"]["csg"] = csg = {"op": "union", "args": ["square"]}
    csg["args"].append(csg)
    assert [p["code"] for p in validate(doc)] == ["depth"]


def test_load_refuses_json_too_deep_to_read(tmp_path):
    path = tmp_path / "deep.jnolab"
    path.write_text('{"layout": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}")
    with pytest.raises(ValueError, match=r"deep\.jnolab: the JSON is nested too deeply") as info:
        load(path)
    assert f"at most {MAX_DEPTH} levels" in str(info.value)


def test_load_reads_deep_but_readable_json_for_validation_to_name(tmp_path):
    doc = _doc()
    text = json.dumps(doc)
    path = tmp_path / "deepish.jnolab"
    path.write_text(text.replace('"layout": {}', '"layout": {"x": ' + "[" * 300 + "]" * 300 + "}"))
    (found,) = validate(load(path))
    assert found["code"] == "depth"
    assert found["message"].startswith("layout/x/0/0/")


def test_load_names_the_file_for_unreadable_numbers_and_text(tmp_path):
    path = tmp_path / "long.jnolab"
    path.write_text('{"seed": 1' + "0" * 5000 + "}")
    with pytest.raises(ValueError, match=r"long\.jnolab: an integer in the file is too long"):
        load(path)
    path = tmp_path / "latin1.jnolab"
    path.write_bytes(b'{"meta": {"title": "caf\xe9"}}')
    with pytest.raises(ValueError, match=r"latin1\.jnolab: not UTF-8 text"):
        load(path)


def test_load_keeps_nan_and_infinity_and_validation_names_them(tmp_path):
    path = tmp_path / "nan.jnolab"
    text = json.dumps(_doc()).replace('"seed": 0', '"seed": NaN')
    path.write_text(text.replace('"lr0": 0.01', '"lr0": -Infinity'))
    doc = load(path)
    assert math.isnan(doc["seed"])
    assert [p["message"] for p in validate(doc)] == [
        "seed: NaN is not a number a document may hold; use a finite number",
        "training/phases/0/learning_rate/lr0: -Infinity is not a number a document may hold; "
        "use a finite number",
    ]


def _set_value(doc, path, value):
    *parents, last = path
    target = doc
    for key in parents:
        target = target[key]
    target[last] = value


ODD_CASES = [
    (
        ["graph", "nodes", 6, "params", "factor"],
        float("nan"),
        "number",
        "graph/nodes/6/params/factor: NaN is not a number a document may hold; use a finite number",
        "pix",
        "factor",
    ),
    (
        ["graph", "nodes", 15, "params", "weight"],
        float("inf"),
        "number",
        "graph/nodes/15/params/weight: Infinity is not a number",
        "pde",
        "weight",
    ),
    (
        ["geometry", "time"],
        {"t0": 0, "t1": float("-inf"), "steps": 4},
        "number",
        "geometry/time/t1: -Infinity is not",
        None,
        None,
    ),
    (
        ["graph", "nodes", 0, "position", 1],
        float("nan"),
        "number",
        "graph/nodes/0/",
        "xy",
        None,
    ),
    (
        ["seed"],
        10**400,
        "number",
        "seed: an integer of about 401 digits is too large",
        None,
        None,
    ),
    (["mesh", 1], -(10**5000), "number", "mesh/1: an integer of about 5001 digits", None, None),
    (
        ["graph", "nodes", 2, "params", "hidden"],
        2**1100,
        "number",
        "graph/nodes/2/params/hidden: an integer of about 332 digits",
        "net",
        "hidden",
    ),
    (
        ["training", "phases", 0, "epochs"],
        10**400,
        "number",
        "training/phases/0/epochs: an integer of about 401 digits",
        None,
        None,
    ),
    (
        ["geometry", "sampling", "interior"],
        10**400,
        "geometry",
        "geometry/sampling/interior: an integer of about 401 digits",
        None,
        None,
    ),
    (
        ["meta", "title"],
        "caf\udfff",
        "text",
        "meta/title: the text holds a lone surrogate (U+DFFF)",
        None,
        None,
    ),
    (
        ["graph", "nodes", 14, "label"],
        "\ud800",
        "text",
        "graph/nodes/14/label: the text holds a lone surrogate (U+D800)",
        "pde_loss",
        None,
    ),
    (
        ["graph", "nodes", 14, "id"],
        "\ud800",
        "text",
        "graph/nodes/14/id: the text holds a lone surrogate (U+D800)",
        None,
        None,
    ),
    (
        ["layout", "x\udc80"],
        1,
        "text",
        "layout/x\\udc80: the key holds a lone surrogate (U+DC80)",
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("path", "value", "code", "message", "node_id", "port"),
    ODD_CASES,
    ids=["/".join(map(str, case[0])) for case in ODD_CASES],
)
def test_odd_values_name_their_path(path, value, code, message, node_id, port):
    doc = _doc()
    _set_value(doc, path, value)
    (found,) = validate(doc)
    assert found["code"] == code
    assert found["message"].startswith(message), found["message"]
    assert (found["node_id"], found["port"]) == (node_id, port)
    found["message"].encode("utf-8")  # printable, whatever the document holds


def test_many_odd_values_are_counted_beyond_a_limit():
    doc = _doc()
    doc["layout"]["many"] = [float("nan")] * 1000
    problems = validate(doc)
    assert len(problems) == MAX_LISTED + 1
    assert problems[-1]["code"] == "values"
    assert problems[-1]["message"].startswith(f"{1000 - MAX_LISTED} more values")


def _slots(value, out):
    """Every (container, key) of a document, parents first (the example is shallow)."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in list(items):
        out.append((value, key))
        if isinstance(item, dict | list):
            _slots(item, out)
    return out


odd_leaves = st.sampled_from(
    [float("nan"), float("-inf"), 10**400, -(2**2000), "\udfff", {"\ud800": 1}, 2**63, 1e308]
)
odd_values = st.recursive(
    odd_leaves | st.integers() | st.text(max_size=4) | st.none(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)


@settings(deadline=None, database=None, derandomize=True, max_examples=200)
@given(st.lists(st.tuples(st.integers(min_value=0), odd_values, st.integers(0, 300)), max_size=3))
def test_odd_values_anywhere_give_problems_never_exceptions(changes):
    doc = _doc()
    for where, value, depth in changes:
        slots = _slots(doc, [])
        container, key = slots[where % len(slots)]
        container[key] = _nested(depth, value) if depth > 150 else value
    problems = validate(doc)
    for found in problems:
        assert set(found) == {"code", "message", "node_id", "port"}
        found["message"].encode("utf-8")
        assert found["node_id"] is None or isinstance(found["node_id"], str)


# -- large documents ----------------------------------------------------------------------
def _chain(n):
    """A valid document: constant -> (scale | add) ... -> loss -> constraint, n nodes."""
    doc = _doc()
    nodes = [{"id": "c0", "type": "constant", "params": {"value": 2.0}}]
    edges = []
    previous = "c0"
    for i in range(1, n - 2):
        if i % 2:
            nodes.append({"id": f"n{i}", "type": "scale", "params": {"factor": 0.5}})
        else:
            nodes.append({"id": f"n{i}", "type": "add"})
            edges.append(
                {"source": "c0", "sourcePort": "out", "target": f"n{i}", "targetPort": "b"}
            )
        edges.append(
            {"source": previous, "sourcePort": "out", "target": f"n{i}", "targetPort": "a"}
        )
        previous = f"n{i}"
    nodes += [{"id": "loss", "type": "loss"}, {"id": "fit", "type": "constraint"}]
    edges.append(
        {"source": previous, "sourcePort": "out", "target": "loss", "targetPort": "residual"}
    )
    edges.append({"source": "loss", "sourcePort": "loss", "target": "fit", "targetPort": "loss"})
    doc["graph"] = {"nodes": nodes, "edges": edges}
    return doc


def test_a_large_document_validates_and_orders():
    doc = _chain(5000)
    assert validate(doc) == []
    ordered = [n["id"] for n in Graph(doc).order()]
    assert len(ordered) == 5000
    position = {node_id: i for i, node_id in enumerate(ordered)}
    assert all(position[e["source"]] < position[e["target"]] for e in doc["graph"]["edges"])


def test_a_large_document_reports_exactly_its_problems():
    doc = _chain(5000)
    nodes, edges = doc["graph"]["nodes"], doc["graph"]["edges"]
    nodes[4000]["params"] = {"factor": "big"}  # n4000 is an add: no factor
    nodes.append({"id": "n17", "type": "neg"})  # a second n17
    nodes.append({"id": "net", "type": "mlp"})  # never called
    edges.remove({"source": "n2999", "sourcePort": "out", "target": "n3000", "targetPort": "a"})
    edges.append({"source": "n4001", "sourcePort": "out", "target": "n3000", "targetPort": "a"})
    edges.append({"source": "ghost", "sourcePort": "out", "target": "n10", "targetPort": "a"})
    edges.append({"source": "n11", "sourcePort": "out", "target": "n12", "targetPort": "q"})
    edges.append({"source": "n13", "sourcePort": "out", "target": "n14", "targetPort": "b"})
    edges.remove({"source": "n19", "sourcePort": "out", "target": "n20", "targetPort": "a"})
    assert _codes(doc) == [
        ("cycle", "n3000", None),
        ("dangling_edge", "n10", "a"),
        ("duplicate_id", "n17", None),
        ("duplicate_input", "n14", "b"),
        ("missing_input", "n20", "a"),
        ("param", "n4000", None),
        ("unknown_port", "n12", "q"),
        ("unused_model", "net", None),
    ]
    (cycle,) = [p for p in validate(doc) if p["code"] == "cycle"]
    assert cycle["message"] == "the graph has a cycle: " + " -> ".join(
        f"n{i}" for i in range(3000, 4002)
    )


ODD_VALUES = [None, True, 0, -1, 1.0, 1.5, 2**40, "", "x", [], [1, 2], [1, "a"], {}, {"a": 1}]
NODE_LIKE = [
    {"id": "a", "type": "b"},
    {"id": "", "type": "b"},
    {"id": "a"},
    {"id": "a", "type": "b", "params": {}, "position": [1, 2.5], "label": "l"},
    {"id": "a", "type": "b", "position": [1, "x"]},
    {"id": "a", "type": "b", "position": [1, 2, 3]},
    {"id": "a", "type": "b", "params": []},
    {"id": "a", "type": "b", "label": 5},
    {"source": "a", "sourcePort": "out", "target": "b", "targetPort": "a"},
    {"source": "a", "sourcePort": "out", "target": "b", "targetPort": 1},
    {"source": "a", "sourcePort": "out", "target": "b", "targetPort": "a", "id": 3},
    {"source": "a", "sourcePort": "out", "target": "b"},
    {"source": "a", "sourcePort": "out", "target": "b", "targetPort": "a b"},
    {"source": "a", "sourcePort": "1x", "target": "b", "targetPort": "in1"},
]


def test_the_fast_schema_check_never_accepts_what_jsonschema_refuses():
    root = schema()
    accepted = 0
    for key in ("node", "edge", "point"):
        strict = jsonschema.Draft202012Validator({"$defs": root["$defs"], "$ref": f"#/$defs/{key}"})
        for value in ODD_VALUES + NODE_LIKE:
            if surely_valid(root["$defs"][key], value, root):
                accepted += 1
                assert list(strict.iter_errors(value)) == [], (key, value)
    for kind in NODE_TYPES.values():
        strict = jsonschema.Draft202012Validator(kind.params)
        for name in [*kind.params.get("properties", {}), "unknown"]:
            for value in [*ODD_VALUES, 3, 8, 9, "sin", "mse", "interior"]:
                params = {**kind.defaults(), name: value}
                if surely_valid(kind.params, params):
                    accepted += 1
                    assert list(strict.iter_errors(params)) == [], (kind.type, params)
    assert accepted > 100  # the fast path is taken


# -- Python names of node outputs ---------------------------------------------------------
NAMES = settings(deadline=None, database=None, derandomize=True, max_examples=300)
node_ids = (
    st.text(max_size=12)
    | st.text(alphabet="ab_-.²é1", max_size=6)
    | st.sampled_from(["class", "1x", "", "_", "n_a_b_34fafd", "a-b", "\udfff", "x\ud800"])
)


@NAMES
@given(st.lists(node_ids, unique=True, max_size=30), st.sampled_from(["out", "x", "model"]))
def test_identifiers_are_ascii_python_names_and_distinct(ids, port):
    names = [identifier(node_id, port) for node_id in ids]
    for name in names:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name), name
        assert name.isidentifier()
        assert not keyword.iskeyword(name)
    assert len(set(names)) == len(names)


def test_identifiers_keep_plain_ids_and_hash_the_others():
    assert identifier("n3", "x") == "n3_x"
    assert identifier("x²", "out") == "n_x__6caab3_out"  # '²' is alphanumeric, not a name
    assert identifier("n_a_b_34fafd", "out") != identifier("a-b", "out")  # looks hashed
    assert doctest.testmod(graph_module).failed == 0


# -- the graph's index gives the answers of a plain scan of the edges ---------------------
def _scan_successors(graph, node_id):
    return [e["target"] for e in graph.edges if e["source"] == node_id]


def _scan_cycle(graph):
    state, path = {}, []
    for start in graph.nodes:
        if state.get(start):
            continue
        stack = [(start, 0)]
        while stack:
            node, index = stack.pop()
            if index == 0:
                state[node] = 1
                path.append(node)
            succ = [s for s in _scan_successors(graph, node) if s in graph.nodes]
            if index < len(succ):
                stack.append((node, index + 1))
                if state.get(succ[index]) == 1:
                    return path[path.index(succ[index]) :]
                if not state.get(succ[index]):
                    stack.append((succ[index], 0))
            else:
                state[node] = 2
                path.pop()
    return None


def _scan_order(graph):
    indegree = {nid: 0 for nid in graph.nodes}
    for e in graph.edges:
        if e["target"] in indegree and e["source"] in graph.nodes:
            indegree[e["target"]] += 1
    ready = [nid for nid in graph.nodes if indegree[nid] == 0]
    out = []
    while ready:
        nid = ready.pop(0)
        out.append(nid)
        for succ in _scan_successors(graph, nid):
            if succ in indegree:
                indegree[succ] -= 1
                if indegree[succ] == 0:
                    ready.append(succ)
    return out


small_ids = st.sampled_from(["a", "b", "c", "d", "e", "ghost"])


@settings(deadline=None, database=None, derandomize=True, max_examples=300)
@given(
    st.lists(small_ids.filter(lambda i: i != "ghost"), unique=True, max_size=5),
    st.lists(st.tuples(small_ids, small_ids, st.sampled_from(["a", "b"])), max_size=10),
)
def test_graph_index_answers_as_a_scan_of_the_edges(node_ids, links):
    doc = {
        "graph": {
            "nodes": [{"id": i, "type": "neg"} for i in node_ids],
            "edges": [
                {"source": s, "sourcePort": "out", "target": t, "targetPort": p}
                for s, t, p in links
            ],
        }
    }
    graph = Graph(doc)
    assert graph.cycle() == _scan_cycle(graph)
    assert [n["id"] for n in graph.order()] == _scan_order(graph)
    for node_id in [*node_ids, "ghost"]:
        assert graph.successors(node_id) == _scan_successors(graph, node_id)
        assert graph.inputs_of(node_id) == {
            e["targetPort"]: (e["source"], e["sourcePort"])
            for e in graph.edges
            if e["target"] == node_id
        }
