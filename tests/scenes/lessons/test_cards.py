"""The title and chapter cards: layout at every aspect, and the title card's picture."""

from __future__ import annotations

import pytest

from tests.scenes.golden import check_golden_frame

pytestmark = [pytest.mark.render, pytest.mark.slow]

ITEMS = "Why plain SGD struggles|Momentum is memory|Tuning momentum|Looking ahead"


@pytest.mark.parametrize("aspect", ["16:9", "1:1", "9:16"])
@pytest.mark.parametrize("picture", [True, False])
def test_the_title_card_lays_out_at_every_aspect(aspect, picture):
    from tests.scenes.layout_check import layout_problems

    params = {"items": ITEMS, "picture": picture,
              "subtitle": "Why plain SGD struggles, and how a little memory fixes it, in four parts"}
    assert layout_problems("title-card", params, aspect=aspect, regions=False) == []


def test_the_title_card_shows_the_surface_beside_its_text():
    from tests.scenes.golden import constructed
    from scenes.widgets.surface import LossSurface

    def found(scene):
        surfaces = [mob for mob in scene.mobjects if isinstance(mob, LossSurface)]
        text = [mob for mob in scene.mobjects if mob not in surfaces and mob.get_family() and mob.width > 1]
        return surfaces, text

    surfaces, _ = constructed("title-card", {"items": ITEMS}, found)
    assert len(surfaces) == 1 and surfaces[0].step == 60
    none, _ = constructed("title-card", {"items": ITEMS, "picture": False}, found)
    assert none == []


def test_golden_title_card(request):
    check_golden_frame(request, "title-card", "title_card_default", {"items": ITEMS})
