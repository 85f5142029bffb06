"""Parameter sweeps: every combination of the given values as its own clip, framed alike.

``ravine sweep ravine-race --beta 0.5,0.9,0.99 --lr-momentum 0.01,0.02`` makes six jobs whose
file names are built from the varied parameters; scenes with a 2-D plot get one ``view``
fitted to the whole family, so the clips can be compared side by side (or in a montage).
"""

from __future__ import annotations

import itertools
import re
from typing import Any, Sequence

from ravine.pipeline.job import JobError, RenderJob
from scenes.kit.params import ParamError, SceneSpec

LIST_KINDS = ("point", "floats")  # values that are themselves lists are separated by ';'


def split_values(kind: str, raw: str) -> list[str]:
    """The values of one swept option: ``a,b,c`` for numbers and choices; ``x1,y1;x2,y2`` for
    points and lists (whose own entries are comma-separated)."""
    separator = ";" if kind in LIST_KINDS else ","
    return [part.strip() for part in str(raw).split(separator) if part.strip()]


def combinations(spec: SceneSpec, swept: dict[str, str]) -> list[dict[str, Any]]:
    """Every combination of the swept values, each parsed and validated by the scene's spec
    (raises :class:`scenes.kit.params.ParamError` naming the option on a bad or repeated value).

    The order is the product of the options in the order given, last option fastest.
    """
    axes = []
    for name, raw in swept.items():
        param = spec.param(name)
        texts = split_values(param.kind, raw)
        values = [param.parse(value) for value in texts]
        if not values:
            raise ParamError(name, f"{param.option}: no values given")
        slugs = [value_slug(value) for value in values]
        repeated = [text for index, text in enumerate(texts) if slugs[index] in slugs[:index]]
        if repeated:  # the same clip twice: two renders writing one file
            raise ParamError(name, f"{param.option}: {', '.join(repeated)} repeats a value given before it")
        axes.append([(name, value) for value in values])
    combos = [dict(items) for items in itertools.product(*axes)]
    for combo in combos:
        spec.resolve(combo)
    return combos


def value_slug(value: Any) -> str:
    """A file-name-safe rendering of a parameter value (``-4,1.5`` -> ``-4_1.5``)."""
    if isinstance(value, (list, tuple)):
        return "_".join(value_slug(v) for v in value)
    if isinstance(value, float):
        text = f"{value:g}"
    else:
        text = str(value)
    return re.sub(r"[^A-Za-z0-9.+-]+", "-", text)


def clip_name(scene: str, varied: dict[str, Any]) -> str:
    """``scene__beta-0.5__lr-momentum-0.02``: the scene and every varied parameter with its value."""
    parts = [scene] + [f"{name.replace('_', '-')}-{value_slug(value)}" for name, value in varied.items()]
    return "__".join(parts)


def shared_view(scene_cls, param_sets: Sequence[dict[str, Any]]) -> tuple[float, float, float, float] | None:
    """The union of the views the scene fits for each parameter set (None if it has no plot)."""
    from scenes.kit.framing import View

    if not any(spec.name == "view" for spec in scene_cls.SPEC.params):
        return None
    union: View | None = None
    for params in param_sets:
        view = scene_cls(params=params).natural_view()
        if view is None:
            return None
        union = view if union is None else union.union(view)
    return (union.xmin, union.xmax, union.ymin, union.ymax) if union else None


def plan(scene_cls, swept: dict[str, str], fixed: dict[str, Any], quality: str, out_dir: str,
         **written_as: Any) -> list[RenderJob]:
    """The sweep's render jobs: ``fixed`` parameters plus each combination, all framed alike;
    ``written_as`` sets the jobs' output fields (``format``, ``aspect``, ``narrate``, ...). Raises
    :class:`~scenes.kit.params.ParamError` for a bad parameter and
    :class:`~ravine.pipeline.job.JobError` for a bad output setting or nothing to sweep."""
    spec = scene_cls.SPEC
    fixed_parsed = {name: spec.param(name).parse(value) for name, value in fixed.items()}  # bad values first
    if not swept:
        raise JobError("SCENE OPTIONS", "give at least one parameter with several values, e.g. --beta 0.5,0.9")
    combos = combinations(spec, swept)
    full = [{**fixed_parsed, **combo} for combo in combos]
    view = shared_view(scene_cls, full) if "view" not in fixed else None
    jobs = []
    for combo, params in zip(combos, full):
        if view is not None:
            params = {**params, "view": view}
        jobs.append(RenderJob.parse({"scene": spec.name, "params": params, "quality": quality, "out_dir": out_dir,
                                     "name": clip_name(spec.name, combo), **written_as}))
    return jobs
