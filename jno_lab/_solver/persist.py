"""`crux.save(path)` / `jno.core.load(path)`: a whole solver in one file of data.

The file is an archive of `manifest.json` and numpy arrays (see `archive`); it
cannot run code when read. It holds:

- the expressions: a list of nodes of the engine's own kinds (variables,
  constants, registered operations, derivatives, model calls, noise, trackers,
  parameters, balancer weights) with their static attributes as JSON values and
  their children by index. Operation names are checked against the engine's
  operation table, schemes, noise and balancer kinds against theirs;
- the domains: geometry as WKB bytes, point sets, sample counts, tensors and
  the points already drawn (`persist_domain`);
- the networks: the engine factory and its arguments, plus the trained arrays
  (`persist_models`);
- the solver state: step counter, RNG key, last losses, balancer states and
  the training history.

What is code cannot be data. A function given to `jno.fn(f, ..., name=n)` is
recorded by its name `n`, and a network no engine factory rebuilds (a user's
class, a custom activation, a constrained layer, a `TunableModule`) by its
model name; `jno.core.load(path, functions={...}, models={...})` takes them
from the caller, and says exactly which names it needs when some are missing.
Nothing is ever imported or looked up by a name read from the file.

Optimizers and their schedules, parameter-group masks and LoRA settings are
training settings, not stored: attach them again with `set_optimizer` (or
`optimizer`, `mask(...)`, `lora(...)`) before training further.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._trace.nodes import Tracker
from .archive import (
    Archive,
    ArrayWriter,
    Bad,
    as_dict,
    as_int,
    as_list,
    as_str,
    decode,
    encode,
    field,
    pickle_refusal,
    read_pickle,
    sniff,
    source_path,
    write,
)
from .persist_graph import CodeNeeded, GraphReader, GraphWriter

FORMAT = "jno_lab.core"
"""The `format` of a saved solver."""

LEGACY_MAGIC = "jno_lab.core/1"
"""The marker of the pickle files older versions wrote."""


def _encode_or_warn(value: Any, arrays: ArrayWriter, what: str) -> Any:
    """`value` encoded; values that are not data are left out with a warning."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            try:
                out[str(key)] = encode(item, arrays, f"{what}[{key!r}]")
            except TypeError as err:
                warnings.warn(f"crux.save: {err}; it is not saved", stacklevel=4)
        return out
    try:
        return encode(value, arrays, what)
    except TypeError as err:
        warnings.warn(f"crux.save: {err}; it is not saved", stacklevel=4)
        return None


def save_solver(solver: Any, path: str | Path) -> None:
    """Write `solver` to `path` as data (parent folders are created)."""
    from .statistics import _encode_state

    if not isinstance(path, str | os.PathLike) or not str(path):
        raise TypeError(f"crux.save(path): give a file path, got {path!r}")
    if solver.live_params() is not None:
        raise ValueError(
            "crux.save: solve() is running; save after it returns (a CheckpointCallback saves "
            "the training state during a run)"
        )
    arrays = ArrayWriter()
    writer = GraphWriter(arrays)
    with jax.transfer_guard("allow"):
        constraints = [writer.node(c) for c in solver.constraints]
        trackers = [writer.node(t) for t in solver.trackers]
        domain = None if solver.domain is None else writer.domain(solver.domain)
        balancer_states = None
        if solver._balancer_states is not None:
            balancer_states = [
                [arrays.add(np.asarray(leaf)) for leaf in jax.tree_util.tree_leaves(state)]
                for state in solver._balancer_states
            ]
        prev = solver._prev_losses
        history = solver._history
        state = {
            "constraints": constraints,
            "trackers": trackers,
            "domain": domain,
            "mesh": [int(m) for m in solver.mesh],
            "rng_seed": int(solver.rng_seed),
            "step": int(solver._step),
            "key": arrays.add(np.asarray(solver._key)),
            "prev_losses": None if prev is None else arrays.add(np.asarray(prev)),
            "balancer_states": balancer_states,
            "trainables": [t.describe() for t in solver.trainables],
            "statistics": _encode_state(solver.stats, arrays),
            "checkpoints": [str(p) for p in history._entries if isinstance(p, Path)],
            "keep_checkpoints": history.keep,
            "best_config": _encode_or_warn(solver.best_config, arrays, "crux.best_config"),
            "sweep_results": _encode_or_warn(solver.sweep_results, arrays, "crux.sweep_results"),
        }
    manifest = {
        "format": FORMAT,
        "version": 1,
        "nodes": writer.nodes,
        "domains": writer.domains,
        "models": writer.models,
        "functions": sorted(writer.functions),
        "solver": state,
    }
    write(path, manifest, arrays, "crux.save")


def _mapping(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise TypeError(f"jno.core.load({name}=...): give a dict name -> object")
    return dict(value)


class _SolverReader(GraphReader):
    """Rebuilds a whole solver: the graph, then the solver's state."""

    def solver(self) -> Any:
        """The solver the archive holds (an `archive.Bad` says what is wrong)."""
        from .core import core
        from .statistics import _decode_state, statistics

        self.read()
        state = as_dict(field(self.manifest, "solver", "manifest"), "solver")
        n = len(self.nodes)
        constraints = [
            self._ref(r, n, "solver.constraints")
            for r in as_list(field(state, "constraints", "solver"), "solver.constraints")
        ]
        trackers = [
            self._ref(r, n, "solver.trackers")
            for r in as_list(field(state, "trackers", "solver"), "solver.trackers")
        ]
        if any(isinstance(c, Tracker) for c in constraints) or not all(
            isinstance(t, Tracker) for t in trackers
        ):
            raise Bad("solver: constraints and trackers are mixed up")
        domain = state.get("domain")
        if domain is not None:
            domain = self.domains[as_int(domain, "solver.domain", 0, len(self.domains) - 1)]
        mesh = tuple(
            as_int(m, "solver.mesh", 1)
            for m in as_list(field(state, "mesh", "solver"), "solver.mesh")
        )
        seed = as_int(field(state, "rng_seed", "solver"), "solver.rng_seed", -(2**63), 2**63 - 1)
        keep = state.get("keep_checkpoints")
        keep = None if keep is None else as_int(keep, "solver.keep_checkpoints", 1)
        mesh = _usable_mesh(mesh, self.archive.path)
        try:
            crux = core(
                [*constraints, *trackers], domain, mesh, rng_seed=seed, keep_checkpoints=keep
            )
        except (ValueError, TypeError) as err:
            raise Bad(f"the saved expressions do not form a solver: {err}") from None
        names = [
            as_str(t, "solver.trainables")
            for t in as_list(field(state, "trainables", "solver"), "solver.trainables")
        ]
        if [t.describe() for t in crux.trainables] != names:
            raise Bad(
                f"solver.trainables: the expressions hold {[t.describe() for t in crux.trainables]}"
                f", the file lists {names}"
            )
        crux._step = as_int(field(state, "step", "solver"), "solver.step", 0, 2**62)
        crux._key = self._like(crux._key, field(state, "key", "solver"), "solver.key")
        prev = state.get("prev_losses")
        if prev is not None:
            template = jnp.zeros((len(crux.constraints),), jnp.float32)
            crux._prev_losses = self._like(template, prev, "solver.prev_losses")
        crux._balancer_states = self._balancer_states(crux, state.get("balancer_states"))
        crux.stats = _decode_state(statistics, field(state, "statistics", "solver"), self.archive)
        for p in as_list(state.get("checkpoints", []), "solver.checkpoints"):
            crux._history.add(Path(as_str(p, "solver.checkpoints")))
        best = decode(state.get("best_config"), self.archive, "solver.best_config")
        crux.best_config = None if best is None else as_dict(best, "solver.best_config")
        results = decode(state.get("sweep_results", []), self.archive, "solver.sweep_results")
        crux.sweep_results = as_list(results or [], "solver.sweep_results")
        return crux

    def _like(self, template: Any, ref: Any, where: str) -> jax.Array:
        value = self.archive.array(ref, where)
        if value.shape != tuple(template.shape) or value.dtype.kind != template.dtype.kind:
            raise Bad(
                f"{where}: expected {template.dtype} {tuple(template.shape)}, got "
                f"{value.dtype} {value.shape}"
            )
        return jnp.asarray(value, template.dtype)

    def _balancer_states(self, crux: Any, saved: Any) -> tuple | None:
        if saved is None:
            return None
        saved = as_list(saved, "solver.balancer_states")
        if len(saved) != len(crux.balancers):
            raise Bad(f"solver.balancer_states: {len(saved)} states for {len(crux.balancers)}")
        states = []
        for k, (balancer, leaves) in enumerate(zip(crux.balancers, saved, strict=True)):
            template = balancer.init_state()
            old, treedef = jax.tree_util.tree_flatten(template)
            refs = as_list(leaves, f"solver.balancer_states[{k}]")
            if len(refs) != len(old):
                raise Bad(f"solver.balancer_states[{k}]: {len(refs)} arrays for {len(old)}")
            new = [
                self._like(o, r, f"solver.balancer_states[{k}]")
                for o, r in zip(old, refs, strict=True)
            ]
            states.append(jax.tree_util.tree_unflatten(treedef, new))
        return tuple(states)


def _usable_mesh(mesh: tuple[int, ...], path: Path) -> tuple[int, ...] | None:
    """The saved device mesh, or None (this machine's default) for a data-parallel one.

    Data parallelism (`(n, 1)`) only places the batch; it changes no value, so a run
    saved on `n` devices loads on another number of them with a warning. A mesh that
    shards the parameters (`model > 1`) must be built as saved.
    """
    from .mesh import check_mesh

    try:
        return check_mesh(mesh)
    except (ValueError, TypeError) as err:
        if len(mesh) == 2 and mesh[1] == 1:
            warnings.warn(
                f"jno.core.load: {str(path)!r} was trained on device mesh {mesh}; this machine "
                f"has {len(jax.devices())} device(s), so the loaded solver uses the default mesh",
                stacklevel=4,
            )
            return None
        raise ValueError(
            f"jno.core.load: {str(path)!r} was trained on device mesh {mesh}, which this "
            f"machine cannot build: {err}"
        ) from None


def load_solver(
    path: str | Path,
    *,
    functions: Mapping[str, Callable[..., Any]] | None = None,
    models: Mapping[str, Any] | None = None,
    allow_pickle: bool = False,
) -> Any:
    """Read a solver written by `save_solver` (see `core.load` for the arguments)."""
    who = "jno.core.load"
    source = source_path(path, who)
    given_functions = _mapping(functions, "functions")
    given_models = _mapping(models, "models")
    kind = sniff(source)
    if kind == "pickle":
        if not allow_pickle:
            raise pickle_refusal(who, source)
        payload = read_pickle(source)
        if not isinstance(payload, dict) or payload.get("magic") != LEGACY_MAGIC:
            raise ValueError(
                f"{who}: {str(path)!r} is not a solver written by crux.save (statistics files "
                "are read with jno.statistics.load)"
            )
        return payload["solver"]
    if kind != "archive":
        raise ValueError(f"{who}: {str(path)!r} is not a solver written by crux.save")
    what = "a solver written by crux.save (statistics files are read with jno.statistics.load)"
    with Archive(source, who, FORMAT, what) as archive:
        try:
            with jax.transfer_guard("allow"):
                return _SolverReader(archive, given_functions, given_models).solver()
        except Bad as err:
            raise archive.error(str(err)) from None
        except RecursionError:
            raise archive.error("the expressions are nested too deeply") from None


__all__ = ["CodeNeeded", "load_solver", "save_solver"]
