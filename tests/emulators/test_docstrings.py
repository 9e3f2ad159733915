"""The examples in the public docstrings of jno_lab.emulators run and print what they show."""

import doctest
import importlib
import pkgutil

import pytest

import jno_lab.emulators as tx

MODULES = [
    "jno_lab.emulators",
    *sorted(m.name for m in pkgutil.walk_packages(tx.__path__, prefix="jno_lab.emulators.")),
]


@pytest.mark.slow
@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
