"""The `devices` request: the kernel's JAX devices, answered by the real handler."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import jax

from jno_lab.workbench.kernel import WorkbenchHandler, devices_info


def test_devices_reply_lists_every_jax_device():
    handler = WorkbenchHandler()
    reply, buffers = handler.handle({"id": "d1", "type": "devices"}, [])
    handler.close()
    assert reply["ok"] is True
    assert reply["type"] == "devices.reply"
    assert buffers == []
    expected = [
        {"platform": d.platform, "id": d.id, "kind": d.device_kind, "process_index": 0}
        for d in jax.devices()
    ]
    assert reply["devices"] == expected
    assert reply["backend"] == jax.default_backend()
    assert reply["process_count"] == 1


def test_devices_info_is_json():
    info = devices_info()
    assert json.loads(json.dumps(info)) == info
    assert {d["platform"] for d in info["devices"]} == {jax.default_backend()}


def test_four_forced_host_devices():
    code = (
        "import json\n"
        "from jno_lab.workbench.kernel import WorkbenchHandler\n"
        "reply, _ = WorkbenchHandler().handle({'id': 'x', 'type': 'devices'}, [])\n"
        "print(json.dumps(reply))\n"
    )
    env = {
        **os.environ,
        "JAX_PLATFORMS": "cpu",
        "XLA_FLAGS": "--xla_force_host_platform_device_count=4",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout.strip().splitlines()[-1])
    assert reply["ok"] is True
    assert [(d["platform"], d["id"]) for d in reply["devices"]] == [("cpu", i) for i in range(4)]
    assert {d["kind"] for d in reply["devices"]} == {"cpu"}
