"""Convergence against exact solutions (slow: run in CI with the rest)."""

import jax
import numpy as np
import optax
import pytest

import jno_lab as jno
from jno_lab import LearningRateSchedule as lrs


@pytest.mark.slow
def test_poisson_2d_reaches_one_percent_relative_l2():
    """-Δu = 2π² sin(πx) sin(πy) on the unit square, u = 0 on the boundary."""
    dom = jno.domain(constructor=jno.domain.rect(mesh_size=0.05))
    x, y = dom.variable("interior")
    xb, yb = dom.variable("boundary")
    net = jno.nn.wrap(jno.nn.mlp(2, 1, hidden=32, depth=3, key=jax.random.PRNGKey(0)))
    net.optimizer(optax.adam, lr=lrs.warmup_cosine(20000, 200, 1e-2, 1e-5))
    pi = jno.np.pi
    u = net(x, y)[..., 0]
    pde = -u.laplacian(x, y) - 2 * pi**2 * jno.np.sin(pi * x) * jno.np.sin(pi * y)
    crux = jno.core([pde.mse, net(xb, yb).mse])
    crux.solve(20000, inner_steps=1000)

    test = jno.domain(constructor=jno.domain.rect(mesh_size=0.02))
    pred = crux.eval(u, domain=test)[0, 0, :, 0]
    pts = test.tag_points("interior")[0]
    exact = np.sin(np.pi * pts[:, 0]) * np.sin(np.pi * pts[:, 1])
    rel = np.linalg.norm(pred - exact) / np.linalg.norm(exact)
    assert rel < 1e-2, rel
