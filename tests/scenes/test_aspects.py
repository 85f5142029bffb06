"""Every scene holds every frame shape it declares: nothing leaves the frame or enters the caption
band at 1:1 and 9:16 (16:9 is checked by each scene's own tests); undeclared shapes are refused.

The sweeps over scenes, cards and aspects are marked ``slow`` (``-m "not slow"`` leaves them out)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from ravine.cli.commands import cli
from scenes.lesson import scene_class, scene_names
from tests.scenes.layout_check import layout_problems

pytestmark = [pytest.mark.render, pytest.mark.slow]

DECLARED = [(name, aspect) for name in scene_names() for aspect in scene_class(name).ASPECTS if aspect != "16:9"]


@pytest.mark.parametrize("name,aspect", DECLARED, ids=[f"{n}-{a}" for n, a in DECLARED])
def test_declared_aspect_holds(name, aspect):
    assert layout_problems(name, {}, aspect=aspect) == []


def test_every_scene_holds_16_9():
    assert all("16:9" in scene_class(name).ASPECTS for name in scene_names())


def test_undeclared_aspect_is_refused(tmp_path, monkeypatch):
    cls = scene_class("ravine-race")
    monkeypatch.setattr(cls, "ASPECTS", ("16:9",))
    result = CliRunner().invoke(cli, ["render", "ravine-race", "--aspect", "9:16", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "--aspect 9:16" in result.stderr and "supports 16:9" in result.stderr
    assert not (tmp_path / "o").exists()


def lesson_cards():
    """The lesson's title card and chapter cards as (scene, params), from the lesson's plan."""
    from pathlib import Path

    from ravine.pipeline.lesson import plan

    return [(segment.job.scene, segment.job.params) for segment in plan("low", Path("unused"))
            if segment.job.scene.endswith("-card")]


@pytest.mark.parametrize("aspect", ["16:9", "1:1", "9:16"])
def test_lesson_cards_hold_every_aspect(aspect):
    for scene, params in lesson_cards():
        assert layout_problems(scene, params, aspect=aspect) == [], (scene, params)


def test_title_card_wraps_its_subtitle_in_a_portrait_frame_instead_of_shrinking_it():
    from manim import Text

    from tests.scenes.golden import constructed

    scene, params = lesson_cards()[0]

    def subtitle_lines(card):
        words = card.SPEC.param("subtitle").default.replace(" ", "")
        return [m for m in card.get_mobject_family_members() if isinstance(m, Text) and m.text and m.text in words]

    wide = constructed(scene, params, subtitle_lines, size=(854, 480))
    tall = constructed(scene, params, subtitle_lines, size=(854, 480), aspect="9:16")
    assert len(wide) >= 1 and len(tall) >= 2  # the wide card shares its width with the picture
    assert min(line.height for line in tall) >= 0.8 * max(line.height for line in wide)


EDGES = [  # parameter-range edges that crowded words in narrow frames before (tick labels, axis titles, labels)
    ("conventions", "1:1", {"landscape": "rosenbrock", "start": "50,50", "lr": 10, "beta": 0.999, "steps": 120}),
    ("rate-map", "1:1", {"landscape": "bowl", "grid": 120, "steps": 800}),
    ("rate-map", "9:16", {"landscape": "seed-ravine", "grid": 16, "steps": 100}),
    ("stability", "1:1", {"landscape": "bowl", "start": "50,50", "beta": 0.999, "steps": 120, "margin": 0.5}),
]


@pytest.mark.parametrize("name,aspect,params", EDGES, ids=[f"{n}-{a}" for n, a, _ in EDGES])
def test_range_edges_hold_narrow_frames(name, aspect, params):
    assert layout_problems(name, params, aspect=aspect) == []
