"""`jno-lab run`, `validate` and `export` on workbench documents."""

import io
import json
import math
from pathlib import Path

import jax
import numpy as np
import pytest
from jax.experimental.compilation_cache import compilation_cache

from jno_lab.cli import main
from jno_lab.workbench.document import load, new_document, save
from jno_lab.workbench.headless import (
    DocumentError,
    format_problem,
    override_epochs,
    read_document,
    run_document,
)
from jno_lab.workbench.lowering import lower

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.jnolab"))
PNG = b"\x89PNG\r\n\x1a\n"
STAT_KEYS = {
    "nonfinite",
    "title",
    "epochs",
    "training_time",
    "total_loss",
    "constraints",
    "history",
    "trackers",
    "parameters",
    "trainable_params",
}


def _read_config(name):
    try:
        return getattr(jax.config, name)
    except AttributeError:
        return jax.config.read(name)


@pytest.fixture(scope="module", autouse=True)
def quick_compilation(tmp_path_factory):
    """Compile with most XLA optimisations off, and each identical program only once.

    Training a few steps is all these tests do, so compilation dominates; both
    settings are restored when the module is done.
    """
    settings = {
        "jax_disable_most_optimizations": True,
        "jax_compilation_cache_dir": str(tmp_path_factory.mktemp("jax-cache")),
        "jax_persistent_cache_min_compile_time_secs": 0.0,
    }
    before = {name: _read_config(name) for name in settings}
    for name, value in settings.items():
        jax.config.update(name, value)
    compilation_cache.reset_cache()
    yield
    for name, value in before.items():
        jax.config.update(name, value)
    compilation_cache.reset_cache()


def tiny_document(**graph_changes):
    """A 1-D fit u(x) = x: a tiny network that compiles in a moment."""
    doc = new_document("tiny")
    doc["geometry"] = {
        "dimension": 1,
        "primitives": [{"id": "bar", "type": "interval", "x": [0, 1]}],
        "csg": "bar",
        "tags": [],
        "mesh_size": 0.125,
        "time": None,
    }
    nodes = [
        {"id": "xs", "type": "variables", "params": {"tag": "interior"}},
        {"id": "net", "type": "mlp", "params": {"in_size": 1, "hidden": 4, "depth": 1}},
        {"id": "u", "type": "call", "params": {"inputs": 1}},
        {"id": "r", "type": "sub"},
        {"id": "fit", "type": "loss"},
        {"id": "c", "type": "constraint"},
    ]
    edges = [
        ("net", "model", "u", "model"),
        ("xs", "x", "u", "in1"),
        ("u", "out", "r", "a"),
        ("xs", "x", "r", "b"),
        ("r", "out", "fit", "residual"),
        ("fit", "loss", "c", "loss"),
    ]
    doc["graph"] = {
        "nodes": nodes,
        "edges": [
            {"source": s, "sourcePort": sp, "target": t, "targetPort": tp} for s, sp, t, tp in edges
        ],
    }
    doc["training"]["phases"] = [{"optimizer": "adam", "learning_rate": 0.01, "epochs": 10}]
    doc["graph"].update(graph_changes)
    return doc


def broken_document():
    """The tiny document with the network's input unplugged and an unknown node."""
    doc = tiny_document()
    doc["graph"]["edges"] = [e for e in doc["graph"]["edges"] if e["targetPort"] != "in1"]
    doc["graph"]["nodes"].append({"id": "zz", "type": "no_such_node"})
    return doc


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.jnolab"
    save(tiny_document(), path)
    return path


@pytest.fixture
def broken(tmp_path):
    path = tmp_path / "broken.jnolab"
    save(broken_document(), path)
    return path


def check_outputs(folder: Path, epochs: int) -> dict:
    assert sorted(p.name for p in folder.iterdir()) == ["field.png", "loss.png", "statistics.json"]
    for name in ("field.png", "loss.png"):
        assert (folder / name).read_bytes()[:8] == PNG
    record = json.loads((folder / "statistics.json").read_text(encoding="utf-8"))
    assert set(record) == STAT_KEYS
    assert record["epochs"] == epochs
    assert isinstance(record["training_time"], float)
    assert isinstance(record["total_loss"], float)
    assert len(record["history"]["epoch"]) == epochs
    assert len(record["history"]["total_loss"]) == epochs
    names = [c["name"] for c in record["constraints"]]
    assert list(record["history"]["losses"]) == names
    for c in record["constraints"]:
        assert set(c) == {"name", "node_id", "expression", "final_loss"}
        assert isinstance(c["final_loss"], float)
        assert len(record["history"]["losses"][c["name"]]) == epochs
    for tracker in record["trackers"].values():
        assert set(tracker) == {"epoch", "values"}
        assert len(tracker["epoch"]) == len(tracker["values"])
    return record


# -- run -----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_run_writes_statistics_and_plots(path, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(path), "--epochs", "20", "--out", str(out)]) == 0
    phases = len(load(path)["training"]["phases"])
    record = check_outputs(out, 20 * phases)
    captured = capsys.readouterr()
    assert "20 steps" in captured.out or f"{20 * phases} steps" in captured.out
    assert "step/s" in captured.err  # the progress bar
    assert "loss=" in captured.err
    if path.stem == "inverse_parameter":
        assert set(record["parameters"]) == {"kappa"}
        assert record["trackers"]["kappa_value"]["epoch"] == [0]


def test_run_writes_to_jno_lab_run_by_default(tiny, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(tiny), "--no-progress"]) == 0
    record = check_outputs(tmp_path / "jno-lab-run" / "tiny", 10)
    assert record["constraints"][0]["name"] == "c"
    assert "step/s" not in capsys.readouterr().err


def test_run_document_keeps_inner_steps_dividing_the_epochs(tmp_path):
    doc = tiny_document()
    doc["training"]["phases"] = [
        {"epochs": 40, "inner_steps": 8, "learning_rate": 0.01},
        {"epochs": 10, "optimizer": "sgd", "learning_rate": 0.001},
    ]
    path = tmp_path / "two.jnolab"
    save(doc, path)
    bar = io.StringIO()
    result = run_document(path, epochs=6, out=tmp_path / "o", file=bar)
    assert result.statistics["epochs"] == 12
    assert [phase.inner_steps for phase, _ in result.built.phases] == [6, 6]
    assert "phase 2/2" in bar.getvalue()
    assert "12/12" in bar.getvalue()


def test_override_epochs_uses_the_largest_divisor_not_above_inner_steps():
    doc = {
        "training": {
            "phases": [
                {"epochs": 4000, "inner_steps": 100},
                {"epochs": 10, "inner_steps": 7},
                {"epochs": 10},
            ]
        }
    }
    phases = override_epochs(doc, 20)["training"]["phases"]
    assert phases == [
        {"epochs": 20, "inner_steps": 20},
        {"epochs": 20, "inner_steps": 5},
        {"epochs": 20},
    ]
    assert doc["training"]["phases"][0]["epochs"] == 4000  # a copy
    assert override_epochs(doc, 7)["training"]["phases"][0]["inner_steps"] == 7
    assert override_epochs(doc, 97)["training"]["phases"][1]["inner_steps"] == 1
    with pytest.raises(ValueError, match="positive"):
        override_epochs(doc, 0)


def test_run_on_an_invalid_document_lists_the_problems(broken, capsys):
    assert main(["run", str(broken), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "u:in1: " in err
    assert "zz: unknown node type 'no_such_node'" in err


def test_run_names_the_node_whose_statement_failed(tmp_path, capsys):
    doc = tiny_document()
    shaky = {"distribution": "uniform", "a": 1.0, "b": 0.0}  # low > high
    doc["graph"]["nodes"].append({"id": "shaky", "type": "noise", "params": shaky})
    path = tmp_path / "noise.jnolab"
    save(doc, path)
    assert main(["run", str(path), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "error: node 'shaky' failed: ValueError: uniform noise needs high > low" in err
    assert main(["run", str(path), "--no-progress", "--traceback"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_run_reports_code_that_fails_in_training(tmp_path, capsys):
    doc = tiny_document()
    doc["graph"]["nodes"].append(
        {"id": "bad", "type": "function", "params": {"inputs": 1, "expression": "a +"}}
    )
    path = tmp_path / "code.jnolab"
    save(doc, path)
    assert main(["run", str(path)]) == 1  # caught by validation
    assert "bad:expression:" in capsys.readouterr().err

    doc["graph"]["nodes"][-1]["params"].update(expression="undefined_name(a)", code=True)
    doc["graph"]["nodes"] += [
        {"id": "bad_loss", "type": "loss"},
        {"id": "bc", "type": "constraint"},
    ]
    doc["graph"]["edges"] += [
        {"source": "xs", "sourcePort": "x", "target": "bad", "targetPort": "in1"},
        {"source": "bad", "sourcePort": "out", "target": "bad_loss", "targetPort": "residual"},
        {"source": "bad_loss", "sourcePort": "loss", "target": "bc", "targetPort": "loss"},
    ]
    save(doc, path)
    assert main(["run", str(path), "--no-progress"]) == 1  # code, not trusted: nothing runs
    assert "is not trusted" in capsys.readouterr().err
    assert main(["run", str(path), "--no-progress", "--trust"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "error: the run failed: NameError: name 'undefined_name' is not defined" in err


def test_run_rejects_a_non_positive_epoch_count(tiny, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", str(tiny), "--epochs", "0"])
    assert exc.value.code == 2
    assert "at least 1" in capsys.readouterr().err


# -- validate ------------------------------------------------------------------------------
def test_validate_a_valid_document(tiny, capsys):
    assert main(["validate", str(tiny)]) == 0
    assert capsys.readouterr().out == "valid\n"


def test_validate_prints_node_and_port_of_every_problem(broken, capsys):
    assert main(["validate", str(broken)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "u:in1: Call network: input 'in1' is not connected" in lines
    assert "zz: unknown node type 'no_such_node'" in lines


def test_validate_a_document_level_problem(tmp_path, capsys):
    doc = tiny_document()
    doc["format"] = "something-else"
    path = tmp_path / "other.jnolab"
    save(doc, path)
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("document: not a workbench document")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{ not json", "not valid JSON"),
        ("[1, 2]", "a workbench document is a JSON object"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "export", "run"])
def test_unreadable_documents_exit_2_without_traceback(command, content, message, tmp_path, capsys):
    path = tmp_path / "bad.jnolab"
    path.write_text(content, encoding="utf-8")
    assert main([command, str(path)]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Traceback" not in captured.err + captured.out


@pytest.mark.parametrize("command", ["validate", "export", "run"])
def test_missing_file_exits_2(command, tmp_path, capsys):
    missing = tmp_path / "nope.jnolab"
    assert main([command, str(missing)]) == 2
    assert f"error: {missing}: does not exist" in capsys.readouterr().err
    assert main([command, str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


# -- export --------------------------------------------------------------------------------
def test_export_prints_the_lowered_script(capsys):
    path = next(p for p in EXAMPLES if p.stem == "poisson")
    assert main(["export", str(path)]) == 0
    out = capsys.readouterr().out
    assert out == lower(load(path)).to_source()
    compile(out, "poisson.py", "exec")


def test_export_writes_a_file(tiny, tmp_path, capsys):
    target = tmp_path / "tiny.py"
    assert main(["export", str(tiny), "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == lower(load(tiny)).to_source()
    assert capsys.readouterr().out == ""


def test_export_refuses_an_invalid_document(broken, tmp_path, capsys):
    target = tmp_path / "broken.py"
    assert main(["export", str(broken), "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert "u:in1: " in err
    assert "2 problems" in err
    assert not target.exists()


def test_export_into_a_missing_folder_fails_cleanly(tiny, tmp_path, capsys):
    assert main(["export", str(tiny), "-o", str(tmp_path / "no" / "dir" / "x.py")]) == 1
    assert "cannot write" in capsys.readouterr().err


# -- helpers -------------------------------------------------------------------------------
def test_format_problem():
    problem = {"code": "x", "message": "m", "node_id": None, "port": None}
    assert format_problem(problem) == "document: m"
    assert format_problem({**problem, "node_id": "n"}) == "n: m"
    assert format_problem({**problem, "node_id": "n", "port": "p"}) == "n:p: m"


def test_read_document_errors_carry_exit_codes(tmp_path):
    path = tmp_path / "x.jnolab"
    path.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(DocumentError) as exc:
        read_document(path)
    assert exc.value.exit_code == 2


def test_statistics_are_plain_json_numbers(tiny, tmp_path):
    result = run_document(tiny, out=tmp_path / "o", progress=False)
    text = (tmp_path / "o" / "statistics.json").read_text(encoding="utf-8")
    assert "NaN" not in text
    assert "Infinity" not in text
    record = json.loads(text)
    assert record == json.loads(json.dumps(result.statistics))
    assert np.isfinite(record["history"]["total_loss"]).all()


@pytest.mark.parametrize("kind", ["file", "under_a_file"])
def test_run_checks_the_output_folder_before_training(kind, tiny, tmp_path, capsys):
    blocker = tmp_path / "taken"
    blocker.write_text("a file")
    out = blocker if kind == "file" else blocker / "sub"
    assert main(["run", str(tiny), "--no-progress", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert "steps in" not in captured.out  # refused before training
    err = captured.err
    assert f"--out {out}" in err
    assert "Traceback" not in err
    assert blocker.read_text() == "a file"


def diverging_document() -> dict:
    """SGD at a huge rate on (p - 3)^2: p - 3 grows by -2e6 a step, inf within ten steps."""
    doc = tiny_document()
    doc["graph"] = {
        "nodes": [
            {"id": "p", "type": "parameter", "params": {"init": 0.0}},
            {"id": "three", "type": "constant", "params": {"value": 3.0}},
            {"id": "r", "type": "sub"},
            {"id": "fit", "type": "loss"},
            {"id": "pde", "type": "constraint"},
        ],
        "edges": [
            {"source": "p", "sourcePort": "out", "target": "r", "targetPort": "a"},
            {"source": "three", "sourcePort": "out", "target": "r", "targetPort": "b"},
            {"source": "r", "sourcePort": "out", "target": "fit", "targetPort": "residual"},
            {"source": "fit", "sourcePort": "loss", "target": "pde", "targetPort": "loss"},
        ],
    }
    doc["training"]["phases"] = [
        {"optimizer": "sgd", "learning_rate": 1e6, "epochs": 1000, "inner_steps": 50}
    ]
    return doc


def test_run_exits_1_when_training_goes_non_finite(tmp_path, capsys):
    path = tmp_path / "diverging.jnolab"
    save(diverging_document(), path)
    out = tmp_path / "out"
    assert main(["run", str(path), "--no-progress", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "non-finite at step" in err
    assert "(pde)" in err
    record = json.loads((out / "statistics.json").read_text(encoding="utf-8"))
    assert record["nonfinite"]["constraints"] == ["pde"]
    assert 0 < record["nonfinite"]["step"] < 50  # within the first chunk
    assert record["epochs"] <= 50
    assert all(math.isfinite(v) for v in record["history"]["total_loss"])
