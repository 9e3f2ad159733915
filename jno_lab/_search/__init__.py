"""Hyper-parameter and architecture search: search spaces, tunable models, `core.sweep`.

The pieces, one module each:

- `space`: `ArchSpace`, a named set of parameters (`unique` choices, numeric `range`).
- `arch`: `Arch`, the values one configuration gives a tunable module's constructor.
- `tune`: the `jno.np.tune` namespace (`space()`, `ArchSpace`, `Arch`).
- `tunable`: `TunableModule`, a model re-created from its class for every configuration.
- `dimensions`: the full search space of one solver (training + models).
- `search`: who proposes configurations (exhaustive grid or a nevergrad optimizer).
- `configure`: applying one configuration to models and solve settings.
- `rebind`: private copies of the problem for one trial (trials run concurrently).
- `trial`: training and scoring one configuration.
- `devices`: which devices run trials.
- `describe`: JSON-friendly descriptions of configuration values.
- `sweep`: `run_sweep`, behind `core.sweep`.
"""
