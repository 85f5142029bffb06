"""A run's trail that fades with age: the last steps bright, older ones fainter.

Sixty steps of a zig-zag drawn at full strength become a solid block; drawn with each segment's
opacity falling with the steps since it was drawn, the picture keeps showing where the run is
*now* and, faintly, where it has been. One :class:`AgingTrail` is a handful of VMobjects (one per
opacity level, each holding its segments as separate sub-paths), not one mobject per segment.
It is step-driven like :class:`scenes.widgets.core.ProgressivePath` (``set_progress(step)``).
"""

from __future__ import annotations

import math

import numpy as np
from manim import VGroup, VMobject

from scenes.kit import style
from scenes.widgets.core import segments_to_points

HALF_LIFE = 6.0      # steps after which a segment is drawn at half its first opacity
FLOOR = 0.12         # the faintest a segment gets: the whole run stays readable
LEVELS = 8           # opacity levels (one VMobject each)


def age_opacity(age: np.ndarray | float, half_life: float = HALF_LIFE, floor: float = FLOOR) -> np.ndarray:
    """Opacity of a segment drawn ``age`` steps ago: 1 when new, halving every ``half_life``
    steps, never under ``floor``."""
    age = np.maximum(np.asarray(age, dtype=float), 0.0)
    return np.maximum(floor, 0.5 ** (age / half_life))


class AgingTrail(VGroup):
    """The polyline through ``points`` (N+1, 3) up to a fractional step, each segment's opacity
    set by its age (:func:`age_opacity`, quantised to ``levels`` steps of opacity).

    Segment k (θ_k → θ_{k+1}) has age ``step − (k + 1)`` once drawn; the piece being drawn is new.
    """

    def __init__(self, points: np.ndarray, color: str, width: float = style.PATH_WIDTH,
                 half_life: float = HALF_LIFE, floor: float = FLOOR, levels: int = LEVELS) -> None:
        super().__init__()
        self.path_points = np.asarray(points, dtype=float)
        self.half_life, self.floor = half_life, floor
        # level i draws segments whose opacity rounds to opacities[i] (bright first)
        self.opacities = np.geomspace(1.0, floor, levels)
        self.layers = [VMobject(stroke_color=color, stroke_width=width, stroke_opacity=float(opacity),
                                fill_opacity=0.0) for opacity in self.opacities]
        self.add(*self.layers)
        for part in (self, *self.layers):
            part.set_z_index(style.Z_PATH)
        self.step = -1.0
        self.set_progress(0.0)

    def level_of(self, age: np.ndarray) -> np.ndarray:
        """The opacity level (index into :attr:`opacities`) of segments ``age`` steps old."""
        opacity = age_opacity(age, self.half_life, self.floor)
        logs = np.log(self.opacities)
        return np.argmin(np.abs(np.log(opacity)[:, None] - logs[None, :]), axis=1)

    def segments(self, step: float) -> tuple[np.ndarray, np.ndarray]:
        """Segments (k, 2, 3) drawn at ``step`` and their ages (k,) in steps."""
        pts = self.path_points
        last = len(pts) - 1
        step = min(max(step, 0.0), float(last))
        whole = int(math.floor(step + 1e-9))
        starts, ends = list(pts[:whole]), list(pts[1:whole + 1])
        ages = [step - (k + 1) for k in range(whole)]
        if whole < last and step - whole > 1e-9:  # the piece being drawn
            frac = step - whole
            starts.append(pts[whole])
            ends.append(pts[whole] + frac * (pts[whole + 1] - pts[whole]))
            ages.append(0.0)
        if not starts:
            return np.zeros((0, 2, 3)), np.zeros(0)
        return np.stack([np.array(starts), np.array(ends)], axis=1), np.asarray(ages, dtype=float)

    def set_progress(self, step: float) -> None:
        """Draw the trail up to ``step``, each segment at the opacity of its age."""
        if step == self.step:
            return
        self.step = step
        segments, ages = self.segments(step)
        keep = np.linalg.norm(segments[:, 1] - segments[:, 0], axis=1) > 1e-9 if len(segments) else np.zeros(0, bool)
        segments, ages = segments[keep], ages[keep]
        levels = self.level_of(ages) if len(ages) else np.zeros(0, int)
        anchor = self.path_points[0]
        for index, layer in enumerate(self.layers):
            mine = segments[levels == index]
            if len(mine):
                layer.set_points(segments_to_points(mine))
            else:
                layer.set_points(np.repeat(anchor[None, :], 4, axis=0))
        for index, layer in enumerate(self.layers):
            layer.set_stroke(opacity=float(self.opacities[index]) if np.any(levels == index) else 0.0)

    def set_focus(self, z_index: float) -> None:
        """Draw this trail at ``z_index`` (e.g. above another run's trail while it is in focus)."""
        for part in (self, *self.layers):
            part.z_index = z_index


__all__ = ["AgingTrail", "age_opacity", "HALF_LIFE", "FLOOR"]
