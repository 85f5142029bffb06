"""A caption cue: the one value a scene records, the captions files carry and the lesson assembles.

No Manim here, so the pipeline can read and write captions without importing it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cue:
    """One caption: ``text`` shown from ``start`` to ``end``, in seconds from the start of its
    video (the scene's clip, or the assembled lesson)."""

    start: float
    end: float
    text: str
