"""`TunableModule`: a model built from a module class and a search space."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax

from .._config import default_key
from .._nn.model import Model
from .arch import Arch
from .space import ArchSpace


class TunableModule(Model):
    """A model whose module is re-created from its class for every configuration of a search.

    It is built right away with the default configuration (first choice of each
    list, low end of each range) and `key=jno.get_seed()`'s key, so expressions,
    `crux.solve` and `crux.eval` work before any sweep. `crux.sweep` searches
    the space's "architecture" parameters and leaves the model with the best
    configuration and its trained parameters.

    Args:
        module_class: a class called as `module_class(arch, key=key)`, where
            `arch("name")` gives the chosen value of parameter `name`.
        space: the search space (`jno.np.tune.space()`).
        name: display name (default: the class name); it prefixes this model's
            parameters in sweep results, e.g. `"MLP.hid"`.
        weight_path: pretrained weights (`.eqx`) for the default configuration.

    Raises:
        TypeError: if `module_class` is an instance instead of a class, or `space`
            is not an `ArchSpace`.

    Example:
        >>> import equinox as eqx, jax.numpy as jnp
        >>> import jno_lab._search.tune as tune
        >>> from jno_lab._search.tunable import TunableModule
        >>> class Scale(eqx.Module):
        ...     factor: float
        ...     def __init__(self, arch, *, key):
        ...         self.factor = arch("factor")
        ...     def __call__(self, x):
        ...         return self.factor * x
        >>> space = tune.space().unique("factor", [0.5, 2.0], category="architecture")
        >>> model = TunableModule(Scale, space)
        >>> model.module.factor
        0.5
        >>> model.instantiate({"factor": 2.0}).module.factor
        2.0
    """

    def __init__(
        self,
        module_class: type,
        space: ArchSpace,
        name: str = "",
        weight_path: str | None = None,
    ) -> None:
        if not isinstance(module_class, type):
            raise TypeError(
                "an architecture search needs the module CLASS, called as "
                f"Class(arch, key=key) for every configuration; got an instance of "
                f"{type(module_class).__name__}"
            )
        if not isinstance(space, ArchSpace):
            raise TypeError(
                f"space must be an ArchSpace (jno.np.tune.space()), got {type(space).__name__}"
            )
        self.module_class = module_class
        self.space = space
        self.arch = Arch(space.default())
        module = self._build(self.arch, default_key())
        super().__init__(module, name=name or module_class.__name__, weight_path=weight_path)

    def _build(self, arch: Arch, key: jax.Array) -> Any:
        try:
            return self.module_class(arch, key=key)
        except TypeError as err:
            if "key" in str(err) or "positional" in str(err):
                raise TypeError(
                    f"{self.module_class.__name__}(arch, key=key) failed: {err}. A tunable "
                    "module's __init__ must take the configuration and a keyword `key`"
                ) from err
            raise

    @property
    def config(self) -> dict[str, Any]:
        """The configuration the current module was built with."""
        return self.arch.config

    def instantiate(
        self, config: Mapping[str, Any] | None = None, key: jax.Array | None = None
    ) -> TunableModule:
        """Re-create the module with `config`; parameters it does not name keep their defaults.

        Args:
            config: parameter name (of this model's space) -> value.
            key: PRNG key for the new module's initial weights (default: the global seed's).

        Returns:
            self, for chaining.

        Raises:
            KeyError: for a name the space does not have.
        """
        values = self.space.default()
        for name, value in dict(config or {}).items():
            if name not in self.space:
                known = ", ".join(self.space.names) or "none"
                raise KeyError(
                    f"{self.describe()}.instantiate: no parameter {name!r} in its space "
                    f"(it has: {known})"
                )
            values[name] = value
        arch = Arch(values)
        self.module = self._build(arch, default_key() if key is None else key)
        self.arch = arch
        return self

    def __repr__(self) -> str:
        return f"TunableModule({self.describe()!r}, {self.arch!r}, frozen={self.frozen})"
