"""Speech backends: caption text reaches espeak-ng as text, never as options."""

from __future__ import annotations

import shutil

import pytest

from scenes.kit.speech import EspeakBackend, read_wav

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


@needs_espeak
@pytest.mark.parametrize("text", ["-w{target}", "--stdout", "-f /etc/hostname", "-h"])
def test_option_like_text_is_spoken_not_obeyed(tmp_path, text):
    """A caption that looks like an espeak-ng option writes no file of its own and still speaks."""
    elsewhere = tmp_path / "elsewhere.wav"
    target = tmp_path / "speech.wav"
    EspeakBackend().synthesize(text.format(target=elsewhere), target)
    assert not elsewhere.exists()
    samples, rate = read_wav(target)
    assert rate > 0 and samples.size > rate // 20  # some speech, not an empty file
