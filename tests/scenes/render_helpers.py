"""Helpers for scene tests: render a job at a given quality and read frames back with PyAV."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def read_frames(video: Path, indices: list[int] | None = None) -> list[np.ndarray]:
    """Decode a video's frames (RGB arrays); all of them, or only ``indices`` (negative allowed)."""
    import av

    with av.open(str(video)) as container:
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    if indices is None:
        return frames
    return [frames[i] for i in indices]


def frame_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute pixel difference (0-255 scale) between two frames."""
    return float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16))))
