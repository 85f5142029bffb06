"""Benchmark: a (η, β) grid on the narrow ravine in ONE batched engine run vs a per-configuration loop.

    .venv/bin/python bench/engine_grid.py                 # 256 x 256 grid, 1000 steps, record="final"
    .venv/bin/python bench/engine_grid.py --record loss   # also keep the loss of every step (~525 MB)

The engine run uses the light record mode ``record="final"`` by default: it keeps
final θ, velocity, loss and diverged_at per configuration, not the 65536 × 1001 × 2
per-step arrays (≈ 1 GB each) that ``record="full"`` would store. The baseline
is the lesson's plain loop (numpy 2-vectors, ``v = mu*v + grad; theta -= lr*v``),
timed on a random subset of configurations and scaled to the whole grid.
Targets: the whole grid in under 1 s on 2 cores, at least 100× the loop.
Not a test: it prints numbers.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import get_landscape, run  # noqa: E402

START = (-4.0, 1.5)


def lesson_loop(A: np.ndarray, start, lr: float, mu: float, steps: int) -> np.ndarray:
    """One configuration the lesson's way: numpy 2-vectors, one Python iteration per step."""
    theta = np.array(start, dtype=float)
    v = np.zeros_like(theta)
    for _ in range(steps):
        grad = A @ theta
        v = mu * v + grad
        theta = theta - lr * v
    return theta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=256, help="grid points per axis (default 256)")
    parser.add_argument("--steps", type=int, default=1000, help="optimizer steps (default 1000)")
    parser.add_argument("--record", choices=["final", "loss", "full"], default="final")
    parser.add_argument("--repeats", type=int, default=3, help="engine timings to take (best is reported)")
    parser.add_argument("--loop-configs", type=int, default=200, help="configurations timed with the loop")
    args = parser.parse_args()

    scape = get_landscape("narrow-ravine")
    lrs = np.geomspace(1e-4, 0.05, args.size)
    betas = np.linspace(0.0, 0.99, args.size)
    grid_lr = np.repeat(lrs, args.size)
    grid_beta = np.tile(betas, args.size)
    configs = grid_lr.size

    timings = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        traj = run(scape, "momentum", lr=grid_lr, beta=grid_beta, steps=args.steps, start=START,
                   record=args.record)
        timings.append(time.perf_counter() - t0)
    best, median = min(timings), float(np.median(timings))

    rng = np.random.default_rng(0)
    subset = rng.choice(configs, size=min(args.loop_configs, configs), replace=False)
    finals = np.empty((subset.size, 2))
    with np.errstate(all="ignore"):
        t0 = time.perf_counter()
        for k, i in enumerate(subset):
            finals[k] = lesson_loop(scape.A, START, grid_lr[i], grid_beta[i], args.steps)
        loop_time = time.perf_counter() - t0
    loop_grid = loop_time * configs / subset.size
    kept = traj.diverged_at[subset] < 0
    agreement = float(np.max(np.abs(finals[kept] - traj.final[subset][kept]))) if kept.any() else float("nan")

    work = configs * args.steps
    print(f"grid: {args.size} x {args.size} = {configs} configurations (η in [1e-4, 0.05] log, β in [0, 0.99]), "
          f"{args.steps} steps, narrow-ravine from {START}")
    print(f"engine: one run(record={args.record!r}) call: best {best:.3f} s, median {median:.3f} s "
          f"of {args.repeats}  ->  {work / best:.3e} config-steps/s")
    print(f"        {int(traj.diverged.sum())} configurations diverged (frozen, no NaN)")
    print(f"loop:   lesson-style per-configuration loop: {loop_time:.3f} s for {subset.size} configs "
          f"-> {loop_grid:.1f} s for the grid ({work / loop_grid:.3e} config-steps/s)")
    print(f"ratio:  {loop_grid / best:.0f}x faster than the loop; max |Δθ_final| vs loop on the subset "
          f"(non-diverged) = {agreement:.1e}")
    print(f"targets: grid < 1 s: {'yes' if best < 1.0 else 'NO'}; >= 100x loop: "
          f"{'yes' if loop_grid / best >= 100 else 'NO'}")


if __name__ == "__main__":
    main()
