"""Velocity sum: the derivation's keyed lines, the stacks on one scale, the misreading's numbers,
captions of a real low-quality render, a golden frame and the layout at a range edge."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.lessons import velocity_sum as vs
from tests.scenes.layout_check import caption_lines, layout_problems
from tests.scenes.lessons.test_conformance import short_params
from tests.scenes.render_helpers import computed, srt_cues

pytestmark = [pytest.mark.render, pytest.mark.slow]

SCENE = "velocity-sum"
SHORT = short_params(SCENE)


def scene(**params):
    return computed("velocity-sum", params)


def test_captions_of_the_short_clip(clip):
    cues = srt_cues(clip)
    made = scene(**SHORT)
    assert [cue.text for cue in cues] == list(made.captions().values()) == made.narration()
    assert "g/(1 − β) = 10g" in cues[1].text
    # after 4 steps: 1 + 0.9 + 0.81 + 0.729 = 3.439 and 1 − 0.9 + 0.81 − 0.729 = 0.181
    assert "g/(1 + β) = 0.5263g" in cues[2].text and "0.181g against 3.439g, 19× less" in cues[2].text
    # misread: 0.1 · (1 + 0.9 + 0.81 + 0.729) = 0.3439 against the real 3.439
    assert '"90% old step + 10% new"' in cues[3].text and "only 0.3439 ηg, not 3.439" in cues[3].text
    # moved: 1 + 1.9 + 2.71 + 3.439 = 9.049 against a tenth of it
    assert "moved θ by 9.049 ηg" in cues[4].text and "by 0.9049 ηg" in cues[4].text and "not θ" in cues[-1].text


def test_stack_heads_are_the_optimizer_velocities_and_the_misreading_stays_under_plain_sgd():
    made = scene()
    const, alt = made.cases
    assert np.abs(const.heads) == pytest.approx(np.abs(const.velocity[1:]))
    assert np.abs(alt.heads) == pytest.approx(np.abs(alt.velocity[1:]))
    assert const.limit == pytest.approx(10.0) and alt.limit == pytest.approx(1 / 1.9)
    k = np.arange(31)
    assert np.abs(made.real.steps) == pytest.approx(np.abs(const.velocity))  # η = 1: the step is v
    assert np.abs(made.misread.steps) == pytest.approx(1 - 0.9 ** k)


def test_parameters_change_the_numbers():
    default = scene().captions()
    half = scene(beta=0.5).captions()
    assert half != default and "g/(1 − β) = 2g" in half["constant"] and "0.6667g" in half["alternating"]
    assert '"50% old step + 50% new"' in half["misread"]
    assert scene(steps=10).captions()["alternating"] != default["alternating"]
    edge = scene(beta=0.99, steps=60).captions()
    assert "toward g/(1 − β) = 100g" in edge["constant"] and '"99% old step + 1% new"' in edge["misread"]
    zero = scene(beta=0.0, steps=1).captions()
    assert "nothing is carried over" in zero["alternating"] and "both readings are plain SGD" in zero["misread"]


@pytest.mark.parametrize("params", [{}, {"beta": 0.0, "steps": 1}, {"beta": 0.99, "steps": 60},
                                    {"beta": 0.37, "steps": 7}])
def test_captions_fit_two_lines_and_make_no_unbacked_claims(params):
    from tests.scenes.test_claims import claim_problems

    made = scene(**params)
    texts = made.narration()
    assert len(texts) == 5 and all(caption_lines(text) <= 2 for text in texts), texts
    assert claim_problems(made, texts) == []


def test_every_morph_names_pieces_its_lines_have():
    lines = vs.DERIVATION + vs.series_lines("+", 10.0) + vs.series_lines("-", 0.5) + vs.STEP_LINES
    keys = [[key for _, _, key in line] for line in lines]
    assert all(len(set(k)) == len(k) for k in keys)
    chains = [(vs.DERIVATION, vs.DERIVATION_PAIRS), (vs.series_lines("+", 1.0), vs.SERIES_PAIRS)]
    for table, pairs in chains:
        for k, step in enumerate(pairs):
            have, want = {key for _, _, key in table[k]}, {key for _, _, key in table[k + 1]}
            for source, target in step:
                assert set([source] if isinstance(source, str) else source) <= have
                assert set([target] if isinstance(target, str) else target) <= want
    # the unrolled line ends as the series the lesson states
    assert "".join(tex for tex, _, _ in vs.DERIVATION[-1]) == r"v_{t+1}=g_t+\betag_{t-1}+\beta^2g_{t-2}+\cdots"


def test_a_fractional_step_grows_the_next_arrow():
    from scenes.widgets.arrow_stack import ArrowStack

    stack = ArrowStack(np.array([1.0, 1.9, 2.71]), np.zeros(3), 1.0, 0.5, "#FFFFFF", "#FFFFFF")
    stack.set_progress(1.5)
    growing = stack.submobjects[1]
    assert len(stack.submobjects) == 3 and growing is stack.terms[1]
    assert growing.get_end() == pytest.approx(stack.head(1) + 0.5 * (stack.head(2) - stack.head(1)), abs=0.02)
    stack.set_progress(2.0)  # whole again: the arrow back at full length
    assert stack.terms[1].get_end() == pytest.approx(stack.head(2), abs=0.02) and len(stack.submobjects) == 3


def test_both_stacks_share_one_scale():
    from tests.scenes.golden import constructed

    def scales(made):
        const, alt = made.stacks
        return const.unit, alt.unit, const.origin[1], alt.origin[1]

    unit_a, unit_b, base_a, base_b = constructed("velocity-sum", {"steps": 4}, scales)
    assert unit_a == pytest.approx(unit_b) and base_a == pytest.approx(base_b)


def test_layout_at_the_range_edge():
    assert layout_problems("velocity-sum", {"beta": 0.99, "steps": 60}) == []


def test_golden_last_frame(request):
    from tests.scenes.golden import check_golden_frame

    check_golden_frame(request, "velocity-sum", "velocity_sum_default")


def test_a_keyed_morph_moves_pairs_and_fades_the_rest():
    from manim import Square, VGroup

    from scenes.widgets.series_derivation import KeyedLine, Morph

    source = KeyedLine(VGroup(*(Square() for _ in range(4))), ["lhs", "eq", "v", "old"])
    target = KeyedLine(VGroup(*(Square() for _ in range(5))), ["lhs", "eq", "b", "g", "new"])
    made = Morph(source, target, [("v", ("b", "g"))])
    assert [len(goal) for _, goal in made.movers] == [2, 1, 1]  # v opens into two pieces; lhs and eq move alone
    assert made.leaving == [source.parts["old"]] and made.arriving == [target.parts["new"]]
    assert made.moved == [source.parts[k] for k in ("lhs", "eq", "v")]
    kept = Morph(source, target, [("v", ("b", "g"))], keep_source=True)
    assert kept.leaving == [] and kept.moved == []
    with pytest.raises(ValueError):
        KeyedLine(VGroup(Square(), Square()), ["a", "a"])
