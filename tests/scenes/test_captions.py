"""Caption line breaks (scenes.kit.base): never inside a formula, lines of even length, and the
breaks that let a caption be drawn largest in its band."""

from __future__ import annotations

import itertools
import re

import pytest

from scenes.kit import base, style
from scenes.kit.base import balanced_wraps, fit_caption

CAPTIONS = (
    "GD's slowest direction shrinks ×|1 − ηλmin| = 0.981 per step: theory's dashed slope. A crawl.",
    "Tuned momentum shrinks ×(√κ − 1)/(√κ + 1) = 0.818 per step: exactly 1 − √(η*λmin).",
    "Momentum lifts the ceiling by 1 + β = 1.9: with β = 0.9, η < (2 + 2β)/λmax = 0.152.",
    "SGD estimates the gradient from 8 of 512 samples. Eight such mini-batches scatter ±62%.",
    "After 60 steps: SGD ends at (0.0403, 6.0000); momentum ends at (−0.0087, 0.1905).",
    "η = 0.046 and β = 0.8168 from (9.44, 6.231): below (2 + 2β)/λmax = 0.1453, so the run is stable.",
)
# A line that ends or starts with an operator or relation was broken inside a formula.
OPERATOR_AT_EDGE = (r" [−+×<>=≤≥≈]$", r"^[−+×<>=≤≥≈] ")


def brute_force(words: list[str], count: int) -> list[list[str]]:
    """Every way to put ``words`` on ``count`` non-empty lines, in order."""
    return [[" ".join(words[a:b]) for a, b in zip((0, *cuts), (*cuts, len(words)))]
            for cuts in itertools.combinations(range(1, len(words)), count - 1)]


@pytest.mark.parametrize("text", CAPTIONS)
def test_lines_never_break_inside_a_formula_and_keep_every_character(text: str) -> None:
    for lines in balanced_wraps(text):
        assert " ".join(lines) == text
        for line, following in zip(lines, [*lines[1:], ""]):
            assert "\u00a0" not in line
            assert not any(re.search(edge, line) for edge in OPERATOR_AT_EDGE), lines
            assert not (re.search(r"\([−\d.]+,$", line) and re.match(r"[−\d.]+\)", following)), lines
            assert not line.endswith("-"), lines  # "mini-batches" stays whole


def test_a_formula_wider_than_the_line_keeps_its_line() -> None:
    assert ["so", "×(√κ − 1)/(√κ + 1)", "here"] in balanced_wraps("so ×(√κ − 1)/(√κ + 1) here")
    assert ["it ends at", "(0.0403, 6.0000)", "now"] in balanced_wraps("it ends at (0.0403, 6.0000) now")


@pytest.mark.parametrize("text", CAPTIONS)
def test_balanced_wraps_give_each_line_count_once_with_even_lines(text: str) -> None:
    wraps = balanced_wraps(text)
    counts = [len(lines) for lines in wraps]
    assert counts == sorted(set(counts)) and counts[0] == 1
    words = [w.replace("\u00a0", " ") for w in base._caption_words(text)]
    for lines in wraps[1:]:
        # against every possible break onto as many lines: the longest line within 10% of the least
        # it can be, and no break that keeps to that has a longer shortest line
        every = brute_force(words, len(lines))
        least = min(max(map(len, other)) for other in every)
        longest = max(map(len, lines))
        assert longest <= max(least, int(least * 1.1))
        assert all(min(map(len, other)) <= min(map(len, lines)) for other in every
                   if max(map(len, other)) <= max(least, int(least * 1.1)))
        assert len(lines[-1]) >= 0.35 * longest, lines  # no one-word last line


def test_fit_caption_prefers_fewer_lines_at_full_size_and_more_lines_in_a_narrow_band() -> None:
    short = "Same ravine, same start."
    assert fit_caption(short, 13.6, 0.9).lines == [short]
    text = CAPTIONS[3]
    wide = fit_caption(text, 13.6, 0.9)  # a 16:9 band holds two lines at full size
    assert len(wide.lines) == 2 and wide.scale == 1.0
    narrow = fit_caption(text, 7.4, 1.425)  # a square frame's band: three lines, still full size
    assert len(narrow.lines) == 3 and narrow.scale == 1.0
    cramped = fit_caption(text, 4.0, 0.9)  # too little room either way: shrunk, but as little as possible
    assert cramped.scale < 1.0
    for lines in balanced_wraps(text):
        width = max(map(len, lines)) * style.CAPTION_CHAR_WIDTH
        height = style.CAPTION_LINE_HEIGHT + (len(lines) - 1) * style.CAPTION_LINE_PITCH
        assert min(1.0, 4.0 / width, 0.9 / height) <= cramped.scale * 1.02


def test_an_empty_caption_fits_as_one_empty_line() -> None:
    assert fit_caption("", 10.0, 1.0).lines == [""]
