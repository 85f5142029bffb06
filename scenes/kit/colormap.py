"""The lesson's colour map for heat maps: slow (dark blue) to fast (pale yellow), plus two flags.

Colours are palette constants like those in :mod:`scenes.kit.style`; :func:`colorize` turns an array
of values into an RGB image (uint8) with numpy only, so a heat map of thousands of cells is one
image, not thousands of squares.
"""

from __future__ import annotations

import numpy as np

# slow → fast: stops of the "speed" colour map, evenly spaced in [0, 1]
SPEED_STOPS: tuple[str, ...] = ("#22386A", "#2E6A8E", "#3E9A8A", "#8CC47A", "#F2E58C")
NOT_SETTLED = "#353A42"  # the run did not reach the tolerance within its steps
DIVERGED = "#5A2429"     # the run blew up (a dim shade of style.WARNING)


def hex_to_rgb(color: str) -> np.ndarray:
    """'#RRGGBB' -> float array (3,) in 0..255."""
    text = color.lstrip("#")
    return np.array([int(text[i:i + 2], 16) for i in (0, 2, 4)], dtype=float)


def speed_colors(fraction: np.ndarray) -> np.ndarray:
    """RGB (..., 3) float of the speed map at ``fraction`` (0 = slowest stop, 1 = fastest), clipped."""
    stops = np.stack([hex_to_rgb(c) for c in SPEED_STOPS])
    f = np.clip(np.asarray(fraction, dtype=float), 0.0, 1.0) * (len(stops) - 1)
    low = np.minimum(np.floor(f).astype(int), len(stops) - 2)
    t = (f - low)[..., None]
    return stops[low] * (1 - t) + stops[low + 1] * t


def log_fraction(values: np.ndarray, fast: float, slow: float) -> np.ndarray:
    """Where ``values`` sit between ``slow`` (0) and ``fast`` (1) on a log scale (not clipped)."""
    values = np.asarray(values, dtype=float)
    span = np.log(slow) - np.log(fast)
    if span <= 0:
        return np.ones_like(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.log(slow) - np.log(values)) / span


def colorize(values: np.ndarray, fast: float, slow: float, diverged: np.ndarray | None = None) -> np.ndarray:
    """RGBA uint8 image (..., 4) of step counts: log-scaled speed colours, inf as NOT_SETTLED,
    cells flagged in ``diverged`` as DIVERGED."""
    values = np.asarray(values, dtype=float)
    rgb = speed_colors(log_fraction(np.where(np.isfinite(values), values, slow), fast, slow))
    rgb = np.where(np.isfinite(values)[..., None], rgb, hex_to_rgb(NOT_SETTLED))
    if diverged is not None:
        rgb = np.where(np.asarray(diverged, bool)[..., None], hex_to_rgb(DIVERGED), rgb)
    alpha = np.full(values.shape + (1,), 255.0)
    return np.concatenate([rgb, alpha], axis=-1).round().astype(np.uint8)
