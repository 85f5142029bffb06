"""Spoken forms (scenes.kit.spoken): captions read as a teacher reads them, case by case, and no
caption of any scene at its defaults leaves a symbol or a digit for the voice to stumble on."""

from __future__ import annotations

import re

import pytest

from scenes.kit.spoken import SPOKEN_FORMS, for_the_ear, integer_words, number_words, spoken

CASES = [
    # Greek letters, marks and subscripts
    ("η = 0.02", "Eta equals zero point zero two"),
    ("2/λmax", "Two over lambda max"),
    ("λ_max and λ_{min}", "Lambda max and lambda min"),
    ("η* = 0.033, β* = 0.669", "Eta star equals zero point zero three three, beta star equals zero point six six nine"),
    ("v₁, v₂, v₃", "V one, v two, v three"),
    ("θ₀ = 0", "Theta zero equals zero"),
    ("ηλmin", "Eta lambda min"),
    ("θ − ηβv", "Theta minus eta beta v"),
    ("Δθ ← β Δθ − η g", "Delta theta becomes beta delta theta minus eta g"),
    ("κ = 100", "Kappa equals one hundred"),
    # powers
    ("10⁻⁶", "Ten to the minus six"),
    ("βᵏ", "Beta to the k"),
    ("β²", "Beta squared"),
    ("x³", "X cubed"),
    ("±C·β^(t/2)", "Plus or minus C times beta to the t over two"),
    ("2.70×10⁻¹⁵", "Two point seven zero times ten to the minus fifteen"),
    ("1e-6", "Ten to the minus six"),
    ("2.5e-3", "Two point five times ten to the minus three"),
    # relations and operators
    ("η < 0.08", "Eta below zero point zero eight"),
    ("η > 0.08", "Eta above zero point zero eight"),
    ("β ≤ 0.99", "Beta at most zero point nine nine"),
    ("β ≥ 0.5", "Beta at least zero point five"),
    ("≈ 10 steps", "About ten steps"),
    ("468 → 450", "Four hundred sixty eight to four hundred fifty"),
    ("×19 less", "Times nineteen less"),
    ("19× less", "Nineteen times less"),
    ("1 + β = 1.9", "One plus beta equals one point nine"),
    ("√κ", "Square root of kappa"),
    ("√(ηλmin)", "Square root of, eta lambda min"),
    ("|1 − ηλmax| = 1", "The size of one minus eta lambda max equals one"),
    ("the widest |μ|", "The widest size of mu"),
    ("(1 − β)βᵏ", "One minus beta, beta to the k"),
    ("1/(1 − β) = 10", "One over, one minus beta, equals ten"),
    ("η(1 − β) = 0.01", "Eta, one minus beta, equals zero point zero one"),
    ("L = 450", "L equals four hundred fifty"),
    ("1.77 vs 1.35", "One point seven seven versus one point three five"),
    # numbers, signs, percent, ranges, degrees
    ("−0.632", "Minus zero point six three two"),
    ("x = -4", "X equals minus four"),
    ("0.632", "Zero point six three two"),
    ("100", "One hundred"),
    ("3,600 runs", "Three thousand six hundred runs"),
    ("512 samples", "Five hundred twelve samples"),
    ("±62%", "Plus or minus sixty two percent"),
    ("0.5–0.99", "Zero point five to zero point nine nine"),
    ("β from 0.5 - 0.99", "Beta from zero point five to zero point nine nine"),
    ("turns 2° per step", "Turns two degrees per step"),
    ("at (6, 6)", "At six, six"),
    ("(0.0403, 6.0000)", "Zero point zero four zero three, six"),
    ("Momentum (β = 0.9) replays", "Momentum, beta equals zero point nine, replays"),
    # long decimals rounded for the ear
    ("0.5263g", "Zero point five two six g"),
    ("2.5716", "Two point five seven"),
    ("3.0024 for the library", "Three for the library"),
    ("0.08381", "Zero point zero eight three eight"),
    ("213.8", "Two hundred thirteen point eight"),
    ("9.576", "Nine point five seven six"),
    ("0.0002", "Zero point zero zero zero two"),
    # punctuation and typography
    ("It's “90% old” — not", "It's ninety percent old, not"),
    ("Step 1: v₁ = 2.", "Step one: v one equals two."),
    ("one 1-D problem per axis", "One one D problem per axis"),
]


@pytest.mark.parametrize(("caption", "words"), CASES, ids=[case[0] for case in CASES])
def test_a_caption_is_read_as_a_teacher_reads_it(caption, words):
    assert spoken(caption) == words


@pytest.mark.parametrize(("value", "words"), [
    (0, "zero"), (7, "seven"), (13, "thirteen"), (40, "forty"), (62, "sixty two"), (100, "one hundred"),
    (512, "five hundred twelve"), (1000, "one thousand"), (3600, "three thousand six hundred"),
    (1_000_001, "one million one"), (-4, "minus four"),
])
def test_integer_words(value, words):
    assert integer_words(value) == words


def test_number_words_keep_short_decimals_and_round_long_ones():
    assert number_words("0", "1") == "zero point one"
    assert number_words("1,024") == "one thousand twenty four"
    assert for_the_ear("0", "0403") == ("0", "0403")  # three significant digits: as shown
    assert for_the_ear("0", "1905") == ("0", "191") or for_the_ear("0", "1905") == ("0", "19")
    assert for_the_ear("27", "6412") == ("27", "6")
    assert for_the_ear("9", "9996") == ("10", "")


def test_every_symbol_in_the_table_is_spoken_in_its_words():
    for symbol, words in SPOKEN_FORMS.items():
        if symbol in ("power", "*", "–", "—"):  # used by the rules for powers, marks and dashes (cases above)
            continue
        said = spoken(f"a {symbol} b")
        assert said.isascii() and symbol not in said.split(), (symbol, said)
        if symbol != "|":  # a lone bar; a pair is "the size of"
            assert words.strip(",") in said, (symbol, said)


# --- every caption of every scene at its defaults ---------------------------------------------------
# A math symbol or digit left in the spoken text: the voice would spell it or skip it.
LEFT_OVER = re.compile(r"[^\x00-\x7f]|[0-9+=<>/^|*_~%&#@\\\[\]{}()]|(?<!\w)-|-(?!\w)")


def unspeakable(text: str) -> list[str]:
    """What in ``spoken(text)`` a voice cannot read as words (empty when it all can)."""
    return LEFT_OVER.findall(spoken(text))


def test_the_left_over_check_catches_raw_symbols():
    assert LEFT_OVER.findall("eta = 2") == ["=", "2"]
    assert LEFT_OVER.findall("λ and −") == ["λ", "−"]
    assert LEFT_OVER.findall("a mini-batch of eight, x-axis") == []
    assert LEFT_OVER.findall("a - b") == ["-"]


def scene_captions(name: str) -> list[str]:
    """Every caption ``name`` shows at its default parameters: its ``narration()`` where it lists
    them without Manim (the engine runs only), else from a construct with animations skipped."""
    from scenes.lesson import scene_class
    from tests.scenes.golden import constructed

    cls = scene_class(name)
    if hasattr(cls, "narration"):
        return cls(params={}).narration()
    return constructed(name, None, lambda scene: [cue.text for cue in scene.cues], size=(426, 240))


def _scene_names() -> list:
    """Every lesson scene; those that must be constructed to list their captions are slow."""
    from scenes.lesson import scene_class, scene_names

    return [name if hasattr(scene_class(name), "narration") else pytest.param(name, marks=pytest.mark.slow)
            for name in scene_names()]


@pytest.mark.parametrize("name", _scene_names())
def test_every_caption_of_every_scene_is_speakable(name):
    captions = scene_captions(name)
    assert captions, f"{name} shows no caption"
    problems = {text: unspeakable(text) for text in captions if unspeakable(text)}
    assert not problems, problems


@pytest.mark.slow
@pytest.mark.parametrize("name", [name for name in _scene_names() if isinstance(name, str)])
def test_captions_stay_speakable_at_any_parameters(name):
    """Hypothesis draws each scene's parameters inside their ranges (as the claims test does): other
    numbers, signs and sentences, every one still spoken in words."""
    from hypothesis import HealthCheck, given, settings

    from tests.scenes.test_claims import narrated, params_for

    @settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
    @given(params_for(name))
    def check(params):
        built = narrated(name, params)
        if built is None:
            return
        problems = {text: unspeakable(text) for text in built[1] if unspeakable(text)}
        assert not problems, (params, problems)

    check()
