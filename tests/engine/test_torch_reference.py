"""torch.optim.SGD semantics to 1e-12 in float64: committed reference arrays, and live torch when importable."""

from __future__ import annotations

import numpy as np
import pytest

from engine import SGDState, get_landscape, lookahead_point, run, sgd

from .make_torch_reference import CONFIGS, LANDSCAPES, REFERENCE_PATH, load_reference

TOL = dict(rtol=1e-12, atol=1e-12)
CASES = [(name, config) for name in LANDSCAPES for config in CONFIGS]


def engine_optimizer_path(name: str, config: dict, start, lr: float, steps: int):
    """sgd(...) with torch's keyword names, driven by the engine's gradients: (params path, buffers)."""
    scape = get_landscape(name)
    opt = sgd(lr, **config)
    params = np.array(start, dtype=float)
    state = opt.init(params)
    path, buffers = [params], [state.velocity]
    for _ in range(steps):
        updates, state = opt.update(scape.grad(params), state, params)
        params = params + updates
        path.append(params)
        buffers.append(state.velocity if config.get("momentum", 0.0) > 0 else np.zeros_like(params))
    return np.array(path), np.array(buffers)


def engine_run(name: str, config: dict, start, lr: float, steps: int):
    """run(...) for the same settings: (torch-comparable iterates, momentum buffers)."""
    momentum = config.get("momentum", 0.0)
    optimizer = "nesterov" if config.get("nesterov") else ("momentum" if momentum > 0 else "gd")
    traj = run(name, optimizer, lr=lr, beta=momentum, steps=steps, start=start,
               dampening=config.get("dampening", 0.0), weight_decay=config.get("weight_decay", 0.0))
    velocity = traj.velocity[:, 0] if momentum > 0 else np.zeros_like(traj.velocity[:, 0])
    if optimizer != "nesterov":
        return traj.theta[:, 0], velocity
    # torch's Nesterov iterates are the classic look-ahead points (see lookahead_point).
    final_state = SGDState(velocity=traj.velocity[-1], count=np.asarray(steps))
    last = lookahead_point(traj.theta[-1], final_state, lr, momentum)
    return np.concatenate([traj.lookahead[:, 0], last]), velocity


@pytest.fixture(scope="module")
def committed():
    assert REFERENCE_PATH.exists(), "run tests/engine/make_torch_reference.py to create the reference"
    return load_reference()


def test_committed_reference_covers_every_case(committed):
    arrays, manifest = committed
    assert set(manifest["landscapes"]) == set(LANDSCAPES)
    assert manifest["configs"] == {k: dict(v) for k, v in CONFIGS.items()}
    for name, config in CASES:
        steps = LANDSCAPES[name][2]
        assert arrays[f"{name}|{config}|theta"].shape == (steps + 1, 2)
        assert arrays[f"{name}|{config}|theta"].dtype == np.float64


@pytest.mark.parametrize("name, config_name", CASES)
def test_optimizer_matches_committed_torch_arrays(committed, name, config_name):
    arrays, _ = committed
    start, lr, steps = LANDSCAPES[name]
    path, buffers = engine_optimizer_path(name, CONFIGS[config_name], start, lr, steps)
    assert np.allclose(path, arrays[f"{name}|{config_name}|theta"], **TOL)
    assert np.allclose(buffers, arrays[f"{name}|{config_name}|buffer"], **TOL)


@pytest.mark.parametrize("name, config_name", CASES)
def test_run_matches_committed_torch_arrays(committed, name, config_name):
    arrays, _ = committed
    start, lr, steps = LANDSCAPES[name]
    iterates, buffers = engine_run(name, CONFIGS[config_name], start, lr, steps)
    assert np.allclose(iterates, arrays[f"{name}|{config_name}|theta"], **TOL)
    assert np.allclose(buffers, arrays[f"{name}|{config_name}|buffer"], **TOL)


def test_reference_is_not_trivial(committed):
    """The configs really differ, so matching all of them pins down each rule."""
    arrays, _ = committed
    finals = {c: arrays[f"rotated-ravine|{c}|theta"][-1] for c in CONFIGS}
    names = list(finals)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if {a, b} == {"sgd", "sgd-dampening"}:
                assert np.array_equal(finals[a], finals[b])  # torch ignores dampening without momentum
            else:
                assert not np.allclose(finals[a], finals[b], rtol=1e-6), (a, b)


def test_live_torch_matches_engine():
    pytest.importorskip("torch")
    from .make_torch_reference import generate

    arrays, _ = generate()
    for name, config_name in CASES:
        start, lr, steps = LANDSCAPES[name]
        path, buffers = engine_optimizer_path(name, CONFIGS[config_name], start, lr, steps)
        iterates, run_buffers = engine_run(name, CONFIGS[config_name], start, lr, steps)
        expected = arrays[f"{name}|{config_name}|theta"]
        assert np.allclose(path, expected, **TOL), (name, config_name)
        assert np.allclose(iterates, expected, **TOL), (name, config_name)
        assert np.allclose(buffers, arrays[f"{name}|{config_name}|buffer"], **TOL), (name, config_name)
        assert np.allclose(run_buffers, arrays[f"{name}|{config_name}|buffer"], **TOL), (name, config_name)
