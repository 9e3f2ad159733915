"""Fourier Neural Operator (Li et al. 2021) on regular periodic 1-D, 2-D and 3-D grids."""

# jaxtyping shape strings are not Python expressions.

from __future__ import annotations

import itertools
from typing import ClassVar, final

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Complex, Float, PRNGKeyArray

from ...provenance import records
from ._common import check_positive, glorot_linear, resolve_key


def _channels(linear: eqx.nn.Linear, v: Float[Array, "*grid c_in"]) -> Float[Array, "*grid c_out"]:
    """Apply an affine layer to the last (channel) axis of a field."""
    out = v @ linear.weight.T
    return out if linear.bias is None else out + linear.bias


def _check_modes(modes: tuple[int, ...], grid: tuple[int, ...]) -> None:
    """Raise ValueError when the kept modes do not fit the grid."""
    for axis, (m, n) in enumerate(zip(modes, grid, strict=True)):
        last = axis == len(modes) - 1
        # The last axis is real-FFT'd (n // 2 + 1 frequencies); the others keep
        # m positive and m negative frequencies, which must not overlap.
        limit = n // 2 + 1 if last else n // 2
        if m > limit:
            raise ValueError(
                f"modes={modes[0] if len(modes) == 1 else modes} is too large for a grid of "
                f"shape {grid}: axis {axis} has {n} points, so modes[{axis}] may be at most "
                f"{limit}"
            )


@final
class SpectralConv(eqx.Module):
    """Multiplication of the lowest Fourier modes by learned complex matrices.

    The complex weights are stored as two real arrays (`weight_real`,
    `weight_imag`) of shape `(corners, *modes, in_channels, out_channels)`,
    where `corners = 2 ** (n_dims - 1)`: every axis but the last keeps both its
    lowest positive and its lowest negative frequencies; the last axis is the
    real-FFT axis and has only non-negative ones.

    Attributes:
        weight_real: real part of the spectral weights.
        weight_imag: imaginary part of the spectral weights.
        modes: number of modes kept along each grid axis.
    """

    weight_real: Float[Array, "corners *modes c_in c_out"]
    weight_imag: Float[Array, "corners *modes c_in c_out"]
    modes: tuple[int, ...] = eqx.field(static=True)

    def _corners(self) -> list[tuple[slice, ...]]:
        *lead, last = self.modes
        per_axis = [(slice(None, m), slice(-m, None)) for m in lead]
        return [(*c, slice(None, last)) for c in itertools.product(*per_axis)]

    def __call__(self, v: Float[Array, "*grid c_in"]) -> Float[Array, "*grid c_out"]:
        """Apply the spectral convolution to a channels-last field."""
        grid = tuple(v.shape[:-1])
        _check_modes(self.modes, grid)
        axes = tuple(range(len(self.modes)))
        vh: Complex[Array, "*freq c_in"] = jnp.fft.rfftn(v, axes=axes)
        weight = jax.lax.complex(self.weight_real, self.weight_imag).astype(vh.dtype)
        out = jnp.zeros((*vh.shape[:-1], weight.shape[-1]), dtype=vh.dtype)
        for w, idx in zip(weight, self._corners(), strict=True):
            out = out.at[idx].set(jnp.einsum("...i,...io->...o", vh[idx], w))
        return jnp.fft.irfftn(out, s=grid, axes=axes).astype(v.dtype)


@final
class FNO(eqx.Module):
    """Fourier Neural Operator: lifting, Fourier layers, projection.

    Each Fourier layer computes `v <- gelu(K v + W v + b)` with `K` the spectral
    convolution; GELU is left out after the last layer. The projection is a
    two-layer pointwise network with GELU between. The grid is taken to be
    regular and periodic; no coordinates are appended (add them to the input
    channels if wanted). The module maps one whole field: vmap for a batch.

    Attributes:
        lift: pointwise affine map `in_channels -> width`.
        spectral: the spectral convolutions, one per Fourier layer.
        linears: the pointwise affine maps `W v + b`, one per Fourier layer.
        projection: the two pointwise affine maps `width -> hidden -> out_channels`.
    """

    lift: eqx.nn.Linear
    spectral: tuple[SpectralConv, ...]
    linears: tuple[eqx.nn.Linear, ...]
    projection: tuple[eqx.nn.Linear, eqx.nn.Linear]

    pointwise: ClassVar[bool] = False

    @property
    def in_channels(self) -> int:
        """Number of input channels."""
        return self.lift.weight.shape[1]

    @property
    def out_channels(self) -> int:
        """Number of output channels."""
        return self.projection[-1].weight.shape[0]

    @property
    def modes(self) -> tuple[int, ...]:
        """Number of Fourier modes kept along each grid axis."""
        return self.spectral[0].modes

    @property
    def n_dims(self) -> int:
        """Number of grid axes."""
        return len(self.modes)

    def __call__(
        self, u: Float[Array, "*grid in_channels"], *, key: PRNGKeyArray | None = None
    ) -> Float[Array, "*grid out_channels"]:
        """Map a channels-last field `(*grid, in_channels)` to `(*grid, out_channels)`.

        `key` is ignored.
        """
        if u.ndim != self.n_dims + 1 or u.shape[-1] != self.in_channels:
            raise ValueError(
                f"FNO with n_dims={self.n_dims} expects one channels-last field of shape "
                f"(*grid, {self.in_channels}) with {self.n_dims} grid axes, got "
                f"{tuple(u.shape)}; use jax.vmap for a batch"
            )
        _check_modes(self.modes, tuple(u.shape[:-1]))
        v = _channels(self.lift, u)
        n_layers = len(self.spectral)
        for i, (conv, linear) in enumerate(zip(self.spectral, self.linears, strict=True)):
            v = conv(v) + _channels(linear, v)
            if i < n_layers - 1:
                v = jax.nn.gelu(v)
        v = jax.nn.gelu(_channels(self.projection[0], v))
        return _channels(self.projection[1], v)


@records("jno.nn.fno", key=resolve_key)
def fno(
    in_channels: int,
    out_channels: int,
    modes: int | tuple[int, ...],
    width: int = 32,
    n_layers: int = 4,
    n_dims: int | None = None,
    *,
    projection_hidden: int | None = None,
    key: PRNGKeyArray | None = None,
) -> FNO:
    """Build a Fourier Neural Operator (Li et al. 2021).

    The spectral weights of a layer are drawn uniformly from
    `[0, 1 / (width * width))` (real and imaginary parts), the pointwise
    weights are Glorot-normal and all biases zero.

    Args:
        in_channels: channels of the input field.
        out_channels: channels of the output field.
        modes: Fourier modes kept per grid axis: one int for every axis, or a
            tuple with one entry per axis. Along every axis but the last, that
            many positive and that many negative frequencies are kept.
        width: channels inside the Fourier layers.
        n_layers: number of Fourier layers.
        n_dims: number of grid axes (1, 2 or 3); None takes `len(modes)` for a
            tuple and 1 for an int.
        projection_hidden: width of the hidden projection layer; None means `4 * width`.
        key: PRNG key; None uses the global seed.

    Returns:
        The operator; call it on one field of shape `(*grid, in_channels)`.
        A grid that is too small for `modes` raises ValueError when called.

    Raises:
        ValueError: for inconsistent `modes` and `n_dims` or a non-positive size.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from jno_lab._nn.architectures import fno
        >>> op = fno(1, 1, modes=4, width=8, n_layers=2, key=jax.random.PRNGKey(0))
        >>> op(jnp.ones((32, 1))).shape
        (32, 1)
        >>> op2 = fno(2, 1, modes=(4, 4), width=8, n_layers=2, key=jax.random.PRNGKey(0))
        >>> op2(jnp.ones((16, 16, 2))).shape
        (16, 16, 1)
    """
    if n_dims is None:
        n_dims = 1 if isinstance(modes, int) else len(modes)
    if n_dims not in (1, 2, 3):
        raise ValueError(f"n_dims must be 1, 2 or 3, got {n_dims!r}")
    modes_t = (modes,) * n_dims if isinstance(modes, int) else tuple(modes)
    if len(modes_t) != n_dims:
        raise ValueError(f"modes={modes!r} needs one entry per grid axis (n_dims={n_dims})")
    for m in modes_t:
        if isinstance(m, bool) or not isinstance(m, int) or m < 1:
            raise ValueError(f"modes must hold positive integers, got modes={modes!r}")
    hidden = 4 * width if projection_hidden is None else projection_hidden
    check_positive(
        in_channels=in_channels,
        out_channels=out_channels,
        width=width,
        n_layers=n_layers,
        projection_hidden=hidden,
    )
    k_lift, k_p1, k_p2, *k_layers = jax.random.split(resolve_key(key), 3 + 2 * n_layers)
    shape = (2 ** (n_dims - 1), *modes_t, width, width)
    scale = 1.0 / (width * width)
    spectral, linears = [], []
    for k_spec, k_lin in zip(k_layers[::2], k_layers[1::2], strict=True):
        k_re, k_im = jax.random.split(k_spec)
        spectral.append(
            SpectralConv(
                weight_real=scale * jax.random.uniform(k_re, shape),
                weight_imag=scale * jax.random.uniform(k_im, shape),
                modes=modes_t,
            )
        )
        linears.append(glorot_linear(width, width, key=k_lin))
    return FNO(
        lift=glorot_linear(in_channels, width, key=k_lift),
        spectral=tuple(spectral),
        linears=tuple(linears),
        projection=(
            glorot_linear(width, hidden, key=k_p1),
            glorot_linear(hidden, out_channels, key=k_p2),
        ),
    )
