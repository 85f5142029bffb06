"""Layout checks with random parameters: what a course author re-rendering with their own numbers
may hit that the defaults and the range edges do not (two runs blowing up at once, a path leaving
through a corner).

``random_params(spec, rng)`` draws every parameter of a scene inside its declared range: numbers
half the time log-uniform over the range's top three decades (learning rates, ratios), otherwise
uniform, mostly near zero on wide ranges (start points); lists of a random allowed length; a random
choice. Run it over every scene and declared aspect (not part of the test run; a few minutes):

    .venv/bin/python -m tests.scenes.layout_probe --draws 5 --seed 3 [--scenes a,b] [--aspects 1:1]

Each draw prints ``ok`` or the problems :func:`tests.scenes.layout_check.layout_problems` finds,
with the parameters to reproduce them (``ravine render SCENE --param value ...``): pieces off the
frame or in the caption band, words drawn over each other, live readouts that run into a word at
any step of the run, a caption on screen longer than ``MAX_CAPTION_SECONDS``, a run that leaves its
plot's view without diverging. A draw the scene refuses (a ``ParamError``, e.g. ``--batch-size`` on
Rosenbrock) is reported as refused.
"""

from __future__ import annotations

import argparse
import math
import random
from typing import Any

from scenes.kit.params import ParamError, ParamSpec, SceneSpec

WIDE_RANGE = 40.0  # a range wider than this is sampled mostly within ±10 of zero


def random_number(spec: ParamSpec, rng: random.Random) -> float:
    """A number inside ``spec``'s bounds (open bounds kept open)."""
    low, high = float(spec.low), float(spec.high)
    if low >= 0 and high > 0 and rng.random() < 0.5:  # log-uniform over the top three decades
        floor = max(low, high * 1e-3)
        value = math.exp(rng.uniform(math.log(floor), math.log(high)))
    elif high - low > WIDE_RANGE and rng.random() < 0.7:
        middle = min(max(0.0, low), high)
        value = rng.uniform(max(low, middle - 10), min(high, middle + 10))
    else:
        value = rng.uniform(low, high)
    value = round(value, 4) if abs(value) > 1e-3 else value
    span = high - low
    if value <= low:
        value = low + (span * 1e-3 if spec.low_open else 0.0)
    if value >= high:
        value = high - (span * 1e-3 if spec.high_open else 0.0)
    return value


def random_value(spec: ParamSpec, rng: random.Random) -> Any:
    """A value for one parameter, or None to leave it at its default (text, flags, views)."""
    if spec.kind == "int":
        if spec.name == "seed":
            return rng.randrange(1000)
        return rng.randint(int(spec.low), int(spec.high))
    if spec.kind == "float":
        return random_number(spec, rng)
    if spec.kind == "choice":
        return rng.choice(spec.choices)
    if spec.kind in ("point", "floats") and not spec.optional:
        shortest, longest = spec.length or ((2, 2) if spec.kind == "point" else (1, 8))
        return tuple(random_number(spec, rng) for _ in range(rng.randint(shortest, longest)))
    return None


def random_params(spec: SceneSpec, rng: random.Random) -> dict[str, Any]:
    """Every parameter of ``spec`` drawn at random inside its range (see the module docstring)."""
    params = {p.name: random_value(p, rng) for p in spec.params}
    return {name: value for name, value in params.items() if value is not None}


def probe(scene: str, params: dict[str, Any], aspects: tuple[str, ...]) -> dict[str, list[str] | str]:
    """Layout problems per aspect (an empty list: fine), or the reason the scene refused."""
    from tests.scenes.layout_check import layout_problems

    found: dict[str, list[str] | str] = {}
    for aspect in aspects:
        try:
            found[aspect] = layout_problems(scene, params, aspect=aspect)
        except ParamError as refused:
            return {aspect: f"refused: {refused}" for aspect in aspects}
    return found


def main() -> None:
    from scenes.lesson import scene_class, scene_names

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draws", type=int, default=3, help="random parameter sets per scene")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scenes", default="", help="comma-separated scene names (default: every lesson scene)")
    parser.add_argument("--aspects", default="", help="comma-separated aspects (default: each scene's declared ones)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    names = [name for name in args.scenes.split(",") if name] or scene_names()
    for name in names:
        cls = scene_class(name)
        aspects = tuple(a for a in args.aspects.split(",") if a) or tuple(cls.ASPECTS)
        for draw in range(args.draws):
            params = random_params(cls.SPEC, rng)
            try:
                cls.SPEC.resolve(params)
            except ParamError as refused:
                print(f"{name} draw {draw}: refused: {refused}  {params}", flush=True)
                continue
            for aspect, problems in probe(name, params, aspects).items():
                if not problems:
                    print(f"{name} {aspect} draw {draw}: ok", flush=True)
                elif isinstance(problems, str):
                    print(f"{name} {aspect} draw {draw}: {problems}  {params}", flush=True)
                else:
                    print(f"{name} {aspect} draw {draw}: {len(problems)} problems  {params}", flush=True)
                    for problem in problems[:5]:
                        print(f"    {problem}", flush=True)


if __name__ == "__main__":
    main()
