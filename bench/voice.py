"""The narration voice: the lesson's synthesis time cold and warm, and per-scene word error rates.

Collects every spoken caption of the lesson at default parameters (a planning pass: nothing is
drawn), then

1. times the whole lesson's narration synthesis with the default voice (piper, the bundled
   en_US-joe-medium) into an empty speech cache (cold), and again with that cache filled (warm);
2. for each of the 16 lesson scenes, speaks every caption with espeak-ng (en-us) and with the
   default voice, transcribes the speech with an offline recognizer (PocketSphinx 5 with the en-us
   acoustic model, language model and dictionary its wheel ships: nothing is downloaded) and prints
   the word error rate (jiwer) of each voice's transcript against the spoken text
   (:func:`scenes.kit.spoken.spoken`, the words the voice was asked to say).

Not a test. Needs the ``bench`` extra (``.venv/bin/pip install -e ".[bench]"``) and espeak-ng.

    .venv/bin/python bench/voice.py                     # every scene (several minutes on 2 cores)
    .venv/bin/python bench/voice.py --only by-hand,recap
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RECOGNIZER_RATE = 16_000  # PocketSphinx's en-us model is trained on 16 kHz speech


def scene_captions(job) -> list[str]:
    """The captions a render of ``job`` speaks, in order, from a planning pass (no frames)."""
    try:
        from ravine.pipeline.script import job_beats
    except ImportError:  # no planning pass: construct the scene with animations skipped
        return _constructed_captions(job)
    return [beat.text for beat in job_beats(job)]


def _constructed_captions(job) -> list[str]:
    from manim import tempconfig

    from ravine.pipeline.frames import manim_config
    from ravine.pipeline.job import QUALITIES
    from scenes.lesson import scene_class

    with tempfile.TemporaryDirectory() as media:
        settings = manim_config(QUALITIES[job.quality], Path(media), job.stem, aspect=job.aspect)
        settings.update({"write_to_movie": False, "save_last_frame": False})
        with tempconfig(settings):
            scene = scene_class(job.scene)(params=job.params, skip_animations=True)
            scene.render()
    return [cue.text for cue in scene.cues]


def words(text: str) -> str:
    """Lower-case words only, for comparing a transcript with the text it should match."""
    return " ".join(re.sub(r"[^a-z' ]+", " ", text.lower().replace("-", " ")).split())


class Recognizer:
    """PocketSphinx with the model inside its wheel; one decoder reused for every utterance."""

    def __init__(self) -> None:
        from pocketsphinx import Config, Decoder

        config = Config(samprate=RECOGNIZER_RATE, loglevel="FATAL")
        self.decoder = Decoder(config)

    def transcribe(self, wav: Path) -> str:
        """The recognized words of a speech WAV file."""
        import numpy as np

        from ravine.media.audio import resample
        from scenes.kit.speech import read_wav

        samples, rate = read_wav(wav)
        pcm = (np.clip(resample(samples, rate, RECOGNIZER_RATE), -1, 1) * 32767).astype(np.int16)
        self.decoder.start_utt()
        self.decoder.process_raw(pcm.tobytes(), full_utt=True)
        self.decoder.end_utt()
        hyp = self.decoder.hyp()
        return hyp.hypstr if hyp is not None else ""


def lesson_jobs(only: list[str] | None):
    """The lesson's render jobs (cards included) at low quality, in order."""
    from ravine.pipeline.lesson import plan

    return [segment.job for segment in plan("low", Path(tempfile.gettempdir()) / "unused", only)]


def time_synthesis(captions: list[str], cache: Path) -> tuple[float, float, float]:
    """Seconds to synthesize every caption with the default voice into ``cache`` (empty: cold),
    then again from the filled cache (warm), and the seconds of speech."""
    from scenes.kit.speech import Narrator, load_piper_voice, make_backend

    load_piper_voice.cache_clear()  # cold includes loading the voice
    narrator = Narrator(make_backend(True), cache)
    start = time.perf_counter()
    speech = sum(narrator.speak(text).duration for text in captions)
    cold = time.perf_counter() - start
    warm_narrator = Narrator(make_backend(True), cache)
    start = time.perf_counter()
    for text in captions:
        warm_narrator.speak(text)
    warm = time.perf_counter() - start
    assert warm_narrator.synthesized == 0
    return cold, warm, speech


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=None, help="comma-separated scenes (default: all 16)")
    args = parser.parse_args()
    only = [name.strip() for name in args.only.split(",")] if args.only else None

    import jiwer

    from scenes.kit.speech import EspeakBackend, Narrator, make_backend
    from scenes.kit.spoken import spoken
    from scenes.lesson import scene_names

    jobs = lesson_jobs(only)
    start = time.perf_counter()
    captions = {job.stem: scene_captions(job) for job in jobs}
    print(f"planning pass: {sum(map(len, captions.values()))} captions in {len(jobs)} clips, "
          f"{time.perf_counter() - start:.1f} s", flush=True)

    with tempfile.TemporaryDirectory(prefix="ravine-voice-") as root:
        every = [text for texts in captions.values() for text in texts]
        cold, warm, speech = time_synthesis(every, Path(root) / "piper")
        spoken_words = sum(len(spoken(text).split()) for text in every)
        print(f"lesson narration, default voice: {speech:.1f} s of speech; synthesis cold {cold:.1f} s "
              f"({cold / speech:.3f} s per second of speech), warm (cached) {warm:.2f} s; "
              f"{spoken_words} spoken words, {spoken_words * 60 / speech:.0f} per minute at --speech-rate 165",
              flush=True)

        recognizer = Recognizer()
        voices = {"espeak-ng": Narrator(EspeakBackend("en-us"), Path(root) / "espeak"),
                  "piper joe": Narrator(make_backend(True), Path(root) / "piper")}
        print("\n| scene | words | WER espeak-ng (en-us) | WER piper en_US-joe-medium |")
        print("| --- | ---: | ---: | ---: |")
        totals = {name: ([], []) for name in voices}
        names = set(scene_names())
        for job in jobs:
            if job.scene not in names:
                continue  # the cards: timed above, not part of the per-scene table
            references = [words(spoken(text)) for text in captions[job.stem]]
            rates = []
            for name, narrator in voices.items():
                hypotheses = [words(recognizer.transcribe(narrator.speak(text).path)) for text in captions[job.stem]]
                totals[name][0].extend(references)
                totals[name][1].extend(hypotheses)
                rates.append(jiwer.wer(references, hypotheses))
            count = sum(len(ref.split()) for ref in references)
            print(f"| {job.scene} | {count} | {rates[0]:.1%} | {rates[1]:.1%} |", flush=True)
        overall = [jiwer.wer(*totals[name]) for name in voices]
        count = sum(len(ref.split()) for ref in totals["piper joe"][0])
        print(f"| **all scenes** | {count} | {overall[0]:.1%} | {overall[1]:.1%} |")
    print(f"\n(cpu count {os.cpu_count()}; PocketSphinx en-us with its general language model)")


if __name__ == "__main__":
    main()
