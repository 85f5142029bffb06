"""Narration beats by id, and the planning pass that lists a scene's beats without drawing it.

Every spoken beat of a scene (:meth:`scenes.kit.base.LessonScene.beat` with a caption) gets a
stable id, ``<prefix>-<nn>``: the scene's prefix (its CLI name; ``title`` and ``chapter-<n>`` for
the lesson's cards) and its number among the scene's beats, from 01. Beats depend on the scene's
parameters (a claim picks one sentence or another), so a list of beats is for one parameter set.

:func:`planned_beats` runs a scene's ``construct`` with every animation skipped and nothing drawn
(:class:`PlanningRenderer`): the beats come out exactly as a render would speak them, in about
1.2–3.6 s a scene on the 2-core machine (the mobjects are still built) instead of a render's
frames and encode. It runs inside the caller's Manim configuration (frame size, media folder).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scenes.kit.pacing import BodyPart
from scenes.render.still import StillRenderer


@dataclass(frozen=True)
class Beat:
    """One spoken beat: its ``id`` (``ravine-race-03``) and its caption ``text``."""

    id: str
    text: str


def beat_id(prefix: str, number: int) -> str:
    """The id of a scene's ``number``-th spoken beat (from 1): ``<prefix>-<nn>``."""
    return f"{prefix}-{number:02d}"


class PlanningRenderer(StillRenderer):
    """Walks a scene with every animation skipped and draws nothing, not even its last frame:
    what is left is what the scene recorded (its beats, cues and duration)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)

    def scene_finished(self, scene: Any) -> None:
        """Nothing to draw or write."""


def planned_beats(scene_class: type, params: dict[str, Any] | None = None, burn_captions: bool = True) -> list[Beat]:
    """The spoken beats of ``scene_class`` (a :class:`~scenes.kit.base.LessonScene`) with
    ``params`` (defaults filled in by its spec), in order, from a planning pass in the current
    Manim configuration. Raises :class:`~scenes.kit.params.ParamError` for a bad parameter."""
    return list(_planned(scene_class, params, burn_captions).beats)


def planned_bodies(scene_class: type, params: dict[str, Any] | None = None,
                   burn_captions: bool = True) -> dict[str, list[BodyPart]]:
    """The body of each spoken beat of ``scene_class`` with ``params``, silent (its plays and the
    holds it asks for, in ticks, in order), by beat id, from a planning pass in the current Manim
    configuration: what :func:`scenes.kit.pacing.fit_to_speech` fits to the voice."""
    return dict(_planned(scene_class, params, burn_captions).bodies)


def _planned(scene_class: type, params: dict[str, Any] | None, burn_captions: bool) -> Any:
    """``scene_class`` with ``params``, walked by a :class:`PlanningRenderer`."""
    scene = scene_class(params=params, burn_captions=burn_captions, renderer=PlanningRenderer())
    scene.render()
    return scene
