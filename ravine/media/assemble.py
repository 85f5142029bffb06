"""Assembling clips into one video: stream-copy concatenation, MP4 chapters, shifted captions.

All clips of a lesson share codec, size and frame rate, so their packets are copied (no
re-encode) into one MP4 with ``+faststart``; chapter atoms are written into the MP4 itself and
also as ``chapters.vtt``; every clip's caption cues are shifted by the clip's start time (the
caption files themselves are written by :mod:`ravine.media.captions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Sequence

from ravine.media import audio, captions, outputs
from scenes.kit.cues import Cue


@dataclass(frozen=True)
class Clip:
    """One piece of the assembled video: its file, caption cues (seconds from its own start) and
    the chapter it opens (None when it continues the current chapter)."""

    video: Path
    cues: Sequence
    chapter: str | None = None


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
    Written atomically: ``target`` appears only when complete.
    """
    import av

    if not clips:
        raise ValueError("nothing to assemble: no clips")
    starts: list[float] = []
    cues: list[Cue] = []
    offset_seconds = Fraction(0)
    narrated = any(audio.has_audio(clip.video) for clip in clips)
    with outputs.atomic_path(Path(target)) as tmp:
        with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            out_stream = None
            audio_stream = audio.add_audio_stream(out, "mp4") if narrated else None
            durations: list[float] = []
            for clip in clips:
                with av.open(str(clip.video)) as source:
                    stream = source.streams.video[0]
                    if out_stream is None:
                        out_stream = out.add_stream_from_template(stream)
                    time_base = stream.time_base
                    offset = int(round(offset_seconds / time_base))
                    end = 0
                    for packet in source.demux(stream):
                        if packet.dts is None:
                            continue
                        packet.pts += offset
                        packet.dts += offset
                        end = max(end, packet.pts + (packet.duration or 0))
                        packet.stream = out_stream
                        out.mux(packet)
                starts.append(float(offset_seconds))
                cues += captions.shift(clip.cues, float(offset_seconds))
                durations.append(float(Fraction(end) * time_base - offset_seconds))
                offset_seconds = Fraction(end) * time_base
            duration = float(offset_seconds)
            if audio_stream is not None:
                audio.encode_track(out, audio_stream,
                                   audio.concatenate_tracks([clip.video for clip in clips], durations))
            chapters = _chapters(clips, starts, duration)
            millis = Fraction(1, 1000)
            out.set_chapters([
                {"id": index + 1, "start": int(round(ch.start * 1000)), "end": int(round(ch.end * 1000)),
                 "time_base": millis, "metadata": {"title": ch.title}}
                for index, ch in enumerate(chapters)
            ])
    return Assembly(video=Path(target), starts=starts, duration=duration, chapters=chapters, cues=cues)


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
