"""The masked grid the dashboard's field view and the command line's field plot draw on."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from jno_lab.widgets.raster import masked_grid


def test_an_l_shape_is_masked_outside_and_kept_inside_with_its_boundary():
    shape = shapely.box(0, 0, 1, 1).difference(shapely.box(0.5, 0.5, 1, 1))
    grid = masked_grid(shape, 5)
    assert grid.shape == (5, 5)
    assert grid.extent == (0.0, 1.0, 0.0, 1.0)
    xs = grid.points[:, 0].reshape(grid.shape)
    ys = grid.points[:, 1].reshape(grid.shape)
    np.testing.assert_allclose(xs[0], [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_allclose(ys[:, 0], [0, 0.25, 0.5, 0.75, 1])
    expected = ~((xs > 0.5) & (ys > 0.5))  # the notch's edges belong to the shape
    np.testing.assert_array_equal(grid.mask, expected)


def test_the_longer_side_gets_the_resolution():
    grid = masked_grid(shapely.box(0, 0, 1, 4), 8)
    assert grid.shape == (8, 2)
    assert grid.points.shape == (16, 2)


def test_a_resolution_below_two_is_refused():
    with pytest.raises(ValueError, match="resolution must be an integer of at least 2, got 1"):
        masked_grid(shapely.box(0, 0, 1, 1), 1)
