"""scenes.render.family: the same family lists and updater calls as Manim's own walks."""

from __future__ import annotations

import random

import numpy as np
from manim import Dot, Mobject, Square, VGroup, VMobject
from manim.utils.family import extract_mobject_family_members

from scenes.render.family import members_with_points, update_family


def random_forest(seed: int, cycle: bool = True) -> list[Mobject]:
    """Groups of groups of shapes, with empty groups, shared members, z-indices and (Manim's
    ``update`` would recurse forever in one) a cycle."""
    rng = random.Random(seed)
    leaves = [Dot() if rng.random() < 0.5 else VMobject() for _ in range(40)]
    for leaf in leaves:
        if rng.random() < 0.3:
            leaf.set_z_index(rng.choice([-1, 0, 2, 5]))
    groups: list[Mobject] = []
    for _ in range(12):
        members = rng.sample(leaves + groups, k=min(len(leaves) + len(groups), rng.randint(0, 5)))
        group = VGroup(*members) if all(isinstance(m, VMobject) for m in members) else Mobject().add(*members)
        if rng.random() < 0.3:
            group.set_z_index(rng.choice([1, 3]), family=False)
        groups.append(group)
    if cycle:  # not re-entered while walking
        groups[3].submobjects.append(groups[7])
        groups[7].submobjects.append(groups[3])
    return rng.sample(groups, k=6) + rng.sample(leaves, k=4)


def test_members_with_points_match_manim() -> None:
    for seed in range(25):
        mobjects = random_forest(seed)
        for use_z_index in (False, True):
            expected = extract_mobject_family_members(mobjects, use_z_index=use_z_index, only_those_with_points=True)
            assert members_with_points(mobjects, use_z_index=use_z_index) == expected


def test_members_with_points_differs_when_order_would() -> None:
    """The check above can fail: a list in another order is not Manim's."""
    square, dot = Square(), Dot()
    group = VGroup(square, dot)
    assert members_with_points([group]) == [square, dot]
    assert members_with_points([dot, group]) == [square, dot]  # the last occurrence wins
    assert members_with_points([group, dot]) == [square, dot]
    dot.set_z_index(-1)
    assert members_with_points([group], use_z_index=True) == [dot, square]


def _record_updaters(mobjects: list[Mobject], calls: list) -> None:
    for index, mobject in enumerate(m for root in mobjects for m in root.get_family()):
        if index % 3 == 0:
            mobject.add_updater(lambda m, dt, i=index: calls.append((i, round(dt, 6))))
        elif index % 5 == 0:
            mobject.add_updater(lambda m, i=index: calls.append((i, None)))


def test_update_family_calls_what_manim_calls() -> None:
    for seed in range(10):
        mobjects = random_forest(seed, cycle=False)
        mobjects[0].suspend_updating()
        mobjects[1].suspend_updating(recursive=False)  # Manim skips its whole subtree anyway
        ours: list = []
        _record_updaters(mobjects, ours)
        for mobject in mobjects:
            update_family(mobject, 1 / 30)
        manims: list = []
        for mobject in mobjects:
            for member in mobject.get_family():
                member.updaters = []
        _record_updaters(mobjects, manims)
        for mobject in mobjects:
            mobject.update(1 / 30)
        assert ours == manims and ours


def test_update_family_sees_submobjects_an_updater_adds() -> None:
    parent, child = VGroup(), Dot()
    moved = []
    child.add_updater(lambda m, dt: moved.append(dt))
    parent.add_updater(lambda m: m.add(child) if child not in m.submobjects else None)
    update_family(parent, 0.5)
    assert moved == [0.5] and np.allclose(child.get_center(), 0)
