"""One seeded random parameter set per scene, laid out at one of its aspects: nothing leaves the
frame and no words are drawn over each other (``tests.scenes.layout_probe`` runs many more).
The sweep over the scenes is marked ``slow``."""

from __future__ import annotations

import random
import zlib

import pytest

from scenes.lesson import scene_class, scene_names
from scenes.kit.params import ParamError
from tests.scenes.layout_probe import probe, random_params

pytestmark = [pytest.mark.render, pytest.mark.slow]

CASES = [(name, scene_class(name).ASPECTS[i % len(scene_class(name).ASPECTS)])
         for i, name in enumerate(scene_names())]


@pytest.mark.parametrize("name,aspect", CASES, ids=[f"{n}-{a}" for n, a in CASES])
def test_random_parameters_lay_out_cleanly(name, aspect):
    cls = scene_class(name)
    rng = random.Random(zlib.crc32(name.encode()))
    for _ in range(5):  # the first draw the scene accepts
        params = random_params(cls.SPEC, rng)
        try:
            cls.SPEC.resolve(params)
        except ParamError:
            continue
        problems = probe(name, params, (aspect,))[aspect]
        if isinstance(problems, str):  # refused while computing (e.g. --batch-size on Rosenbrock)
            continue
        assert problems == [], params
        return
    pytest.fail(f"{name}: five random draws refused")


def test_random_values_stay_inside_every_declared_range():
    rng = random.Random(7)
    for name in scene_names():
        spec = scene_class(name).SPEC
        for _ in range(50):
            try:
                spec.resolve(random_params(spec, rng))
            except ParamError as refused:  # only refusals that span parameters, never a range
                assert "needs" in str(refused) or "batch" in str(refused), (name, refused)
