"""Equation morphs that draw the same pictures in every process.

Manim's ``TransformMatchingShapes`` and ``TransformMatchingTex`` pair a formula's pieces by a key
(a hash of a piece's normalized points, or its TeX string) and gather the pairs by iterating a
``set`` of keys. Python salts the hashes of bytes and strings per process (``PYTHONHASHSEED``),
so that order, and with it which of two overlapping pieces is drawn on top mid-morph, changed
from run to run: one level in a dozen anti-aliased pixels, enough to make a clip's bytes depend
on the process that drew it. Here the keys are integers from a fixed digest (an integer hashes
to itself), so the pairs come out in the same order everywhere; which pieces match is unchanged.
"""

from __future__ import annotations

import hashlib

import numpy as np
from manim import Mobject, TransformMatchingShapes, TransformMatchingTex


def stable_key(data: bytes) -> int:
    """A 64-bit integer digest of ``data``, the same in every process (unlike ``hash(bytes)``)."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


class MatchingShapes(TransformMatchingShapes):
    """``TransformMatchingShapes`` whose pieces match as Manim's do (points centred, scaled to
    height 1, rounded to 3 decimals) under keys that do not depend on the process."""

    @staticmethod
    def get_mobject_key(mobject: Mobject) -> int:
        mobject.save_state()
        mobject.center()
        mobject.set(height=1)
        rounded = np.round(mobject.points, 3) + 0.0  # + 0.0: -0.0 and 0.0 give the same bytes
        mobject.restore()
        return stable_key(rounded.tobytes())


class MatchingTex(TransformMatchingTex):
    """``TransformMatchingTex`` whose pieces match by TeX string as Manim's do, under keys that do
    not depend on the process."""

    @staticmethod
    def get_mobject_key(mobject: Mobject) -> int:
        return stable_key(TransformMatchingTex.get_mobject_key(mobject).encode("utf-8"))
