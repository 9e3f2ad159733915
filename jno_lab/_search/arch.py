"""`Arch`: the values of one configuration, as a tunable module's constructor sees them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


class UnknownParameterError(KeyError):
    """A configuration was asked for a parameter it does not have."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


class Arch(Mapping[str, Any]):
    """One configuration of a search space: call it with a parameter name to get its value.

    A tunable module's constructor receives an `Arch` and reads its choices from it.

    Args:
        config: parameter name -> chosen value.

    Example:
        >>> from jno_lab._search.arch import Arch
        >>> arch = Arch({"dep": 3, "hid": 64})
        >>> arch("dep"), arch["hid"]
        (3, 64)
        >>> "width" in arch
        False
    """

    def __init__(self, config: Mapping[str, Any]) -> None:
        self._config = dict(config)

    def __call__(self, name: str) -> Any:
        """The value chosen for parameter `name`."""
        return self[name]

    def __getitem__(self, name: str) -> Any:
        try:
            return self._config[name]
        except KeyError:
            known = ", ".join(self._config) or "none"
            raise UnknownParameterError(
                f"no parameter {name!r} in this configuration (known: {known})"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._config)

    def __len__(self) -> int:
        return len(self._config)

    @property
    def config(self) -> dict[str, Any]:
        """A copy of the configuration as a plain dict."""
        return dict(self._config)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={_short(v)}" for k, v in self._config.items())
        return f"Arch({inner})"


def _short(value: Any) -> str:
    name = getattr(value, "__name__", None)
    return name if isinstance(name, str) else repr(value)
