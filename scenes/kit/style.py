"""The one source of truth for the lesson's look: palette, fonts, sizes, layout, z-order, timing.

Every scene and widget takes its colours, font sizes and layout rectangles from here, and every
number shown on screen is formatted by :func:`fmt`. Coordinates are Manim scene units (the frame
is ``config.frame_width`` x ``config.frame_height``, 14.22 x 8 at 16:9) with the origin at the
frame centre.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# --- palette -------------------------------------------------------------------------------
BACKGROUND = "#101418"
TEXT = "#E8EAED"
MUTED = "#9AA0A6"
GRID = "#2A3038"
AXIS = "#80868B"
CONTOUR_LOW = "#1E3A5F"   # contour colour near the minimum
CONTOUR_HIGH = "#5B7FA6"  # contour colour far from the minimum
MINIMUM = "#FFFFFF"
SURFACE_LOW = "#232A33"   # a loss surface's colour at its floor (lit by scenes.widgets.surface)
SURFACE_HIGH = "#8E9AAB"  # ... and at its highest corner
WARNING = "#FF5252"
CAPTION_BAND = "#000000"
CAPTION_BAND_OPACITY = 0.55

# One colour per optimizer, used everywhere it appears: path, ball, legend, loss curve, captions.
OPTIMIZER_COLORS: dict[str, str] = {
    "gd": "#FF8A65",        # plain (S)GD: warm orange
    "sgd": "#FF8A65",
    "momentum": "#4FC3F7",  # heavy ball: sky blue
    "nesterov": "#FFD54F",  # Nesterov: amber
    "ema": "#AED581",       # EMA convention: green
}
OPTIMIZER_LABELS: dict[str, str] = {
    "gd": "SGD",
    "sgd": "SGD",
    "momentum": "momentum",
    "nesterov": "Nesterov",
    "ema": "EMA momentum",
}
# Extra series colours (e.g. several betas racing), in order.
SERIES_COLORS: tuple[str, ...] = ("#4FC3F7", "#BA68C8", "#FFD54F", "#AED581", "#FF8A65")

# --- fonts and sizes ----------------------------------------------------------------------
FONT = "DejaVu Sans"
MONO_FONT = "DejaVu Sans Mono"
TITLE_SIZE = 34
CAPTION_SIZE = 24
LABEL_SIZE = 22
SMALL_SIZE = 18
SMALL_LINE_STEP = 0.32  # scene units from one line of SMALL_SIZE text to the next
TICK_SIZE = 16
TICK_GAP = 0.2  # scene units kept clear between neighbouring tick labels (fewer ticks where needed)
MATH_SCALE = 0.75

PATH_WIDTH = 3.0
CONTOUR_WIDTH = 1.5
BALL_RADIUS = 0.11
AXIS_WIDTH = 1.5

# --- z-order ------------------------------------------------------------------------------
# Static layers sit below every moving layer. Manim sorts by z-index and redraws, on every frame,
# everything from the lowest moving layer up; what lies below is drawn once into a cached
# background. Moving things never enter the caption band, so the band can sit under them.
Z_BACKGROUND = 0
Z_CONTOUR = 1
Z_AXES = 2
Z_LABEL = 3        # static text: legends, tick labels, headings
Z_CAPTION = 4      # the caption band
Z_PATH = 5         # moving: trajectories, growing curves
Z_BALL = 6         # moving: balls, arrows riding on them
Z_LIVE_LABEL = 7   # moving: labels that change with the step (SwapLabel)
Z_HIGHLIGHT = 8    # moving: marks pointing at what a caption reads (rings, frames, a copied bar)

# --- timing -------------------------------------------------------------------------------
# Time is counted in ticks of 1/15 s, so that every beat lasts a whole number of frames at
# 15, 30 and 60 fps and a low-quality draft has exactly the timings of the final render.
TICKS_PER_SECOND = 15
DEFAULT_STEP_TICKS = 4       # one optimizer step = 4/15 s
MIN_CAPTION_TICKS = 45       # a caption stays up at least 3 s


def seconds_to_ticks(seconds: float) -> int:
    """Round a duration in seconds to whole ticks (1 tick = 1/15 s), at least one tick."""
    return max(1, round(seconds * TICKS_PER_SECOND))


# --- layout -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle in scene units: centre (x, y), width, height."""

    x: float
    y: float
    width: float
    height: float

    @property
    def left(self) -> float:
        return self.x - self.width / 2

    @property
    def right(self) -> float:
        return self.x + self.width / 2

    @property
    def top(self) -> float:
        return self.y + self.height / 2

    @property
    def bottom(self) -> float:
        return self.y - self.height / 2


@dataclass(frozen=True)
class Layout:
    """The regions of a lesson frame. Nothing drawn in ``plot`` or ``panel`` may enter ``caption``."""

    frame: Rect
    title: Rect
    plot: Rect
    panel: Rect
    caption: Rect


MARGIN = 0.3
TITLE_HEIGHT = 0.7
CAPTION_HEIGHT = 1.05
PANEL_FRACTION = 0.34  # share of the frame width used by the side panel (landscape frames)
STACKED_PANEL_FRACTION = 0.38  # share of the body height used by the panel (portrait frames)
LEAST_SHRINK = 0.8  # a label may be shrunk to this share of its size to fit; beyond, it takes another line
# Caption metrics at CAPTION_SIZE (scene units), for choosing a caption's line breaks before it is
# typeset: a character's mean width (a little over DejaVu Sans's 0.173 for prose, for digits and
# capitals), one line's height, and the pitch from one line to the next.
CAPTION_CHAR_WIDTH = 0.18
CAPTION_LINE_HEIGHT = 0.32
CAPTION_LINE_PITCH = 0.475


def caption_room(band: Rect) -> tuple[float, float]:
    """Width and height (scene units) a caption's text may take inside its ``band``."""
    return band.width - 2 * MARGIN, band.height - 0.15


def layout_for(frame_width: float, frame_height: float, captions: bool = True) -> Layout:
    """Split a frame (scene units) into title strip, plot, panel and caption band.

    Landscape and square frames put the panel (legend, readouts, insets) to the right of the
    plot; portrait frames stack it under the plot. The caption band spans the bottom (taller on
    narrow frames, where captions wrap onto more lines); with ``captions=False`` it has zero
    height and the body takes its room.
    """
    half_w, half_h = frame_width / 2, frame_height / 2
    frame = Rect(0.0, 0.0, frame_width, frame_height)
    portrait = frame_width < frame_height
    narrow = frame_width / frame_height < 1.5  # square or portrait: captions wrap onto more lines
    caption_h = (CAPTION_HEIGHT * (1.5 if narrow else 1.0)) if captions else 0.0
    caption = Rect(0.0, -half_h + caption_h / 2, frame_width, caption_h)
    title = Rect(0.0, half_h - TITLE_HEIGHT / 2 - 0.05, frame_width - 2 * MARGIN, TITLE_HEIGHT)
    body_top = title.bottom - 0.1
    body_bottom = caption.top + (0.15 if captions else MARGIN)
    usable_w = frame_width - 2 * MARGIN
    if portrait:
        body_h = body_top - body_bottom
        panel_h = body_h * STACKED_PANEL_FRACTION
        plot_h = body_h - panel_h - MARGIN
        plot = Rect(0.0, body_top - plot_h / 2, usable_w, plot_h)
        panel = Rect(0.0, body_bottom + panel_h / 2, usable_w, panel_h)
    else:
        body_h = body_top - body_bottom
        body_y = (body_top + body_bottom) / 2
        fraction = PANEL_FRACTION if frame_width / frame_height >= 1.5 else 0.42
        panel_w = usable_w * fraction
        plot_w = usable_w - panel_w - MARGIN
        plot = Rect(-half_w + MARGIN + plot_w / 2, body_y, plot_w, body_h)
        panel = Rect(half_w - MARGIN - panel_w / 2, body_y, panel_w, body_h)
    return Layout(frame=frame, title=title, plot=plot, panel=panel, caption=caption)


# --- numbers ------------------------------------------------------------------------------
def fmt(value: float, digits: int = 4) -> str:
    """Format a number for the screen and captions: fixed ``digits`` decimals, a true minus sign.

    Non-finite values read "∞" / "−∞" / "NaN"; very large or small magnitudes switch to
    scientific notation with a ×10ⁿ suffix so a label never overflows its box.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if value != 0 and (abs(value) >= 1e5 or abs(value) < 10 ** (-digits)):
        mantissa, exponent = scientific(value, 2)
        return f"{mantissa:.2f}".replace("-", "−") + "×10" + superscript(exponent)
    text = f"{value:.{digits}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return text.replace("-", "−")


def fmt_reading(value: float, digits: int = 4) -> str:
    """:func:`fmt` with fewer decimals as the magnitude grows: ``digits`` below 10, at most 1
    below 1000, none above (a readout or step length of 4588 reads "4588", not "4588.3975")."""
    magnitude = abs(value) if math.isfinite(value) else 0.0
    return fmt(value, digits if magnitude < 10 else min(digits, 1) if magnitude < 1000 else 0)


def superscript(number: int) -> str:
    """``number`` written in Unicode superscript digits (for 10ⁿ labels)."""
    return str(number).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def fmt_short(value: float) -> str:
    """Format a hyperparameter or tick compactly (η = 0.08, β = 0.9, 10000, 5×10⁷, 2.5×10⁻⁶): the
    shortest form, up to 4 significant digits; from 10⁴ to 10⁵ rounded to a whole number, beyond
    that and below 10⁻⁴ as a mantissa of up to 3 digits (trailing zeros dropped) times a power of ten."""
    if math.isinf(value) or math.isnan(value):
        return fmt(value)
    text = f"{value:.4g}"
    if "e" not in text:
        return text.replace("-", "−")
    if 1 <= abs(value) < 1e5:
        return f"{value:.0f}".replace("-", "−")
    mantissa, exponent = scientific(value, 2)
    return f"{mantissa:.3g}".replace("-", "−") + "×10" + superscript(exponent)


def scientific(value: float, places: int) -> tuple[float, int]:
    """``value`` as (mantissa rounded to ``places`` decimals, in [1, 10) in magnitude, exponent),
    read from Python's own ``e`` format: exact for subnormals such as 5×10⁻³²⁴, where dividing
    by 10ⁿ would divide by zero, and with 9.996 rounded up into the next power."""
    mantissa, exponent = f"{value:.{places}e}".split("e")
    return float(mantissa), int(exponent)


def fmt_point(point, digits: int = 4) -> str:
    """Format a parameter vector as "(x, y)" with :func:`fmt` for each coordinate."""
    return "(" + ", ".join(fmt(float(v), digits) for v in point) + ")"


def fmt_ratio(value: float) -> str:
    """Format a per-step factor near 1 with enough decimals to show its distance from 1 (0.92, 0.998, 0.9996)."""
    if abs(value) >= 10:  # far from 1: a reading, not a distance from 1 ("2841", not "2840.60")
        return fmt_reading(value, 2)
    gap = abs(1.0 - value)
    digits = 2 if gap >= 0.01 else (3 if gap >= 0.001 else 4)
    return f"{value:.{digits}f}"


def fmt_percent(fraction: float) -> str:
    """A share as a percentage for the screen: whole percent ("65%"), two decimals below 1 %
    ("0.04%"), "<0.01%" below that, "0%" for zero and "∞" when not finite."""
    if not math.isfinite(fraction):
        return "∞"
    value = 100.0 * float(fraction)
    if 0 < abs(value) < 0.005:  # would round to 0.00%
        return "<0.01%"
    return fmt(value, 2 if 0 < abs(value) < 1 else 0) + "%"


def count(number: int, noun: str) -> str:
    """``number`` and ``noun``, the noun plural unless the number is 1: "1 step", "30 steps"."""
    return f"{number} {noun}" + ("" if number == 1 else "s")

