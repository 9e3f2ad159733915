"""Project-wide settings: the random seed and the default differentiation schemes.

Resolution order for each setting: a value given to `jno.setup(...)`, then the
environment (`JNO_SEED`), then `[jno]` in `.jno.toml` (searched from the working
directory, or beside the script given to `setup`), then `~/.jno/config.toml`,
then the built-in default.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jax

if sys.version_info >= (3, 11):
    import tomllib
else:  # the backport, a dependency on Python 3.10 only
    import tomli as tomllib  # pyright: ignore[reportMissingImports] -- absent where 3.11+ checks

DEFAULT_SEED = 42
DIFF_TYPES = ("forward", "reverse")
HESSIAN_TYPES = ("fwd-over-rev", "fwd-over-fwd", "rev-over-rev", "rev-over-fwd")


@dataclass
class _Settings:
    seed: int | None = None
    diff_type: str | None = None
    hessian_type: str | None = None
    search_dir: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_settings = _Settings()


def _toml_table(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    with path.open("rb") as f:
        table = tomllib.load(f).get("jno", {})
    if not isinstance(table, dict):
        raise ValueError(f"{path}: [jno] must be a table, got {type(table).__name__}")
    return table


def _config_files() -> list[Path]:
    start = _settings.search_dir or Path.cwd()
    files = [d / ".jno.toml" for d in (start, *start.parents)]
    files.append(Path.home() / ".jno" / "config.toml")
    return files


def _from_files(name: str) -> Any:
    for path in _config_files():
        table = _toml_table(path)
        if name in table:
            return table[name]
    return None


def get_seed() -> int:
    """Return the global seed: `jno.setup(seed=)`, `JNO_SEED`, `[jno] seed`, else 42.

    Example:
        >>> import jno_lab as jno
        >>> isinstance(jno.get_seed(), int)
        True
    """
    if _settings.seed is not None:
        return _settings.seed
    env = os.environ.get("JNO_SEED")
    if env is not None:
        try:
            return int(env)
        except ValueError:
            raise ValueError(f"JNO_SEED must be an integer, got {env!r}") from None
    value = _from_files("seed")
    return DEFAULT_SEED if value is None else int(value)


def default_key() -> jax.Array:
    """Return a PRNG key made from the global seed."""
    return jax.random.PRNGKey(get_seed())


def get_checkpoint_dir() -> Path | None:
    """Where `solve()` writes its end-of-call checkpoints, when configured.

    `jno.setup(checkpoint_dir=...)`, else `JNO_CHECKPOINT_DIR`, else `[jno] checkpoint_dir`
    in the config files; None when none is set (checkpoints then go to a temporary folder,
    written when `crux.checkpoints` is first read).

    Example:
        >>> import jno_lab as jno
        >>> from jno_lab._config import get_checkpoint_dir
        >>> jno.setup(checkpoint_dir="runs/ckpts")
        >>> get_checkpoint_dir().name
        'ckpts'
        >>> jno.setup()
    """
    value = _settings.extra.get("checkpoint_dir")
    if value is None:
        value = os.environ.get("JNO_CHECKPOINT_DIR") or _from_files("checkpoint_dir")
    return None if value in (None, "") else Path(value).expanduser().resolve()


def _checked(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not known; choose one of {', '.join(allowed)}")
    return value


def get_diff_type() -> str | None:
    """Return the configured first-order AD mode, or None when nothing is configured."""
    value = _settings.diff_type or _from_files("diff_type")
    return None if value is None else _checked("diff_type", value, DIFF_TYPES)


def get_hessian_type() -> str | None:
    """Return the configured second-order AD mode, or None when nothing is configured."""
    value = _settings.hessian_type or _from_files("hessian_type")
    if value in DIFF_TYPES:  # "forward" is shorthand for "fwd-over-fwd", and so on
        value = {"forward": "fwd-over-fwd", "reverse": "rev-over-rev"}[value]
    return None if value is None else _checked("hessian_type", value, HESSIAN_TYPES)


def setup(
    file: str | os.PathLike[str] | None = None,
    *,
    seed: int | None = None,
    diff_type: str | None = None,
    hessian_type: str | None = None,
    **extra: Any,
) -> None:
    """Configure jNO Lab for a script.

    Args:
        file: the calling script (`__file__`); its folder is where `.jno.toml` is looked for.
        seed: the global seed (overrides `JNO_SEED` and the config files).
        diff_type: default first-order AD mode, "forward" or "reverse".
        hessian_type: default second-order AD mode, e.g. "fwd-over-fwd".
        **extra: further settings, kept for tools that read them.

    Example:
        >>> import jno_lab as jno
        >>> jno.setup(seed=7)
        >>> jno.get_seed()
        7
        >>> jno.setup(seed=None)
    """
    if file is not None:
        path = Path(file).expanduser().resolve()
        _settings.search_dir = path if path.is_dir() else path.parent
    _settings.seed = None if seed is None else int(seed)
    _settings.diff_type = (
        None if diff_type is None else _checked("diff_type", diff_type, DIFF_TYPES)
    )
    if hessian_type in DIFF_TYPES:
        hessian_type = {"forward": "fwd-over-fwd", "reverse": "rev-over-rev"}[hessian_type]
    _settings.hessian_type = (
        None if hessian_type is None else _checked("hessian_type", hessian_type, HESSIAN_TYPES)
    )
    _settings.extra = dict(extra)
