"""README command 1 ends in `jno-lab lab examples`: it must serve Lab with a workbench open."""

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from lab_support import free_port, quiet_lab_env, stop
from playwright.sync_api import expect

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
URL_LINE = re.compile(r"^\s+(http://127\.0\.0\.1:\d+/lab\?jno-lab=\S+)\s*$")


@pytest.fixture
def demo_url(tmp_path):
    """Run `jno-lab lab examples` as the README's demo command does; yield its address."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "jno_lab.cli", "lab", str(EXAMPLES),
         "--port", str(free_port()), "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=quiet_lab_env(tmp_path),
    )  # fmt: skip
    found: list[str] = []
    log: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            log.append(line)
            match = URL_LINE.match(line)
            if match and not found:
                found.append(match.group(1))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    for _ in range(900):
        if found or proc.poll() is not None:
            break
        reader.join(0.1)
    try:
        assert found, "jno-lab lab printed no address:\n" + "".join(log)
        yield found[0]
    finally:
        stop(proc)


@pytest.fixture
def no_new_examples():
    """The demo creates an untitled workbench in examples/: remove what it adds."""
    before = set(EXAMPLES.iterdir())
    yield
    for path in set(EXAMPLES.iterdir()) - before:
        if path.suffix == ".jnolab":
            path.unlink()


def test_demo_command_serves_lab_with_a_workbench_open(page, no_new_examples, demo_url, artifacts):
    assert "jno-lab=new-workbench" in demo_url
    page.goto(demo_url)
    expect(page.locator(".jp-JnoLab-panel .react-flow")).to_be_visible(timeout=60_000)
    # The deep-link parameter is consumed, so a reload does not open a second editor.
    assert "jno-lab=" not in page.url
    expect(page.locator(".lm-TabBar-tab.jp-mod-current")).to_contain_text(".jnolab")
    page.screenshot(path=artifacts / "demo-command.png")


def test_stopping_the_demo_command_stops_the_server(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "jno_lab.cli", "lab", str(EXAMPLES),
         "--port", str(free_port()), "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=quiet_lab_env(tmp_path),
    )  # fmt: skip
    assert proc.stdout is not None
    for line in proc.stdout:
        if URL_LINE.match(line):
            break
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    assert children, "jno-lab lab started no server process"
    stop(proc)
    for pid in children:
        deadline = time.monotonic() + 15
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not Path(f"/proc/{pid}").exists(), f"server process {pid} outlived jno-lab lab"
