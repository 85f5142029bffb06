"""The first and last frames of a video, decoding only near each end (render_helpers.read_frames
decodes every frame, which costs seconds on a long clip)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def first_and_last_frames(video: Path) -> tuple[np.ndarray, np.ndarray]:
    """The first and the last frame of ``video`` as RGB arrays."""
    import av

    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        first = next(container.decode(stream)).to_ndarray(format="rgb24")
        # seek about two seconds before the end, then decode to the last frame
        container.seek(max(0, stream.duration - 2 * stream.time_base.denominator), stream=stream)
        last = None
        for frame in container.decode(stream):
            last = frame
        return first, last.to_ndarray(format="rgb24")
