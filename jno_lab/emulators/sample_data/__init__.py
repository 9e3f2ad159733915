"""Reference trajectories on periodic 1-D grids, shape `(S, T+1, C, *N)`, and their steppers.

Example:
    >>> import jax
    >>> import jno_lab.emulators as tx
    >>> data = tx.sample_data.advection_1d_periodic(cfl=-0.75, key=jax.random.PRNGKey(0))
    >>> data.shape  # 20 samples, initial state + 100 steps, 1 channel, 30 points
    (20, 101, 1, 30)
"""

from ._advection import advection_1d_periodic as advection_1d_periodic
from ._advection import make_advection_stepper as make_advection_stepper
from ._burgers import burgers_1d_periodic as burgers_1d_periodic
from ._burgers import make_burgers_stepper as make_burgers_stepper
from ._diffusion import diffusion_1d_periodic as diffusion_1d_periodic
from ._diffusion import make_diffusion_stepper as make_diffusion_stepper

__all__ = [
    "advection_1d_periodic",
    "burgers_1d_periodic",
    "diffusion_1d_periodic",
    "make_advection_stepper",
    "make_burgers_stepper",
    "make_diffusion_stepper",
]
