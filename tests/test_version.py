import json

import jno_lab


def test_python_version_matches_package_json(repo_root):
    package = json.loads((repo_root / "package.json").read_text())
    assert jno_lab.__version__ == package["version"]


def test_cli_prints_version(capsys):
    from jno_lab.cli import main

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == jno_lab.__version__
