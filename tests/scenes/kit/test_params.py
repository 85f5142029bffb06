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


@pytest.mark.parametrize("raw", ["1_0", "٠٫١", "١", "１", "0x10", "inf", "nan", "1e", "", " ", "9" * 5000, "\udcff"])
def test_number_text_is_plain_ascii(raw):
    from scenes.kit.params import number_from_text

    assert number_from_text(raw) is None and number_from_text(raw, integer=True) is None
    with pytest.raises(ParamError) as refused:
        lr_param("lr", 0.02).parse(raw)
    assert "\n" not in str(refused.value) and len(str(refused.value)) < 300


def test_negative_zero_is_zero_and_refused_where_zero_is():
    beta, lr = beta_param(), lr_param("lr", 0.02)
    for raw in ("-0", "-0.0", -0.0):
        assert math.copysign(1.0, beta.parse(raw)) == 1.0
        with pytest.raises(ParamError):
            lr.parse(raw)
    assert start_param().parse("-0,-0") == (0.0, 0.0) and math.copysign(1.0, start_param().parse("-0,1")[0]) == 1.0


def test_huge_integers_are_out_of_range_not_a_crash():
    for raw in (10**400, 10**5000, "9" * 60):
        with pytest.raises(ParamError) as refused:
            steps_param(60).parse(raw)
        assert len(str(refused.value)) < 300
        with pytest.raises(ParamError):
            lr_param("lr", 0.02).parse(raw)


def test_view_pairs_must_increase():
    from scenes.kit.params import view_param

    view = view_param()
    assert view.parse("-1,1,-2,2") == (-1.0, 1.0, -2.0, 2.0) and view.parse(None) is None
    for bad in ("0,0,0,0", "5,5,-1,1", "1,0,0,1", "0,1,1,0", "0,1,0,0", [1, 0, 0, 1]):
        with pytest.raises(ParamError) as refused:
            view.parse(bad)
        assert "xmin < xmax and ymin < ymax" in str(refused.value)
    assert "xmin < xmax" in view.range_text() and "xmin < xmax" in view.to_json()["range"]


@pytest.mark.parametrize("raw, folded", [
    ("a\nb", "a b"), ("a \r\n b", "a b"), ("a\tb", "a b"), ("a\x00b", "a b"), ("a\x7fb", "a b"), ("a\x85b", "a b"),
    ("a\u2028\u2029b", "a b"), ("line", "line"), ("two  spaces", "two  spaces"), ("", ""),
])
def test_display_text_folds_control_characters(raw, folded):
    heading = ParamSpec("heading", "text", "x", "h", high=20)
    assert heading.parse(raw) == folded


def test_display_text_must_be_unicode_and_short():
    heading = ParamSpec("heading", "text", "x", "h", high=5)
    for bad in ("\udcff", "ab\udcff", "abcdef", b"bytes"):
        with pytest.raises(ParamError) as refused:
            heading.parse(bad)
        assert "\n" not in str(refused.value)


def test_an_unknown_name_with_a_newline_stays_one_line():
    spec = SceneSpec("demo", "d", (beta_param(0.9),))
    with pytest.raises(ParamError) as refused:
        spec.resolve({"a\nb": 1})
    assert "\n" not in str(refused.value) and "does not take" in str(refused.value)
