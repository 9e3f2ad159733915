"""The Trainax quickstart, unchanged but for the import: the learned stencil approaches FOU."""

import equinox as eqx
import jax
import jax.numpy as jnp
import optax
import pytest

import jno_lab.emulators as tx


@pytest.mark.slow
def test_quickstart_stencils_approach_first_order_upwind():
    cfl = -0.75
    ref_data = tx.sample_data.advection_1d_periodic(cfl=cfl, key=jax.random.PRNGKey(0))
    conv = eqx.nn.Conv1d(
        1,
        1,
        2,
        padding="SAME",
        padding_mode="CIRCULAR",
        use_bias=False,
        key=jax.random.PRNGKey(73),
    )
    fou = jnp.array([1 + cfl, -cfl])
    errors = {}
    for r in (1, 5, 20):
        trainer = tx.trainer.SupervisedTrainer(
            ref_data,
            num_rollout_steps=r,
            optimizer=optax.adam(1e-2),
            num_training_steps=1000,
            batch_size=32,
        )
        learned, history = trainer(conv, key=jax.random.PRNGKey(42))
        assert history.shape == (1000,)
        assert float(history[-1]) < 0.2 * float(history[0])
        errors[r] = float(jnp.linalg.norm(learned.weight - fou))
    assert 0.030 < errors[1] < 0.038
    assert 0.024 < errors[5] < 0.032
    assert 0.014 < errors[20] < 0.019
    assert errors[20] < errors[5] < errors[1]


def test_public_names():
    assert sorted(tx.__all__) == [
        "Callback",
        "EmulatorStatistics",
        "GeneralTrainer",
        "PermutationMixer",
        "TrajectorySubStacker",
        "callback",
        "configuration",
        "loss",
        "sample_data",
        "trainer",
    ]
    assert sorted(tx.trainer.__all__) == [
        "DivertedChainBranchOneTrainer",
        "DivertedChainTrainer",
        "GeneralTrainer",
        "MixChainPostPhysicsTrainer",
        "MixChainTrainer",
        "ResiduumTrainer",
        "SupervisedTrainer",
    ]
    assert sorted(tx.configuration.__all__) == [
        "BaseConfiguration",
        "Composite",
        "DivertedChain",
        "DivertedChainBranchOne",
        "MixChain",
        "MixChainPostPhysics",
        "Residuum",
        "Supervised",
    ]
    assert sorted(tx.callback.__all__) == [
        "BaseCallback",
        "CompositeCallback",
        "GetNetwork",
        "GradNorm",
        "Loss",
        "SaveNetwork",
        "ValidationRollout",
        "WeightNorm",
    ]
    assert sorted(tx.loss.__all__) == [
        "BaseLoss",
        "CompositeLoss",
        "LpLoss",
        "MAELoss",
        "MSELoss",
        "Normalized_LpLoss",
        "Normalized_MAELoss",
        "Normalized_MSELoss",
        "Normalized_RMSELoss",
        "RMSELoss",
    ]
    for module in (tx, tx.trainer, tx.configuration, tx.callback, tx.loss, tx.sample_data):
        for name in module.__all__:
            assert getattr(module, name) is not None


def test_engine_import_pulls_no_jupyter():
    import subprocess
    import sys

    code = (
        "import sys, jno_lab.emulators; "
        "print([m for m in ('ipywidgets', 'anywidget', 'bokeh', 'jupyterlab') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
