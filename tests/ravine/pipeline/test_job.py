"""The render-job schema: one pydantic model, strict, frozen, with every rule declared once, a JSON
round trip for manifests and worker processes, and one error type that names where a value was given."""

from __future__ import annotations

import json
import pickle

import pydantic
import pytest

from ravine.media.formats import OUTPUT_FORMATS, TRANSPARENT_FORMATS, OutputFormat
from ravine.pipeline.job import JobError, Origin, RenderJob


def test_positional_fields_defaults_and_derived_values():
    job = RenderJob("ravine-race", {"steps": 4}, "low", "drafts")
    assert (job.scene, job.params, job.quality, job.out_dir, job.format, job.skip_repeats) == (
        "ravine-race", {"steps": 4}, "low", "drafts", "mp4", True)
    assert job.stem == "ravine-race" and str(job.output) == "drafts/ravine-race.mp4"
    assert RenderJob("x", name="clip", format="webm").output.name == "clip.webm"
    with pytest.raises(TypeError, match="two values"):
        RenderJob("x", scene="y")


def test_frozen_and_unknown_fields_refused():
    job = RenderJob("ravine-race")
    with pytest.raises(pydantic.ValidationError):
        job.quality = "low"
    with pytest.raises(pydantic.ValidationError):
        RenderJob("ravine-race", colour="red")


@pytest.mark.parametrize("field, value", [
    ("transparent", 1), ("burn_captions", "yes"), ("at", True), ("at", "1"), ("speech_rate", 165.0),
    ("gif_max_mb", float("nan")), ("quality", 5), ("params", [1]), ("out_dir", ""), ("name", "a/b"),
    ("name", "bell\a"), ("voice", ""), ("skip_repeats", None),
])
def test_strict_types(field, value):
    extra = {"format": "png"} if field == "at" else {"format": "gif"} if field == "gif_max_mb" else {}
    with pytest.raises(JobError) as refused:
        RenderJob.parse({"scene": "ravine-race", field: value, **extra})
    assert "is invalid; allowed:" in str(refused.value) and "\n" not in str(refused.value)


def test_json_round_trip_is_exact():
    job = RenderJob("ravine-race", {"start": (1.0, 2.0), "lr-sgd": 0.1}, "high", "o", "n", format="png", at=2,
                    transparent=True, aspect="9:16", voice="en-gb", speech_rate=200, skip_repeats=False)
    data = job.to_json()
    assert json.loads(json.dumps(data)) == data and data["params"] == {"start": [1.0, 2.0], "lr_sgd": 0.1}
    assert data["narrate"] is True  # a voice implies narration
    again = RenderJob.from_json(data)
    assert again.to_json() == data and again == RenderJob.from_json(json.loads(json.dumps(data)))
    assert pickle.loads(pickle.dumps(job)) == job


def test_replace_validates_again():
    job = RenderJob("ravine-race", format="png", at=1.0)
    assert job.replace(at=2.0).at == 2.0
    with pytest.raises(pydantic.ValidationError):
        job.replace(format="mp4")  # at is for png only


def test_format_rules_come_from_the_format_strategies():
    assert set(TRANSPARENT_FORMATS) == {"webm", "mov", "png"}
    for name, output in OUTPUT_FORMATS.items():
        assert isinstance(output, OutputFormat) and output.name == name
        if output.alpha:
            RenderJob("x", format=name, transparent=True)
        else:
            with pytest.raises(pydantic.ValidationError):
                RenderJob("x", format=name, transparent=True)
    assert RenderJob("x", format="png", at=0).at == 0.0 and RenderJob("x", format="gif", gif_max_mb=1).gif_max_mb == 1.0
    assert OUTPUT_FORMATS["gif"].manim_format == "mp4" and OUTPUT_FORMATS["png"].poster is False
    assert OUTPUT_FORMATS["mov"].encoder_options(transparent=True) == {}
    assert OUTPUT_FORMATS["mov"].encoder_options(transparent=False) == OUTPUT_FORMATS["mp4"].encoder_options(False)


@pytest.mark.parametrize("origin, where, line", [
    (Origin(), "--gif-max-mb", "--gif-max-mb 900 is invalid; allowed: a number of megabytes, 0.01 to 500"),
    (Origin("--config c.toml", 3), "--config c.toml: clip 3: gif_max_mb",
     "--config c.toml: clip 3: gif_max_mb = 900 is invalid; allowed: a number of megabytes, 0.01 to 500"),
    (Origin("--from m.json"), "--from m.json: gif_max_mb", "--from m.json: gif_max_mb = 900 is invalid"),
    (Origin("--config c.toml", 1, frozenset({"gif_max_mb"})), "--gif-max-mb", "--gif-max-mb 900 is invalid"),
])
def test_one_error_type_names_where_the_value_was_given(origin, where, line):
    with pytest.raises(JobError) as refused:
        RenderJob.parse({"scene": "x", "format": "gif", "gif_max_mb": 900}, origin)
    assert refused.value.where == where and str(refused.value).startswith(line)
    assert pickle.loads(pickle.dumps(refused.value)).where == where


def test_file_keys_and_options_name_the_same_field():
    with pytest.raises(JobError) as refused:
        RenderJob.parse({"scene": "x", "out_dir": 3}, Origin("--config c.toml", 1))
    assert refused.value.where == "--config c.toml: clip 1: out"
    with pytest.raises(JobError) as refused:
        RenderJob.parse({"scene": "x", "out_dir": ""})
    assert refused.value.where == "--out"
