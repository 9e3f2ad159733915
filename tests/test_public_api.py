"""Pins the public names of `jno_lab`: a change here is a change of the API."""

import subprocess
import sys

import jno_lab

PUBLIC_NAMES = {
    "Callback",
    "LearningRateSchedule",
    "NonFiniteWarning",
    "RunControl",
    "WeightSchedule",
    "core",
    "diagnostics",
    "domain",
    "fn",
    "get_seed",
    "nn",
    "noise",
    "np",
    "numpy",
    "setup",
    "statistics",
    "utils",
}

# Names the jNO spec uses under jno.np / jno.fn / jno.nn / jno.domain.
SPEC_NAMES = {
    "np": "sin cos tan exp log sqrt abs tanh sinh cosh arcsin arccos arctan pi e mean sum max "
    "min norm dot matmul transpose concat stack where maximum minimum clip eigvalsh grad "
    "parameter function tracker",
    "fn": "mse mae rmse huber log_cosh relative_l2 sin cos exp log sqrt abs",
    "nn": "wrap mlp fourier_mlp modified_mlp deeponet fno",
    "domain": "rect line csg stack from_array domain",
}

JUPYTER_MODULES = ("ipywidgets", "anywidget", "bokeh", "jupyterlab", "jupyter_server")


def test_public_names_are_pinned():
    assert set(jno_lab.__all__) == PUBLIC_NAMES
    for name in jno_lab.__all__:
        assert hasattr(jno_lab, name), name


def test_spec_names_exist():
    for namespace, names in SPEC_NAMES.items():
        module = getattr(jno_lab, namespace)
        missing = [n for n in names.split() if not hasattr(module, n)]
        assert not missing, f"jno.{namespace} lacks {missing}"
    assert jno_lab.np is jno_lab.numpy
    assert callable(jno_lab.fn)
    assert callable(jno_lab.nn)


def test_importing_the_engine_imports_no_jupyter():
    # A fresh interpreter: this test process may already hold these modules.
    code = (
        f"import sys, jno_lab\nprint(','.join(m for m in {JUPYTER_MODULES!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"importing jno_lab imported: {out}"
