"""Nesterov as torch reports it: the engine's view equals torch's algorithm, written out here."""

from __future__ import annotations

import numpy as np
import pytest

from engine import get_landscape, run
from engine.run import torch_nesterov_view


def torch_style_nesterov(grad, start, lr, momentum, steps):
    """torch.optim.SGD(nesterov=True, dampening=0) on one parameter vector, as its docs state it."""
    p = np.array(start, dtype=float)
    buf = None
    iterates = [p.copy()]
    for _ in range(steps):
        g = grad(p)
        buf = g.copy() if buf is None else momentum * buf + g
        p = p - lr * (g + momentum * buf)
        iterates.append(p.copy())
    return np.array(iterates)


@pytest.mark.parametrize("landscape,start,lr,beta", [
    ("seed-ravine", (6.0, 6.0), 0.02, 0.9),
    ("rotated-ravine", (-4.0, 1.5), 0.01, 0.5),
    ("rosenbrock", (-1.0, 1.0), 1e-3, 0.9),
])
def test_view_matches_torch_algorithm(landscape, start, lr, beta):
    land = get_landscape(landscape)
    trajectory = run(land, "nesterov", lr=lr, beta=beta, steps=40, start=start)
    view = torch_nesterov_view(trajectory, land)
    expected = torch_style_nesterov(land.grad, start, lr, beta, 40)
    assert np.allclose(view.theta[:, 0], expected, rtol=0, atol=1e-12)
    assert np.allclose(view.loss[:, 0], land.value(expected))
    assert view.metadata["iterates"] == "torch"


def test_view_matches_live_torch():
    torch = pytest.importorskip("torch")
    land = get_landscape("seed-ravine")
    trajectory = run(land, "nesterov", lr=0.02, beta=0.9, steps=30, start=(6.0, 6.0))
    view = torch_nesterov_view(trajectory, land)
    p = torch.tensor([6.0, 6.0], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=0.02, momentum=0.9, nesterov=True)
    A = torch.tensor([[1.0, 0.0], [0.0, 25.0]], dtype=torch.float64)
    for step in range(30):
        optimizer.zero_grad()
        (0.5 * p @ A @ p).backward()
        optimizer.step()
        assert np.allclose(view.theta[step + 1, 0], p.detach().numpy(), rtol=0, atol=1e-12)


def test_view_rejects_other_optimizers():
    trajectory = run("bowl", "momentum", lr=0.1, beta=0.5, steps=3, start=(1.0, 1.0))
    with pytest.raises(ValueError, match="nesterov"):
        torch_nesterov_view(trajectory, "bowl")
