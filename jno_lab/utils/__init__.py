"""Utilities with the module paths the jNO spec names (`jno.utils.callbacks`)."""

from . import callbacks as callbacks

__all__ = ["callbacks"]
