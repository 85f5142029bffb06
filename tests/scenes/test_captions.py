"""Caption wrapping (scenes.base.wrap_caption): lines never break inside a formula."""

from __future__ import annotations

import re

import pytest

from scenes.base import wrap_caption

CAPTIONS = (
    "GD's slowest direction shrinks ×|1 − ηλmin| = 0.981 per step: theory's dashed slope. A crawl.",
    "Tuned momentum shrinks ×(√κ − 1)/(√κ + 1) = 0.818 per step: exactly 1 − √(η*λmin).",
    "Momentum lifts the ceiling by 1 + β = 1.9: with β = 0.9, η < (2 + 2β)/λmax = 0.152.",
    "SGD estimates the gradient from 8 of 512 samples. Eight such mini-batches scatter ±62%.",
)


@pytest.mark.parametrize("width", range(24, 66, 3))
@pytest.mark.parametrize("text", CAPTIONS)
def test_lines_never_break_around_an_operator_and_keep_every_character(text: str, width: int) -> None:
    lines = wrap_caption(text, width)
    assert " ".join(lines) == text
    for line in lines:
        assert "\u00a0" not in line
        assert not re.search(r" [−+×]$", line) and not re.match(r"[−+×] ", line), lines
        assert not line.endswith("-"), lines  # "mini-batches" stays whole
        longest_formula = max(len(m.group()) for m in re.finditer(r"\S+(?: [−+×] \S+)*", line))
        assert len(line) <= width or len(line) == longest_formula, lines


def test_a_formula_wider_than_the_line_keeps_its_line() -> None:
    assert wrap_caption("so ×(√κ − 1)/(√κ + 1) here", 12) == ["so", "×(√κ − 1)/(√κ + 1)", "here"]
