import math

import pytest

from scenes.kit.params import ParamError, ParamSpec, SceneSpec, beta_param, lr_param, start_param, steps_param


def test_beta_range_is_half_open():
    beta = beta_param()
    assert beta.parse("0") == 0.0
    assert beta.parse("0.99") == 0.99
    for bad in ("1", "-0.1", "nan", "inf", "x"):
        with pytest.raises(ParamError) as info:
            beta.parse(bad)
        assert "--beta" in str(info.value) and "0 <= x < 1" in str(info.value)


def test_lr_must_be_positive_and_finite():
    lr = lr_param("lr_sgd", 0.08)
    assert lr.parse("0.08") == 0.08
    for bad in ("0", "-1", "nan", "11"):
        with pytest.raises(ParamError, match="--lr-sgd"):
            lr.parse(bad)


def test_point_and_int_parsing():
    start = start_param()
    assert start.parse("-4,1.5") == (-4.0, 1.5)
    assert start.parse([1, 2]) == (1.0, 2.0)
    for bad in ("1", "a,b", "1,2,3", "1,nan"):
        with pytest.raises(ParamError, match="--start"):
            start.parse(bad)
    steps = steps_param(60)
    assert steps.parse("12") == 12
    for bad in ("0", "1.5", "401"):
        with pytest.raises(ParamError, match="--steps"):
            steps.parse(bad)


def test_scene_spec_resolve_defaults_and_unknown():
    spec = SceneSpec("demo", "d", (beta_param(0.9), steps_param(60)))
    assert spec.resolve({}) == {"beta": 0.9, "steps": 60}
    assert spec.resolve({"beta": "0.5"})["beta"] == 0.5
    with pytest.raises(ParamError, match="does not take --lr"):
        spec.resolve({"lr": "0.1"})


def test_choice_lists_allowed_values():
    spec = ParamSpec("landscape", "choice", "a", "h", choices=("a", "b"))
    with pytest.raises(ParamError, match="one of: a, b"):
        spec.parse("c")
    assert not math.isnan(0.0)
