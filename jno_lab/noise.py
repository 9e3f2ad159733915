"""`jno.noise`: stochastic terms regenerated every training step.

Each draw comes from the step's random key (`fold_in` per noise term and per
point), so a run is reproducible under a fixed seed.

Example:
    >>> import jno_lab as jno
    >>> dom = jno.domain(constructor=jno.domain.line(mesh_size=0.5))
    >>> (x,) = dom.variable("interior")
    >>> noisy = x + jno.noise.gaussian(std=0.01)
"""

from ._trace.nodes import Noise


def gaussian(std: float = 1.0, mean: float = 0.0, ndim: int = 1) -> Noise:
    """Normal noise with standard deviation `std` and mean `mean`, `ndim` values per point."""
    return Noise("gaussian", std=std, mean=mean, ndim=ndim)


def uniform(low: float = 0.0, high: float = 1.0, ndim: int = 1) -> Noise:
    """Uniform noise on `[low, high)`, `ndim` values per point."""
    if not high > low:
        raise ValueError(f"uniform noise needs high > low, got low={low}, high={high}")
    return Noise("uniform", low=low, high=high, ndim=ndim)


def laplace(scale: float = 1.0, loc: float = 0.0, ndim: int = 1) -> Noise:
    """Laplace noise with scale `scale` and location `loc`, `ndim` values per point."""
    return Noise("laplace", scale=scale, loc=loc, ndim=ndim)


__all__ = ["Noise", "gaussian", "laplace", "uniform"]
