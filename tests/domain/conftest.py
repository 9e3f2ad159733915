"""Shared fixtures for the domain tests."""

from types import SimpleNamespace

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from jno_lab import _config


@pytest.fixture
def seed(monkeypatch):
    """Set the global seed for one test (restored afterwards)."""

    def set_seed(value: int) -> None:
        monkeypatch.setattr(_config._settings, "seed", value)

    return set_seed


@pytest.fixture
def square_with_hole() -> Polygon:
    return Polygon(
        [(0, 0), (2, 0), (2, 2), (0, 2)], [[(0.5, 0.5), (1.5, 0.5), (1.5, 1.5), (0.5, 1.5)]]
    )


def _inside(geometry, pts: np.ndarray) -> None:
    assert shapely.contains_xy(geometry, pts[..., 0], pts[..., 1]).all()


def _on_boundary(geometry, pts: np.ndarray) -> None:
    flat = pts.reshape(-1, 2)
    dist = shapely.distance(geometry.boundary, shapely.points(flat))
    assert dist.max() < 1e-9


def _outward(geometry, pts: np.ndarray, normals: np.ndarray, eps: float = 1e-6) -> None:
    pts, normals = pts.reshape(-1, 2), normals.reshape(-1, 2)
    np.testing.assert_allclose(np.linalg.norm(normals, axis=-1), 1.0, atol=1e-12)
    ahead, behind = pts + eps * normals, pts - eps * normals
    assert not shapely.contains_xy(geometry, ahead[:, 0], ahead[:, 1]).any()
    assert shapely.contains_xy(geometry, behind[:, 0], behind[:, 1]).all()


@pytest.fixture
def geo() -> SimpleNamespace:
    """Geometric assertions: `geo.inside`, `geo.on_boundary`, `geo.outward`."""
    return SimpleNamespace(inside=_inside, on_boundary=_on_boundary, outward=_outward)
