"""The frontend ships as a prebuilt extension: no `jupyter lab build` needed."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import jno_lab

BIN = Path(sys.executable).parent


def _labextension_list(env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(BIN / "jupyter"), "labextension", "list"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return result.stdout + result.stderr


def _extensions_by_folder(listing: str) -> dict[str, list[str]]:
    """Group `jupyter labextension list` lines under the folder they were found in."""
    folders: dict[str, list[str]] = {}
    current = ""
    for line in listing.splitlines():
        if line.startswith("/"):
            current = line.strip()
            folders[current] = []
        elif current and line.strip():
            folders[current].append(line.strip())
    return folders


def test_extension_is_installed_and_enabled():
    listing = _labextension_list()
    line = next((ln for ln in listing.splitlines() if "jno-lab" in ln), "")
    assert "enabled" in line, listing
    assert "OK" in line, listing
    assert jno_lab.__version__ in line, listing


def test_built_extension_metadata(repo_root):
    built = json.loads((repo_root / "labextension" / "package.json").read_text())
    source = json.loads((repo_root / "package.json").read_text())
    assert built["name"] == "jno-lab"
    assert built["version"] == source["version"]
    assert (repo_root / "labextension" / "static" / "style.js").exists()
    assert built["jupyterlab"]["_build"]["load"].startswith("static/remoteEntry.")


@pytest.mark.slow
def test_wheel_ships_the_prebuilt_extension(repo_root, tmp_path):
    """Build the wheel as `pip install .` would, install it elsewhere, ask Jupyter."""
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(repo_root)],
        check=True,
    )
    (wheel,) = dist.glob("jno_lab-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    ext = f"jno_lab-{jno_lab.__version__}.data/data/share/jupyter/labextensions/jno-lab/"
    assert ext + "package.json" in names
    assert ext + "install.json" in names
    assert ext + "static/style.js" in names
    assert any(n.startswith(ext + "static/remoteEntry.") for n in names)
    assert "jno_lab/py.typed" in names, "type checkers see the package's annotations"

    prefix = tmp_path / "prefix"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--ignore-installed",  # never uninstall the package from this environment
            "--prefix",
            str(prefix),
            str(wheel),
        ],
        check=True,
    )
    env = {**os.environ, "JUPYTER_PATH": str(prefix / "share" / "jupyter")}
    listing = _labextension_list(env)
    folder = str(prefix / "share" / "jupyter" / "labextensions")
    lines = _extensions_by_folder(listing).get(folder, [])
    (line,) = [ln for ln in lines if ln.startswith("jno-lab ")]
    assert "enabled" in line, listing
    assert "OK" in line, listing
