"""The registry: the lesson's chapters and their scene classes, in order, and the cards between them.

The one table the CLI, the lesson assembly and the tests read. Chapters name the scene
classes themselves; a scene's CLI name is its ``SPEC.name``, declared once on the class.
Importing this module imports every scene module (and Manim): a scene module that fails to
import is an error here, never a scene silently left out. ``ravine --help`` does not import it;
commands that need a scene do.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from scenes.kit.base import LessonScene
from scenes.lessons.beta_race import BetaRace
from scenes.lessons.by_hand import ByHand
from scenes.lessons.cards import ChapterCard, TitleCard
from scenes.lessons.convergence import Convergence
from scenes.lessons.conventions import Conventions
from scenes.lessons.eigen_view import EigenView
from scenes.lessons.ema_window import EmaWindow
from scenes.lessons.heavy_ball import HeavyBall
from scenes.lessons.limitations import Limitations
from scenes.lessons.minibatch_noise import MinibatchNoise
from scenes.lessons.nesterov import Nesterov
from scenes.lessons.rate_map import RateMap
from scenes.lessons.recap import Recap
from scenes.lessons.ravine_race import RavineRace
from scenes.lessons.stability import Stability
from scenes.lessons.surface import Surface
from scenes.lessons.velocity_sum import VelocitySum


@dataclass(frozen=True)
class Chapter:
    """A part of the lesson: its title-card text and its scene classes, in order."""

    title: str
    scenes: tuple[type[LessonScene], ...]


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("Why plain SGD struggles", (MinibatchNoise, Surface, RavineRace)),
    Chapter("Momentum is memory", (HeavyBall, EmaWindow, ByHand, VelocitySum, Conventions)),
    Chapter("Tuning momentum", (BetaRace, EigenView, Stability, Convergence, RateMap)),
    Chapter("Looking ahead", (Nesterov, Limitations, Recap)),
)

# Cards the lesson assembly renders between scenes: rendered like scenes, not listed as lesson scenes.
CARDS: tuple[type[LessonScene], ...] = (TitleCard, ChapterCard)


@lru_cache(maxsize=1)
def _by_name() -> dict[str, type[LessonScene]]:
    """CLI name -> class for every scene and card; two classes claiming one name is an error."""
    found: dict[str, type[LessonScene]] = {}
    for cls in (*scenes_in_order(), *CARDS):
        name = cls.SPEC.name
        if name in found:
            raise ValueError(f"scenes.lesson: {cls.__qualname__} and {found[name].__qualname__} "
                             f"are both named {name!r}")
        found[name] = cls
    return found


def scenes_in_order() -> tuple[type[LessonScene], ...]:
    """Every lesson scene class, in lesson order (cards not included)."""
    return tuple(cls for chapter in CHAPTERS for cls in chapter.scenes)


def scene_names() -> tuple[str, ...]:
    """CLI names of every lesson scene, in lesson order (cards not included)."""
    return tuple(cls.SPEC.name for cls in scenes_in_order())


def card_names() -> tuple[str, ...]:
    """CLI names of the cards (``title-card``, ``chapter-card``)."""
    return tuple(cls.SPEC.name for cls in CARDS)


def scene_class(name: str) -> type[LessonScene]:
    """The scene (or card) class named ``name``; KeyError lists the known names."""
    try:
        return _by_name()[name]
    except KeyError:
        raise KeyError(f"unknown scene '{name}'; known: {', '.join(scene_names())}") from None


def chapters() -> list[tuple[str, list[type[LessonScene]]]]:
    """(title, scene classes) per chapter, in lesson order."""
    return [(chapter.title, list(chapter.scenes)) for chapter in CHAPTERS]
