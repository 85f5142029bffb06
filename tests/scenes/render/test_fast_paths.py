"""The drawing path's cheaper checks give Manim's answers: the finite-points guard, the layer
fingerprint over non-contiguous arrays, and the surface's per-quad filing of line pieces."""

from __future__ import annotations

import numpy as np
import pytest
from manim import Camera, Square

from scenes.render import layers
from scenes.render.camera import finite_or_origin
from scenes.widgets.surface import _by_quad

HUGE = np.finfo(float).max


@pytest.mark.parametrize("points", [
    np.zeros((0, 3)),
    np.arange(12.0).reshape(4, 3),
    np.array([[0.0, np.nan, 0.0], [1.0, 2.0, 3.0]]),
    np.array([[np.inf, 0.0, 0.0], [-np.inf, 0.0, 0.0]]),   # sums to NaN
    np.array([[np.inf, 1.0, 0.0]]),
    np.array([[HUGE, HUGE, 0.0], [HUGE, 0.0, 0.0]]),       # finite, but the sum overflows
])
def test_the_finite_guard_is_manims(points: np.ndarray) -> None:
    expected = Camera.transform_points_pre_display(None, None, points)
    got = finite_or_origin(points)
    assert got.shape == expected.shape and np.array_equal(got, expected)
    assert (got is points) == (expected is points)


def test_a_fingerprint_reads_non_contiguous_arrays_as_their_values() -> None:
    square = Square()
    contiguous = layers.fingerprint([square], (1.0,))
    wide = np.zeros((len(square.points), 6))
    wide[:, ::2] = square.points
    square.points = wide[:, ::2]  # the same numbers, every other column of a wider array
    assert not square.points.flags.c_contiguous
    assert layers.fingerprint([square], (1.0,)) == contiguous
    square.points[0, 0] += 1e-9
    assert layers.fingerprint([square], (1.0,)) != contiguous


def test_pieces_are_filed_by_quad_in_their_order() -> None:
    rng = np.random.default_rng(3)
    quads = rng.integers(0, 7, size=60)
    segments = rng.normal(size=(60, 4))
    filed = _by_quad(quads, segments)
    assert [q for q, _ in filed] == np.unique(quads).tolist()
    for q, pieces in filed:
        assert pieces == segments[quads == q].tolist()
    assert _by_quad(np.zeros(0, dtype=int), np.zeros((0, 4))) == []
