"""An equation derived on screen: typeset lines of keyed pieces, and morphs between them.

A derivation is a few lines of one MathTex run (``worked_table.typeset_cells``), each piece given
a key ("lhs", "beta1", "g0", …). :class:`KeyedLine` holds one line's pieces by key and
:func:`morph` plays one line into the next the way ``TransformMatchingTex`` does, but matched by
the keys the author chose rather than by TeX strings (a line with three β's says which β goes
where): a pair (source keys → target keys) moves copies of the source pieces onto the target
pieces (one β splitting in two, two β's merging into β², ``v_t`` opening into a bracket); pieces
of the same key in both lines move by themselves; what is left of the source fades out, what is
new in the target fades in. With ``keep_source`` the source stays (its copies travel away).
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
from manim import Mobject, Transform, VGroup

from scenes.kit.fades import fade_in, fade_out
from scenes.kit.style import Z_LABEL

Key = str | Sequence[str]


class KeyedLine:
    """One typeset line: its pieces (the VGroup from ``typeset_cells``) under the given keys."""

    def __init__(self, group: VGroup, keys: Sequence[str]) -> None:
        if len(group) != len(keys) or len(set(keys)) != len(keys):
            raise ValueError(f"a line needs one unique key per piece: {len(group)} pieces, keys {list(keys)}")
        self.group = group
        self.keys = list(keys)
        self.parts = dict(zip(keys, group))
        group.set_z_index(Z_LABEL)

    def pieces(self, keys: Key) -> list[Mobject]:
        """The pieces under ``keys`` (one key or several)."""
        return [self.parts[k] for k in ([keys] if isinstance(keys, str) else keys)]

    def align_to(self, key: str, point: np.ndarray) -> "KeyedLine":
        """Shift the line so the piece ``key`` is centred on ``point`` (lines that replace each other
        keep their "=" in one place)."""
        self.group.shift(np.asarray(point, dtype=float) - self.parts[key].get_center())
        return self


class Morph:
    """The animations that play ``source`` into ``target`` and the bookkeeping around them."""

    def __init__(self, source: KeyedLine, target: KeyedLine, pairs: Iterable[tuple[Key, Key]] = (),
                 keep_source: bool = False) -> None:
        self.source, self.target, self.keep_source = source, target, keep_source
        pairs = [(_keys(a), _keys(b)) for a, b in pairs]
        reached = {k for _, keys in pairs for k in keys}
        used = {k for keys, _ in pairs for k in keys}
        pairs += [([k], [k]) for k in target.keys if k in source.parts and k not in reached]
        used |= {k for k in target.keys if k in source.parts and k not in reached}
        reached |= {k for k in target.keys if k in source.parts}
        self.movers = [(VGroup(*(p.copy() for p in source.pieces(a))), VGroup(*(p.copy() for p in target.pieces(b))))
                       for a, b in pairs]
        self.leaving = [] if keep_source else [source.parts[k] for k in source.keys if k not in used]
        self.arriving = [target.parts[k] for k in target.keys if k not in reached]
        self.moved = [] if keep_source else [source.parts[k] for k in source.keys if k in used]

    def animations(self) -> list:
        anims = [Transform(mover, goal) for mover, goal in self.movers]
        anims += [fade_out(part) for part in self.leaving]
        anims += [fade_in(part) for part in self.arriving]
        return anims

    def play(self, scene, *others, ticks: int) -> None:
        """Play the morph (and ``others`` alongside) in ``ticks`` ticks: the target line is in the
        scene afterwards, the source gone (kept with ``keep_source``)."""
        scene.remove(*self.moved)
        for mover, _ in self.movers:
            mover.set_z_index(Z_LABEL)
        scene.play_ticks(*self.animations(), *others, ticks=ticks)
        scene.remove(*(mover for mover, _ in self.movers))
        scene.add(*(self.target.parts[k] for k in self.target.keys))


def morph(scene, source: KeyedLine, target: KeyedLine, pairs: Iterable[tuple[Key, Key]] = (), *others,
          ticks: int, keep_source: bool = False) -> None:
    """Play ``source`` into ``target`` in ``ticks`` ticks (see :class:`Morph`)."""
    Morph(source, target, pairs, keep_source).play(scene, *others, ticks=ticks)


def _keys(keys: Key) -> list[str]:
    return [keys] if isinstance(keys, str) else list(keys)
