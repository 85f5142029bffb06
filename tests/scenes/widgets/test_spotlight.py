"""scenes.widgets.spotlight: the ring and frames that follow a closing caption from run to run."""

from __future__ import annotations

import numpy as np
import pytest
from manim import Transform

from scenes.kit import style
from scenes.kit.style import Rect
from scenes.widgets.core import Ball, label
from scenes.widgets.spotlight import FRAME_GAP, RING_GAP, ReadingSpotlight, Stop


def stops() -> list[Stop]:
    inside = Ball(np.array([[1.0, 0.5, 0.0]]), style.OPTIMIZER_COLORS["gd"])
    outside = Ball(np.array([[9.0, 0.5, 0.0]]), style.OPTIMIZER_COLORS["momentum"])
    readouts = [label("L = 0.4538", style.SMALL_SIZE).move_to([4.5, 2.0, 0]),
                label("L = 0.0011", style.SMALL_SIZE).move_to([4.5, 1.6, 0])]
    return [Stop("gradient descent", inside, [readouts[0]], style.OPTIMIZER_COLORS["gd"]),
            Stop("momentum", outside, [readouts[1]], style.OPTIMIZER_COLORS["momentum"])]


def test_a_stop_is_a_ring_round_its_ball_and_a_frame_round_its_readout() -> None:
    first = stops()[0]
    ring, frame = ReadingSpotlight([first]).marks(first)
    assert np.allclose(ring.get_center(), first.ball.get_center())
    assert abs(ring.width / 2 - (first.ball.width / 2 + RING_GAP)) < 1e-3
    readout = first.readouts[0]
    assert np.allclose(frame.get_center(), readout.get_center())
    assert frame.width > readout.width + FRAME_GAP and frame.height > readout.height + FRAME_GAP
    assert ring.get_stroke_color().to_hex().upper() == first.color.upper()


def test_a_ball_outside_its_plot_is_not_ringed() -> None:
    second = stops()[1]
    marks = ReadingSpotlight([second], clip=Rect(0.0, 0.0, 8.0, 6.0)).marks(second)
    assert len(marks) == 1 and np.allclose(marks[0].get_center(), second.readouts[0].get_center())


def test_the_spotlight_fades_in_on_the_first_stop_then_moves_to_the_next() -> None:
    spotlight = ReadingSpotlight(stops(), clip=Rect(0.0, 0.0, 8.0, 6.0))
    first = spotlight.to(0)
    assert not isinstance(first, Transform) and spotlight.shown is not None
    moving = spotlight.to(1)
    assert isinstance(moving, Transform) and moving.mobject is spotlight.shown
    assert np.allclose(moving.target_mobject.get_center(), stops()[1].readouts[0].get_center())
    assert len(spotlight) == 2


@pytest.mark.parametrize("scene_name, params", [
    ("heavy-ball", None), ("ravine-race", None), ("nesterov", None),
    ("ravine-race", {"lr_sgd": 0.021, "steps": 30}), ("nesterov", {"beta": 0.5, "lr": 0.05}),
])
def test_the_spotlight_lights_the_runs_in_the_order_the_caption_reads_them(scene_name, params) -> None:
    """Each caption read out with a spotlight names every run it lights, in the order lit."""
    from tests.scenes.golden import constructed

    read_outs = constructed(scene_name, params, lambda scene: scene.read_outs)
    assert read_outs, f"{scene_name} reads no caption out"
    for text, names in read_outs:
        places = [text.find(name) for name in names]
        assert -1 not in places and places == sorted(places), (text, names)
