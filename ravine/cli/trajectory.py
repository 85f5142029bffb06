"""``ravine trajectory``: the engine's run as data (JSON, CSV or npz), no video."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ravine.cli.options import CONTEXT, check_out_dir, path_problem
from ravine.media import outputs
from ravine.pipeline.job import JobError


def _trajectory_specs():
    from engine import LANDSCAPE_NAMES
    from scenes.kit.params import (ParamSpec, batch_size_param, beta_param, lr_param, noise_param, seed_param,
                               steps_param)

    return {
        "landscape": ParamSpec("landscape", "choice", "seed-ravine", "loss landscape preset",
                               choices=tuple(LANDSCAPE_NAMES)),
        "start": ParamSpec("start", "point", (6.0, 6.0), "start point", low=-1e6, high=1e6, length=(1, 2)),
        "lr": lr_param("lr", 0.02),
        "beta": beta_param(0.9),
        "steps": steps_param(60, high=1_000_000),
        "noise": noise_param(0.0),
        "batch_size": batch_size_param(None),
        "seed": seed_param(0),
    }


@click.command("trajectory", context_settings=CONTEXT)
@click.option("--optimizer", type=click.Choice(["gd", "momentum", "nesterov"]), default="momentum",
              show_default=True, help="gd = plain (S)GD; nesterov reports the iterates torch.optim.SGD(nesterov=True) produces")
@click.option("--landscape", default="seed-ravine", show_default=True, metavar="NAME", help="landscape preset")
@click.option("--start", default="6,6", show_default=True, metavar="X,Y", help="start point θ₀")
@click.option("--lr", default="0.02", show_default=True, metavar="η", help="learning rate, > 0")
@click.option("--beta", default="0.9", show_default=True, metavar="β", help="momentum in [0, 1) (ignored by gd)")
@click.option("--steps", default="60", show_default=True, metavar="N", help="number of steps, 1..1000000")
@click.option("--noise", default="0", show_default=True, metavar="σ", help="Gaussian gradient-noise std")
@click.option("--batch-size", default=None, metavar="B", help="mini-batch size (quadratic landscapes)")
@click.option("--seed", default="0", show_default=True, metavar="N", help="random seed")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "npz"]), default="json", show_default=True)
@click.option("--out", "out_file", default=None, metavar="FILE", help="write here instead of stdout (npz needs it)")
def trajectory_command(optimizer: str, fmt: str, out_file: str | None, **values: Any) -> None:
    """Run the engine and print (or write) the trajectory as data.

    JSON is an object with "params" and per-step arrays "theta" (steps + 1 rows), "velocity",
    "grad" and "loss".

    \b
    Examples:
      ravine trajectory --optimizer gd --lr 0.08
      ravine trajectory --optimizer momentum --lr 0.02 --beta 0.9 --format csv --out run.csv
      ravine trajectory --optimizer nesterov --landscape rosenbrock --start -1,1 --lr 0.001 --steps 500
    """
    from engine import get_landscape, run, torch_nesterov_view

    specs = _trajectory_specs()
    params = {name: spec.parse(values.get(name)) for name, spec in specs.items()}  # ParamError: exit 2
    landscape = get_landscape(params["landscape"])
    if len(params["start"]) != landscape.dim:
        raise JobError("--start", f"--start needs {landscape.dim} comma-separated number(s) for '{landscape.name}'")
    if fmt == "npz" and out_file is None:
        raise JobError("--format", "--format npz needs --out FILE")
    if out_file is not None:
        check_out_file(out_file)
    noise: Any = None
    if params["batch_size"] is not None:
        noise = "minibatch"
    elif params["noise"] > 0:
        noise = params["noise"]
    try:
        trajectory = run(landscape, optimizer, lr=params["lr"], beta=0.0 if optimizer == "gd" else params["beta"],
                         steps=params["steps"], start=params["start"], noise=noise,
                         batch_size=params["batch_size"], seed=params["seed"])
    except ValueError as error:  # the engine's own checks of what it was given
        raise JobError("trajectory", str(error)) from None
    if optimizer == "nesterov":
        trajectory = torch_nesterov_view(trajectory, landscape)
    if out_file is None:
        text = trajectory.to_json(None) if fmt == "json" else trajectory.to_csv(None)
        click.echo(text)
        return
    target = Path(out_file)
    outputs.ensure_writable_dir(target.parent)  # checked above, made only now that there is data to write
    with outputs.atomic_path(target) as tmp:
        if fmt == "json":
            tmp.write_text(trajectory.to_json(None), encoding="utf-8")
        elif fmt == "csv":
            tmp.write_text(trajectory.to_csv(None), encoding="utf-8")
        else:
            trajectory.to_npz(tmp)
            npz = tmp if tmp.suffix == ".npz" else tmp.with_name(tmp.name + ".npz")
            if npz != tmp and npz.exists():
                npz.replace(tmp)
    click.echo(str(target))


def check_out_file(out_file: str) -> None:
    """``--out`` must name a file that can be written: not empty, one line of UTF-8 text, not a
    folder (nor end with a '/'), in a folder that can be written. Else a
    :class:`~ravine.pipeline.job.JobError` (exit 2) naming ``--out``; nothing is created."""
    problem = path_problem(out_file)
    if problem is None and (out_file.endswith(("/", "\\")) or Path(out_file).is_dir()):
        problem = "a file path, not a folder"
    if problem is None and Path(out_file).name in ("", ".", ".."):
        problem = "a file path, not a folder"
    if problem is not None:
        raise JobError("--out", f"--out {out_file!r} is invalid; allowed: {problem}")
    check_out_dir(Path(out_file).parent)
