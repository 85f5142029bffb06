"""The author's own voice: a folder of recordings, one per beat id, in place of synthesized speech.

``--recordings DIR`` (``recordings`` in a clip list) names a folder holding ``DIR/<beat id>.wav``
(or ``.flac``, ``.mp3``) for each spoken beat (ids: :mod:`scenes.kit.beats`), and usually the
``DIR/script.json`` they were recorded from (:mod:`ravine.pipeline.script`). Before anything
renders, :func:`check_recordings` compares the job's beats (a planning pass) with the folder:
a beat without a recording, or whose text in ``script.json`` differs from its current caption
(the parameters changed since it was recorded), is refused with one line naming the beat ids,
unless ``fill_missing``, where the default voice speaks those beats instead.

During the render :class:`RecordingNarrator` hands each beat its recording as a
:class:`~scenes.kit.speech.SpeechClip`, exactly as a synthesizing narrator hands its speech: the
beat waits for it, its caption cue ends with it, and the clip's mix masters it with the rest
(:mod:`ravine.media.audio`). A recording is decoded with PyAV (any channel count and sample
rate: mixed to mono, resampled to the mix's rate), trimmed of leading and trailing silence like
synthesized speech, and kept in the cache under its content hash. The folder's contents (not its
path) are part of the job's cache key (:func:`folder_digest`): a changed recording re-renders.
"""

from __future__ import annotations

import hashlib
import os
import wave
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from ravine.media.audio import SAMPLE_RATE
from ravine.pipeline.job import JobError, RenderJob
from ravine.pipeline.script import SCRIPT_JSON, ScriptError, read_script

AUDIO_SUFFIXES: tuple[str, ...] = (".wav", ".flac", ".mp3")
# Bump when decoding or trimming changes: cached decoded recordings are keyed by it.
DECODING = "recording-v1"


# --- the folder -----------------------------------------------------------------------------
_STAND_INS: dict[str, Path] = {}  # a job's folder (as it names it) -> a local copy read in its place


def recordings_folder(job: RenderJob) -> Path:
    """Where ``job``'s recordings are read: the folder it names, or the local copy standing in
    for that folder (:func:`standing_in`: a cluster worker's copy of the client's folder)."""
    return _STAND_INS.get(str(job.recordings), Path(str(job.recordings)))


@contextmanager
def standing_in(folder: str, copy: Path) -> Iterator[None]:
    """While inside, jobs naming ``folder`` read their recordings from ``copy``: a worker without
    the client's files renders from the copy it was sent, and the job (its cache key, which hashes
    the contents, and its manifest, which records ``folder``) stays the client's."""
    _STAND_INS[folder] = Path(copy)
    try:
        yield
    finally:
        _STAND_INS.pop(folder, None)


def recording_files(folder: Path) -> dict[str, list[Path]]:
    """Beat id -> the audio files for it in ``folder`` (``<id>.wav``, ``.flac``, ``.mp3``, in that
    order; names compared as written). Other files are ignored."""
    found: dict[str, list[Path]] = {}
    for entry in sorted(Path(folder).iterdir()):
        if entry.suffix.lower() in AUDIO_SUFFIXES and entry.is_file() and not entry.name.startswith("."):
            found.setdefault(entry.stem, []).append(entry)
    for files in found.values():
        files.sort(key=lambda path: AUDIO_SUFFIXES.index(path.suffix.lower()))
    return found


@lru_cache(maxsize=4096)
def _content_hash(path: str, size: int, mtime_ns: int) -> str:
    """SHA-256 of a file's content, remembered per (path, size, modification time)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def content_hash(path: Path) -> str:
    """SHA-256 of the file at ``path`` (hashed once per process while it is unchanged)."""
    stat = Path(path).stat()
    return _content_hash(str(path), stat.st_size, stat.st_mtime_ns)


def folder_digest(folder: Path) -> dict[str, str]:
    """File name -> SHA-256 of every recording and of ``script.json`` in ``folder`` (what a render
    with these recordings depends on; part of its cache key). Empty where the folder cannot be read."""
    try:
        names = sorted(entry for entry in Path(folder).iterdir() if entry.is_file() and
                       (entry.suffix.lower() in AUDIO_SUFFIXES or entry.name == SCRIPT_JSON))
        return {entry.name: content_hash(entry) for entry in names}
    except OSError:
        return {}


# --- matching beats to recordings ------------------------------------------------------------
@dataclass(frozen=True)
class BeatMatch:
    """How a job's beats meet a recordings folder: ``recorded`` (beat id -> the file that speaks
    it), ``missing`` (no recording), ``stale`` (recorded, but ``script.json``'s text for it
    differs from its current caption) and ``ambiguous`` (two files for one id)."""

    recorded: dict[str, Path]
    missing: tuple[str, ...]
    stale: tuple[str, ...]
    ambiguous: tuple[str, ...]

    def problem(self, fill_missing: bool) -> str | None:
        """One line naming the beats that cannot be rendered as asked (None: all can). Missing
        and stale beats are fine with ``fill_missing``; two recordings for one beat never are."""
        parts = []
        if self.ambiguous:
            parts.append(f"two recordings for beats {', '.join(self.ambiguous)} (keep one of .wav, .flac, .mp3)")
        if not fill_missing and self.missing:
            parts.append(f"no recording for beats {', '.join(self.missing)} "
                         "(give DIR/<id>.wav|.flac|.mp3, or --fill-missing)")
        if not fill_missing and self.stale:
            parts.append(f"{SCRIPT_JSON} has other text for beats {', '.join(self.stale)} (the parameters "
                         "changed since they were recorded: remove those recordings, run 'ravine script' "
                         "again and record them, or --fill-missing)")
        return "; ".join(parts) or None


def match_beats(folder: Path, beats: Iterable[Any]) -> BeatMatch:
    """Match ``beats`` (each with ``id`` and ``text``) with the recordings in ``folder`` and the
    texts of its ``script.json`` (if there is one). Raises :class:`ScriptError` for a
    ``script.json`` that is not a script, OSError for a folder that cannot be read."""
    folder = Path(folder)
    files = recording_files(folder)
    texts = read_script(folder / SCRIPT_JSON).texts() if (folder / SCRIPT_JSON).is_file() else {}
    recorded: dict[str, Path] = {}
    missing, stale, ambiguous = [], [], []
    for beat in beats:
        found = files.get(beat.id, [])
        if len(found) > 1:
            ambiguous.append(beat.id)
        elif not found:
            missing.append(beat.id)
        elif beat.id in texts and texts[beat.id] != beat.text:
            stale.append(beat.id)
        else:
            recorded[beat.id] = found[0]
    return BeatMatch(recorded, tuple(missing), tuple(stale), tuple(ambiguous))


def outdated_by(folder: Path, texts: dict[str, str]) -> list[str]:
    """Ids of the beats recorded in ``folder`` whose text in its ``script.json`` differs from
    ``texts`` (beat id -> the text a new script gives it): overwriting the script would hide that
    those recordings say something else. Empty where the folder has no readable script."""
    folder = Path(folder)
    if not (folder / SCRIPT_JSON).is_file():
        return []
    try:
        old = read_script(folder / SCRIPT_JSON).texts()
    except ScriptError:
        return []
    recorded = recording_files(folder)
    return [beat_id for beat_id, text in texts.items()
            if beat_id in recorded and beat_id in old and old[beat_id] != text]


def check_recordings(job: RenderJob, beats: Sequence[Any], where: str = "--recordings") -> BeatMatch:
    """Check ``job``'s recordings against its ``beats`` before anything renders, and decode every
    recording it will play into the cache. A bad folder, a missing or stale recording (without
    ``fill_missing``), two recordings for one beat or a file that is no audio is a
    :class:`~ravine.pipeline.job.JobError` (exit 2): one line starting ``where DIR:``."""
    folder = recordings_folder(job)
    prefix = f"{where} {job.recordings}"
    check_folder(job, where)
    try:
        match = match_beats(folder, beats)
    except ScriptError as error:
        raise JobError(where, f"{prefix}: {error}") from None
    except OSError as error:
        raise JobError(where, f"{prefix}: cannot read the folder ({error.strerror or error})") from None
    problem = match.problem(job.fill_missing)
    if problem:
        raise JobError(where, f"{prefix}: {problem}")
    for path in match.recorded.values():
        try:
            recorded_clip(path)
        except RecordingError as error:
            raise JobError(where, f"{prefix}: {error}") from None
    return match


def check_folder(job: RenderJob, where: str = "--recordings") -> None:
    """``job.recordings`` is a folder; else a :class:`~ravine.pipeline.job.JobError` (exit 2)."""
    if not recordings_folder(job).is_dir():
        raise JobError(where, f"{where} {job.recordings}: no such folder (give the folder that holds "
                              "<beat id>.wav|.flac|.mp3)")


# --- decoding -------------------------------------------------------------------------------
class RecordingError(ValueError):
    """A recording that cannot be used (the message, one line, names the file)."""


def decode_recording(path: Path, rate: int = SAMPLE_RATE) -> np.ndarray:
    """The recording at ``path`` as mono float32 samples at ``rate`` Hz (PyAV: every channel
    mixed down, resampled). :class:`RecordingError` if it holds no decodable audio."""
    import av

    chunks = []
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise RecordingError(f"'{path.name}' has no audio")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
            for frame in container.decode(audio=0):
                chunks.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(frame))
            chunks.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(None))
    except (av.error.FFmpegError, UnicodeDecodeError) as error:
        raise RecordingError(f"'{path.name}' cannot be decoded as audio ({error})") from None
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    if samples.size == 0:
        raise RecordingError(f"'{path.name}' has no audio")
    return samples


def recorded_clip(path: Path, cache: Path | None = None):
    """The recording at ``path`` as a :class:`~scenes.kit.speech.SpeechClip`: decoded, trimmed of
    leading and trailing silence and written as a 16-bit mono WAV at the mix's rate under
    ``cache`` (default: the speech cache's ``recordings`` folder), named by the recording's
    content hash; reused while the recording is unchanged. :class:`RecordingError` if it is
    silent or no audio."""
    from ravine.pipeline.cache import cache_dir
    from scenes.kit.speech import SpeechClip, trim_silence, write_wav

    cache = Path(cache) if cache is not None else cache_dir() / "recordings"
    digest = hashlib.sha256(f"{DECODING}|{content_hash(path)}".encode()).hexdigest()
    target = cache / f"{digest}.wav"
    if not target.is_file():
        samples = trim_silence(decode_recording(path), SAMPLE_RATE)
        if samples.size == 0:
            raise RecordingError(f"'{path.name}' is silent")
        cache.mkdir(parents=True, exist_ok=True)
        partial = cache / f".{os.getpid()}-{digest}.wav"
        try:
            write_wav(partial, samples, SAMPLE_RATE)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    with wave.open(str(target), "rb") as wav:
        duration = wav.getnframes() / wav.getframerate()
    return SpeechClip(path=target, duration=duration, digest=digest)


# --- the narrator -----------------------------------------------------------------------------
class RecordingNarrator:
    """A narrator that speaks each beat with its recording from ``job.recordings``; with
    ``job.fill_missing``, beats without a usable recording (and unnumbered, empty beats) are
    spoken by ``voice`` (a :class:`scenes.kit.speech.Narrator`), which also names the backend in
    the manifest. A beat that has no usable recording otherwise is a
    :class:`~ravine.pipeline.job.JobError` (the render's staging is then discarded)."""

    def __init__(self, voice: Any, job: RenderJob) -> None:
        self.voice = voice
        self.job = job
        self.folder = recordings_folder(job)
        self.played = 0

    @property
    def backend(self) -> Any:
        """The fallback voice's backend (the manifest records it)."""
        return self.voice.backend

    @property
    def synthesized(self) -> int:
        """Beats the fallback voice synthesized."""
        return self.voice.synthesized

    @property
    def reused(self) -> int:
        """Beats the fallback voice found in its cache."""
        return self.voice.reused

    def speak(self, text: str, beat_id: str | None = None):
        """The recording of beat ``beat_id`` (checked against its current ``text``), or with
        ``fill_missing`` the voice's speech of ``text``."""
        if beat_id is None:
            return self.voice.speak(text)
        match = check_recordings(self.job.replace(fill_missing=True), [_Said(beat_id, text)])
        if beat_id in match.recorded:
            self.played += 1
            return recorded_clip(match.recorded[beat_id])
        problem = match.problem(self.job.fill_missing)
        if problem:
            raise JobError("--recordings", f"--recordings {self.job.recordings}: {problem}")
        return self.voice.speak(text)


@dataclass(frozen=True)
class _Said:
    id: str
    text: str


def narrator_for(voice: Any, job: RenderJob) -> Any:
    """``voice`` (a :class:`scenes.kit.speech.Narrator`) as ``job`` narrates: playing its recordings
    where it names a folder."""
    return voice if job.recordings is None else RecordingNarrator(voice, job)


def checked_jobs(jobs: Sequence[RenderJob], wheres: Sequence[str], force: bool = False) -> None:
    """Check every job with recordings before anything renders (:func:`check_recordings`, after
    a planning pass for its beats); jobs that share a folder (a lesson's clips) are checked
    together, so one line names every beat of theirs that is missing or stale. A job whose
    verified output is cached under its current key (which covers the folder's contents and
    ``script.json``) is not planned again unless ``force``."""
    from ravine.pipeline.render import lookup
    from ravine.pipeline.script import job_beats

    shared: dict[tuple[str, str, bool], tuple[RenderJob, list]] = {}
    for job, where in zip(jobs, wheres):
        if job.recordings is None:
            continue
        check_folder(job, where)
        if force or lookup(job) is None:
            _, beats = shared.setdefault((where, job.recordings, job.fill_missing), (job, []))
            beats.extend(job_beats(job))
    for (where, _, _), (job, beats) in shared.items():
        check_recordings(job, beats, where)
