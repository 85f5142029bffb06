"""Every scene holds every frame shape it declares: nothing leaves the frame or enters the caption
band at 1:1 and 9:16 (16:9 is checked by each scene's own tests); undeclared shapes are refused."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from ravine.cli import cli
from scenes.lesson import scene_class, scene_names
from tests.scenes.layout_check import layout_problems

pytestmark = pytest.mark.render

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
