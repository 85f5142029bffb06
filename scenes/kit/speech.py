"""Speech for narration beats: offline backends behind one interface, and a content-addressed cache.

A :class:`Narrator` turns a caption into a :class:`SpeechClip` (a WAV file and its duration)
before the beat animates, so the beat can last at least as long as its speech. Backends:

- ``espeak``: espeak-ng (Debian package, fully offline) — the default narration voice;
- ``piper``: piper-tts with a user-supplied ``.onnx`` voice model;
- ``none``: no audio; a beat's length is estimated from its words (see :func:`estimate_seconds`).

Synthesized audio is cached by a hash of text, backend, voice and rate, and trimmed of leading
and trailing silence so a caption cue can start exactly when its speech does.
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
from pathlib import Path

import numpy as np

DEFAULT_RATE = 165  # words per minute
SILENCE_THRESHOLD = 0.01  # of full scale: quieter samples at the ends are trimmed
EDGE_KEEP = 0.01  # seconds of the trimmed silence kept at each end


class SpeechUnavailable(RuntimeError):
    """A speech backend cannot run here; the message says what to install or fix."""


def estimate_seconds(text: str, rate: int = DEFAULT_RATE) -> float:
    """Speaking time of ``text`` at ``rate`` words per minute (the silent mode's beat length)."""
    return len(text.split()) * 60.0 / rate


SPOKEN_FORMS: tuple[tuple[str, str], ...] = (
    ("λmax", "lambda max"), ("λmin", "lambda min"), ("λ_max", "lambda max"), ("λ_min", "lambda min"),
    ("η*", "eta star"), ("β*", "beta star"), ("η", "eta"), ("β", "beta"), ("λ", "lambda"), ("θ", "theta"),
    ("κ", "kappa"), ("σ", "sigma"), ("√", "square root of "), ("×", " times "), ("−", " minus "),
    ("≈", " about "), ("→", " to "), ("≤", " at most "), ("≥", " at least "), ("|", " "),
    ("₀", " zero"), ("₁", " one"), ("₂", " two"), ("₃", " three"), ("ᵏ", " to the k"),
)


def speakable(text: str) -> str:
    """The caption as a voice should read it: symbols spelled out (η → "eta", × → "times")."""
    for symbol, words in SPOKEN_FORMS:
        text = text.replace(symbol, words)
    return " ".join(text.split())


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


class PiperBackend(SpeechBackend):
    """piper-tts with a voice model file (``--voice PATH.onnx``); the piper-tts package must be installed."""

    name = "piper"

    def check(self) -> None:
        model = Path(str(self.voice or ""))
        if not self.voice or model.suffix != ".onnx" or not model.is_file():
            raise SpeechUnavailable(f"--voice {self.voice}: no piper voice model there; give the path of an "
                                    "existing .onnx file (its .onnx.json config beside it)")
        try:
            import piper  # noqa: F401
        except ImportError:
            # Nothing is downloaded at run time: the set-up installs what a render needs.
            raise SpeechUnavailable("--voice needs the piper-tts package; install it with "
                                    f"'{sys.executable} -m pip install piper-tts'") from None

    def synthesize(self, text: str, target: Path) -> None:
        from piper import PiperVoice

        voice = PiperVoice.load(str(self.voice))
        with wave.open(str(target), "wb") as wav:
            voice.synthesize_wav(text, wav)


def make_backend(narrate: bool, voice: str | None = None, rate: int = DEFAULT_RATE) -> SpeechBackend | None:
    """The backend for the CLI's choices: piper when ``voice`` is an .onnx path, espeak-ng when
    ``narrate``, None (silent, captions only) otherwise."""
    if voice is not None and str(voice).endswith(".onnx"):
        return PiperBackend(voice, rate)
    if narrate or voice is not None:
        return EspeakBackend(voice, rate)
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
        """The cache key of ``text`` with this backend, voice and rate."""
        return hashlib.sha256(f"{self.backend.identity()}|{text}".encode()).hexdigest()

    def speak(self, text: str) -> SpeechClip:
        """The trimmed speech for ``text``: from the cache, or synthesized and cached."""
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
                self.backend.synthesize(speakable(text), raw)
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
