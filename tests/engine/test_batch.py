"""Batch equals loop: one vectorized run gives exactly the arrays of one-at-a-time runs."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import LANDSCAPE_NAMES, OPTIMIZER_NAMES, Quadratic, get_landscape, run

from .helpers import assert_trajectories_equal

LR_SCALE = {"rosenbrock": 3e-3, "bumpy-valley": 0.5}  # quadratics: 0.05 (above some bounds: divergence)


@st.composite
def batch_configs(draw):
    name = draw(st.sampled_from(LANDSCAPE_NAMES))
    scape = get_landscape(name)
    optimizer = draw(st.sampled_from(OPTIMIZER_NAMES))
    batch = draw(st.integers(1, 4))
    top = LR_SCALE.get(name, 0.05)
    unit = st.floats(0.0, 1.0)
    lr = np.array([top * 10 ** (-3 * draw(unit)) for _ in range(batch)])
    low_beta = 0.01 if optimizer == "nesterov" else 0.0
    beta = np.array([draw(st.floats(low_beta, 0.99)) for _ in range(batch)])
    xmin, xmax, ymin, ymax = scape.view_box()
    lows, highs = (np.array([xmin]), np.array([xmax])) if scape.dim == 1 else \
        (np.array([xmin, ymin]), np.array([xmax, ymax]))
    per_row_start = draw(st.booleans())
    rows = batch if per_row_start else 1
    start = lows + (highs - lows) * np.array([[draw(unit) for _ in range(scape.dim)] for _ in range(rows)])
    noises = [None, 0.3] + (["minibatch"] if isinstance(scape, Quadratic) else [])
    noise = draw(st.sampled_from(noises))
    kwargs = dict(
        lr=lr if draw(st.booleans()) or batch > 1 else float(lr[0]),
        beta=beta,
        steps=draw(st.integers(1, 60)),
        start=start if per_row_start else start[0],
        weight_decay=draw(st.sampled_from([0.0, 0.05])),
        dampening=draw(st.sampled_from([0.0, 0.3])) if optimizer in ("gd", "momentum") else 0.0,
        noise=noise,
        batch_size=draw(st.integers(1, 64)) if noise == "minibatch" else None,
        seed=draw(st.integers(0, 2**31)),
        record=draw(st.sampled_from(["full", "full", "loss", "final"])),
    )
    return name, optimizer, batch, kwargs


def row(value, i):
    arr = np.asarray(value)
    return value if arr.ndim == 0 else arr[i] if arr.ndim == 1 or arr.shape[0] > 1 else arr[0]


@settings(max_examples=30, deadline=None)
@given(batch_configs())
def test_batch_equals_one_at_a_time(config):
    name, optimizer, batch, kwargs = config
    batched = run(name, optimizer, **kwargs)
    assert batched.batch_size == batch
    for i in range(batch):
        single_kwargs = dict(kwargs)
        for key in ("lr", "beta", "start"):
            single_kwargs[key] = row(kwargs[key], i) if key != "start" or np.ndim(kwargs[key]) == 2 \
                else kwargs[key]
        single = run(name, optimizer, **single_kwargs)
        assert_trajectories_equal(batched.select(i), single)


def test_batch_equals_loop_on_a_sweep_with_divergence():
    """A deterministic companion to the hypothesis test: many configs, some diverging, all exact."""
    lrs = np.geomspace(1e-3, 0.06, 7)
    betas = np.array([0.0, 0.5, 0.9])
    grid_lr, grid_beta = np.repeat(lrs, 3), np.tile(betas, 7)
    batched = run("rotated-ravine", "momentum", lr=grid_lr, beta=grid_beta, steps=150, start=[-4.0, 1.5],
                  noise="minibatch", batch_size=16, seed=11)
    assert batched.diverged.any() and not batched.diverged.all()
    for i in range(grid_lr.size):
        single = run("rotated-ravine", "momentum", lr=grid_lr[i], beta=grid_beta[i], steps=150,
                     start=[-4.0, 1.5], noise="minibatch", batch_size=16, seed=11)
        assert_trajectories_equal(batched.select(i), single)
