"""`jno.nn`: wrap equinox modules as trainable models, and built-in architectures.

The module is callable: `jno.nn(module)` is `jno.nn.wrap(module)`.

Example:
    >>> import jax, jno_lab as jno
    >>> net = jno.nn(jno.nn.mlp(2, 1, hidden=16, depth=2, key=jax.random.PRNGKey(0)))
    >>> type(net).__name__
    'Model'
"""

import sys as _sys
import types as _types
from typing import Any as _Any

from ._nn.architectures import (
    FNO,
    MLP,
    DeepONet,
    FourierMLP,
    ModifiedMLP,
    deeponet,
    fno,
    fourier_mlp,
    mlp,
    modified_mlp,
)
from ._nn.lora import LoRAConv, LoRALinear, LoRAWrapper
from ._nn.model import Model
from .provenance import provenance_of as _provenance_of
from .provenance import record as _record


def wrap(module: _Any, space: _Any = None, name: str = "", weight_path: str | None = None) -> Model:
    """Wrap an equinox module into a `Model` usable in expressions.

    Args:
        module: an `eqx.Module` instance, called per point (or on whole point
            arrays when it declares `pointwise = False`); with `space`, the module
            CLASS, built as `module(arch, key=key)` for each configuration.
        space: an architecture search space (`jno.np.tune.space()`), searched by
            `core.sweep`; returns a `TunableModule`.
        name: display name in messages and trees.
        weight_path: pretrained weights (`.eqx` file) to load.

    The model keeps the provenance of a module built by a `jno.nn` factory
    (`jno_lab.provenance.provenance_of(model)`): training replaces the module
    by an updated copy, the model still knows how its network was made.
    """
    if space is not None:
        from ._search.tunable import TunableModule

        return TunableModule(module, space, name=name, weight_path=weight_path)
    if isinstance(module, type):
        raise TypeError(
            f"jno.nn.wrap expects a module instance, got the class {module.__name__}; "
            "construct it first"
        )
    model = Model(module, name=name, weight_path=weight_path)
    return _record(model, _provenance_of(module))


__all__ = [
    "FNO",
    "MLP",
    "DeepONet",
    "FourierMLP",
    "LoRAConv",
    "LoRALinear",
    "LoRAWrapper",
    "Model",
    "ModifiedMLP",
    "deeponet",
    "fno",
    "fourier_mlp",
    "mlp",
    "modified_mlp",
    "wrap",
]


class _CallableModule(_types.ModuleType):
    def __call__(
        self, module: _Any, space: _Any = None, name: str = "", weight_path: str | None = None
    ) -> Model:
        return wrap(module, space=space, name=name, weight_path=weight_path)


_sys.modules[__name__].__class__ = _CallableModule
