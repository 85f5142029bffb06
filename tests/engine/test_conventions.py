"""Library vs EMA vs torch-dampening conventions: which paths coincide and which do not."""

from __future__ import annotations

import numpy as np
import pytest

from engine import run, sgd, theory


@pytest.mark.parametrize("landscape, start, lr_ema", [
    ("rotated-ravine", [-4.0, 1.5], 0.15),
    ("rosenbrock", [-1.2, 1.0], 0.004),
    ("bumpy-valley", [-4.0], 0.2),
])
@pytest.mark.parametrize("beta", [0.5, 0.9])
def test_ema_path_equals_library_path_at_scaled_lr(landscape, start, lr_ema, beta):
    """EMA with η_ema follows the library convention with η = η_ema (1 − β): same θ, grads, loss."""
    ema = run(landscape, "ema", lr=lr_ema, beta=beta, steps=200, start=start, weight_decay=0.01)
    lib = run(landscape, "momentum", lr=theory.ema_to_library_lr(lr_ema, beta), beta=beta, steps=200,
              start=start, weight_decay=0.01)
    assert ema.metadata["convention"] == "ema" and lib.metadata["convention"] == "torch"
    assert np.allclose(ema.theta, lib.theta, rtol=1e-10, atol=1e-12)
    assert np.allclose(ema.grad, lib.grad, rtol=1e-9, atol=1e-10)
    # ... but the velocities differ by exactly the factor (1 − β).
    assert np.allclose(ema.velocity, (1 - beta) * lib.velocity, rtol=1e-9, atol=1e-10)
    assert not np.allclose(ema.velocity[1:], lib.velocity[1:])


def test_lr_conversions_are_inverse():
    lr = np.array([0.01, 0.3])
    beta = np.array([0.9, 0.5])
    assert np.allclose(theory.ema_to_library_lr(theory.library_to_ema_lr(lr, beta), beta), lr, rtol=1e-15)
    assert theory.ema_to_library_lr(1.0, 0.9) == pytest.approx(0.1)


def test_torch_dampening_beta_is_not_the_ema_convention():
    """τ = β gives b₁ = g₁ (undamped first step); the EMA gives v₁ = (1 − β) g₁; b_t − v_t = β^t g₁."""
    beta = 0.9
    rng = np.random.default_rng(2)
    grads = rng.normal(size=(30, 2))
    torch_opt = sgd(0.1, momentum=beta, dampening=beta)
    ema_opt = sgd(0.1, momentum=beta, convention="ema")
    params = np.zeros(2)
    s_torch, s_ema = torch_opt.init(params), ema_opt.init(params)
    for t, g in enumerate(grads, start=1):
        _, s_torch = torch_opt.update(g, s_torch, params)
        _, s_ema = ema_opt.update(g, s_ema, params)
        if t == 1:
            assert np.array_equal(s_torch.velocity, g)
            assert np.allclose(s_ema.velocity, (1 - beta) * g, rtol=1e-15)
        assert np.allclose(s_torch.velocity - s_ema.velocity, beta**t * grads[0], rtol=1e-9, atol=1e-13)


def test_torch_dampening_path_differs_from_ema_path():
    damp = run("seed-ravine", "momentum", lr=0.05, beta=0.9, dampening=0.9, steps=30, start=[6.0, 6.0])
    ema = run("seed-ravine", "ema", lr=0.05, beta=0.9, steps=30, start=[6.0, 6.0])
    first_step_ratio = (damp.theta[1, 0] - damp.theta[0, 0]) / (ema.theta[1, 0] - ema.theta[0, 0])
    assert np.allclose(first_step_ratio, 1 / (1 - 0.9), rtol=1e-12)  # 10× larger first step
    assert not np.allclose(damp.theta[-1], ema.theta[-1], rtol=1e-3)
