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


@pytest.mark.parametrize("spec, raw", [
    (lr_param("lr", 0.02), True),        # a bool is not a number (TOML lr = true)
    (lr_param("lr", 0.02), "true"),
    (lr_param("lr", 0.02), "1_0"),       # no digit-group underscores
    (lr_param("lr", 0.02), "٠.٥"),       # ASCII digits only
    (lr_param("lr", 0.02), " inf "),
    (steps_param(60), 12.0),             # an integer is not written with a fraction
    (steps_param(60), "12.0"),
    (steps_param(60), "1e2"),
    (steps_param(60), False),
    (start_param(), [1, True]),
    (start_param(), "1_0,2"),
    (ParamSpec("landscape", "choice", "a", "h", choices=("a", "b")), 1),
    (ParamSpec("heading", "text", "x", "h", high=10), 3),
])
def test_parsing_is_strict(spec, raw):
    with pytest.raises(ParamError) as refused:
        spec.parse(raw)
    assert spec.option in str(refused.value) and refused.value.value == raw and refused.value.allowed


def test_numbers_parse_from_numbers_and_their_plain_text():
    lr, steps = lr_param("lr", 0.02), steps_param(60)
    assert lr.parse(1) == 1.0 and isinstance(lr.parse(1), float) and lr.parse(" 0.5 ") == 0.5 and lr.parse("5e-1") == 0.5
    assert steps.parse(12) == 12 and steps.parse("+12") == 12
    assert start_param().parse(" -4 , 1.5 ") == (-4.0, 1.5)


def test_names_take_dashes_or_underscores_once():
    spec = SceneSpec("demo", "d", (lr_param("lr_sgd", 0.08),))
    assert spec.resolve({"lr-sgd": "0.1"}) == {"lr_sgd": 0.1}
    with pytest.raises(ParamError, match="given twice"):
        spec.resolve({"lr-sgd": "0.1", "lr_sgd": 0.2})


def test_a_param_error_survives_a_process_boundary():
    import pickle

    error = pickle.loads(pickle.dumps(ParamError("beta", "--beta 2 is invalid", value=2, allowed="0 <= x < 1")))
    assert (error.param, str(error), error.value, error.allowed) == ("beta", "--beta 2 is invalid", 2, "0 <= x < 1")
