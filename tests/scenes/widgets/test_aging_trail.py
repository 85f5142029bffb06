"""The trail that fades with age: new segments bright, old ones faint but never gone, few mobjects."""

from __future__ import annotations

import numpy as np

from scenes.widgets.aging_trail import FLOOR, AgingTrail, age_opacity


def zigzag(n: int) -> np.ndarray:
    return np.array([[k * 0.1, (-1) ** k, 0.0] for k in range(n + 1)])


def test_opacity_halves_each_half_life_down_to_the_floor():
    assert age_opacity(0.0) == 1.0
    assert np.isclose(age_opacity(6.0, half_life=6.0), 0.5)
    assert age_opacity(1000.0) == FLOOR


def test_old_segments_are_fainter_than_new_ones():
    trail = AgingTrail(zigzag(60), "#FFFFFF")
    trail.set_progress(60.0)
    segments, ages = trail.segments(60.0)
    assert len(segments) == 60 and ages.min() == 0.0 and ages.max() == 59.0
    levels = trail.level_of(ages)
    assert levels[-1] == 0 and levels[0] == len(trail.opacities) - 1  # newest brightest, oldest faintest
    assert np.all(np.diff(levels) <= 0)
    # every segment is drawn by exactly one layer, at that layer's opacity
    drawn = sum(len(layer.points) // 4 for layer, opacity in zip(trail.layers, trail.opacities)
                if layer.get_stroke_opacity() > 0)
    assert drawn == 60
    assert len(trail.submobjects) == len(trail.opacities) <= 10  # a handful of mobjects, not one per segment


def test_the_piece_being_drawn_is_new_and_partial():
    trail = AgingTrail(zigzag(4), "#FFFFFF")
    segments, ages = trail.segments(2.5)
    assert len(segments) == 3 and ages[-1] == 0.0
    assert np.allclose(segments[-1, 1], [0.25, 0.0, 0.0])
    assert trail.segments(0.0)[0].shape == (0, 2, 3)
