"""Narration audio: mix a scene's speech events into one track and mux it with the video.

The track is built sample-exactly from the events' start times (48 kHz mono), padded with
silence to the video's duration, and encoded as AAC (mp4, mov) or Opus (webm) next to a stream
copy of the video. Mixing after the render, rather than Manim's ``add_sound``, keeps audio on
cached re-renders and lets a whole lesson be re-mixed from its clips without drift.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

SAMPLE_RATE = 48_000
AUDIO_CODECS = {"mp4": "aac", "mov": "aac", "webm": "libopus"}


def resample(samples: np.ndarray, rate: int, target_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Linear-interpolation resampling of mono samples to ``target_rate`` (ample for speech)."""
    if rate == target_rate or samples.size == 0:
        return samples.astype(np.float32)
    count = int(round(samples.size * target_rate / rate))
    positions = np.arange(count) * (rate / target_rate)
    return np.interp(positions, np.arange(samples.size), samples).astype(np.float32)


def mix(events: Iterable, duration: float) -> np.ndarray:
    """One mono track of ``duration`` seconds with each event's WAV placed at its ``start``.

    ``events`` have ``start`` (seconds) and ``clip.path`` (a WAV from :mod:`scenes.kit.speech`).
    """
    from scenes.kit.speech import read_wav

    track = np.zeros(int(round(duration * SAMPLE_RATE)), dtype=np.float32)
    for event in events:
        samples, rate = read_wav(event.clip.path)
        samples = resample(samples, rate)
        begin = int(round(event.start * SAMPLE_RATE))
        end = min(track.size, begin + samples.size)
        if end > begin:
            track[begin:end] += samples[: end - begin]
    return np.clip(track, -1.0, 1.0)


def decode_track(video: Path, duration: float) -> np.ndarray:
    """A file's audio as 48 kHz mono float samples, trimmed or padded to ``duration`` seconds
    (silence when the file has no audio)."""
    import av

    wanted = int(round(duration * SAMPLE_RATE))
    chunks = []
    with av.open(str(video)) as container:
        if container.streams.audio:
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    if samples.size >= wanted:
        return samples[:wanted]
    return np.concatenate([samples, np.zeros(wanted - samples.size, np.float32)])


def mux(video: Path, track: np.ndarray, target: Path, container_format: str) -> Path:
    """Write ``target``: ``video``'s video stream copied, plus ``track`` encoded for the container."""
    import av

    options = {"movflags": "+faststart"} if container_format in ("mp4", "mov") else {}
    muxer = {"mp4": "mp4", "mov": "mov", "webm": "webm"}[container_format]
    with av.open(str(video)) as source, av.open(str(target), "w", format=muxer, options=options) as out:
        in_stream = source.streams.video[0]
        video_out = out.add_stream_from_template(in_stream)
        audio_out = add_audio_stream(out, container_format)
        for packet in source.demux(in_stream):
            if packet.dts is None:
                continue
            packet.stream = video_out
            out.mux(packet)
        encode_track(out, audio_out, track)
    return target


def add_audio_stream(out, container_format: str):
    """A mono 48 kHz audio stream in ``out`` with the codec for ``container_format``."""
    stream = out.add_stream(AUDIO_CODECS[container_format], rate=SAMPLE_RATE)
    stream.layout = "mono"
    return stream


def has_audio(video: Path) -> bool:
    """Whether a file has an audio stream."""
    import av

    with av.open(str(video)) as container:
        return bool(container.streams.audio)


def encode_track(out, stream, track: np.ndarray) -> None:
    """Encode mono float ``track`` into ``stream`` of the open output ``out`` and flush it."""
    import av

    frame_size = stream.codec_context.frame_size or 1024
    sample_format = stream.codec_context.format.name
    pts = 0
    for begin in range(0, track.size, frame_size):
        chunk = track[begin:begin + frame_size]
        if chunk.size < frame_size and stream.codec_context.name == "libopus":
            chunk = np.concatenate([chunk, np.zeros(frame_size - chunk.size, np.float32)])
        if sample_format in ("s16", "s16p"):
            data = (np.clip(chunk, -1.0, 1.0) * 32767.0).astype(np.int16).reshape(1, -1)
        else:  # fltp (aac) or flt (opus): mono planar and packed share one layout
            data = chunk.astype(np.float32).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(data, format=sample_format, layout="mono")
        frame.sample_rate = SAMPLE_RATE
        frame.pts = pts
        frame.time_base = Fraction(1, SAMPLE_RATE)
        pts += chunk.size
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)


def concatenate_tracks(videos: Sequence[Path], durations: Sequence[float]) -> np.ndarray:
    """The audio of consecutive clips as one track, each clip's part exactly its video's length."""
    return np.concatenate([decode_track(video, duration) for video, duration in zip(videos, durations)])
