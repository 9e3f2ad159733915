"""`jno_lab.workbench.open`: a problem written as a document and offered to the editor."""

from __future__ import annotations

import json
import os

import jax
import optax
import pytest
import shapely
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import jno_lab as jno
from jno_lab import workbench
from jno_lab.workbench.protocol import OPEN_MIME


@pytest.fixture(scope="module")
def crux():
    dom = jno.domain(shapely.box(0, 0, 1, 1))
    x, y = dom.variable("interior", sample=16)
    net = jno.nn.wrap(jno.nn.mlp(2, 1, hidden=4, depth=1, key=jax.random.PRNGKey(0)), name="u")
    net.optimizer(optax.adam(1e-3))
    return jno.core([(net(x, y)[..., 0] - jno.np.sin(x)).mse])


def test_a_solver_is_written_as_a_valid_document_and_never_replaces_a_file(
    crux, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    first = workbench.open(crux, title="My problem", display=False)
    second = workbench.open(crux, title="My problem", display=False)
    assert (first.name, second.name) == ("My_problem.jnolab", "My_problem-1.jnolab")
    doc = workbench.load(second)
    assert workbench.validate(doc) == []
    assert doc["meta"]["title"] == "My problem"
    assert {n["type"] for n in doc["graph"]["nodes"]} >= {"mlp", "call", "constraint"}
    with pytest.raises(FileExistsError, match="overwrite=True"):
        workbench.open(crux, first, display=False)
    workbench.open(workbench.new_document("replaced"), first, overwrite=True, display=False)
    assert workbench.load(first)["meta"]["title"] == "replaced"


def test_an_existing_file_is_opened_where_it_is_and_bad_files_are_refused(tmp_path):
    path = tmp_path / "p.jnolab"
    workbench.save(workbench.new_document("p"), path)
    before = path.stat().st_mtime_ns
    assert workbench.open(path, display=False) == path
    assert path.stat().st_mtime_ns == before  # opened, not rewritten
    with pytest.raises(ValueError, match=r"ends in \.jnolab"):
        workbench.open(tmp_path / "p.json", display=False)
    newer = tmp_path / "newer.jnolab"
    newer.write_text(json.dumps({**workbench.new_document(), "version": 99}))
    with pytest.raises(ValueError, match="newer than this jNO Lab"):
        workbench.open(newer, tmp_path / "out.jnolab", display=False)
    with pytest.raises(TypeError, match=r"jno\.core"):
        workbench.open(42, tmp_path / "x.jnolab", display=False)


def test_in_ipython_a_bundle_asks_the_editor_to_open_it(crux, tmp_path):
    shell = InteractiveShell.instance()
    try:
        with capture_output() as captured:
            path = workbench.open(crux, tmp_path / "shown", display=True)
    finally:
        InteractiveShell.clear_instance()
    assert path == tmp_path / "shown.jnolab"
    (output,) = captured.outputs
    relative = os.path.relpath(path, os.getcwd())
    assert output.data[OPEN_MIME] == {"path": relative, "title": "Imported problem"}
    assert str(path) in output.data["text/plain"]
    assert shell is not None
