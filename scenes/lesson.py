"""The lesson's scenes in order, with chapter titles: the one list the CLI and the assembly use."""

from __future__ import annotations

from dataclasses import dataclass

from scenes.base import LessonScene
from scenes.ravine_race import RavineRace


@dataclass(frozen=True)
class Chapter:
    """A part of the lesson: its title card text and the scenes it contains, in order."""

    title: str
    scenes: tuple[type[LessonScene], ...]


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("The ravine", (RavineRace,)),
)

SCENES_IN_ORDER: tuple[type[LessonScene], ...] = tuple(cls for chapter in CHAPTERS for cls in chapter.scenes)
SCENES: dict[str, type[LessonScene]] = {cls.SPEC.name: cls for cls in SCENES_IN_ORDER}


def scene_class(name: str) -> type[LessonScene]:
    """The scene class registered as ``name``; KeyError lists the known names."""
    try:
        return SCENES[name]
    except KeyError:
        raise KeyError(f"unknown scene '{name}'; known: {', '.join(SCENES)}") from None
