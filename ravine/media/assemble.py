"""Assembling clips into one video: stream-copy concatenation, MP4 chapters, shifted captions.

All clips of a lesson share codec, size and frame rate, so their packets are copied (no
re-encode) into one MP4 with ``+faststart``; chapter atoms are written into the MP4 itself and
also as ``chapters.vtt``; every clip's caption cues are shifted by the clip's start time (the
caption files themselves are written by :mod:`ravine.media.captions`).

A clip that cannot be read as a video, or that holds less video than it should (a truncated
file), is a :class:`~ravine.media.outputs.DamagedFile` naming it: never a shorter lesson with
shifted captions.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterator, Sequence

from ravine.media import audio, captions, outputs
from scenes.kit.cues import Cue


@dataclass(frozen=True)
class Clip:
    """One piece of the assembled video: its file, caption cues (seconds from its own start), the
    chapter it opens (None when it continues the current chapter) and, where known, its duration
    in seconds (a clip whose video is shorter by more than a frame is refused)."""

    video: Path
    cues: Sequence
    chapter: str | None = None
    duration: float | None = None


@dataclass(frozen=True)
class Chapter:
    """A chapter of the assembled video: title, start and end (seconds)."""

    title: str
    start: float
    end: float


@dataclass
class Assembly:
    """What :func:`concatenate` produced: clip start times, total duration, chapters and cues."""

    video: Path
    starts: list[float]
    duration: float
    chapters: list[Chapter]
    cues: list[Cue]


def concatenate(clips: Sequence[Clip], target: Path) -> Assembly:
    """Copy the video packets of ``clips`` back to back into ``target`` (MP4, faststart, chapters).

    Clip boundaries fall exactly on frame boundaries, so the total duration is the sum of the
    parts. If any clip is narrated, the audio of every clip (silence for silent ones), cut to
    its clip's exact length, becomes one AAC track, so every chapter's voice stays aligned.
    Written atomically: ``target`` appears only when complete. Raises
    :class:`~ravine.media.outputs.DamagedFile` for a clip that cannot be read or is short, and
    :class:`~ravine.media.outputs.WriteError` for a write that failed (a full disk).
    """
    with outputs.atomic_path(Path(target)) as tmp:
        assembly = concatenate_into(clips, tmp)
    assembly.video = Path(target)
    return assembly


def concatenate_into(clips: Sequence[Clip], path: Path) -> Assembly:
    """:func:`concatenate`, written straight to ``path`` (a temporary file the caller renames)."""
    import av

    if not clips:
        raise ValueError("nothing to assemble: no clips")
    starts: list[float] = []
    cues: list[Cue] = []
    offset_seconds = Fraction(0)
    narrated = any(_has_audio(clip.video) for clip in clips)
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        out_stream = None
        audio_stream = audio.add_audio_stream(out, "mp4") if narrated else None
        durations: list[float] = []
        for clip in clips:
            with _reading(clip.video):
                with av.open(str(clip.video)) as source:
                    if not source.streams.video:
                        raise outputs.DamagedFile(f"clip '{clip.video}' has no video stream")
                    stream = source.streams.video[0]
                    if out_stream is None:
                        out_stream = out.add_stream_from_template(stream)
                    time_base = stream.time_base
                    offset = int(round(offset_seconds / time_base))
                    end = offset
                    for packet in source.demux(stream):
                        if packet.dts is None:
                            continue
                        packet.pts += offset
                        packet.dts += offset
                        end = max(end, packet.pts + (packet.duration or 0))
                        packet.stream = out_stream
                        out.mux(packet)
                    rate = stream.guessed_rate or stream.average_rate
            length = Fraction(end) * time_base - offset_seconds
            if clip.duration is not None:
                frame = 1 / float(rate) if rate else 0.1
                if float(length) < clip.duration - 1.5 * frame:
                    raise outputs.DamagedFile(f"clip '{clip.video}' holds {float(length):.2f} s of video; "
                                              f"it should hold {clip.duration:.2f} s (a truncated file?)")
            starts.append(float(offset_seconds))
            cues += captions.shift(clip.cues, float(offset_seconds))
            durations.append(float(length))
            offset_seconds = Fraction(end) * time_base
        duration = float(offset_seconds)
        if audio_stream is not None:
            with _reading(*[clip.video for clip in clips]):
                track = audio.concatenate_tracks([clip.video for clip in clips], durations)
            audio.encode_checked(out, audio_stream, track, "mp4")
        chapters = _chapters(clips, starts, duration)
        millis = Fraction(1, 1000)
        out.set_chapters([
            {"id": index + 1, "start": int(round(ch.start * 1000)), "end": int(round(ch.end * 1000)),
             "time_base": millis, "metadata": {"title": ch.title}}
            for index, ch in enumerate(chapters)
        ])
    return Assembly(video=Path(path), starts=starts, duration=duration, chapters=chapters, cues=cues)


def _has_audio(video: Path) -> bool:
    with _reading(video):
        return audio.has_audio(video)


@contextmanager
def _reading(*videos: Path) -> Iterator[None]:
    """Within the block, a clip that cannot be read as a video is one
    :class:`~ravine.media.outputs.DamagedFile` naming it; a failed write of the output (a full
    disk) stays what it is, for :func:`ravine.media.outputs.atomic_path` to name."""
    import av

    try:
        yield
    except (outputs.DamagedFile, outputs.WriteError):
        raise
    except (av.error.FFmpegError, OSError) as error:
        named = getattr(error, "filename", None)
        about_clip = isinstance(named, str) and any(named == str(video) for video in videos)
        if outputs.write_failure(error, None) is not None and not about_clip:
            raise
        which = f"clip '{videos[0]}'" if len(videos) == 1 else "the clips' audio"
        raise outputs.DamagedFile(f"cannot read {which}: {_reason(error)}") from error


def _reason(error: BaseException) -> str:
    lines = str(getattr(error, "strerror", None) or error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _chapters(clips: Sequence[Clip], starts: list[float], duration: float) -> list[Chapter]:
    opened = [(clip.chapter, start) for clip, start in zip(clips, starts) if clip.chapter]
    if not opened or starts[0] < opened[0][1]:
        opened.insert(0, ("Introduction", 0.0))
    chapters = []
    for index, (title, start) in enumerate(opened):
        end = opened[index + 1][1] if index + 1 < len(opened) else duration
        chapters.append(Chapter(title, start, end))
    return chapters


def chapters_vtt(chapters: Sequence[Chapter]) -> str:
    """WebVTT chapter track text (``<track kind="chapters">``): :func:`ravine.media.captions.chapters_vtt`."""
    return captions.chapters_vtt(chapters)


def chapters_as_cues(chapters: Sequence[Chapter]) -> list[Cue]:
    """Chapters as caption-like cues (start, end, title)."""
    return [Cue(ch.start, ch.end, ch.title) for ch in chapters]


def read_chapters(video: Path) -> list[Chapter]:
    """Chapters stored in a video file's container (seconds), via PyAV."""
    import av

    with av.open(str(video)) as container:
        out = []
        for chapter in container.chapters():
            time_base = chapter["time_base"]
            out.append(Chapter(chapter["metadata"].get("title", ""), float(chapter["start"] * time_base),
                               float(chapter["end"] * time_base)))
    return out
