"""Built-in network architectures, written as equinox modules.

Per-point modules (`MLP`, `FourierMLP`, `ModifiedMLP`, and `DeepONet` in its
trunk input) map one point and are vmapped by the caller; `FNO` maps a whole
field. Each class says which through its `pointwise` class attribute.
"""

from .deeponet import DeepONet, deeponet
from .fno import FNO, fno
from .fourier_mlp import FourierMLP, fourier_mlp
from .mlp import MLP, mlp
from .modified_mlp import ModifiedMLP, modified_mlp

__all__ = [
    "FNO",
    "MLP",
    "DeepONet",
    "FourierMLP",
    "ModifiedMLP",
    "deeponet",
    "fno",
    "fourier_mlp",
    "mlp",
    "modified_mlp",
]
