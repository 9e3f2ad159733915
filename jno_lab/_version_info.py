"""The package version, read from the file the build writes from package.json."""

import warnings

try:
    from ._version import __version__
except ImportError:  # a source checkout that was never built or installed
    warnings.warn(
        "jno_lab is imported from a source tree that was never built: run `make setup` "
        "(or `pip install -e .`) so that jno_lab/_version.py is written from package.json.",
        stacklevel=2,
    )
    __version__ = "0+unknown"

__all__ = ["__version__"]
