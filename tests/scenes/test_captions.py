"""Caption line breaks (scenes.base): never inside a formula, lines of even length, and the
breaks that let a caption be drawn largest in its band."""

from __future__ import annotations

import re

import pytest

from scenes import style
from scenes.base import balanced_wraps, fit_caption, wrap_caption

CAPTIONS = (
    "GD's slowest direction shrinks ×|1 − ηλmin| = 0.981 per step: theory's dashed slope. A crawl.",
    "Tuned momentum shrinks ×(√κ − 1)/(√κ + 1) = 0.818 per step: exactly 1 − √(η*λmin).",
    "Momentum lifts the ceiling by 1 + β = 1.9: with β = 0.9, η < (2 + 2β)/λmax = 0.152.",
    "SGD estimates the gradient from 8 of 512 samples. Eight such mini-batches scatter ±62%.",
    "After 60 steps: SGD ends at (0.0403, 6.0000); momentum ends at (−0.0087, 0.1905).",
    "η = 0.046 and β = 0.8168 from (9.44, 6.231): below (2 + 2β)/λmax = 0.1453, so the run is stable.",
)
# A run of words a line may not break: operands joined by an operator or relation, or a number pair.
FORMULA = re.compile(r"\S+(?:(?: [−+×<>=≤≥≈]|(?<=\d),)(?= [−\d]| \S) \S+)*")


@pytest.mark.parametrize("width", range(24, 66, 3))
@pytest.mark.parametrize("text", CAPTIONS)
def test_lines_never_break_inside_a_formula_and_keep_every_character(text: str, width: int) -> None:
    lines = wrap_caption(text, width)
    assert " ".join(lines) == text
    for line in lines:
        assert "\u00a0" not in line
        assert not re.search(r" [−+×<>=≤≥≈]$", line) and not re.match(r"[−+×<>=≤≥≈] ", line), lines
        assert not re.search(r"\d,$", line) or not re.match(r"[−\d]", lines[lines.index(line) + 1]
                                                             if line is not lines[-1] else "x"), lines
        assert not line.endswith("-"), lines  # "mini-batches" stays whole
        longest_formula = max(len(m.group()) for m in FORMULA.finditer(line))
        assert len(line) <= width or len(line) == longest_formula, lines


def test_a_formula_wider_than_the_line_keeps_its_line() -> None:
    assert wrap_caption("so ×(√κ − 1)/(√κ + 1) here", 12) == ["so", "×(√κ − 1)/(√κ + 1)", "here"]
    assert wrap_caption("it ends at (0.0403, 6.0000) now", 10) == ["it ends at", "(0.0403, 6.0000)", "now"]


@pytest.mark.parametrize("text", CAPTIONS)
def test_balanced_wraps_give_each_line_count_once_with_even_lines(text: str) -> None:
    wraps = balanced_wraps(text)
    counts = [len(lines) for lines in wraps]
    assert counts == sorted(set(counts)) and counts[0] == 1
    for lines in wraps:
        assert " ".join(lines) == text
        if len(lines) > 1:
            # no greedy wrap onto as many lines has a longest line much shorter: lines of even length
            longest = max(map(len, lines))
            assert all(max(map(len, other)) * 1.1 >= longest for width in range(1, len(text) + 1)
                       if len(other := wrap_caption(text, width)) == len(lines))
            for line in lines:  # never broken inside a formula
                assert not re.search(r" [−+×<>=≤≥≈]$", line) and not re.match(r"[−+×<>=≤≥≈] ", line), lines
            assert len(lines[-1]) >= 0.35 * max(map(len, lines)), lines  # no one-word last line


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
