from pathlib import Path

import pytest

from jno_lab._lab_server import lab_command, workbench_url
from jno_lab.cli import main


def test_workbench_url_for_a_folder_opens_a_new_workbench():
    url = workbench_url("http://127.0.0.1:8890/", "tok", Path("/srv"), None)
    assert url == "http://127.0.0.1:8890/lab?jno-lab=new-workbench&token=tok"


def test_workbench_url_for_a_file_opens_that_file(tmp_path):
    target = tmp_path / "sub dir" / "poisson.jnolab"
    url = workbench_url("http://127.0.0.1:8888/", "t", tmp_path, target)
    assert url == "http://127.0.0.1:8888/lab/tree/sub%20dir/poisson.jnolab?token=t"


def test_lab_command_binds_to_loopback_only(tmp_path):
    cmd = lab_command(tmp_path, 9001)
    assert "--ip=127.0.0.1" in cmd
    assert "--port=9001" in cmd
    assert f"--ServerApp.root_dir={tmp_path}" in cmd


def test_lab_on_a_missing_path_fails_with_a_clear_message(tmp_path, capsys):
    missing = tmp_path / "nope"
    assert main(["lab", str(missing), "--no-browser"]) == 1
    err = capsys.readouterr().err
    assert str(missing) in err
    assert "does not exist" in err


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "lab" in capsys.readouterr().out


def test_unknown_option_is_rejected():
    with pytest.raises(SystemExit):
        main(["lab", "--no-such-option"])
