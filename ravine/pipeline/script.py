"""The narration script: every spoken beat of a clip (or of the whole lesson) for a voice actor.

``ravine script`` writes ``DIR/script.json`` (:class:`Script`, a pydantic model: per scene its
parameters and its beats, each with ``id``, caption ``text``, ``spoken`` form and estimated
``seconds``) and ``DIR/script.md`` (the same, readable aloud). The author records
``DIR/<id>.wav`` (or ``.flac``, ``.mp3``) per beat and renders with ``--recordings DIR``
(:mod:`ravine.pipeline.recordings`), which compares each beat's current text with the text in
``script.json`` and refuses recordings made for other text.

A clip's beats come from a planning pass (:func:`scenes.kit.beats.planned_beats`): the scene's
``construct`` with nothing drawn, in the job's frame size, so the beats and their ids are exactly
the ones a render of that job speaks.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any, Sequence

from pydantic import BaseModel, ConfigDict, ValidationError

from ravine.media import outputs
from ravine.pipeline.job import QUALITIES, RenderJob, frame_size

SCRIPT_JSON = "script.json"
SCRIPT_MD = "script.md"


class ScriptBeat(BaseModel):
    """One beat to record: its ``id`` (the recording's file stem), the caption ``text`` shown on
    screen, its ``spoken`` form (what to say) and its estimated length in ``seconds`` (the
    synthesized speech's own length where it is cached, else the words at the voice's rate)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    text: str
    spoken: str
    seconds: float


class ScriptScene(BaseModel):
    """The beats of one clip: its ``scene`` name, ``title`` and every resolved parameter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scene: str
    title: str = ""
    params: dict[str, Any]
    beats: list[ScriptBeat]


class Script(BaseModel):
    """A script: the ``scenes`` in order (one, or the lesson's clips), the ``voice`` whose rate the
    estimates use, and the ``quality`` and ``aspect`` the beats were planned for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    voice: str
    quality: str
    aspect: str
    scenes: list[ScriptScene]

    def texts(self) -> dict[str, str]:
        """Beat id -> caption text, over every scene."""
        return {beat.id: beat.text for scene in self.scenes for beat in scene.beats}


class ScriptError(ValueError):
    """A ``script.json`` that cannot be read (the message, one line, says why)."""


def read_script(path: Path) -> Script:
    """The script in ``path``; :class:`ScriptError` if it cannot be read or is not a script."""
    try:
        return Script.model_validate_json(Path(path).read_bytes())
    except OSError as error:
        raise ScriptError(f"cannot read '{path}' ({error.strerror or error})") from None
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        place = ".".join(str(part) for part in first["loc"])
        raise ScriptError(f"'{path}' is not a ravine script ({place}: {first['msg']})") from None


# --- planning -----------------------------------------------------------------------------
def job_beats(job: RenderJob) -> list:
    """The spoken beats (:class:`scenes.kit.beats.Beat`) a render of ``job`` has, from a planning
    pass in the job's frame size (nothing drawn or written; a private media folder is removed)."""
    import sys
    import tempfile

    from manim import console, tempconfig

    from ravine.pipeline.frames import manim_config, private_text_cache
    from ravine.pipeline.resolve import resolve
    from scenes.kit.beats import planned_beats

    resolved = resolve(job, check_speech=False)
    console.file = sys.stderr  # Manim's log console must not write to our stdout
    width, height = frame_size(QUALITIES[job.quality], job.aspect)
    with ExitStack() as stack:
        media = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ravine-plan-")))
        text_cache = stack.enter_context(private_text_cache(width, height))
        stack.enter_context(tempconfig(manim_config(resolved.quality, media, job.stem, job.aspect, "png",
                                                    False, text_cache)))
        return planned_beats(resolved.scene, resolved.params, job.burn_captions)


def speaking_form(text: str) -> str:
    """How a caption is spoken: the narration's own reading (:func:`scenes.kit.spoken.spoken`)."""
    from scenes.kit.spoken import spoken

    return spoken(text)


def estimated_seconds(job: RenderJob, text: str) -> float:
    """Seconds ``text`` takes with ``job``'s voice: the synthesized clip's length where the
    speech cache holds it, else its words at the job's rate."""
    import wave

    from ravine.pipeline.cache import cache_dir
    from scenes.kit.speech import Narrator, estimate_seconds, make_backend

    backend = make_backend(True, job.voice, job.speech_rate)
    if backend is not None:
        narrator = Narrator(backend, cache_dir() / "speech")
        cached = narrator.cache_dir / f"{narrator.digest(text)}.wav"
        if cached.is_file():
            try:
                with wave.open(str(cached), "rb") as wav:
                    return round(wav.getnframes() / wav.getframerate(), 2)
            except (OSError, EOFError, wave.Error):
                pass
    return round(estimate_seconds(text, job.speech_rate), 2)


def voice_name(job: RenderJob) -> str:
    """The voice the estimates are for, as the backend names itself (``piper|…|165``)."""
    from scenes.kit.speech import make_backend

    backend = make_backend(True, job.voice, job.speech_rate)
    return backend.identity() if backend is not None else f"estimate|{job.speech_rate}"


def script_scene(job: RenderJob) -> ScriptScene:
    """One clip's part of the script."""
    from ravine.pipeline.resolve import resolve

    resolved = resolve(job, check_speech=False)
    beats = [ScriptBeat(id=beat.id, text=beat.text, spoken=speaking_form(beat.text),
                        seconds=estimated_seconds(job, beat.text)) for beat in job_beats(job)]
    return ScriptScene(scene=job.scene, title=getattr(resolved.scene, "TITLE", ""), params=resolved.params,
                       beats=beats)


def build_script(jobs: Sequence[RenderJob]) -> Script:
    """The script of ``jobs`` (one clip, or the lesson's clips in order). Two beats with one id
    (two clips of one scene) are a ValueError."""
    scenes = [script_scene(job) for job in jobs]
    seen: set[str] = set()
    for scene in scenes:
        for beat in scene.beats:
            if beat.id in seen:
                raise ValueError(f"two beats have the id {beat.id}")
            seen.add(beat.id)
    first = jobs[0]
    return Script(voice=voice_name(first), quality=first.quality, aspect=first.aspect, scenes=scenes)


# --- writing ------------------------------------------------------------------------------
def script_markdown(script: Script) -> str:
    """``script.md``: a heading per scene, and per beat its id, what to say, the caption in small
    type and the estimated seconds; file naming at the top."""
    total = sum(beat.seconds for scene in script.scenes for beat in scene.beats)
    count = sum(len(scene.beats) for scene in script.scenes)
    lines = [
        "# Narration script", "",
        f"{count} beats, about {total / 60:.1f} minutes at the estimate's pace ({script.voice}).", "",
        "Record each beat as `<id>.wav` (or `.flac`, `.mp3`) in this folder, then render with",
        "`--recordings` and this folder. Silence before and after each take is trimmed. If the",
        "parameters change, a render refuses the beats whose text changed: remove those takes, run",
        "`ravine script` again and record them (or render with `--fill-missing`).", "",
    ]
    for scene in script.scenes:
        heading = f"{scene.title} (`{scene.scene}`)" if scene.title else f"`{scene.scene}`"
        lines += [f"## {heading}", ""]
        for beat in scene.beats:
            lines += [f"**{beat.id}** · about {beat.seconds:.1f} s", "",
                      f"> {beat.spoken}", "",
                      f"<small>Caption: {beat.text}</small>", ""]
    return "\n".join(lines)


def write_script(folder: Path, script: Script) -> list[Path]:
    """Write ``folder/script.json`` and ``folder/script.md``, both complete before either is
    renamed into place; return their paths."""
    folder = outputs.ensure_writable_dir(Path(folder))
    finals = [folder / SCRIPT_JSON, folder / SCRIPT_MD]
    with outputs.atomic_paths(finals) as (json_tmp, md_tmp):
        json_tmp.write_text(script.model_dump_json(indent=2) + "\n", encoding="utf-8")
        md_tmp.write_text(script_markdown(script), encoding="utf-8")
    return finals
