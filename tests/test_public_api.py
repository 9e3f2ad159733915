"""Pins the public names of `jno_lab`: a change here is a change of the API."""

import subprocess
import sys

import jno_lab

PUBLIC_NAMES: set[str] = set()

JUPYTER_MODULES = ("ipywidgets", "anywidget", "bokeh", "jupyterlab", "jupyter_server")


def test_public_names_are_pinned():
    assert set(jno_lab.__all__) == PUBLIC_NAMES
    for name in jno_lab.__all__:
        assert hasattr(jno_lab, name), name


def test_importing_the_engine_imports_no_jupyter():
    # A fresh interpreter: this test process may already hold these modules.
    code = (
        f"import sys, jno_lab\nprint(','.join(m for m in {JUPYTER_MODULES!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"importing jno_lab imported: {out}"
