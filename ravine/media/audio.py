"""Narration audio: mix a scene's speech events into one mastered track and mux it with the video.

The track is built sample-exactly from the events' start times (48 kHz mono), padded with
silence to the video's duration, and encoded as AAC (mp4, mov) or Opus (webm) next to a stream
copy of the video. Mixing after the render, rather than Manim's ``add_sound``, keeps audio on
cached re-renders and lets a whole lesson be re-mixed from its clips without drift.

Mastering (:func:`master`, EBU R128 / ITU-R BS.1770): every beat fades in and out over
``FADE_SECONDS`` so no join clicks, and the track is brought to ``TARGET_LUFS`` integrated loudness
(measured with pyloudnorm) with its true peak (4× oversampled) held under ``CEILING_DBTP`` by a
look-ahead limiter. A clip and the lesson made of clips therefore play at one level.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

SAMPLE_RATE = 48_000
TARGET_LUFS = -16.0  # integrated loudness of every narrated clip and of the lesson (EBU R128 for speech online)
MAX_TRUE_PEAK_DBTP = -1.0  # the delivered (decoded) true peak may not exceed this
CEILING_DBTP = -2.0  # the limiter's ceiling: 1 dB below the limit leaves room for the AAC/Opus coding overshoot
FADE_SECONDS = 0.01  # raised-cosine fade at each beat's start and end
LIMITER_SECONDS = 0.005  # look-ahead (and release) of the peak limiter
OVERSAMPLING = 4  # true peak: the peak of the 4x oversampled signal (BS.1770-4 annex 2)
AUDIO_CODECS = {"mp4": "aac", "mov": "aac", "webm": "libopus"}
# Bits per second for the mono narration: left unset, FFmpeg's AAC encoder picks a low rate whose
# coding error lifts a mastered -2 dBTP peak past 0 dBTP; at these rates it stays within 0.3 dB.
AUDIO_BIT_RATES = {"aac": 128_000, "libopus": 96_000}
# FFmpeg's AAC coder: "fast" (constant quantizer) codes the narration in half the time of the default
# "twoloop" and, at 128 kb/s mono, closer to the waveform (45 vs 31 dB SNR on 300 s of the lesson).
AUDIO_CODEC_OPTIONS = {"aac": {"aac_coder": "fast"}, "libopus": {}}
LOUDNESS_TOLERANCE_LU = 0.1  # a track this close to TARGET_LUFS (and under the ceiling) is already mastered


def resample(samples: np.ndarray, rate: int, target_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Polyphase (anti-aliased) resampling of mono samples to ``target_rate``
    (``scipy.signal.resample_poly``; 22.05 kHz speech -> 48 kHz is 320/147)."""
    from math import gcd

    from scipy.signal import resample_poly

    if rate == target_rate or samples.size == 0:
        return samples.astype(np.float32)
    common = gcd(int(rate), int(target_rate))
    return resample_poly(samples.astype(np.float64), target_rate // common, rate // common).astype(np.float32)


def fade_edges(samples: np.ndarray, rate: int = SAMPLE_RATE, seconds: float = FADE_SECONDS) -> np.ndarray:
    """``samples`` with a raised-cosine fade-in over the first ``seconds`` and a fade-out over the
    last (shorter for a clip under twice that): a beat starts and ends at silence, never a click."""
    out = samples.astype(np.float32, copy=True)
    count = min(int(round(seconds * rate)), out.size // 2)
    if count > 0:
        ramp = (0.5 - 0.5 * np.cos(np.pi * (np.arange(count) + 0.5) / count)).astype(np.float32)
        out[:count] *= ramp
        out[-count:] *= ramp[::-1]
    return out


def mix(events: Iterable, duration: float, mastered: bool = True) -> np.ndarray:
    """One mono track of ``duration`` seconds with each event's WAV placed at its ``start``, each
    beat faded at both ends (:func:`fade_edges`) and the whole track mastered (:func:`master`).

    ``events`` have ``start`` (seconds) and ``clip.path`` (a WAV from :mod:`scenes.kit.speech`).
    A scene holds each beat until its speech has ended, so nothing is cut at the clip's end.
    """
    from scenes.kit.speech import read_wav

    track = np.zeros(int(round(duration * SAMPLE_RATE)), dtype=np.float32)
    for event in events:
        samples, rate = read_wav(event.clip.path)
        samples = fade_edges(resample(samples, rate))
        begin = int(round(event.start * SAMPLE_RATE))
        end = min(track.size, begin + samples.size)
        if end > begin:
            track[begin:end] += samples[: end - begin]
    return master(track) if mastered else np.clip(track, -1.0, 1.0)


# --- mastering: loudness and true peak ------------------------------------------------------------
def integrated_loudness(track: np.ndarray, rate: int = SAMPLE_RATE) -> float:
    """Integrated loudness of mono ``track`` in LUFS (ITU-R BS.1770-4 gating, pyloudnorm);
    -inf for silence or a track shorter than one 0.4 s block."""
    import pyloudnorm

    if track.size < int(0.4 * rate) + 1 or not np.any(track):
        return float("-inf")
    return float(pyloudnorm.Meter(rate).integrated_loudness(track.astype(np.float64)))


def _oversampled_peaks(track: np.ndarray, chunk: int = 1 << 18) -> np.ndarray:
    """Per sample, the largest magnitude of the 4x oversampled signal within one sample of it
    (computed in overlapping chunks, so an hour of audio needs little memory)."""
    from scipy.ndimage import maximum_filter1d
    from scipy.signal import resample_poly

    margin = 64
    peaks = np.empty(track.size, dtype=np.float32)
    for begin in range(0, track.size, chunk):
        lo, hi = max(0, begin - margin), min(track.size, begin + chunk + margin)
        up = resample_poly(track[lo:hi].astype(np.float32), OVERSAMPLING, 1)
        np.abs(up, out=up)
        columns = up[: (hi - lo) * OVERSAMPLING].reshape(-1, OVERSAMPLING)
        per_sample = columns[:, 0].copy()  # column maxima: numpy's max over a short axis is slow
        for k in range(1, OVERSAMPLING):
            np.maximum(per_sample, columns[:, k], out=per_sample)
        end = min(track.size, begin + chunk)
        peaks[begin:end] = per_sample[begin - lo: end - lo]
    return maximum_filter1d(np.maximum(peaks, np.abs(track)), size=3)


def true_peak_dbtp(track: np.ndarray) -> float:
    """True peak of ``track`` in dBTP: the peak of the 4x oversampled signal (-inf for silence)."""
    if track.size == 0:
        return float("-inf")
    peak = float(_oversampled_peaks(track).max())
    return 20.0 * np.log10(peak) if peak > 0 else float("-inf")


def limiter_gain(peaks: np.ndarray, ceiling_dbtp: float = CEILING_DBTP, rate: int = SAMPLE_RATE,
                 seconds: float = LIMITER_SECONDS) -> np.ndarray:
    """A look-ahead limiter's gain for a signal whose per-sample true peaks are ``peaks``: the
    sliding minimum of the gain each sample needs to stay under ``ceiling_dbtp``, over ±``seconds``,
    then averaged over the same window: it ramps down before a peak and back up after it, and is
    never above what any sample needs (1 where nothing is over)."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    ceiling = 10.0 ** (ceiling_dbtp / 20.0)
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12)).astype(np.float32)
    if needed.size == 0 or needed.min() >= 1.0:
        return np.ones_like(needed)
    radius = max(1, int(round(seconds * rate)))
    return uniform_filter1d(minimum_filter1d(needed, size=2 * radius + 1), size=2 * radius + 1)


def limit(track: np.ndarray, ceiling_dbtp: float = CEILING_DBTP, rate: int = SAMPLE_RATE) -> np.ndarray:
    """``track`` through the look-ahead peak limiter (:func:`limiter_gain`): true peaks at or below
    ``ceiling_dbtp`` (a pass is repeated, 0.1 dB lower, where the gain ramp left a peak a hair over);
    samples under the ceiling and away from any peak unchanged."""
    out = track.astype(np.float32)
    for attempt in range(4):
        peaks = _oversampled_peaks(out)
        if out.size == 0 or 20.0 * np.log10(max(float(peaks.max()), 1e-12)) <= ceiling_dbtp + 0.005:
            break
        out = (out * limiter_gain(peaks, ceiling_dbtp - 0.1 * attempt, rate)).astype(np.float32)
    return out


def master(track: np.ndarray, rate: int = SAMPLE_RATE, target_lufs: float = TARGET_LUFS,
           ceiling_dbtp: float = CEILING_DBTP) -> np.ndarray:
    """``track`` at ``target_lufs`` integrated loudness (within 0.1 LU where it has enough sound to
    measure) with true peaks at or below ``ceiling_dbtp``: a gain G and the limiter's gain for
    G × the track's true peaks, with G raised until the limited track measures the target (the
    limiter's cut takes a little loudness away). Silence stays silence."""
    source = track.astype(np.float32)
    loudness = integrated_loudness(source, rate)
    if not np.isfinite(loudness):
        return np.clip(source, -1.0, 1.0)
    peaks = _oversampled_peaks(source)
    if abs(loudness - target_lufs) <= LOUDNESS_TOLERANCE_LU and peaks.max() <= 10.0 ** (ceiling_dbtp / 20.0):
        return np.clip(source, -1.0, 1.0)  # already mastered (a lesson of mastered clips)
    tried: list[tuple[float, float]] = [(0.0, loudness)]  # (gain in dB, loudness after it and the limiter)
    gain_db = target_lufs - loudness
    out = source
    for _ in range(8):
        gain = 10.0 ** (gain_db / 20.0)
        out = (source * gain * limiter_gain(peaks * gain, ceiling_dbtp, rate)).astype(np.float32)
        loudness = integrated_loudness(out, rate)
        if abs(loudness - target_lufs) <= 0.05:
            break
        (last_gain, last_loudness) = tried[-1]
        tried.append((gain_db, loudness))
        # secant step: the limiter makes a dB of gain worth less than a dB of loudness
        slope = (loudness - last_loudness) / (gain_db - last_gain) if gain_db != last_gain else 1.0
        gain_db += (target_lufs - loudness) / float(np.clip(slope, 0.2, 1.0))
    return np.clip(limit(out, ceiling_dbtp, rate), -1.0, 1.0)


CODEC_PEAK_MARGIN_DB = 0.3  # the decoded true peak is held this far under MAX_TRUE_PEAK_DBTP
CODEC_FRAME_SECONDS = 0.025  # about an AAC frame (1024 samples at 48 kHz): the reach of a coding error
LOCAL_ATTEMPTS = 5  # local gain corrections of a coded overshoot before the whole track comes down
LOCAL_STEP_DB = 0.3  # each local correction aims this much lower than the last (the overshoot moves with the gain)
GLOBAL_ATTEMPTS = 4  # whole-track corrections after those (each checked by coding again)


def _code(track: np.ndarray, container_format: str, path: Path) -> Path:
    """Write ``track`` alone, encoded for ``container_format`` (:func:`encode_track`), to ``path``."""
    import av

    muxer = {"mp4": "mp4", "mov": "mov", "webm": "webm"}[container_format]
    with av.open(str(path), "w", format=muxer) as out:
        encode_track(out, add_audio_stream(out, container_format), track)
    return path


def coded_true_peaks(track: np.ndarray, container_format: str, keep: Path | None = None) -> np.ndarray:
    """Per-sample true peaks of ``track`` as a player hears it: encoded for ``container_format``
    (:func:`encode_track`) and decoded again. The coding is written to ``keep`` and left there,
    or without it to a temporary file."""
    import tempfile

    if keep is not None:
        return _oversampled_peaks(decode_track(_code(track, container_format, keep), track.size / SAMPLE_RATE))
    with tempfile.TemporaryDirectory(prefix="ravine-audio-") as folder:
        path = _code(track, container_format, Path(folder) / f"check.{container_format}")
        decoded = decode_track(path, track.size / SAMPLE_RATE)
    return _oversampled_peaks(decoded)


def codec_safe(track: np.ndarray, container_format: str, rate: int = SAMPLE_RATE) -> np.ndarray:
    """``track`` with its gain lowered wherever coding it for ``container_format`` lifts the
    decoded true peak above ``MAX_TRUE_PEAK_DBTP`` less ``CODEC_PEAK_MARGIN_DB`` (see
    :func:`_settle`). Every returned track has been encoded, decoded and checked; one that needs
    nothing is returned as it was."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="ravine-audio-") as folder:
        return _settle(track, container_format, Path(folder), rate)[0]


def encode_checked(out, stream, track: np.ndarray, container_format: str) -> None:
    """Put ``track`` into ``stream`` (made by :func:`add_audio_stream` for ``container_format``) of
    the open output ``out``, made codec-safe (:func:`codec_safe`): the packets of the very coding
    that was decoded and checked are muxed, not a second coding of the same samples."""
    import tempfile

    import av

    with tempfile.TemporaryDirectory(prefix="ravine-audio-") as folder:
        settled, coded = _settle(track, container_format, Path(folder))
        if coded is None:  # silence: nothing was coded to check
            encode_track(out, stream, settled)
            return
        with av.open(str(coded)) as source:
            for packet in source.demux(source.streams.audio[0]):
                if packet.dts is None:
                    continue
                packet.stream = stream
                out.mux(packet)


def _settle(track: np.ndarray, container_format: str, folder: Path,
            rate: int = SAMPLE_RATE) -> tuple[np.ndarray, Path | None]:
    """``track`` with its gain lowered where its coding for ``container_format`` overshoots, and the
    file in ``folder`` holding that checked coding (None for silence, which is not coded).

    FFmpeg's AAC encoder overshoots most in the first frames of a stream, by up to 4 dB on speech
    that starts at once. The gain comes down first locally (over about an audio frame each side,
    smoothly), at most ``LOCAL_ATTEMPTS`` times; where that does not settle (the overshoot moves
    when the gain does), the whole track comes down by what is still over. Raises RuntimeError if
    ``GLOBAL_ATTEMPTS`` more do not settle it either."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    target = 10.0 ** ((MAX_TRUE_PEAK_DBTP - CODEC_PEAK_MARGIN_DB) / 20.0)
    radius = max(1, int(round(CODEC_FRAME_SECONDS * rate)))
    out = track.astype(np.float32)
    if out.size == 0 or not np.any(out):
        return out, None
    for attempt in range(LOCAL_ATTEMPTS + GLOBAL_ATTEMPTS):
        coded = folder / f"check-{attempt}.{container_format}"
        peaks = coded_true_peaks(out, container_format, keep=coded)
        worst = float(peaks.max())
        if worst <= target:
            return out, coded
        if attempt < LOCAL_ATTEMPTS:  # each local step aims LOCAL_STEP_DB lower than the one before
            aim = target * 10.0 ** (-LOCAL_STEP_DB * attempt / 20.0)
            needed = np.minimum(1.0, aim / np.maximum(peaks, 1e-12)).astype(np.float32)
            gain = uniform_filter1d(minimum_filter1d(needed, size=2 * radius + 1), size=2 * radius + 1)
            out = (out * gain).astype(np.float32)
        else:  # each global step after the first takes a further 0.5 dB, so a coding error that moves is outrun
            out = (out * (target / worst) * 10.0 ** (-0.5 * (attempt - LOCAL_ATTEMPTS) / 20.0)).astype(np.float32)
    raise RuntimeError(f"coding the audio for {container_format} keeps its true peak above "
                       f"{MAX_TRUE_PEAK_DBTP} dBTP after {LOCAL_ATTEMPTS + GLOBAL_ATTEMPTS} corrections")


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
        encode_checked(out, audio_out, track, container_format)
    return target


def add_audio_stream(out, container_format: str):
    """A mono 48 kHz audio stream in ``out`` with the codec for ``container_format``."""
    codec = AUDIO_CODECS[container_format]
    stream = out.add_stream(codec, rate=SAMPLE_RATE, options=AUDIO_CODEC_OPTIONS[codec])
    stream.layout = "mono"
    stream.bit_rate = AUDIO_BIT_RATES[codec]
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


def concatenate_tracks(videos: Sequence[Path], durations: Sequence[float], mastered: bool = True) -> np.ndarray:
    """The audio of consecutive clips as one track, each clip's part exactly its video's length;
    mastered again as a whole (:func:`master`: clips already at the target level need almost no
    change, and the lesson's loudness and true peak are checked on what it plays)."""
    track = np.concatenate([decode_track(video, duration) for video, duration in zip(videos, durations)])
    return master(track) if mastered else track
