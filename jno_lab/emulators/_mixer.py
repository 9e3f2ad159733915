"""Minibatching: sub-trajectory windows and the per-epoch permutations that pick them."""

from __future__ import annotations

import math
import warnings
from typing import Literal, overload

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, Int, PRNGKeyArray, PyTree


def _check_trajectories(data: PyTree) -> tuple[int, int]:
    leaves = jax.tree_util.tree_leaves(data)
    if not leaves:
        raise ValueError("data_trajectories is empty: pass an array of shape (S, T+1, C, *N)")
    shapes = [jnp.shape(x) for x in leaves]
    for shape in shapes:
        if len(shape) < 2:
            raise ValueError(
                "data_trajectories must have a sample axis and a time axis first, shape "
                f"(S, T+1, C, *N); got an array of shape {shape}"
            )
    if len({s[:2] for s in shapes}) != 1:
        raise ValueError(
            "every array in data_trajectories must share the leading (samples, time) axes, "
            f"got shapes {shapes}"
        )
    return shapes[0][0], shapes[0][1]


class TrajectorySubStacker(eqx.Module):
    """All (overlapping) windows of `sub_trajectory_len` snapshots of a set of trajectories.

    Window `j` is trajectory `j // W` from time `j % W` on, with `W = T + 2 - L` windows
    per trajectory (the Trainax order). The windows are gathered on demand from the
    trajectories, inside `jit`, instead of being stored: memory stays that of the data.

    Args:
        data_trajectories: array (or PyTree of arrays) of shape `(S, T+1, ...)`.
        sub_trajectory_len: window length `L`; `num_rollout_steps + 1` for rollouts.
        do_sub_stacking: if False, only the first window of each trajectory is used.
        only_store_ic: return only the first snapshot of each window, shape `(B, 1, ...)`.

    Example:
        >>> import jax.numpy as jnp
        >>> import jno_lab.emulators as tx
        >>> stacker = tx.TrajectorySubStacker(jnp.zeros((3, 11, 1, 8)), 4)
        >>> stacker.num_total_samples, stacker(jnp.array([0, 5])).shape
        (24, (2, 4, 1, 8))
    """

    data_trajectories: PyTree[Float[Array, "S T ..."]]
    sub_trajectory_len: int = eqx.field(static=True)
    do_sub_stacking: bool = eqx.field(static=True)
    only_store_ic: bool = eqx.field(static=True)
    num_windows_per_trajectory: int = eqx.field(static=True)
    num_total_samples: int = eqx.field(static=True)

    def __init__(
        self,
        data_trajectories: PyTree[Float[Array, "S T ..."]],
        sub_trajectory_len: int,
        *,
        do_sub_stacking: bool = True,
        only_store_ic: bool = False,
    ):
        num_samples, num_snapshots = _check_trajectories(data_trajectories)
        if (
            isinstance(sub_trajectory_len, bool)
            or not isinstance(sub_trajectory_len, (int, np.integer))
            or not 1 <= sub_trajectory_len <= num_snapshots
        ):
            raise ValueError(
                f"sub_trajectory_len={sub_trajectory_len!r} must be an integer from 1 to the "
                f"number of snapshots per trajectory ({num_snapshots}); for a rollout of r "
                f"steps use r + 1 <= {num_snapshots}, or pass longer trajectories"
            )
        self.data_trajectories = jax.tree_util.tree_map(jnp.asarray, data_trajectories)
        self.sub_trajectory_len = int(sub_trajectory_len)
        self.do_sub_stacking = bool(do_sub_stacking)
        self.only_store_ic = bool(only_store_ic)
        per = num_snapshots - self.sub_trajectory_len + 1 if do_sub_stacking else 1
        self.num_windows_per_trajectory = per
        self.num_total_samples = num_samples * per

    def __call__(self, indices: Int[Array, " B"]) -> PyTree[Float[Array, "B L ..."]]:
        """Gather the windows with flat indices `indices` (works inside `jit`)."""
        indices = jnp.asarray(indices)
        sample = indices // self.num_windows_per_trajectory
        start = indices % self.num_windows_per_trajectory
        length = 1 if self.only_store_ic else self.sub_trajectory_len

        def gather(x: Array) -> Array:
            return jax.vmap(lambda s, t: jax.lax.dynamic_slice_in_dim(x[s], t, length, axis=0))(
                sample, start
            )

        return jax.tree_util.tree_map(gather, self.data_trajectories)

    @property
    def data_sub_trajectories(self) -> PyTree[Float[Array, "W L ..."]]:
        """Every window, materialised: shape `(num_total_samples, L, ...)`."""
        return self(jnp.arange(self.num_total_samples))


@eqx.filter_jit
def _epoch_permutations(key: PRNGKeyArray, num_total: int, num_epochs: int) -> Array:
    def one(k, _):
        return jax.random.split(k)[0], jax.random.permutation(k, num_total)

    return jax.lax.scan(one, key, None, length=num_epochs)[1]


class PermutationMixer(eqx.Module):
    """Which windows form minibatch `i`: a fresh permutation of all windows per epoch.

    An epoch has `ceil(num_total_samples / batch_size)` minibatches; the last one of
    an epoch holds the remainder (it is not filled up from the next epoch). Epoch
    `e` uses the permutation drawn with key `k_e`, `k_0 = shuffle_key`,
    `k_{e+1} = split(k_e)[0]` (the Trainax schedule, so equal keys pick equal data).

    Example:
        >>> import jax
        >>> import jno_lab.emulators as tx
        >>> mixer = tx.PermutationMixer(10, 5, 4, jax.random.PRNGKey(0))
        >>> [len(mixer(i)) for i in range(5)]
        [4, 4, 2, 4, 4]
    """

    num_total_samples: int = eqx.field(static=True)
    num_minibatches: int = eqx.field(static=True)
    batch_size: int = eqx.field(static=True)
    num_minibatches_per_epoch: int = eqx.field(static=True)
    num_epochs: int = eqx.field(static=True)
    permutations: Int[Array, "num_epochs num_total_samples"]

    def __init__(
        self,
        num_total_samples: int,
        num_minibatches: int,
        batch_size: int,
        shuffle_key: PRNGKeyArray,
    ):
        if batch_size > num_total_samples:
            warnings.warn(
                f"batch_size={batch_size} is larger than the {num_total_samples} windows in "
                "the data: training uses full batches",
                stacklevel=3,
            )
            batch_size = num_total_samples
        self.num_total_samples = int(num_total_samples)
        self.num_minibatches = int(num_minibatches)
        self.batch_size = int(batch_size)
        self.num_minibatches_per_epoch = math.ceil(num_total_samples / batch_size)
        self.num_epochs = math.ceil(num_minibatches / self.num_minibatches_per_epoch)
        self.permutations = _epoch_permutations(
            shuffle_key, self.num_total_samples, self.num_epochs
        )

    @overload
    def __call__(self, i: int, *, return_info: Literal[False] = False) -> Int[Array, " b"]: ...

    @overload
    def __call__(
        self, i: int, *, return_info: Literal[True]
    ) -> tuple[Int[Array, " b"], tuple[int, int]]: ...

    def __call__(
        self, i: int, *, return_info: bool = False
    ) -> Int[Array, " b"] | tuple[Int[Array, " b"], tuple[int, int]]:
        """Indices of minibatch `i` (and `(epoch, batch in epoch)` with `return_info`)."""
        if not 0 <= i < self.num_minibatches:
            raise ValueError(
                f"minibatch index {i} is out of range: this mixer has {self.num_minibatches}"
            )
        epoch, batch = divmod(int(i), self.num_minibatches_per_epoch)
        start = batch * self.batch_size
        stop = min(start + self.batch_size, self.num_total_samples)
        indices = self.permutations[epoch, start:stop]
        return (indices, (epoch, batch)) if return_info else indices

    def padded_permutations(self) -> Int[Array, "num_epochs padded"]:
        """Permutations padded with index 0 to a whole number of full minibatches."""
        pad = self.num_minibatches_per_epoch * self.batch_size - self.num_total_samples
        return jnp.pad(self.permutations, ((0, 0), (0, pad)))

    def device_batch(self, step: Array, padded: Array) -> tuple[Array, Array]:
        """Indices `(batch_size,)` and 0/1 mask of minibatch `step`, traced on device.

        The remainder minibatch is padded to `batch_size` with masked-out windows, so
        every step has the same shapes and nothing recompiles.
        """
        epoch = jnp.minimum(step // self.num_minibatches_per_epoch, self.num_epochs - 1)
        start = (step % self.num_minibatches_per_epoch) * self.batch_size
        indices = jax.lax.dynamic_slice_in_dim(padded[epoch], start, self.batch_size)
        mask = (start + jnp.arange(self.batch_size)) < self.num_total_samples
        return indices, mask
