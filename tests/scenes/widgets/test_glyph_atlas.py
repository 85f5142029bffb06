"""GlyphAtlas: labels composed from cached glyphs match Pango's own typesetting of the same text."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.kit import style
from scenes.widgets.core import GlyphAtlas, SwapLabel, label

# Readouts the scenes show while animating (counters, ‖θ − θ*‖, ∇ ± noise bands).
SAMPLES = ["step 12 / 80", "‖θ − θ*‖ = 0.1234", "∇L ± 0.25", "η = 0.0125, β = 0.9 → ×10⁻³"]


@pytest.mark.parametrize("text", SAMPLES)
def test_atlas_outline_matches_typeset_text(text: str) -> None:
    atlas = GlyphAtlas.get(style.MONO_FONT, style.SMALL_SIZE)
    assert atlas.covers(text)
    composed = atlas.outline(text, np.zeros(3))
    typeset = label(text, style.SMALL_SIZE, font=style.MONO_FONT)
    reference = np.vstack([m.points for m in typeset.family_members_with_points()])
    assert composed.shape == reference.shape
    # align ink boxes (the atlas anchors the first cell, Pango the first ink), then compare outlines
    composed = composed - composed.min(axis=0)
    reference = reference - reference.min(axis=0)
    assert np.abs(composed - reference).max() < 0.02  # scene units (1/100 of a text line)


def test_swapping_readouts_typesets_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A live readout using the lesson's symbols swaps text without building a single ``Text``."""
    import scenes.widgets.core as widgets

    GlyphAtlas.get(style.MONO_FONT, style.SMALL_SIZE)  # built before counting
    typeset: list[str] = []
    monkeypatch.setattr(widgets, "label", lambda text, *a, **k: typeset.append(text) or label(text, *a, **k))
    swap = SwapLabel(lambda k: f"‖θ − θ*‖ = {k / 7:.4f}  ∇ ± {k}", np.zeros(3), size=style.SMALL_SIZE)
    for k in range(20):
        swap.set_progress(k)
    assert typeset == []
    assert len(swap._cache) == 20
