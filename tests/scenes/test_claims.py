"""Claims that hold: every qualitative word a caption uses about a run is an engine predicate on
that run, at random parameters inside each scene's declared ranges.

Hypothesis draws every parameter of a scene inside its ``SPEC`` range; the scene computes its
runs and lists its captions in play order (``narration()``: no Manim construct, no render), and
the check is two-fold:

(a) every claim the scene registered (``LessonScene.claim``) says what its predicate found;
(b) every claim word in a caption (``engine.claims.WORDS``, in any of its forms) is backed by a
    registered claim with that word, about a subject the caption names, with the caption's
    polarity ("does not settle" needs a claim that says it does not).

Step-driven stories are also checked for the caption cap (no caption planned longer than
``MAX_CAPTION_SECONDS``) and the race scenes for the view (every run that does not diverge stays
in it). The five cases of issue 26 are explicit examples below.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings, strategies as st

from engine import claims
from scenes.kit.base import MAX_CAPTION_TICKS, caption_spans, plan_story
from scenes.kit.params import ParamError, ParamSpec
from scenes.lesson import scene_class
from tests.scenes.render_helpers import small_camera

SCENES = ("ravine-race", "heavy-ball", "beta-race", "nesterov", "stability", "convergence", "rate-map",
          "minibatch-noise", "conventions", "eigen-view", "surface")
EXAMPLES = {"rate-map": 8}  # a grid of up to 120² runs of up to 800 steps per draw
DEFAULT_EXAMPLES = 60

WORD_FORMS = {
    "zigzags": r"\bzig-?zag\w*",
    "crawls": r"\bcrawl\w*",
    "overshoots": r"\bovershoot\w*|\bovershot\b",
    "glides": r"\bglid\w*",
    "settles": r"\bsettl\w*",
    "stalls": r"\bstall\w*",
    "diverges": r"\bdiverg\w*",
    "converges": r"\bconverg\w*",
    "leaves the view": r"\b(?:leaves?|left) the (?:view|chart)\b|\boff the chart\b",
    "leads": r"\blead(?:s|ing)?\b|\bled\b",
}
NEGATION = re.compile(r"\b(?:not|never|neither|nor|no|cannot)\b|n't", re.IGNORECASE)
CLAUSE_END = re.compile(r"[,;:]|\.\s")


# -- drawing parameters inside a scene's declared ranges ---------------------------------------------
def number(spec: ParamSpec) -> st.SearchStrategy[float]:
    """A float inside ``spec``'s bounds: uniform, log-uniform over the top three decades (rates), or
    near zero on a wide range (start points)."""
    low, high = float(spec.low), float(spec.high)
    uniform = st.floats(low, high, exclude_min=spec.low_open, exclude_max=spec.high_open, allow_nan=False,
                        allow_subnormal=False)
    choices = [uniform]
    if low >= 0 and high > 0:
        floor = max(low, high * 1e-3)
        choices.append(st.floats(math.log(floor), math.log(high)).map(
            lambda v: min(max(math.exp(v), floor), high)).filter(spec._in_range))
    if high - low > 40:
        middle = min(max(0.0, low), high)
        choices.append(st.floats(max(low, middle - 10), min(high, middle + 10)))
    return st.one_of(*choices).map(lambda v: round(v, 4) if abs(v) > 1e-3 else v).filter(spec._in_range)


def value(spec: ParamSpec) -> st.SearchStrategy[Any] | None:
    """A strategy for one parameter, or None to leave it at its default (text, flags, fixed views)."""
    if spec.name == "view" or spec.kind in ("text", "bool"):
        return None
    if spec.kind == "int":
        if spec.name == "seed":
            return st.integers(0, 999)
        drawn = st.integers(int(spec.low), int(spec.high))
        return st.one_of(st.none(), drawn) if spec.optional else drawn
    if spec.kind == "choice":
        return st.sampled_from(spec.choices)
    if spec.kind == "float":
        return st.one_of(st.none(), number(spec)) if spec.optional else number(spec)
    shortest, longest = spec.entries
    return st.lists(number(spec), min_size=shortest, max_size=longest).map(tuple)


def params_for(name: str) -> st.SearchStrategy[dict[str, Any]]:
    """Every parameter of scene ``name`` drawn inside its declared range."""
    fields = {spec.name: strategy for spec in scene_class(name).SPEC.params
              if (strategy := value(spec)) is not None}
    return st.fixed_dictionaries(fields).map(lambda drawn: {k: v for k, v in drawn.items() if v is not None})


# -- building the beats and checking the claims ----------------------------------------------------
def narrated(name: str, params: dict[str, Any]):
    """The scene with ``params``, its runs computed and its captions listed in play order (no Manim
    construct); None where the scene refuses the parameters."""
    try:
        with small_camera():  # captions and claims need no pixels: a 1080p camera per draw costs more than the draw
            scene = scene_class(name)(params=params)
        return scene, scene.narration()
    except ParamError:
        return None


def occurrences(text: str) -> list[tuple[str, bool, str]]:
    """Each claim word in ``text``: (word, negated, the form used); negated where its clause says
    not / never / neither / no before it."""
    found = []
    for word, pattern in WORD_FORMS.items():
        for match in re.finditer(pattern, text, re.IGNORECASE):
            ends = [m.end() for m in CLAUSE_END.finditer(text, 0, match.start())]
            clause = text[ends[-1] if ends else 0: match.start()]
            found.append((word, bool(NEGATION.search(clause)), match.group(0)))
    return found


def claim_problems(scene, texts: list[str]) -> list[str]:
    """(a) registered claims that do not hold; (b) claim words no registered claim backs."""
    problems = [f"claim does not hold: {c.subject!r} {'' if c.says else 'not '}{c.word} ({c.evidence})"
                for c in scene.claims_made if not c.true]
    for text in texts:
        for word, negated, form in occurrences(text):
            backed = [c for c in scene.claims_made
                      if c.word == word and c.subject.lower() in text.lower() and c.says == (not negated)]
            if not backed:
                problems.append(f"{'no' if negated else ''} {form!r} unbacked by a claim: {text!r}")
    return problems


def long_captions(scene) -> list[str]:
    """Captions of a step-driven story planned to stay up longer than the cap."""
    if not hasattr(scene, "story") or not hasattr(scene, "progress"):
        return []
    beats = scene.story()
    tail = 2 if scene.SPEC.name in ("heavy-ball", "beta-race") else 3
    story = beats[1:] if scene.SPEC.name == "beta-race" else beats
    planned = plan_story(story, scene.params["steps"], scene.ticks_per_step, tail, scene.progress)
    return [f"{ticks / 15:.1f} s: {text!r}" for text, ticks in caption_spans(planned) if ticks > MAX_CAPTION_TICKS]


def out_of_view(scene) -> list[str]:
    """Race runs that leave the view though they do not diverge."""
    if not hasattr(scene, "frame") or not hasattr(scene, "racers"):
        return []
    view, _, exits = scene.frame()
    return [f"{racer.name} leaves the view at step {step} without diverging"
            for racer, rate, step in zip(scene.racers, scene.rates(), exits)
            if step is not None and not claims.diverges(racer.diverged_at, rate) and scene.params["view"] is None]


def check(name: str, params: dict[str, Any]) -> None:
    built = narrated(name, params)
    assume(built is not None)
    scene, texts = built
    assert texts and all(texts), texts
    problems = claim_problems(scene, texts) + long_captions(scene) + out_of_view(scene)
    assert problems == [], (params, problems)


def scene_test(name: str, examples: int):
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(params=params_for(name))
    def test(params):
        check(name, params)

    return test


# -- the scenes at random parameters ------------------------------------------------------------------
test_ravine_race = example(params={"beta": 0.99, "steps": 400})(
    example(params={"lr_sgd": 0.0805, "lr_momentum": 0.15, "start": (-50.0, 50.0)})(
        example(params={})(scene_test("ravine-race", DEFAULT_EXAMPLES))))
test_heavy_ball = example(params={"beta": 0.99, "lr": 0.1, "start": (5.0,)})(
    example(params={})(scene_test("heavy-ball", DEFAULT_EXAMPLES)))
test_beta_race = example(params={})(scene_test("beta-race", DEFAULT_EXAMPLES))
test_nesterov = example(params={"steps": 200})(scene_test("nesterov", DEFAULT_EXAMPLES))
test_stability = example(params={})(scene_test("stability", DEFAULT_EXAMPLES))
test_convergence = example(params={})(scene_test("convergence", DEFAULT_EXAMPLES))
test_rate_map = example(params={"grid": 20, "steps": 150})(scene_test("rate-map", EXAMPLES["rate-map"]))
test_minibatch_noise = example(params={})(scene_test("minibatch-noise", DEFAULT_EXAMPLES))
test_conventions = example(params={})(scene_test("conventions", DEFAULT_EXAMPLES))
test_eigen_view = example(params={"lr": 0.01})(example(params={"start": (0.0, 0.0), "beta": 0.0})(
    example(params={})(scene_test("eigen-view", DEFAULT_EXAMPLES))))


@pytest.mark.slow
@pytest.mark.parametrize("name", SCENES)
def test_many_more_draws(name):
    """Four times the draws (not in a quick run)."""
    scene_test(name, 4 * EXAMPLES.get(name, DEFAULT_EXAMPLES))()


# -- the five cases of issue 26 -------------------------------------------------------------------------
def texts_of(name: str, params: dict[str, Any]):
    scene, texts = narrated(name, params)
    return scene, texts


def test_long_memory_race_does_not_glide_and_no_caption_stays_long():
    """β = 0.99 for 400 steps: momentum ends at (0.79, 0.33), farther than SGD along x; no glide,
    and the 380 steps after the overshoot get progress captions instead of one 103 s caption."""
    scene, texts = texts_of("ravine-race", {"beta": 0.99, "steps": 400})
    assert not any("glide" in t for t in texts), texts
    mom = scene.racers[1]
    assert not claims.glides(mom.theta, mom.loss, scene.racers[0].loss, np.zeros(2))
    assert any(t.startswith("Steps ") for t in texts)
    assert long_captions(scene) == []
    assert any("still overshoots" in t for t in texts), texts


def test_far_start_keeps_both_runs_in_view_and_does_not_glide():
    """From (−50, 50) with η = 0.0805 / 0.15: the view fits momentum's wide swings as well as SGD's;
    momentum ends at L = 2960, so no glide."""
    scene, texts = texts_of("ravine-race", {"lr_sgd": 0.0805, "lr_momentum": 0.15, "start": "-50,50"})
    view, escaping, exits = scene.frame()
    assert escaping == [False, False] and exits == [None, None]
    assert view.contains(scene.racers[1].theta).all() and view.contains(scene.racers[0].theta).all()
    assert not any("glide" in t for t in texts), texts
    assert any("SGD is diverging" in t for t in texts), texts


def test_heavy_ball_past_the_bottom_is_not_said_to_be_only_slowed():
    """β = 0.99, η = 0.1 from x = 5: the heavy ball rolls over the ripple and past the bottom and is
    still swinging, above gradient descent's loss: the bump does not "only slow it down", and bumps
    do not "average away"."""
    scene, texts = texts_of("heavy-ball", {"beta": 0.99, "lr": 0.1, "start": "5"})
    assert not any("only slows it down" in t or "average away" in t for t in texts), texts
    assert scene.loss[-1, 1] > scene.loss[-1, 0]
    assert any("overshoots the bottom" in t for t in texts), texts


def test_default_race_names_sgds_real_failure():
    """At the defaults SGD's x is at 0.5 by step 28: it does not crawl; its loss stalls because the
    steep axis swings ±6 forever at η = 2/λmax."""
    scene, texts = texts_of("ravine-race", {})
    assert not any("crawl" in t for t in texts), texts
    verdict = next(t for t in texts if "stalls" in t)
    assert "swings ±6 forever" in verdict and "η = 2/λmax" in verdict and "momentum glides" in verdict
    sgd = scene.racers[0]
    assert abs(sgd.theta[28, 0]) < 0.6 and not claims.crawls(sgd.theta[:, 0])


def test_one_settle_count_for_the_tuned_run_in_convergence_and_the_rate_map():
    """Convergence's tuned momentum run and the rate map's optimum probe are the same run: one
    definition of settled gives one number, in both captions and in convergence's table."""
    conv, conv_texts = texts_of("convergence", {})
    rmap, map_texts = texts_of("rate-map", {})
    settled = conv.measured[1]
    opt = rmap.stops[1]
    assert np.isfinite(settled) and rmap.probes.settle[opt] == settled
    assert f"Momentum settles within 10⁻⁶ at step {int(settled)}" in conv_texts[-1]
    assert f"settles in {int(settled)} steps" in next(t for t in map_texts if "optimum" in t)
    assert not any("needs" in t for t in conv_texts), conv_texts
