"""1-D series plots: observations revealed step by step, and a frame with a logarithmic x-axis.

``RevealedDots`` shows a sampled series up to the current step (one dot per observation, all in
one VMobject). ``LogXFrame`` is :class:`scenes.widgets.core.PlotFrame`'s counterpart for a log₁₀ x-axis
(decade ticks labelled 1, 10, 100, 1000, 10⁴, …) and a linear y-axis, for quantities that span
several orders of magnitude (an EMA's memory at β = 0.9, 0.99, 0.999).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Dot, Line, Rectangle, VGroup, VMobject

from scenes.kit import style
from scenes.kit.framing import ticks
from scenes.kit.style import Rect
from scenes.kit.style import superscript
from scenes.widgets.core import fitted_label, label


class RevealedDots(VMobject):
    """Dots at scene ``points`` (N, 3) for steps ``first_step`` … ; those up to the current step are shown.

    All dots are one VMobject (one sub-path each), so a frame draws one object, not N.
    """

    def __init__(self, points: np.ndarray, color: str, first_step: int = 1, radius: float = 0.045,
                 opacity: float = 0.9) -> None:
        super().__init__(fill_color=color, fill_opacity=opacity, stroke_width=0)
        self.first_step = first_step
        outlines = [Dot(point, radius=radius).points for point in np.asarray(points, dtype=float)]
        self.outline_sizes = np.cumsum([0] + [len(pts) for pts in outlines])
        self.all_points = np.vstack(outlines) if outlines else np.zeros((0, 3))
        self.anchor = np.asarray(points, dtype=float)[0] if len(outlines) else np.zeros(3)
        self.shown = -1
        self.set_z_index(style.Z_PATH)
        self.set_progress(0.0)

    def set_progress(self, step: float) -> None:
        """Show the dots of steps first_step … floor(step)."""
        n = max(0, min(len(self.outline_sizes) - 1, int(math.floor(step + 1e-9)) - self.first_step + 1))
        if n != self.shown:
            self.shown = n
            if n == 0:
                self.set_points(np.repeat(self.anchor[None, :], 4, axis=0))
            else:
                self.set_points(self.all_points[: self.outline_sizes[n]])


def decade_label(power: int) -> str:
    """Tick text for 10^power: 1, 10, 100, 1000, then 10⁴, 10⁵, …"""
    if 0 <= power <= 3:
        return str(10**power)
    return f"10{superscript(power)}"


class LogXFrame(VGroup):
    """A framed plot inside ``rect`` with x on a log₁₀ scale over [10^lo, 10^hi] and y linear.

    ``to_scene(x, y)`` maps data (x > 0) to scene points (..., 3). Decades get labelled ticks,
    2…9 × each decade short unlabelled ones.
    """

    def __init__(self, lo: int, hi: int, ymin: float, ymax: float, rect: Rect, x_label: str = "",
                 y_label: str = "", y_ticks: Sequence[float] | None = None) -> None:
        super().__init__()
        self.lo, self.hi, self.ymin, self.ymax = lo, hi, ymin, ymax
        left_room, bottom_room, top_room, right_room = 0.6, 0.75 if x_label else 0.45, 0.35, 0.3
        self.box = Rect(rect.x + (left_room - right_room) / 2, rect.y + (bottom_room - top_room) / 2,
                        rect.width - left_room - right_room, rect.height - bottom_room - top_room)
        border = Rectangle(width=self.box.width, height=self.box.height, stroke_color=style.AXIS,
                           stroke_width=style.AXIS_WIDTH).move_to([self.box.x, self.box.y, 0])
        self.add(border)
        for power in range(lo, hi + 1):
            base = self.to_scene(10.0**power, ymin)
            self.add(Line(base, base + UP * 0.1, stroke_color=style.AXIS, stroke_width=1.5))
            self.add(label(decade_label(power), style.TICK_SIZE, style.MUTED).next_to(base, DOWN, buff=0.08))
            if power < hi:
                for mult in range(2, 10):
                    minor = self.to_scene(mult * 10.0**power, ymin)
                    self.add(Line(minor, minor + UP * 0.05, stroke_color=style.AXIS, stroke_width=1))
        for value in (ticks(ymin, ymax, 4) if y_ticks is None else y_ticks):
            base = self.to_scene(10.0**lo, value)
            self.add(Line(base, base + RIGHT * 0.08, stroke_color=style.AXIS, stroke_width=1.5))
            self.add(label(style.fmt_short(float(value)), style.TICK_SIZE, style.MUTED).next_to(base, LEFT, buff=0.08))
        if x_label:
            words = fitted_label(x_label, rect.width)  # under the box, reaching under the tick numbers if need be
            x = min(max(self.box.x, rect.left + words.width / 2), rect.right - words.width / 2)
            words.move_to([x, self.box.bottom - 0.32 - words.height / 2, 0])
            self.add(words)
        if y_label:
            words = fitted_label(y_label, rect.right - self.box.left + 0.1)
            words.move_to([self.box.left + words.width / 2 - 0.1, self.box.top + 0.06 + words.height / 2, 0])
            self.add(words)
        self.set_z_index(style.Z_AXES)

    def to_scene(self, x, y) -> np.ndarray:
        """Scene coordinates of data points: x (> 0, log scale) and y broadcast together."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        u = (np.log10(x) - self.lo) / (self.hi - self.lo)
        v = (y - self.ymin) / (self.ymax - self.ymin)
        sx = self.box.left + u * self.box.width
        sy = self.box.bottom + v * self.box.height
        sx, sy = np.broadcast_arrays(sx, sy)
        return np.stack([sx, sy, np.zeros_like(sx)], axis=-1)
