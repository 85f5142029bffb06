"""Generate torch.optim.SGD reference trajectories (float64) for the engine's tests.

Run from the repository root, with CPU torch installed in the venv:

    .venv/bin/python tests/engine/make_torch_reference.py

It writes tests/engine/data/torch_reference.npz (committed). Gradients come from
torch autograd on torch's own loss expressions, independent of engine.landscapes.
For every (landscape, config) it stores ``<landscape>|<config>|theta`` (T+1, d),
the parameters after each ``optimizer.step()``, and ``|buffer`` (T+1, d), torch's
momentum buffer (zeros at index 0, and throughout for momentum = 0, which keeps
no buffer), plus a JSON ``manifest`` with every setting.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

REFERENCE_PATH = Path(__file__).with_name("data") / "torch_reference.npz"

# landscape preset -> (start, base lr, steps)
LANDSCAPES = {
    "seed-ravine": ([6.0, 6.0], 0.02, 60),
    "rotated-ravine": ([-4.0, 1.5], 0.008, 80),
    "rosenbrock": ([-1.2, 1.0], 5e-4, 120),
}

# config name -> torch.optim.SGD keyword arguments (lr comes from the landscape)
CONFIGS = {
    "sgd": dict(momentum=0.0),
    "sgd-dampening": dict(momentum=0.0, dampening=0.5),
    "momentum": dict(momentum=0.9),
    "dampening": dict(momentum=0.9, dampening=0.5),
    "dampening-beta": dict(momentum=0.9, dampening=0.9),
    "nesterov": dict(momentum=0.9, nesterov=True),
    "weight-decay": dict(momentum=0.9, weight_decay=0.05),
    "nesterov-weight-decay": dict(momentum=0.8, nesterov=True, weight_decay=0.05),
}


def torch_loss(name: str, theta):
    """The landscape's loss written in torch (autograd supplies the gradient)."""
    import torch

    if name == "rosenbrock":
        x, y = theta[0], theta[1]
        return (1.0 - x) ** 2 + 100.0 * (y - x**2) ** 2
    from engine import get_landscape

    A = torch.tensor(get_landscape(name).A, dtype=torch.float64)
    return 0.5 * theta @ (A @ theta)


def torch_trajectory(name: str, config: dict, start, lr: float, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Run torch.optim.SGD; returns (theta (steps+1, d), buffer (steps+1, d))."""
    import torch

    theta = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([theta], lr=lr, foreach=False, **config)
    thetas = [theta.detach().clone().numpy()]
    buffers = [np.zeros(len(start))]
    for _ in range(steps):
        optimizer.zero_grad()
        torch_loss(name, theta).backward()
        optimizer.step()
        thetas.append(theta.detach().clone().numpy())
        buf = optimizer.state[theta].get("momentum_buffer")
        buffers.append(np.zeros(len(start)) if buf is None else buf.detach().clone().numpy())
    return np.array(thetas), np.array(buffers)


def generate() -> tuple[dict[str, np.ndarray], dict]:
    """All reference arrays (keyed ``landscape|config|field``) and the manifest describing them."""
    import torch

    torch.set_default_dtype(torch.float64)
    arrays: dict[str, np.ndarray] = {}
    manifest = {"torch_version": torch.__version__, "landscapes": {}, "configs": CONFIGS}
    for name, (start, lr, steps) in LANDSCAPES.items():
        manifest["landscapes"][name] = {"start": start, "lr": lr, "steps": steps}
        for config_name, config in CONFIGS.items():
            theta, buffer = torch_trajectory(name, config, start, lr, steps)
            arrays[f"{name}|{config_name}|theta"] = theta
            arrays[f"{name}|{config_name}|buffer"] = buffer
    return arrays, manifest


def load_reference(path: Path = REFERENCE_PATH) -> tuple[dict[str, np.ndarray], dict]:
    """The committed arrays and manifest."""
    with np.load(path, allow_pickle=False) as data:
        manifest = json.loads(str(data["manifest"]))
        arrays = {key: data[key] for key in data.files if key != "manifest"}
    return arrays, manifest


def main() -> None:
    arrays, manifest = generate()
    REFERENCE_PATH.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(REFERENCE_PATH, manifest=np.array(json.dumps(manifest)), **arrays)
    print(f"wrote {REFERENCE_PATH} ({len(arrays)} arrays, torch {manifest['torch_version']})")


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    main()
