"""PDE residual helpers vanish on exact solutions."""

import numpy as np
import pytest

import jno_lab as jno

np_ = jno.np


@pytest.fixture(scope="module")
def spacetime():
    rng = np.random.default_rng(1)
    pts = rng.uniform(0.1, 0.9, size=(6, 2))
    return jno.domain.from_array({"interior": pts}, time=(0.0, 0.5, 3))


def _max_abs(expr, dom):
    return float(np.max(np.abs(jno.core([expr.mse], dom).eval(expr))))


def test_poisson_and_helmholtz(spacetime):
    x, y, _ = spacetime.variable("interior")
    u = np_.sin(np_.pi * x) * np_.sin(np_.pi * y)
    assert _max_abs(jno.fn.poisson(u, [x, y], f=2 * np_.pi**2 * u), spacetime) < 1e-4
    assert _max_abs(jno.fn.helmholtz(u, [x, y], k=np.sqrt(2) * np.pi), spacetime) < 1e-4


def test_heat_wave_advection(spacetime):
    x, _, t = spacetime.variable("interior")
    heat = np_.exp(-0.3 * np_.pi**2 * t) * np_.sin(np_.pi * x)
    assert _max_abs(jno.fn.heat(heat, t, x, alpha=0.3), spacetime) < 1e-4
    wave = np_.sin(np_.pi * x) * np_.cos(2.0 * np_.pi * t)
    assert _max_abs(jno.fn.wave(wave, t, [x], c=2.0), spacetime) < 1e-3
    moving = np_.sin(x - 1.5 * t)
    assert _max_abs(jno.fn.advection(moving, t, x, velocity=1.5), spacetime) < 1e-5


def test_burgers_cole_hopf_solution(spacetime):
    x, _, t = spacetime.variable("interior")
    nu = 0.1
    decay = np_.exp(-(np_.pi**2) * nu * t)
    u = 2 * nu * np_.pi * decay * np_.sin(np_.pi * x) / (2.0 + decay * np_.cos(np_.pi * x))
    assert _max_abs(jno.fn.burgers_1d(u, x, t, nu=nu), spacetime) < 1e-4


def test_allen_cahn_travelling_front(spacetime):
    x, _, t = spacetime.variable("interior")
    eps = 0.5
    # u = tanh((x - c t) / (sqrt(2) eps)) with c = 0 is a steady front of u_t = eps² u_xx + u - u³
    u = np_.tanh(x / (np.sqrt(2) * eps))
    assert _max_abs(jno.fn.allen_cahn(u, t, x, eps=eps), spacetime) < 1e-4


def test_navier_stokes_taylor_green_vortex(spacetime):
    x, y, t = spacetime.variable("interior")
    nu = 0.05
    f = np_.exp(-2 * nu * t)
    u = -np_.cos(x) * np_.sin(y) * f
    v = np_.sin(x) * np_.cos(y) * f
    p = -0.25 * (np_.cos(2 * x) + np_.cos(2 * y)) * f * f
    for residual in jno.fn.navier_stokes_incompressible_2d(u, v, p, x, y, t, nu=nu):
        assert _max_abs(residual, spacetime) < 1e-4


def test_advection_checks_velocity_components(spacetime):
    x, y, t = spacetime.variable("interior")
    with pytest.raises(ValueError, match="3 velocity components for 2 coordinates"):
        jno.fn.advection(x, t, [x, y], velocity=[1.0, 2.0, 3.0])
