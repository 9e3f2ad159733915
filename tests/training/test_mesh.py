"""Device meshes, on 4 host CPU devices in a subprocess: losses equal the single-device run.

Data parallel `(4, 1)` (also the default), model parallel `(1, 4)` (parameters
sharded over the `model` axis), hybrid `(2, 2)`, and one instance whose points are
split over the devices.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

import jno_lab as jno

SCRIPT = textwrap.dedent(
    """
    import json
    import jax, numpy as np, optax
    import jno_lab as jno
    from jno_lab._solver.mesh import shard_data

    def run(mesh, shape=(8, 5, 1)):
        rng = np.random.default_rng(0)
        dom = jno.domain.from_array({"interior": rng.uniform(0, 1, size=shape)})
        (x,) = dom.variable("interior")
        net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=8, depth=1, key=jax.random.PRNGKey(0)))
        net.optimizer(optax.adam(1e-2))
        crux = jno.core([(net(x).d(x) - jno.np.cos(x)).mse], dom, mesh=mesh)
        batchsize = 4 if shape[0] == 8 else None
        losses = crux.solve(6, batchsize=batchsize).losses[:, 0].tolist()
        if crux._device_mesh is None:
            return losses, "", []
        if shape[0] == 1:  # one instance: the points are split instead
            placed = shard_data(crux._bind(), crux._device_mesh, 1)["groups"]["interior"]["x"]
            return losses, str(dict(crux._device_mesh.shape)), [list(placed.sharding.spec)]
        state = crux._final_state
        specs = [list(leaf.sharding.spec) for leaf in jax.tree_util.tree_leaves(state.params)]
        moments = [
            list(leaf.sharding.spec)
            for leaf in jax.tree_util.tree_leaves(state.opt_states)
            if leaf.ndim == 2
        ]
        before = crux.compile_count
        crux.solve(70, batchsize=4)  # two calls of the fused step: shardings are kept
        specs.append(crux.compile_count - before)
        return losses, str(dict(crux._device_mesh.shape)), specs + moments

    out = {str(m): run(m) for m in [(1, 1), (4, 1), (1, 4), (2, 2)]}
    out["default"] = run(None)
    out["points (1, 1)"] = run((1, 1), shape=(1, 12, 1))
    out["points default"] = run(None, shape=(1, 12, 1))
    try:
        run((3, 1))
    except ValueError as err:
        out["error"] = str(err)
    print(json.dumps(out))
    """
)


def test_meshes_match_the_single_device_losses():
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=4"}
    env["JAX_PLATFORMS"] = "cpu"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    single, _, _ = out["(1, 1)"]
    for mesh in ("(4, 1)", "(1, 4)", "(2, 2)"):
        losses, shape, specs = out[mesh]
        assert shape  # a real device mesh was built
        assert losses == pytest.approx(single, rel=1e-5, abs=1e-7)
        model_sharded = any("model" in spec for spec in specs if isinstance(spec, list))
        assert model_sharded == (mesh != "(4, 1)"), (mesh, specs)
    # mlp(1, 1, hidden=8, depth=1): W0 (8, 1), b0 (8,), W1 (1, 8), b1 (1,)
    _, _, specs = out["(1, 4)"]
    assert specs[:4] == [["model", None], ["model"], [None, "model"], []]
    assert specs[4] == 0  # no recompilation from one call (or solve) to the next
    assert "model" in specs[5]  # Adam's moments follow their parameters
    # the default is data parallel over every device
    losses, shape, _ = out["default"]
    assert "'batch': 4" in shape
    assert "'model': 1" in shape
    assert losses == pytest.approx(single, rel=1e-5, abs=1e-7)
    # one instance: its points are split over the batch axis instead
    losses, shape, specs = out["points default"]
    assert "'batch': 4" in shape
    assert specs == [[None, "batch"]]
    assert losses == pytest.approx(out["points (1, 1)"][0], rel=1e-5, abs=1e-7)
    assert "mesh=(3, 1) needs batch * model = 3 devices, but 4 are available" in out["error"]
    assert "cpu:3" in out["error"]  # the devices are listed


def test_mesh_shape_errors_here():
    with pytest.raises(ValueError, match=r"mesh must be \(batch_devices, model_devices\)"):
        jno.core([jno.np.constant(1.0).mse], mesh=(1, 1, 1))
