"""Saved runs are data: solver, statistics and emulator files that cannot run code.

Round trips compare evaluations and losses exactly; crafted files (pickles whose
unpickling would write a marker file, garbled archives) must be refused with a
ValueError naming the file, and the marker must never appear.
"""

import doctest
import io
import json
import pickle
import re
import zipfile
from pathlib import Path

import cloudpickle
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from shapely.geometry import Point, box

import jno_lab as jno
import jno_lab.emulators as tx
from jno_lab import LearningRateSchedule as lrs
from jno_lab._solver import (
    archive,
    checkpoint,
    checkpoint_callback,
    persist,
    persist_domain,
    persist_graph,
    persist_models,
)
from jno_lab._solver import statistics as statistics_module
from jno_lab._solver.core import core
from jno_lab._solver.persist_models import build_skeleton, fill, network_recipe


class Marker:
    """Unpickling this writes a file: proof that a loader ran code from a file."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (Path.write_text, (Path(self.path), "code from a file ran"))


def evil_pickle(tmp_path):
    marker = tmp_path / "marker.txt"
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps({"magic": "jno_lab.core/1", "solver": Marker(marker)}))
    return path, marker


def rewrite(source, target, edit=None, *, entries=None, compression=zipfile.ZIP_STORED):
    """Copy an archive, changing its manifest (`edit(manifest)`) or raw entries."""
    with zipfile.ZipFile(source) as zf:
        data = {name: zf.read(name) for name in zf.namelist()}
    if edit is not None:
        manifest = json.loads(data["manifest.json"])
        edit(manifest)
        data["manifest.json"] = json.dumps(manifest).encode()
    data.update(entries or {})
    with zipfile.ZipFile(target, "w", compression=compression) as zf:
        for name, raw in data.items():
            if raw is not None:
                zf.writestr(name, raw)
    return target


# -- a small solver, saved once ------------------------------------------------------------
@pytest.fixture(scope="module")
def small(tmp_path_factory):
    dom = jno.domain.from_array({"interior": np.linspace(-1.0, 1.0, 6)[:, None]})
    (x,) = dom.variable("interior")
    net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=4, depth=1, key=jax.random.PRNGKey(0)), name="u")
    net.optimizer(optax.adam(1e-2))
    crux = jno.core([(net(x) - x**2).mse, (net(x)[0:1] - 0.0).mae], dom)
    crux.solve(3)
    path = tmp_path_factory.mktemp("small") / "solver.jno"
    crux.save(path)
    return crux, path


def test_round_trip_evaluates_identically_and_continues_exactly(tmp_path):
    rng = np.random.default_rng(1)
    dom = jno.domain.from_array({"interior": rng.uniform(-1.0, 1.0, size=(2, 5, 1))})
    (x,) = dom.variable("interior")
    net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=4, depth=1, key=jax.random.PRNGKey(2)), name="u")
    c = jno.np.parameter((1,), init=0.5, name="c")
    fit = (net(x) - jno.np.sin(3.0 * x)).mse
    w0, w1 = jno.fn.adaptive.relobralo([fit, (c - net(x)).mse])
    crux = jno.core([w0 * fit, w1 * (c - net(x)).mse, net(x).mean().tracker(name="m")], dom)

    def optimizers(solver):
        for t in solver.trainables:
            if not t.frozen:
                t.set_optimizer(optax.adam, lr=lrs(1e-2))

    optimizers(crux)
    crux.solve(3)
    path = tmp_path / "solver.jno"
    crux.save(path)
    assert zipfile.is_zipfile(path)
    assert not (tmp_path / "solver.jno.tmp").exists()
    loaded = jno.core.load(path)
    for mine, theirs in zip(crux.constraints, loaded.constraints, strict=True):
        np.testing.assert_array_equal(loaded.eval(theirs), crux.eval(mine))
    np.testing.assert_array_equal(loaded.stats.losses, crux.stats.losses)
    np.testing.assert_array_equal(loaded.stats.trackers["m"], crux.stats.trackers["m"])
    assert loaded.step_count == 3
    assert [t.describe() for t in loaded.trainables] == [t.describe() for t in crux.trainables]
    with pytest.raises(ValueError, match=r"optimizer\(\.\.\.\)` has not been called"):
        loaded.solve(1)  # optimizers are training settings: attached again after load
    optimizers(loaded)
    optimizers(crux)  # fresh optimizer states on both sides: the runs must agree exactly
    mine, theirs = crux.solve(4), loaded.solve(4)
    np.testing.assert_array_equal(theirs.losses, mine.losses)
    np.testing.assert_array_equal(theirs.epoch, np.arange(7))
    np.testing.assert_array_equal(theirs.balancer_weights[0], mine.balancer_weights[0])


def test_every_node_kind_domain_feature_and_network_survives(tmp_path):
    dom = jno.domain(box(0, 0, 1, 1), time=(0.0, 1.0, 3)) - Point(0.5, 0.5).buffer(0.2)
    dom = dom.region("inlet", lambda x, y: x < 1e-9)
    x, y, t = dom.variable("interior", sample=(12, "sobol"))
    xb, yb, tb, nx, ny = dom.variable("inlet", sample=4, normals=True)
    k = dom.variable("k", np.array([[2.0, 3.0]]))
    net = jno.nn.wrap(built(jno.nn.fourier_mlp, 3, 2, hidden=6, depth=1, n_features=3), name="f")
    mod = jno.nn.wrap(built(jno.nn.modified_mlp, 2, 1, hidden=4, depth=1), name="g")
    frozen = jno.np.parameter((2,), init=0.25, name="frozen").freeze()
    u = net(x, y, t)
    first = u[0]
    pde = (
        first.d(t)
        - first.laplacian(x, y)
        + jno.np.sum(first.hessian(x, y), axis=-1)[..., 0]
        + u[..., 1:2] * k[0]
        + jno.np.concat([mod(x, y), frozen[None, 0:1]], axis=-1)[1]
        + jno.noise.gaussian(std=0.1)
    )
    boundary = jno.fn.huber(net(xb, yb, tb)[0] * nx + ny, delta=0.5)
    mask = jax.tree_util.tree_map(lambda leaf: eqx.is_inexact_array(leaf), net.module)
    jac = jno.np.norm(first.grad(net.mask(mask)), axis=-1).tracker(name="jac")
    net.optimizer(optax.adam(1e-3))
    mod.optimizer(optax.adam(1e-3))
    crux = jno.core([pde.mse, boundary, jac], dom)
    path = tmp_path / "rich.jno"
    crux.save(path)
    loaded = jno.core.load(path)
    mine = crux.eval([*crux.constraints, crux.trackers[0].expr])
    theirs = loaded.eval([*loaded.constraints, loaded.trackers[0].expr])
    for a, b in zip(mine, theirs, strict=True):
        np.testing.assert_array_equal(b, a)
    back = loaded.domain
    assert type(back).__name__ == "PolygonDomain"
    assert back.time == (0.0, 1.0, 3)
    assert back.geometry.equals_exact(dom.geometry, 0.0)
    for tag in ("interior", "inlet"):  # the very points drawn before saving
        np.testing.assert_array_equal(back.tag_points(tag), dom.tag_points(tag))
    np.testing.assert_array_equal(back.normals("inlet"), dom.normals("inlet"))
    np.testing.assert_array_equal(back.tensor("k"), dom.tensor("k"))
    used = {
        (n.tag, n.dim, n.axis): n
        for c in loaded.constraints
        for n in c.walk()
        if n.kind == "variable"
    }
    assert back.variable("interior")[0] is used[("interior", 0, "spatial")]
    params = {t.describe(): t for t in loaded.trainables}
    assert params["frozen"].frozen
    assert not params["f"].frozen
    assert type(params["g"].module).__name__ == "ModifiedMLP"


def built(make, *args, **kwargs):
    """`make(*args, **kwargs)` with random weights, built without compiling anything."""
    rng = np.random.default_rng(0)
    abstract = eqx.filter_eval_shape(make, *args, key=jax.random.PRNGKey(0), **kwargs)

    def real(leaf):
        if isinstance(leaf, jax.ShapeDtypeStruct):
            return jnp.asarray(rng.standard_normal(leaf.shape).astype(leaf.dtype))
        return leaf

    return jax.tree_util.tree_map(real, abstract)


def test_engine_networks_are_rebuilt_from_their_factory():
    nets = [
        built(jno.nn.mlp, 2, 3, hidden_dims=[3, 5], final_activation="sigmoid"),
        built(jno.nn.fourier_mlp, 2, 1, hidden=4, depth=2, n_features=3, sigma=2.0),
        built(jno.nn.modified_mlp, 2, 1, hidden=4, depth=2, activation="gelu"),
        built(jno.nn.deeponet, 3, 2, out_size=2, latent=4, hidden=5, depth=1),
        built(jno.nn.fno, 2, 1, modes=(3, 2), width=4, n_layers=2),
    ]
    for net in nets:
        recipe = network_recipe(net)
        assert recipe is not None, type(net).__name__
        json.dumps(recipe)  # plain JSON
        leaves = [np.asarray(leaf) for leaf in jax.tree_util.tree_leaves(net) if eqx.is_array(leaf)]
        rebuilt = fill(build_skeleton(recipe, len(leaves)), leaves, "test")
        assert jax.tree_util.tree_structure(rebuilt) == jax.tree_util.tree_structure(net)
        pairs = zip(jax.tree_util.tree_leaves(rebuilt), jax.tree_util.tree_leaves(net), strict=True)
        for a, b in pairs:
            if eqx.is_array(b):
                np.testing.assert_array_equal(a, b)
            else:
                assert a is b
    custom = built(jno.nn.mlp, 2, 1, activation=lambda v: v * 2.0)
    assert network_recipe(custom) is None  # user code: must come back through models=


class Scale(eqx.Module):
    """A user's own network class: code, which a saved file cannot hold."""

    w: jax.Array

    def __call__(self, v):
        return self.w * v


def test_functions_and_user_networks_are_passed_back(tmp_path):
    dom = jno.domain.from_array({"interior": np.linspace(0.0, 1.0, 4)[:, None]})
    (x,) = dom.variable("interior")
    scale = jno.nn.wrap(Scale(jnp.ones(1)), name="scale").optimizer(optax.sgd(0.1))
    custom = jno.nn.wrap(
        jno.nn.mlp(1, 1, hidden=3, depth=1, activation=lambda v: jnp.sin(2.0 * v)),
        name="custom",
    ).optimizer(optax.sgd(0.1))
    bump = jno.fn(lambda v: jnp.exp(-(v**2)), [scale(x)], name="bump")
    crux = jno.core([(bump - custom(x)).mse], dom)
    crux.solve(3)
    path = tmp_path / "code.jno"
    crux.save(path)
    with pytest.raises(ValueError, match="refers to Python code") as err:
        jno.core.load(path)
    text = str(err.value)
    assert "functions['bump']" in text
    assert "models['scale']" in text
    assert "Scale" in text
    assert "models['custom']" in text
    assert str(path) in text
    with pytest.raises(ValueError, match=r"models\['custom'\]"):
        jno.core.load(
            path,
            functions={"bump": lambda v: jnp.exp(-(v**2))},
            models={"scale": Scale(jnp.zeros(1))},
        )
    with pytest.raises(ValueError, match=r"has no functions \['nope'\]"):
        jno.core.load(path, functions={"nope": jnp.sin})
    skeleton = jno.nn.mlp(1, 1, hidden=3, depth=1, activation=lambda v: jnp.sin(2.0 * v))
    with pytest.raises(ValueError, match=r"models\['scale'\] does not fit the saved network"):
        jno.core.load(
            path,
            functions={"bump": lambda v: jnp.exp(-(v**2))},
            models={"scale": Scale(jnp.zeros(2)), "custom": skeleton},
        )
    loaded = jno.core.load(
        path,
        functions={"bump": lambda v: jnp.exp(-(v**2))},
        models={"scale": Scale(jnp.zeros(1)), "custom": skeleton},
    )
    np.testing.assert_array_equal(
        loaded.eval(loaded.constraints[0]), crux.eval(crux.constraints[0])
    )
    got = {t.describe(): t for t in loaded.trainables}
    np.testing.assert_array_equal(got["scale"].module.w, scale.module.w)  # the saved arrays


def test_two_functions_of_one_name_cannot_be_saved(tmp_path):
    p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(0.1))
    a = jno.fn(lambda v: v + 1.0, [p], name="f")
    b = jno.fn(lambda v: v - 1.0, [p], name="f")
    crux = jno.core([(a * b).mse], jno.domain.from_array({"interior": [[0.0]]}))
    with pytest.raises(ValueError, match="two different functions are named 'f'"):
        crux.save(tmp_path / "x.jno")


def test_statistics_keep_every_key_of_every_log(tmp_path):
    log = {
        "epoch": np.arange(3),
        "losses": np.ones((3, 2), np.float32),
        "nonfinite": {"count": np.int64(2), "steps": np.array([1, 2]), "first": None},
        "names": ["a", "b"],
        "pair": (1, 2.5),
        "nan": float("nan"),
        "inf": -float("inf"),
        "nested": [{"w": np.zeros(2, np.float16)}],
        "text": "note",
        "$odd": {3: "int key", "$x": True},
        "bf16": jnp.ones(2, jnp.bfloat16),
        "training_time": 0.25,
    }
    stats = jno.statistics([log, {"epoch": np.arange(3, 4), "training_time": 1.0}], ["a", "b"])
    stats.save(tmp_path / "stats.jno")
    back = jno.statistics.load(tmp_path / "stats.jno")
    assert back.constraint_names == ["a", "b"]
    got = back.training_logs[0]
    assert sorted(got, key=str) == sorted(log, key=str)
    np.testing.assert_array_equal(got["losses"], log["losses"])
    assert got["nonfinite"]["count"] == 2
    assert got["nonfinite"]["count"].dtype == np.int64
    assert got["nonfinite"]["first"] is None
    assert got["names"] == ["a", "b"]
    assert got["pair"] == (1, 2.5)
    assert np.isnan(got["nan"])
    assert got["inf"] == -np.inf
    assert got["nested"][0]["w"].dtype == np.float16
    assert got["$odd"] == {3: "int key", "$x": True}
    assert got["bf16"].dtype == jnp.bfloat16
    np.testing.assert_array_equal(back.epoch, [0, 1, 2, 3])
    with pytest.raises(TypeError, match=r"training_logs\[0\]\['bad'\] is a object"):
        jno.statistics([{"bad": object()}], []).save(tmp_path / "bad.jno")


def test_emulator_statistics_round_trip(tmp_path):
    log = {
        "epoch": np.arange(4),
        "total_loss": np.linspace(1.0, 0.1, 4).astype(np.float32),
        "trackers": {"val": np.ones(2)},
        "tracker_epochs": {"val": np.array([0, 3])},
        "validation_names": ["val"],
        "training_time": 1.5,
        "compile_time": 0.5,
    }
    stats = tx.EmulatorStatistics(log, "Supervised", 10, 12)
    stats.save(tmp_path / "emu.jno")
    back = tx.EmulatorStatistics.load(tmp_path / "emu.jno")
    np.testing.assert_array_equal(back.total_loss_history, stats.total_loss_history)
    assert back.validation.keys() == {"val"}
    assert back.configuration == "Supervised"
    assert (back.trainable_params, back.total_params, back.compile_time) == (10, 12, 0.5)


# -- pickles ------------------------------------------------------------------------------
def test_pickles_are_refused_and_never_run(tmp_path):
    path, marker = evil_pickle(tmp_path)
    loaders = [jno.core.load, jno.statistics.load, tx.EmulatorStatistics.load]
    for load in loaders:
        with pytest.raises(ValueError, match=r"is a pickle file.*allow_pickle=True") as err:
            load(path)
        assert str(path) in str(err.value)
        assert not marker.exists()
    jno.core.load(path, allow_pickle=True)  # trusted on request: and then it really runs code
    assert marker.exists()


def test_old_pickle_files_load_with_allow_pickle(tmp_path, small):
    crux, _ = small
    old = tmp_path / "old_solver.pkl"
    with old.open("wb") as f:
        cloudpickle.dump({"magic": "jno_lab.core/1", "solver": crux}, f)
    loaded = jno.core.load(old, allow_pickle=True)
    np.testing.assert_array_equal(
        loaded.eval(loaded.constraints[0]), crux.eval(crux.constraints[0])
    )
    state = {
        "training_logs": crux.stats.training_logs,
        "constraint_names": crux.stats.constraint_names,
        "trainable_params": 9,
        "total_params": 9,
    }
    (tmp_path / "old_stats.pkl").write_bytes(pickle.dumps(state))
    back = jno.statistics.load(tmp_path / "old_stats.pkl", allow_pickle=True)
    np.testing.assert_array_equal(back.losses, crux.stats.losses)
    log = {"epoch": np.arange(2), "total_loss": np.ones(2), "trackers": {}, "tracker_epochs": {}}
    emu = {"training_logs": [log], "configuration": "c", "trainable_params": 1, "total_params": 1}
    (tmp_path / "old_emu.pkl").write_bytes(pickle.dumps(emu))
    assert tx.EmulatorStatistics.load(tmp_path / "old_emu.pkl", allow_pickle=True).epoch.size == 2


# -- garbled files ------------------------------------------------------------------------
def _deep(depth):
    return "[" * depth + "]" * depth


def _set(path_in_manifest, value):
    def edit(manifest):
        node = manifest
        for key in path_in_manifest[:-1]:
            node = node[key]
        node[path_in_manifest[-1]] = value

    return edit


def _first(manifest, kind):
    return next(i for i, n in enumerate(manifest["nodes"]) if n["kind"] == kind)


GARBLED = {
    "wrong JSON type": (_set(["nodes"], {"a": 1}), r"expected a JSON list"),
    "children not a list": (
        lambda m: m["nodes"][-1].update(children="0"),
        r"nodes\[\d+\]\.children: expected a JSON list",
    ),
    "forward reference": (
        lambda m: m["nodes"][0].update(kind="op", op="neg", children=[99]),
        r"out of range",
    ),
    "unknown node kind": (
        lambda m: m["nodes"][0].update(kind="exec"),
        r"unknown node kind 'exec'",
    ),
    "unknown operation": (
        lambda m: m["nodes"][_first(m, "op")].update(op="__import__"),
        r"'__import__' is not an operation of the engine",
    ),
    "unknown attribute": (
        lambda m: [
            n.update(attrs=[["dtype", "object"]]) for n in m["nodes"] if n.get("op") == "mse"
        ],
        r"takes no attribute 'dtype'",
    ),
    "bad index": (
        lambda m: [
            n.update(attrs=[["index", "os.system"]]) for n in m["nodes"] if n.get("op") == "getitem"
        ],
        r"is not an index",
    ),
    "wrong operand count": (
        lambda m: [n.update(children=[0, 0, 0]) for n in m["nodes"] if n.get("op") == "mse"],
        r"'mse' takes 1 operands, got 3",
    ),
    "unknown factory": (
        lambda m: m["models"][0]["network"].update(factory="os.system"),
        r"network factory 'os.system' is not one of the engine's",
    ),
    "factory argument": (
        lambda m: m["models"][0]["network"]["args"].update(cls="x"),
        r"unknown arguments \['cls'\]",
    ),
    "huge network": (
        lambda m: m["models"][0]["network"]["args"].update(hidden_dims=[2**30]),
        r"the saved network has 4 arrays",
    ),
    "huge shape in the table": (
        lambda m: m["arrays"][0].update(shape=[10**12, 10**12]),
        r"the manifest says",
    ),
    "step of the wrong type": (_set(["solver", "step"], "3"), r"solver\.step: expected an integer"),
    "unknown format version": (_set(["version"], 99), r"format version 99"),
    "too deep for the reader": (
        _set(["solver", "best_config"], json.loads(_deep(100))),
        r"nested more than 64 levels",
    ),
}


@pytest.mark.parametrize("case", sorted(GARBLED))
def test_crafted_manifests_are_clear_value_errors(tmp_path, small, case):
    _, path = small
    edit, message = GARBLED[case]
    bad = rewrite(path, tmp_path / "bad.jno", edit)
    with pytest.raises(ValueError, match=message) as err:
        jno.core.load(bad)
    assert str(bad) in str(err.value)


def test_damaged_archives_are_clear_value_errors(tmp_path, small):
    _, path = small
    raw = path.read_bytes()
    text = zipfile.ZipFile(path).read("manifest.json").decode()
    cases = {
        "truncated": (raw[: len(raw) // 2], r"not a complete archive"),
        "garbage": (b"\x00garbage" * 10, r"not a solver written by crux\.save"),
        "empty": (b"", r"not a solver written by crux\.save"),
    }
    for name, (data, message) in cases.items():
        bad = tmp_path / f"{name}.jno"
        bad.write_bytes(data)
        with pytest.raises(ValueError, match=message):
            jno.core.load(bad)
    nan = rewrite(
        path,
        tmp_path / "nan.jno",
        entries={"manifest.json": re.sub(r'"rng_seed": -?\d+', '"rng_seed": NaN', text).encode()},
    )
    with pytest.raises(ValueError, match=r"holds NaN, which is not JSON"):
        jno.core.load(nan)
    deep = rewrite(
        path,
        tmp_path / "deep.jno",
        entries={
            "manifest.json": text.replace(
                '"best_config": null', '"best_config": ' + _deep(200000)
            ).encode()
        },
    )
    with pytest.raises(ValueError, match=r"nested too deeply"):
        jno.core.load(deep)
    with pytest.raises(ValueError, match=r"no entry 'manifest.json'"):
        jno.core.load(rewrite(path, tmp_path / "none.jno", entries={"manifest.json": None}))
    with pytest.raises(ValueError, match=r"is compressed"):
        jno.core.load(rewrite(path, tmp_path / "zip.jno", compression=zipfile.ZIP_DEFLATED))
    entry = zipfile.ZipFile(path).read("arrays/0.npy")
    data = entry[-8 * 6 :]  # array 0: the six float64 points of the domain
    huge = (10**12, 10**12, 1)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": huge}
    )
    lie = rewrite(
        path,
        tmp_path / "lie.jno",
        _set(["arrays", 0, "shape"], list(huge)),
        entries={"arrays/0.npy": header.getvalue() + data},
    )
    with pytest.raises(ValueError, match=r"needs \d+ bytes of data, the entry holds 48"):
        jno.core.load(lie)
    with pytest.raises(ValueError, match=r"holds float64 \(1000000000000, 1000000000000, 1\)"):
        jno.core.load(
            rewrite(path, tmp_path / "lie2.jno", entries={"arrays/0.npy": header.getvalue() + data})
        )
    stats = tmp_path / "stats.jno"
    jno.statistics([], []).save(stats)
    with pytest.raises(ValueError, match=r"it is not a solver written by crux\.save"):
        jno.core.load(stats)


def test_damaged_geometry_is_a_clear_value_error(tmp_path):
    dom = jno.domain(box(0, 0, 1, 1))
    x, y = dom.variable("interior", sample=4)
    p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(0.1))
    crux = jno.core([(p * x - y).mse], dom)
    path = tmp_path / "poly.jno"
    crux.save(path)
    manifest = json.loads(zipfile.ZipFile(path).read("manifest.json"))
    index = manifest["domains"][0]["geometry"]["$array"]
    wkb = zipfile.ZipFile(path).read(f"arrays/{index}.npy")
    garbled = wkb[:-20] + b"\xff" * 20
    bad = rewrite(path, tmp_path / "bad.jno", entries={f"arrays/{index}.npy": garbled})
    with pytest.raises(ValueError, match=r"damaged WKB geometry|expected a non-empty"):
        jno.core.load(bad)


def test_docstring_examples_run():
    modules = [
        archive,
        checkpoint,
        checkpoint_callback,
        persist,
        persist_domain,
        persist_graph,
        persist_models,
        statistics_module,
    ]
    for module in modules:
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, module.__name__
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for method in (core.save, core.load):
        for test in finder.find(method, globs={}):
            runner.run(test)
    assert runner.failures == 0


def test_a_data_parallel_mesh_loads_on_any_machine(tmp_path, small):
    crux, path = small
    wide = rewrite(path, tmp_path / "wide.jno", _set(["solver", "mesh"], [64, 1]))
    with pytest.warns(UserWarning, match=r"trained on device mesh \(64, 1\).*default mesh"):
        loaded = jno.core.load(wide)
    np.testing.assert_array_equal(
        loaded.eval(loaded.constraints[0]), crux.eval(crux.constraints[0])
    )
    sharded = rewrite(path, tmp_path / "sharded.jno", _set(["solver", "mesh"], [32, 2]))
    with pytest.raises(ValueError, match=r"device mesh \(32, 2\), which this machine cannot"):
        jno.core.load(sharded)


def test_every_operation_of_the_engine_round_trips(tmp_path):
    dom = jno.domain.from_array({"interior": np.linspace(0.1, 0.9, 4).reshape(4, 1)})
    (x,) = dom.variable("interior")
    v = jno.np.concat([x, 2.0 * x, x**2], axis=-1)
    m = jno.np.stack([v, v + 1.0], axis=-1)
    np_ = jno.np
    terms = [
        np_.sum(v, axis=-1),
        np_.max(v, axis=-1) - np_.min(v, axis=-1),
        np_.norm(v, axis=-1, ord=1),
        np_.where(x > 0.5, x, -x),
        np_.clip(x, 0.2, 0.8),
        np_.maximum(x, 0.3) + np_.minimum(x, 0.6),
        np_.arctan2(x, 1.0 + x),
        np_.eigvalsh(np_.matmul(m.T, m))[..., 0],
        np_.dot(v, v),
        (v[..., 0:2] @ np_.constant(np.ones((2, 1), np.float32)))[0],
        np_.tanh(x) + np_.exp(-x) + np_.sqrt(x) + np_.abs(-x),
        (x < 0.5) * 1.0 + (x >= 0.5) * 2.0,
        x.stop_gradient,
    ]
    p = jno.np.parameter((1,), init=0.5, name="p").optimizer(optax.sgd(0.1))
    losses = [
        (p * terms[0]).mse,
        *[jno.fn.relative_l2(t + p, t + 1.0) for t in terms[1:4]],
        *[jno.fn.log_cosh(t, p) for t in terms[4:8]],
        *[jno.fn.rmse(t - p) for t in terms[8:]],
        jno.np.mean(v, axis=-1).mae,
        jno.fn.huber(x - p, delta=0.3),
    ]
    crux = jno.core(losses, dom)
    path = tmp_path / "ops.jno"
    crux.save(path)
    loaded = jno.core.load(path)
    assert loaded.constraint_names == crux.constraint_names
    for a, b in zip(crux.eval(crux.constraints), loaded.eval(loaded.constraints), strict=True):
        np.testing.assert_array_equal(b, a)


def test_model_settings_precision_lora_and_constraints(tmp_path):
    dom = jno.domain.from_array({"interior": np.linspace(0.0, 1.0, 4)[:, None]})
    (x,) = dom.variable("interior")
    lora = jno.nn.wrap(built(jno.nn.mlp, 1, 1, hidden=4, depth=1), name="lora")
    lora.optimizer(optax.adam(1e-2)).lora(rank=2)  # adapters start at zero: merged when saved
    half = jno.nn.wrap(built(jno.nn.mlp, 1, 1, hidden=4, depth=1), name="half")
    half.dtype(jnp.bfloat16).freeze()
    positive = jno.nn.wrap(built(jno.nn.mlp, 1, 1, hidden=4, depth=1), name="positive")
    positive.constrain(jax.nn.softplus).freeze()
    crux = jno.core([(lora(x) + half(x) + positive(x) - x).mse], dom)
    path = tmp_path / "settings.jno"
    crux.save(path)
    with pytest.raises(ValueError, match=r"models\['positive'\]: an equinox module like"):
        jno.core.load(path)
    skeleton = jno.nn.wrap(built(jno.nn.mlp, 1, 1, hidden=4, depth=1)).constrain(jax.nn.softplus)
    loaded = jno.core.load(path, models={"positive": skeleton})
    got = {t.describe(): t for t in loaded.trainables}
    assert got["positive"] is skeleton  # a model passed back is used itself
    assert got["half"].working_dtype == jnp.bfloat16
    assert got["half"].module.layers[0].weight.dtype == jnp.bfloat16
    assert got["half"].frozen
    assert type(got["lora"].module.layers[0]).__name__ == "Linear"
    np.testing.assert_array_equal(
        loaded.eval(loaded.constraints[0]), crux.eval(crux.constraints[0])
    )
