"""Read access to a problem's parts, for tools that inspect what a script built.

`import jno_lab as jno` is for building and training problems; this module names
the classes those objects are made of, so that a tool (the workbench's importer,
a linter, a visualiser) can walk a `jno.core`'s expressions, trainables,
balancers and domain through public names only.

Example:
    >>> import jno_lab as jno
    >>> from jno_lab import introspect
    >>> dom = jno.domain.from_array({"interior": [[0.0], [1.0]]})
    >>> (x,) = dom.variable("interior")
    >>> residual = 2.0 * x - 1.0
    >>> sorted({type(n).__name__ for n in residual.walk()})
    ['Constant', 'Op', 'Variable']
    >>> isinstance(residual, introspect.Placeholder), introspect.describe(x)
    (True, 'x[interior]')
"""

from __future__ import annotations

from ._adaptive.balancer import Balancer, BalancerWeights
from ._config import get_seed
from ._dlrs import DynamicLearningRate
from ._domain import PolygonDomain
from ._domain._geometry import as_polygonal, polygons_of
from ._domain._regions import AreaRegion, CurveRegion
from ._lower.analysis import describe
from ._nn.architectures import FNO, MLP, DeepONet, FourierMLP, ModifiedMLP
from ._nn.architectures._common import ACTIVATIONS
from ._nn.model import Model
from ._schedules import LearningRateSchedule
from ._solver.core import core
from ._trace._ops import OPS
from ._trace.nodes import (
    Constant,
    CoordinateOperator,
    Derivative,
    FunctionCall,
    Hessian,
    Laplacian,
    ModelCall,
    Noise,
    Op,
    ParamJacobian,
    Placeholder,
    TensorTag,
    Tracker,
    Variable,
)
from ._trace.parameter import Parameter
from ._trainable import Trainable

__all__ = [
    "ACTIVATIONS",
    "FNO",
    "MLP",
    "OPS",
    "AreaRegion",
    "Balancer",
    "BalancerWeights",
    "Constant",
    "CoordinateOperator",
    "CurveRegion",
    "DeepONet",
    "Derivative",
    "DynamicLearningRate",
    "FourierMLP",
    "FunctionCall",
    "Hessian",
    "Laplacian",
    "LearningRateSchedule",
    "Model",
    "ModelCall",
    "ModifiedMLP",
    "Noise",
    "Op",
    "ParamJacobian",
    "Parameter",
    "Placeholder",
    "PolygonDomain",
    "TensorTag",
    "Tracker",
    "Trainable",
    "Variable",
    "as_polygonal",
    "core",
    "describe",
    "get_seed",
    "polygons_of",
]
