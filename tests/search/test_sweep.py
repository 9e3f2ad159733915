"""Hyper-parameter and architecture search: spaces, tunable models, `core.sweep`.

Every sweep trains for real on tiny problems: a free parameter fitted to 3
(`(p - 3).mse`), where plain SGD converges in 50 steps at learning rate 0.1 and
not at all at 1e-6, and a tunable module `scale * x + b` whose best scale is known.
"""

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import nevergrad as ng
import numpy as np
import optax
import pytest

import jno_lab as jno
from jno_lab import LearningRateSchedule as lrs
from jno_lab import WeightSchedule as ws
from jno_lab._search import tune
from jno_lab._search.arch import Arch
from jno_lab._search.describe import describe_value
from jno_lab._search.devices import resolve_devices
from jno_lab._search.dimensions import build_search_space
from jno_lab._search.tunable import TunableModule
from jno_lab._tune_options import model_tune


@pytest.fixture(scope="module")
def dom():
    return jno.domain(constructor=jno.domain.line(mesh_size=0.25))


def _fit_three(dom, *trackers):
    p = jno.np.parameter((1,), name="p", init=0.0)
    return jno.core([(p - 3.0).mse, *(t(p) for t in trackers)], dom), p


def _lr_space(epochs=(50,), lrs_=(1e-6, 1e-1)):
    space = tune.space()
    space.unique("epochs", list(epochs))
    space.unique("optimizer", [optax.sgd])
    space.unique("learning_rate", list(lrs_))
    return space


class Scale(eqx.Module):
    """`scale * x + b`: the architecture fixes the slope, training only the offset."""

    scale: float = eqx.field(static=True)
    b: jax.Array

    def __init__(self, arch, *, key):
        self.scale = arch("scale")
        self.b = jnp.zeros((1,))

    def __call__(self, x):
        return self.scale * x + self.b


def _scale_space():
    return tune.space().unique("scale", [0.5, 2.0], category="architecture")


# -- spaces, configurations, tunable modules ------------------------------------------------
def test_space_defaults_size_and_repr():
    space = tune.space()
    space.unique("act", [jnp.tanh, jax.nn.gelu, jnp.sin], category="architecture")
    space.unique("hid", [32, 64])
    space.range("learning_rate", 1e-4, 1e-1, log=True)
    space.range("dep", 1.2, 4.0, integer=True, category="architecture")
    assert space.names == ["act", "hid", "learning_rate", "dep"]
    assert space.default() == {"act": jnp.tanh, "hid": 32, "learning_rate": 1e-4, "dep": 2}
    assert space.size is None
    assert tune.space().unique("a", [1, 2]).unique("b", [3, 4, 5]).size == 6
    assert "hid: 2 choices [training]" in repr(space)
    assert space["dep"].cast(3.6) == 4
    assert space["dep"].cast(99) == 4


def test_space_errors():
    space = tune.space().unique("hid", [32])
    with pytest.raises(ValueError, match="'width': choices must not be empty"):
        space.unique("width", [])
    with pytest.raises(ValueError, match="'hid' is already in this space"):
        space.unique("hid", [64])
    with pytest.raises(ValueError, match="'hid' is already in this space"):
        space.range("hid", 1, 2)
    with pytest.raises(ValueError, match="category must be one of training, architecture"):
        space.unique("act", [jnp.tanh], category="arch")
    with pytest.raises(TypeError, match="choices must be a list"):
        space.unique("act", "tanh")
    with pytest.raises(ValueError, match="need finite low < high"):
        space.range("lr", 1e-1, 1e-3)
    with pytest.raises(ValueError, match="log range needs low > 0"):
        space.range("lr", 0.0, 1.0, log=True)


def test_arch_reads_values_and_lists_known_names():
    arch = Arch({"dep": 3, "hid": 64})
    assert arch("dep") == 3
    assert arch["hid"] == 64
    assert dict(arch) == {"dep": 3, "hid": 64}
    with pytest.raises(KeyError, match=r"no parameter 'width'.*known: dep, hid"):
        arch("width")


def test_tunable_module_builds_the_default_and_reinstantiates():
    space = _scale_space()
    model = TunableModule(Scale, space, name="u")
    assert isinstance(model, jno.nn.Model)
    assert model.module.scale == 0.5
    assert model.config == {"scale": 0.5}
    model.instantiate({"scale": 2.0}, key=jax.random.PRNGKey(1))
    assert model.module.scale == 2.0
    assert TunableModule(Scale, space).name == "Scale"
    with pytest.raises(TypeError, match="needs the module CLASS"):
        TunableModule(model.module, space)
    with pytest.raises(TypeError, match="must be an ArchSpace"):
        TunableModule(Scale, {"scale": [0.5]})
    with pytest.raises(KeyError, match=r"no parameter 'width'.*it has: scale"):
        model.instantiate({"width": 3})


def test_describe_value_is_json_friendly():
    values = [
        jnp.tanh,
        jax.nn.gelu,
        optax.adam,
        lrs.exponential(1e-3, 0.8, 10000, 1e-5),
        lrs.constant(1e-3),
        ws([1.0, 0.3]),
        None,
        [1, 2.5],
        np.float32(0.1),
        jnp.float32,
    ]
    described = [describe_value(v) for v in values]
    assert described == [
        "tanh",
        "gelu",
        "adam",
        {"kind": "exponential", "lr0": 1e-3, "decay_rate": 0.8, "decay_steps": 1e4, "lr_end": 1e-5},
        {"kind": "constant", "lr0": 1e-3},
        {"kind": "weights", "weights": [1.0, 0.3]},
        None,
        [1, 2.5],
        0.1,
        "float32",
    ]
    json.dumps(described)


def test_search_space_namespaces_models_and_shares_training_keys():
    space = tune.space()
    space.unique("act", [jnp.tanh, jnp.sin], category="architecture")
    space.unique("hid", [8, 16])  # not a training setting: the model's
    space.unique("epochs", [10, 20])  # a training setting, even in a model's space
    first, second = TunableModule(Scale, _scale_space()), TunableModule(Scale, _scale_space())
    p = model_tune(jno.np.parameter((1,), name="p"), lr=[1e-2, 1e-3], lora=[None])
    shared = TunableModule(Scale, _scale_space().unique("epochs", [5, 6]), name="net")
    keys = build_search_space([first, second, p], _lr_space()).keys
    assert keys == ["epochs", "optimizer", "learning_rate", "Scale.scale", "Scale_2.scale", "p.lr"]
    searched = build_search_space([shared], shared.space)
    assert searched.keys == ["epochs", "net.scale"]
    assert searched.size == 4
    tunable = TunableModule(Scale, space.unique("scale", [1.0], category="architecture"))
    keys = build_search_space([tunable], None).keys
    assert keys == ["epochs", "Scale.act", "Scale.hid", "Scale.scale"]


# -- sweeps ---------------------------------------------------------------------------------
def test_grid_search_tries_every_combination_and_keeps_the_best(dom):
    crux, p = _fit_three(dom)
    stats = crux.sweep(space=_lr_space(epochs=(20, 50)), optimizer=None, budget=1)
    rows = crux.sweep_results
    assert len(rows) == 4  # the budget is ignored by a grid
    assert [r["trial"] for r in rows] == [0, 1, 2, 3]
    assert [(r["config"]["epochs"], r["config"]["learning_rate"]) for r in rows] == [
        (20, 1e-6),
        (20, 1e-1),
        (50, 1e-6),
        (50, 1e-1),
    ]
    assert all(r["config"]["optimizer"] == "sgd" and r["error"] is None for r in rows)
    assert all(r["seconds"] > 0 and r["device"] == "cpu:0" for r in rows)
    json.dumps(rows)
    assert crux.best_config == {"epochs": 50, "optimizer": optax.sgd, "learning_rate": 1e-1}
    scores = [r["score"] for r in rows]
    assert min(scores) == scores[3] < 1e-6 < 8.0 < scores[0]
    assert stats.total_loss == pytest.approx(scores[3])
    assert stats.epoch.size == 50
    # the parameter holds the best trial's trained value, and the best optimizer
    np.testing.assert_allclose(crux.eval(p), [3.0], atol=1e-3)
    assert float(p.lr_scale(0)) == pytest.approx(0.1)


@pytest.mark.parametrize("optimizer", ["NGOpt", ng.optimizers.NGOpt, ng.optimizers.OnePlusOne])
def test_nevergrad_with_a_covering_budget_finds_the_best(dom, optimizer):
    crux, p = _fit_three(dom)
    crux.sweep(space=_lr_space(epochs=(20, 50)), optimizer=optimizer, budget=4)
    assert crux.best_config["learning_rate"] == 1e-1
    assert crux.best_config["epochs"] == 50
    configs = [json.dumps(r["config"], sort_keys=True) for r in crux.sweep_results]
    assert len(configs) == 4
    assert len(set(configs)) == 4  # repeated proposals are not trained again
    np.testing.assert_allclose(crux.eval(p), [3.0], atol=1e-3)


def test_nevergrad_respects_the_budget_and_searches_ranges(dom):
    crux, _ = _fit_three(dom)
    space = tune.space().unique("optimizer", [optax.sgd])
    space.range("learning_rate", 1e-3, 0.3, log=True)
    space.range("epochs", 10, 40, integer=True)
    crux.sweep(space=space, optimizer="OnePlusOne", budget=3)
    rows = crux.sweep_results
    assert len(rows) == 3
    for row in rows:
        assert 1e-3 <= row["config"]["learning_rate"] <= 0.3
        assert isinstance(row["config"]["epochs"], int)
        assert 10 <= row["config"]["epochs"] <= 40
    best = min(rows, key=lambda r: r["score"])
    assert crux.best_config["learning_rate"] == best["config"]["learning_rate"]


def test_architecture_search_over_two_tunable_models(dom):
    (x,) = dom.variable("interior")
    u = TunableModule(Scale, _scale_space(), name="u")
    v = TunableModule(Scale, _scale_space(), name="v")
    crux = jno.core([(u(x) - 2.0 * x).mse + (v(x) - 0.5 * x).mse], dom)
    points = np.asarray(dom.tag_points("interior"))[0, :, :1]
    before = crux.eval(u(x))  # works before any sweep: the default architecture
    np.testing.assert_allclose(before[0, 0], 0.5 * points, atol=1e-6)

    space = tune.space().unique("epochs", [10])
    crux.sweep(space=space, optimizer=None)
    rows = crux.sweep_results
    assert len(rows) == 4
    assert crux.best_config == {"epochs": 10, "u.scale": 2.0, "v.scale": 0.5}
    scores = {(r["config"]["u.scale"], r["config"]["v.scale"]): r["score"] for r in rows}
    assert len(scores) == 4
    assert scores[2.0, 0.5] == pytest.approx(0.0, abs=1e-10)
    assert min(scores.values()) == scores[2.0, 0.5]
    assert u.module.scale == 2.0
    assert v.module.scale == 0.5
    assert u.config == {"scale": 2.0}
    # compiled evaluations of the old architecture are not reused
    np.testing.assert_allclose(crux.eval(u(x))[0, 0], 2.0 * points, atol=1e-6)
    np.testing.assert_allclose(crux.eval(v(x))[0, 0], 0.5 * points, atol=1e-6)


def test_the_documented_example_runs(dom):
    a_space = tune.space()
    a_space.unique("act", [jnp.tanh, jax.nn.gelu, jnp.sin], category="architecture")
    a_space.unique("hid", [4, 8])
    a_space.unique("dep", [1, 2], category="architecture")

    class MLP(eqx.Module):
        net: eqx.nn.MLP

        def __init__(self, arch: tune.Arch, *, key):
            self.net = eqx.nn.MLP(1, 1, arch("hid"), arch("dep"), arch("act"), key=key)

        def __call__(self, x):
            return self.net(x)

    (x,) = dom.variable("interior")
    u = TunableModule(MLP, space=a_space)
    crux = jno.core([(u(x) - jno.np.sin(x)).mse], dom)
    t_space = tune.space()
    t_space.unique("epochs", [5, 10])
    t_space.unique("optimizer", [optax.adam, optax.adamw])
    t_space.unique("learning_rate", [lrs.exponential(1e-3, 0.8, 10000, 1e-5), lrs.constant(1e-3)])
    t_space.unique("weight_schedule", [ws([1.0])])
    t_space.unique("batchsize", [None])
    stats = crux.sweep(space=t_space, optimizer=ng.optimizers.NGOpt, budget=2)
    assert set(crux.best_config) == {
        "epochs",
        "optimizer",
        "learning_rate",
        "weight_schedule",
        "batchsize",
        "MLP.act",
        "MLP.hid",
        "MLP.dep",
    }
    rows = crux.sweep_results
    assert len(rows) == 2
    assert all(r["error"] is None for r in rows)
    assert rows[0]["config"]["MLP.act"] in ("tanh", "gelu", "sin")
    assert stats.epoch.size == crux.best_config["epochs"]
    assert u.config == {k.split(".")[1]: v for k, v in crux.best_config.items() if "." in k}


def test_model_tune_options_override_the_training_space(dom):
    crux, p = _fit_three(dom)
    assert model_tune(p, freeze=[True, False], lr=[1e-6, 1e-1]) is p
    crux.sweep(space=_lr_space(lrs_=(1e-6,)), optimizer=None)
    rows = crux.sweep_results
    assert len(rows) == 4
    assert crux.best_config["p.freeze"] is False
    assert crux.best_config["p.lr"] == 1e-1
    frozen = [r["score"] for r in rows if r["config"]["p.freeze"]]
    assert frozen == [pytest.approx(9.0), pytest.approx(9.0)]
    assert not p.frozen
    np.testing.assert_allclose(crux.eval(p), [3.0], atol=1e-3)


def test_score_by_a_named_tracker(dom):
    crux, _ = _fit_three(dom, lambda p: jno.np.tracker(p.mse, name="size"))
    crux.sweep(space=_lr_space(), optimizer=None, score="size")
    assert crux.best_config["learning_rate"] == 1e-6  # p stays near 0
    assert crux.sweep_results[0]["score"] < 1e-3
    with pytest.raises(ValueError, match=r"score='loss' names no tracker.*'size'"):
        crux.sweep(space=_lr_space(), optimizer=None, score="loss")


def test_failed_and_diverged_trials_score_inf_and_the_sweep_goes_on(dom):
    crux, _ = _fit_three(dom)
    space = _lr_space(lrs_=(10.0, 1e-1))
    space.unique("inner_steps", [1, 3])  # 3 does not divide 50 epochs
    crux.sweep(space=space, optimizer=None)
    rows = crux.sweep_results
    assert len(rows) == 4
    diverged, failed_a, good, failed_b = rows
    assert math.isinf(diverged["score"])
    assert "non-finite score" in diverged["error"]
    for failed in (failed_a, failed_b):
        assert math.isinf(failed["score"])
        assert failed["error"].startswith("ValueError: inner_steps=3")
    assert good["error"] is None
    assert crux.best_config["learning_rate"] == 1e-1
    assert crux.best_config["inner_steps"] == 1


def test_all_failed_trials_raise_with_the_first_error(dom):
    crux, _ = _fit_three(dom)
    space = _lr_space().unique("inner_steps", [3])
    with pytest.raises(RuntimeError, match=r"all 2 trial\(s\).*first error: ValueError: inner_"):
        crux.sweep(space=space, optimizer=None)
    assert len(crux.sweep_results) == 2


def test_sweep_argument_errors(dom):
    crux, p = _fit_three(dom)
    with pytest.raises(ValueError, match=r"unknown training setting 'hid'.*known: epochs"):
        crux.sweep(space=tune.space().unique("hid", [8]), optimizer=None)
    arch = tune.space().unique("dep", [2], category="architecture")
    with pytest.raises(ValueError, match="belongs to no model"):
        crux.sweep(space=arch, optimizer=None)
    ranged = tune.space().range("learning_rate", 1e-3, 1e-1)
    with pytest.raises(ValueError, match=r"grid search .* needs finite choices"):
        crux.sweep(space=ranged, optimizer=None)
    with pytest.raises(ValueError, match=r"unknown nevergrad optimizer 'NGOp'.*NGOpt"):
        crux.sweep(space=_lr_space(), optimizer="NGOp", budget=2)
    with pytest.raises(ValueError, match="needs budget="):
        crux.sweep(space=_lr_space(), optimizer="NGOpt")
    with pytest.raises(TypeError, match="not an instance"):
        crux.sweep(space=_lr_space(), optimizer=ng.optimizers.NGOpt(1, 2), budget=2)
    with pytest.raises(ValueError, match="search space is empty"):
        crux.sweep(optimizer=None)
    with pytest.raises(ValueError, match="devices=5"):
        crux.sweep(space=_lr_space(), optimizer=None, devices=5)
    with pytest.raises(ValueError, match="index 3 is out of range"):
        crux.sweep(space=_lr_space(), optimizer=None, devices=[3])
    with pytest.raises(ValueError, match="devices='tpu'"):
        crux.sweep(space=_lr_space(), optimizer=None, devices="tpu")
    assert resolve_devices("cpu") == jax.devices("cpu")
    with pytest.raises(TypeError, match="LoRA candidates are for wrapped networks"):
        model_tune(p, lora=[(4, 1.0), None])
    with pytest.raises(TypeError, match="dtype candidates are for wrapped networks"):
        model_tune(p, dtype=[jnp.bfloat16])
    with pytest.raises(ValueError, match=r"tune\(lr=\[\]\)"):
        model_tune(p, lr=[])
    with pytest.raises(TypeError, match="True or False"):
        model_tune(p, freeze=[1])
    assert crux.best_config is None  # nothing was trained
    assert crux.sweep_results == []


_PARALLEL = textwrap.dedent(
    """
    import json, jax, optax
    import jno_lab as jno
    from jno_lab._search import tune

    assert len(jax.devices()) == 2, jax.devices()
    dom = jno.domain(constructor=jno.domain.line(mesh_size=0.25))
    best, devices = [], []
    for n in (2, 1):
        p = jno.np.parameter((1,), name="p", init=0.0)
        crux = jno.core([(p - 3.0).mse], dom)
        space = tune.space().unique("epochs", [50]).unique("optimizer", [optax.sgd])
        space.unique("learning_rate", [1e-6, 1e-1])
        crux.sweep(space=space, optimizer=None, devices=n)
        best.append(crux.best_config["learning_rate"])
        devices.append(sorted(r["device"] for r in crux.sweep_results))
        value = float(crux.eval(p)[0])
    print(json.dumps({"best": best, "devices": devices, "value": value}))
    """
)


def test_trials_run_side_by_side_on_two_devices():
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    env["JAX_PLATFORMS"] = "cpu"
    done = subprocess.run(
        [sys.executable, "-c", _PARALLEL],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["best"] == [0.1, 0.1]
    assert out["devices"] == [["cpu:0", "cpu:1"], ["cpu:0", "cpu:0"]]
    assert out["value"] == pytest.approx(3.0, abs=1e-3)


def test_public_wiring_runs_the_jno_tuner_example(dom):
    """jno.np.tune.space(), jno.nn.wrap(Class, space=), Model.tune and crux.sweep, as in jNO."""
    (x,) = dom.variable("interior")
    a_space = jno.np.tune.space()
    a_space.unique("scale", [0.5, 2.0], category="architecture")
    u = jno.nn.wrap(Scale, space=a_space, name="u")
    assert isinstance(u, TunableModule)
    assert jno.numpy.tune is jno.np.tune
    crux = jno.core([(u(x) - 2.0 * x).mse], dom)
    u.tune(lr=[lrs(1e-1)])
    t_space = jno.np.tune.space()
    t_space.unique("epochs", [30])
    t_space.unique("optimizer", [optax.adam])
    stats = crux.sweep(space=t_space, optimizer=None)
    assert crux.best_config["u.scale"] == 2.0
    assert len(crux.sweep_results) == 2
    assert stats.total_loss < 1e-3


def test_sweep_with_a_parameter_jacobian_tracker(dom):
    (x,) = dom.variable("interior")
    net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=4, depth=1, key=jax.random.PRNGKey(0)), name="n")
    fit = (net(x) - x).mse
    grad_norm = jno.diagnostics.gradient_norms([fit], net, interval=5, names=["fit"])
    crux = jno.core([fit, *grad_norm], dom)
    t_space = jno.np.tune.space()
    t_space.unique("epochs", [10])
    t_space.unique("learning_rate", [1e-3, 1e-2])
    stats = crux.sweep(space=t_space, optimizer=None)
    assert stats.tracker_epochs["grad_norm/fit"].tolist() == [0, 5]
    assert all(row["error"] is None for row in crux.sweep_results)
