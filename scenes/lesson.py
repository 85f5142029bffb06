"""The lesson's scenes in order, with chapter titles: the one list the CLI and the assembly use.

Each entry names a scene by its CLI name and ``module:Class``; classes are imported when the
registry is first used.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache

from scenes.kit.base import LessonScene


@dataclass(frozen=True)
class Chapter:
    """A part of the lesson: its title-card text and its scenes (CLI names), in order."""

    title: str
    scenes: tuple[str, ...]


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("Why plain SGD struggles", ("minibatch-noise", "ravine-race")),
    Chapter("Momentum is memory", ("heavy-ball", "ema-window", "by-hand", "velocity-sum", "conventions")),
    Chapter("Tuning momentum", ("beta-race", "stability", "convergence", "rate-map")),
    Chapter("Looking ahead", ("nesterov", "limitations")),
)

SCENES_IN_ORDER: tuple[str, ...] = tuple(name for chapter in CHAPTERS for name in chapter.scenes)

# CLI name -> "module:Class"
SCENE_CLASSES: dict[str, str] = {
    "minibatch-noise": "scenes.lessons.minibatch_noise:MinibatchNoise",
    "ravine-race": "scenes.lessons.ravine_race:RavineRace",
    "heavy-ball": "scenes.lessons.heavy_ball:HeavyBall",
    "ema-window": "scenes.lessons.ema_window:EmaWindow",
    "velocity-sum": "scenes.lessons.velocity_sum:VelocitySum",
    "by-hand": "scenes.lessons.by_hand:ByHand",
    "conventions": "scenes.lessons.conventions:Conventions",
    "beta-race": "scenes.lessons.beta_race:BetaRace",
    "stability": "scenes.lessons.stability:Stability",
    "convergence": "scenes.lessons.convergence:Convergence",
    "rate-map": "scenes.lessons.rate_map:RateMap",
    "nesterov": "scenes.lessons.nesterov:Nesterov",
    "limitations": "scenes.lessons.limitations:Limitations",
}


# Cards the lesson assembly renders between scenes; rendered like scenes, not listed as lesson scenes.
CARD_CLASSES: dict[str, str] = {
    "title-card": "scenes.lessons.cards:TitleCard",
    "chapter-card": "scenes.lessons.cards:ChapterCard",
}


def _import(target: str) -> type[LessonScene] | None:
    module_name, class_name = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name == module_name:  # not written yet: leave it out of the lesson
            return None
        raise
    return getattr(module, class_name)


@lru_cache(maxsize=1)
def _registry() -> dict[str, type[LessonScene]]:
    found = {}
    for chapter in CHAPTERS:
        for name in chapter.scenes:
            cls = _import(SCENE_CLASSES[name])
            if cls is not None:
                assert cls.SPEC.name == name, f"{SCENE_CLASSES[name]} declares {cls.SPEC.name!r}"
                found[name] = cls
    return found


def scenes_in_order() -> tuple[type[LessonScene], ...]:
    """Every available scene class, in lesson order."""
    return tuple(_registry().values())


def scene_names() -> tuple[str, ...]:
    """CLI names of every available scene, in lesson order."""
    return tuple(_registry())


def scene_class(name: str) -> type[LessonScene]:
    """The scene class registered as ``name``; KeyError lists the known names."""
    if name in CARD_CLASSES:
        return _import(CARD_CLASSES[name])
    try:
        return _registry()[name]
    except KeyError:
        raise KeyError(f"unknown scene '{name}'; known: {', '.join(_registry())}") from None


def chapters() -> list[tuple[str, list[type[LessonScene]]]]:
    """(title, available scene classes) per chapter, skipping chapters with none available."""
    out = []
    for chapter in CHAPTERS:
        classes = [_registry()[name] for name in chapter.scenes if name in _registry()]
        if classes:
            out.append((chapter.title, classes))
    return out
