"""Shared small domains for the engine tests (tiny shapes: these tests are compile-bound)."""

import numpy as np
import pytest

import jno_lab as jno


@pytest.fixture(scope="module")
def points2d() -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.uniform(0.1, 0.9, size=(7, 2))


@pytest.fixture(scope="module")
def dom2d(points2d):
    return jno.domain.from_array({"interior": points2d})


@pytest.fixture(scope="module")
def timed_dom():
    return jno.domain(constructor=jno.domain.rect(mesh_size=0.25), time=(0.0, 1.0, 3))
