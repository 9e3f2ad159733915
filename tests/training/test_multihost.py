"""Multi-host training: two local processes joined by `jax.distributed`, 2 CPU devices each.

The default mesh spans the four global devices (data parallel); every process
sees the same losses and predictions, equal to a one-process, one-device run.
CPU collectives across processes go through gloo.
"""

import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest

PROBLEM = textwrap.dedent(
    """
    import json, sys
    import jax

    if len(sys.argv) > 1:
        pid, port = int(sys.argv[1]), sys.argv[2]
        jax.config.update("jax_cpu_collectives_implementation", "gloo")
        jax.distributed.initialize(f"127.0.0.1:{port}", num_processes=2, process_id=pid)
    import numpy as np, optax
    import jno_lab as jno

    rng = np.random.default_rng(0)
    dom = jno.domain.from_array({"interior": rng.uniform(0, 1, size=(8, 5, 1))})
    (x,) = dom.variable("interior")
    net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=8, depth=1, key=jax.random.PRNGKey(0)))
    net.optimizer(optax.adam(1e-2))
    mesh = None if len(sys.argv) > 1 else (1, 1)
    crux = jno.core([(net(x).d(x) - jno.np.cos(x)).mse], dom, mesh=mesh)
    losses = crux.solve(8, batchsize=4).losses[:, 0].tolist()
    prediction = np.asarray(crux.eval(net(x))).ravel().tolist()
    print(json.dumps({
        "processes": jax.process_count(), "devices": jax.device_count(),
        "mesh": list(crux.mesh), "losses": losses, "prediction": prediction,
    }))
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _last_json(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


@pytest.mark.slow
def test_two_processes_train_like_one_device():
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    single = subprocess.run(
        [sys.executable, "-c", PROBLEM], env=env, capture_output=True, text=True, timeout=300
    )
    assert single.returncode == 0, single.stderr[-3000:]
    reference = _last_json(single.stdout)

    env["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
    port = str(_free_port())
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", PROBLEM, str(pid), port],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for pid in (0, 1)
    ]
    outputs = []
    try:
        for worker in workers:
            stdout, stderr = worker.communicate(timeout=300)
            assert worker.returncode == 0, stderr[-3000:]
            outputs.append(_last_json(stdout))
    finally:
        for worker in workers:
            worker.kill()
    for out in outputs:
        assert (out["processes"], out["devices"], out["mesh"]) == (2, 4, [4, 1])
        assert out["losses"] == pytest.approx(reference["losses"], rel=1e-5, abs=1e-7)
        assert out["prediction"] == pytest.approx(reference["prediction"], rel=1e-5, abs=1e-6)
    assert reference["mesh"] == [1, 1]
