"""jNO Lab: physics-informed neural networks and neural operators in JAX.

`import jno_lab as jno` gives the jNO-compatible engine; the JupyterLab
workbench and the live dashboard live in the `jno_lab.workbench` and
`jno_lab.widgets` subpackages and are imported only when used.

Example:
    >>> import jno_lab as jno
    >>> dom = jno.domain(constructor=jno.domain.rect(mesh_size=0.5))
    >>> x, y = dom.variable("interior")
"""

from . import diagnostics as diagnostics
from . import fn as fn
from . import nn as nn
from . import noise as noise
from . import numpy as numpy
from . import utils as utils
from ._config import get_seed as get_seed
from ._config import setup as setup
from ._domain import domain as domain
from ._labextension import _jupyter_labextension_paths as _jupyter_labextension_paths
from ._schedules import LearningRateSchedule as LearningRateSchedule
from ._schedules import WeightSchedule as WeightSchedule
from ._solver.callbacks import Callback as Callback
from ._solver.core import core as core
from ._solver.run_control import RunControl as RunControl
from ._solver.statistics import statistics as statistics
from ._solver.step import NonFiniteWarning as NonFiniteWarning
from ._version_info import __version__ as __version__

np = numpy

__all__ = [
    "Callback",
    "LearningRateSchedule",
    "NonFiniteWarning",
    "RunControl",
    "WeightSchedule",
    "core",
    "diagnostics",
    "domain",
    "fn",
    "get_seed",
    "nn",
    "noise",
    "np",
    "numpy",
    "setup",
    "statistics",
    "utils",
]
