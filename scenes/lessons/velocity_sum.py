"""What β does to the velocity (lesson beat 6): the unrolled sum derived, a steady gradient piling up,
a flipping one cancelling, and the misreading of β acted out.

The rule v_{t+1} = β v_t + g_t is substituted into itself on screen until it reads
v_{t+1} = g_t + β g_{t−1} + β² g_{t−2} + ⋯ . For a constant gradient g the terms are then
stacked head to tail (term k and arrow k appear together) while the sum factors into
g(1 + β + β² + ⋯) and closes to g/(1 − β); for a gradient that flips sign every step the stack
beside it, on the same vertical scale, cancels toward g/(1 + β). Last, the rule on the step,
Δθ_{t+1} = β Δθ_t − η g_t, is set against the misreading "β of the step is the last step"
(Δθ_{t+1} = β Δθ_t − (1 − β) η g_t, ``engine.step_readings``), and both step sizes are drawn
over the steady stack. Limits from ``engine.theory``, velocities from the engine's optimizer
replaying the gradient sequences (``engine.sequences``). Gradients are in units of g, steps in η g.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import AnimationGroup, DashedLine, Line, Transform, VGroup

from engine import theory
from engine.sequences import (
    alternating_gradients,
    constant_gradients,
    velocity_history,
    velocity_partial_sums,
    velocity_terms,
)
from engine.step_readings import misread_steps, real_steps
from scenes.kit import style
from scenes.kit.base import LessonScene
from scenes.kit.fades import fade_in, fade_out
from scenes.kit.framing import ticks
from scenes.kit.param_text import fmt_param
from scenes.kit.params import ParamSpec, SceneSpec, steps_param
from scenes.kit.style import Rect
from scenes.widgets.area_fill import AreaUnder
from scenes.widgets.arrow_stack import ArrowStack
from scenes.widgets.core import Ball, ProgressivePath, StepDriver, SwapLabel, fitted_text, label
from scenes.widgets.series_derivation import KeyedLine, morph
from scenes.widgets.worked_table import tex_number, typeset_cells

G = 1.0  # the gradient's size: every velocity is shown in units of g (and every step in η g)
GRADIENT = style.OPTIMIZER_COLORS["gd"]
VELOCITY = style.OPTIMIZER_COLORS["momentum"]
MISREAD = style.WARNING
MAX_DX = 0.5  # scene units between arrow tails at most: a short run's stack stays compact
SYNCED = 3  # terms of the series written out: each appears with its arrow
LABEL_ROOM = 0.95  # scene units right of each stack for its limit's value
STACKED_SHARE = 0.45  # square and portrait frames: the equations' share of the body height, above the chart
MAX_MATH_GROWTH = 1.45  # the equations may be set up to this much larger than the lesson's math scale


@dataclass(frozen=True)
class Case:
    """One stack: a gradient sequence and what the optimizer made of it."""

    name: str               # "constant" or "alternating"
    grads: np.ndarray       # (n,)
    velocity: np.ndarray    # (n+1,) v_0 = 0 … v_n from the optimizer
    terms: np.ndarray       # (n,) β^k g_{n−1−k}, newest first
    heads: np.ndarray       # (n,) running sums of the terms
    limit: float            # |v| as n → ∞ (engine.theory)


def tex_g(value: float) -> str:
    """A multiple of g for MathTex: ``10\\,g``."""
    return tex_number(value) + r"\,g"


# Every line of the derivation: (TeX, colour key, piece key). Colour keys: v velocity, g gradient,
# t text, w warning (the misreading's factor).
V, GR, T, W = "v", "g", "t", "w"
DERIVATION = [
    [(r"v_{t+1}", V, "lhs"), ("=", T, "eq"), (r"\beta", T, "b1"), (r"v_t", V, "v"), ("+", T, "p0"), ("g_t", GR, "g0")],
    [(r"v_{t+1}", V, "lhs"), ("=", T, "eq"), (r"\beta", T, "b1"), ("(", T, "("), (r"\beta", T, "bi"),
     (r"v_{t-1}", V, "v1"), ("+", T, "pi"), ("g_{t-1}", GR, "g1"), (")", T, ")"), ("+", T, "p0"), ("g_t", GR, "g0")],
    [(r"v_{t+1}", V, "lhs"), ("=", T, "eq"), ("g_t", GR, "g0"), ("+", T, "p0"), (r"\beta", T, "b1"),
     ("g_{t-1}", GR, "g1"), ("+", T, "pi"), (r"\beta^2", T, "b2"), (r"v_{t-1}", V, "v1")],
    [(r"v_{t+1}", V, "lhs"), ("=", T, "eq"), ("g_t", GR, "g0"), ("+", T, "p0"), (r"\beta", T, "b1"),
     ("g_{t-1}", GR, "g1"), ("+", T, "pi"), (r"\beta^2", T, "b2"), ("g_{t-2}", GR, "g2"), ("+", T, "p2"),
     (r"\beta^3", T, "b3"), (r"v_{t-2}", V, "v2")],
    [(r"v_{t+1}", V, "lhs"), ("=", T, "eq"), ("g_t", GR, "g0"), ("+", T, "p0"), (r"\beta", T, "b1"),
     ("g_{t-1}", GR, "g1"), ("+", T, "pi"), (r"\beta^2", T, "b2"), ("g_{t-2}", GR, "g2"), ("+", T, "p2"),
     (r"\cdots", T, "dots")],
]
# the substitutions: which pieces become which
DERIVATION_PAIRS = [
    [("v", ("(", "bi", "v1", "pi", "g1", ")"))],
    [(("b1", "bi"), "b2"), ("b1", "b1"), ("g1", "g1")],
    [("b2", ("b2", "b3")), ("v1", ("g2", "p2", "v2"))],
    [(("b3", "v2"), "dots")],
]


def series_lines(sign: str, limit: float) -> list[list[tuple[str, str, str]]]:
    """The sum for a constant (``sign`` "+") or flipping ("-") gradient: written out, factored, closed."""
    other = "-" if sign == "-" else "+"
    return [
        [(r"v_{t+1}", V, "lhs"), ("=", T, "eq"), ("g", GR, "g0"), (other, T, "p0"), (r"\beta", T, "b1"),
         ("g", GR, "g1"), ("+", T, "pi"), (r"\beta^2", T, "b2"), ("g", GR, "g2"), (other, T, "p2"),
         (r"\cdots", T, "dots")],
        [(r"v_{t+1}", V, "lhs"), ("=", T, "eq"), ("g", GR, "g0"), ("(", T, "("), ("1", T, "one"), (other, T, "p0"),
         (r"\beta", T, "b1"), ("+", T, "pi"), (r"\beta^2", T, "b2"), (other, T, "p2"), (r"\cdots", T, "dots"),
         (")", T, ")")],
        [(r"v_{t+1}", V, "lhs"), (r"\to", T, "eq"), ("g", GR, "g0"),
         (r"/(1" + ("+" if sign == "-" else "-") + r"\beta)", T, "frac"), ("=", T, "eq2"), (tex_g(limit), V, "value")],
    ]


SERIES_PAIRS = [
    [(("g0", "g1", "g2"), "g0")],
    [(("(", "one", "p0", "b1", "pi", "b2", "p2", "dots", ")"), "frac")],
]
STEP_LINES = [
    [(r"\Delta\theta_{t+1}", V, "lhs"), ("=", T, "eq"), (r"-\eta", T, "eta"), (r"v_{t+1}", V, "v")],
    [(r"\Delta\theta_{t+1}", V, "lhs"), ("=", T, "eq"), (r"\beta", T, "b1"), (r"\Delta\theta_t", V, "s"),
     ("-", T, "minus"), (r"\eta", T, "eta"), ("g_t", GR, "g0")],
    [(r"\Delta\theta_{t+1}", W, "lhs"), ("=", T, "eq"), (r"\beta", T, "b1"), (r"\Delta\theta_t", W, "s"),
     ("-", T, "minus"), (r"(1-\beta)", W, "share"), (r"\eta", T, "eta"), ("g_t", GR, "g0")],
]


class VelocitySum(LessonScene):
    """The unrolled velocity derived, stacked as arrows on one scale, and the misreading of β acted out."""

    TITLE = "What β does to the velocity"
    SPEC = SceneSpec(
        name="velocity-sum",
        description="The velocity unrolled on screen into βᵏg terms stacked as arrows: a steady gradient piles up "
                    "to g/(1−β), a flipping one cancels to g/(1+β); β misread as a share of the step.",
        params=(
            # the shared β name, clamped: beyond 0.99 the steady stack is a sliver under a far limit
            ParamSpec("beta", "float", 0.9, "momentum coefficient β", low=0.0, high=0.99),
            steps_param(30, high=60),
        ),
    )

    # -- engine ----------------------------------------------------------------------------
    def compute(self) -> None:
        """Replay a constant and a sign-flipping gradient through the engine's optimizer; read the
        steady case's steps both ways (the real rule and the misreading)."""
        beta, n = self.params["beta"], self.params["steps"]
        self.cases = []
        for name, grads, limit in (
            ("constant", constant_gradients(G, n), theory.velocity_limit_constant(G, beta)),
            ("alternating", alternating_gradients(G, n), theory.velocity_limit_alternating(G, beta)),
        ):
            self.cases.append(Case(name, grads, velocity_history(grads, beta), velocity_terms(grads, beta),
                                   velocity_partial_sums(grads, beta), float(limit)))
        self.multiplier = float(theory.effective_step_multiplier(beta))
        steady = constant_gradients(G, n)
        self.real = real_steps(steady, beta)        # η = 1: steps in units of η g
        self.misread = misread_steps(steady, beta)

    def default_highlights(self) -> dict[str, str]:
        return {"velocity": VELOCITY, "misread": MISREAD}

    # -- captions (facts from the engine) --------------------------------------------------
    def captions(self) -> dict[str, str]:
        """Every caption of the scene, keyed by beat, in play order."""
        p = self.params
        b, n = fmt_param(p["beta"]), p["steps"]
        const, alt = self.cases
        v_const = abs(float(const.velocity[-1]))
        v_alt = abs(float(alt.velocity[-1]))
        steps = style.count(n, "step")
        ratio = v_const / v_alt
        out = {
            "derive": (f"Momentum keeps β = {b} of the velocity and adds the new gradient. Unrolled, each older "
                       f"gradient arrives shrunk by one more β."),
            "constant": (f"A steady slope feeds g every step: the terms all point one way and pile up toward "
                         f"g/(1 − β) = {style.fmt_short(const.limit)}g."),
        }
        if p["beta"] == 0:
            out["constant"] = (f"A steady slope feeds g every step, but with β = 0 every older term is zero: "
                               f"v = g/(1 − β) = {style.fmt_short(const.limit)}g, the newest gradient alone.")
        if p["beta"] == 0:
            out["alternating"] = (f"A gradient that flips sign every step: with β = 0 nothing is carried over, so v "
                                  f"is just the newest gradient, {style.fmt_short(v_const)}g on both sides.")
        else:
            out["alternating"] = (f"A gradient that flips sign every step: the terms cancel, toward g/(1 + β) = "
                                  f"{style.fmt_short(alt.limit)}g. After {steps}: {style.fmt_short(v_alt)}g against "
                                  f"{style.fmt_short(v_const)}g, {style.fmt_short(ratio)}× less.")
        real_v = abs(float(self.real.steps[-1]))
        wrong_v = abs(float(self.misread.steps[-1]))
        if p["beta"] == 0:
            out["misread"] = ("Each step is −η v, so Δθ ← β Δθ − η g. β is not a share of the step; at β = 0 "
                              "both readings are plain SGD, steps of ηg.")
        else:
            keep, share = style.fmt_percent(p["beta"]), style.fmt_percent(1 - p["beta"])
            out["misread"] = (f"Each step is −η v, so Δθ ← β Δθ − η g. Careful: β = {b} is not "
                              f"\"{keep} old step + {share} new\": read so, steps reach only "
                              f"{style.fmt_short(wrong_v)} ηg, not "
                              f"{style.fmt_short(real_v)}.")
        moved_real = abs(float(self.real.theta[-1] - self.real.theta[0]))
        moved_wrong = abs(float(self.misread.theta[-1] - self.misread.theta[0]))
        if p["beta"] == 0:
            out["distance"] = (f"After {steps} both have moved θ by {style.fmt_short(moved_real)} ηg: the recursion "
                               f"is on v, not θ, and with β = 0 there is no v to carry.")
        else:
            out["distance"] = (f"After {steps} the real rule has moved θ by {style.fmt_short(moved_real)} ηg, the "
                               f"misread one by {style.fmt_short(moved_wrong)} ηg: the recursion is on v, not θ.")
        return out

    def narration(self) -> list[str]:
        """The captions in play order, from ``compute()`` alone."""
        self.compute()
        return list(self.captions().values())

    # -- drawing ---------------------------------------------------------------------------
    def typeset(self) -> list[KeyedLine]:
        """Every line of the scene in one LaTeX run, as keyed lines (in the order of the tables above)."""
        colours = {V: VELOCITY, GR: GRADIENT, T: style.TEXT, W: MISREAD}
        const, alt = self.cases
        lines = (DERIVATION + series_lines("+", const.limit) + series_lines("-", alt.limit) + STEP_LINES
                 + [[(r"g,\ g,\ g,\ \dots", GR, "head")], [(r"g,\ -g,\ g,\ \dots", GR, "head")]])
        groups = typeset_cells([[(tex, colours[c]) for tex, c, _ in line] for line in lines])
        return [KeyedLine(group, [key for _, _, key in line]) for group, line in zip(groups, lines)]

    def construct(self) -> None:
        self.compute()
        self.title(self.TITLE)
        layout = self.layout
        text = self.captions()
        lines = self.typeset()
        derivation, steady_lines, flip_lines = lines[:5], lines[5:8], lines[8:11]
        step_lines, headings = lines[11:14], lines[14:16]

        body_top = layout.title.bottom - 0.1
        body_bottom = layout.caption.top + 0.15
        width = layout.frame.width - 2 * style.MARGIN
        wide = layout.frame.width / layout.frame.height >= 1.5  # equations beside the chart; else above it
        aligned = derivation + steady_lines + flip_lines + step_lines  # every line's "=" at one x
        equations = [line.group for line in aligned]
        natural = (max(line.parts["eq"].get_center()[0] - line.group.get_left()[0] for line in aligned)
                   + max(line.group.get_right()[0] - line.parts["eq"].get_center()[0] for line in aligned))
        tags = self.tags()
        if wide:
            eq_w = min(width * 0.5, natural * MAX_MATH_GROWTH + 0.2)
            eq_rect = Rect(-width / 2 + eq_w / 2, (body_top + body_bottom) / 2, eq_w, body_top - body_bottom)
            chart = Rect(eq_rect.right + style.MARGIN + (width - eq_w - style.MARGIN) / 2, eq_rect.y,
                         width - eq_w - style.MARGIN, eq_rect.height)
        else:
            eq_rect = Rect(0, body_top, width, 0)  # height set below
            chart = None
        tag_h = max(tag.height for tag in tags.values())
        row_h = max(line.group.height for line in aligned)
        scale = min(MAX_MATH_GROWTH, (eq_rect.width - 0.1) / natural)
        if not wide:  # the three rows of equations take at most STACKED_SHARE of the body's height
            room = STACKED_SHARE * (body_top - body_bottom) / 3 - tag_h - 0.22
            scale = min(scale, room / row_h)
        for mob in equations:
            mob.scale(scale)
        row_h = max(line.group.height for line in aligned)
        pitch = tag_h + 0.08 + row_h + (0.45 if wide else 0.14)
        rows_h = 3 * pitch
        if not wide:
            eq_rect = Rect(0, body_top - rows_h / 2, width, rows_h)
            chart = Rect(0, (eq_rect.bottom - 0.15 + body_bottom) / 2, width, eq_rect.bottom - 0.15 - body_bottom)
        # wide: the rows a little above the column's middle; stacked: from the top
        top = eq_rect.top if not wide else min(eq_rect.top - 0.1, eq_rect.y + rows_h / 2 + 0.4)
        eq_x = eq_rect.left + 0.05  # every line's "=" one place: as far in as the widest left side needs
        reach = max(line.parts["eq"].get_center()[0] - line.group.get_left()[0] for line in aligned)
        row_y = [top - k * pitch - tag_h - 0.08 - row_h / 2 for k in range(3)]
        tag_y = [top - k * pitch - tag_h / 2 for k in range(3)]
        eq_point = lambda k: np.array([eq_x + reach, row_y[k], 0.0])  # noqa: E731
        for line in derivation:
            line.align_to("eq", eq_point(0))
        for line in steady_lines:
            line.align_to("eq", eq_point(1))
        for line in flip_lines:
            line.align_to("eq", eq_point(2))
        step_lines[0].align_to("eq", eq_point(1))
        step_lines[1].align_to("eq", eq_point(1))
        step_lines[2].align_to("eq", eq_point(2))
        for key, k in (("unrolled", 0), ("steady", 1), ("flipping", 2), ("real", 1), ("misread", 2)):
            tag = tags[key]
            tag.move_to([eq_rect.left + 0.05 + tag.width / 2, tag_y[k], 0])

        parts = self.chart(chart, headings)
        const_stack, alt_stack = self.stacks = parts["stacks"]

        # -- the derivation ----------------------------------------------------------------
        self.add(tags["unrolled"], *derivation[0].group, *parts["static"], *parts["drivers"][0].widgets,
                 *parts["drivers"][1].widgets)
        with self.beat(text["derive"]):
            for k, pairs in enumerate(DERIVATION_PAIRS):
                self.hold(5 if k else 8)
                morph(self, derivation[k], derivation[k + 1], pairs, ticks=18)

        # -- steady, then flipping: the terms travel into the series while their arrows stack --------
        n = self.params["steps"]
        with self.beat(text["constant"]):
            self.sum_series(derivation[-1], steady_lines, tags["steady"], parts, 0, n)
        with self.beat(text["alternating"]):
            self.sum_series(derivation[-1], flip_lines, tags["flipping"], parts, 1, n)
            # both on one scale: the flipping total slides beside the steady one
            ghost = alt_stack.total_arrow(n).copy()
            target = const_stack.total_arrow(n).get_right()[0] + 0.12 + ghost.width / 2
            self.play_ticks(ghost.animate.move_to([target, ghost.get_center()[1], 0]), ticks=18)
            if self.params["beta"] > 0:  # at β = 0 the two are equal: no ratio to show
                self.play_ticks(fade_in(parts["ratio"]), ticks=8)

        # -- the rule on the step, and the misreading beside it -----------------------------------
        old = [*steady_lines[-1].group, *flip_lines[-1].group, tags["steady"], tags["flipping"]]
        misread_driver, area_driver = parts["misread_driver"], parts["area_driver"]
        with self.beat(text["misread"]):
            shown = [ghost, parts["ratio"]] if self.params["beta"] > 0 else [ghost]
            self.play_ticks(*(fade_out(m) for m in old), fade_out(*shown), ticks=8)
            self.play_ticks(fade_in(tags["real"], *step_lines[0].group), ticks=8)
            morph(self, step_lines[0], step_lines[1],
                  [("eta", ("minus", "eta")), ("v", ("b1", "s", "g0"))], ticks=20)
            self.play_ticks(fade_in(tags["misread"]), ticks=6)
            morph(self, step_lines[1], step_lines[2], ticks=20, keep_source=True)
            self.play_ticks(fade_in(*parts["misread_static"]), ticks=6)
            self.play_ticks(misread_driver.advance(n), ticks=int(np.clip(3 * n, 45, 90)))
        with self.beat(text["distance"]):
            self.add(*area_driver.widgets)
            self.play_ticks(area_driver.advance(n), ticks=int(np.clip(2 * n, 30, 60)))

    def sum_series(self, unrolled: KeyedLine, lines: list[KeyedLine], tag, parts: dict, index: int, n: int) -> None:
        """One stack: the unrolled series' terms travel down into this gradient's series as their
        arrows grow, the rest of the arrows follow, then the sum factors and closes."""
        driver = parts["drivers"][index]
        written, factored, closed = lines
        travel = [("g0", "g0"), ("p0", "p0"), (("b1", "g1"), ("b1", "g1")), ("pi", "pi"),
                  (("b2", "g2"), ("b2", "g2")), ("p2", "p2"), ("dots", "dots")]
        groups = [["lhs", "eq", "g0", "p0"], ["b1", "g1", "pi"], ["b2", "g2", "p2", "dots"]]
        self.play_ticks(fade_in(tag, *written.pieces(["lhs", "eq"])), ticks=6)
        # term k travels in the k-th share of one play while arrow k grows (one linear sweep of the driver)
        shown = min(SYNCED, n)
        travels, arrived, copies = [], [], []
        for keys in groups[:shown]:
            movers = [(src, dst) for src, dst in travel if (dst if isinstance(dst, str) else dst[0]) in keys]
            pieces = [VGroup(*unrolled.pieces(src)).copy() for src, _ in movers]
            goals = [VGroup(*written.pieces(dst)) for _, dst in movers]
            travels.append(AnimationGroup(*(Transform(piece, goal.copy()) for piece, goal in zip(pieces, goals))))
            copies += pieces
            arrived += [piece for goal in goals for piece in goal]
        self.play_ticks(AnimationGroup(*travels, lag_ratio=1.0), driver.advance(shown), ticks=12 * shown)
        self.remove(*copies)
        self.add(*arrived)
        if shown < SYNCED:  # fewer steps than written terms: the rest of the series appears
            rest = [key for keys in groups[shown:] for key in keys if key not in ("lhs", "eq")]
            self.play_ticks(fade_in(*written.pieces(rest)), ticks=8)
        if n > shown:
            self.play_ticks(driver.advance(n), ticks=int(np.clip(2 * (n - shown), 15, 60)))
        morph(self, written, factored, SERIES_PAIRS[0], ticks=18)
        morph(self, factored, closed, SERIES_PAIRS[1], fade_in(parts["limits"][index]), ticks=18)

    def tags(self) -> dict:
        """The small words over each row of equations."""
        size = style.SMALL_SIZE
        words = {
            "unrolled": ("the rule, unrolled", style.MUTED),
            "steady": ("steady slope: g every step", GRADIENT),
            "flipping": ("flipping: g, −g, g, …", GRADIENT),
            "real": ("the same rule on the step", VELOCITY),
            "misread": ("misread: β as a share of the step", MISREAD),
        }
        return {key: label(words_, size, color).set_z_index(style.Z_LABEL) for key, (words_, color) in words.items()}

    def chart(self, rect: Rect, headings: list[KeyedLine]) -> dict:
        """Both stacks on one vertical scale in ``rect``: axis, ticks, dashed limits, headings,
        readouts; and the two step readings over the steady stack (drawn in the last beat)."""
        n = self.params["steps"]
        const, alt = self.cases
        static: list = []
        # rows: headings on top, readouts at the bottom
        roomy = rect.height > 4  # a tall chart (16:9) keeps more air around its headings and readouts
        for head in headings:
            head.group.scale(0.85 if roomy else 0.7)
        head_h = max(h.group.height for h in headings)
        read_size = style.TICK_SIZE
        read_h = label("|v| = 0g", read_size).height
        plot_top = rect.top - head_h - (0.25 if roomy else 0.14)
        base_y = rect.bottom + read_h + (0.2 if roomy else 0.12)
        peak = max(const.limit, float(np.max(np.abs(const.heads))), alt.limit, float(np.max(np.abs(alt.heads))))
        unit = (plot_top - base_y) / peak
        tick_values = ticks(0.0, peak, 3)
        tick_labels = [label("0" if v == 0 else f"{style.fmt_short(float(v))}g", style.TICK_SIZE, style.MUTED)
                       for v in tick_values]
        left_room = max(t.width for t in tick_labels) + 0.3
        x_axis = rect.left + left_room
        axis = Line([x_axis, base_y, 0], [x_axis, plot_top, 0], stroke_color=style.AXIS, stroke_width=style.AXIS_WIDTH)
        floor = Line([x_axis, base_y, 0], [rect.right, base_y, 0], stroke_color=style.GRID, stroke_width=1)
        static += [axis, floor]
        for value, tick in zip(tick_values, tick_labels):
            y = base_y + value * unit
            static.append(Line([x_axis - 0.08, y, 0], [x_axis, y, 0], stroke_color=style.AXIS,
                               stroke_width=style.AXIS_WIDTH))
            tick.move_to([x_axis - 0.14 - tick.width / 2, y, 0])
            static.append(tick)
        for mob in static:
            mob.set_z_index(style.Z_AXES)

        gap = 0.3
        region_w = (rect.right - x_axis - 0.15 - gap) / 2
        lefts = [x_axis + 0.15, x_axis + 0.15 + region_w + gap]
        stacks, drivers, limits = [], [], []
        for case, left, head in zip(self.cases, lefts, headings):
            span = region_w - LABEL_ROOM - 0.25
            dx = min(span / max(n, 1), MAX_DX)
            heads = case.heads * np.sign(case.terms[0])  # the newest gradient drawn pointing up
            stack = ArrowStack(heads, np.array([left, base_y, 0.0]), unit, dx, GRADIENT, VELOCITY)
            stacks.append(stack)
            if head.group.width > region_w:
                head.group.scale_to_fit_width(region_w)
            head.group.move_to([left + head.group.width / 2, rect.top - head_h / 2, 0])
            static.append(head.group)
            limit_y = base_y + case.limit * unit
            dashed = DashedLine([left, limit_y, 0], [left + region_w, limit_y, 0], dash_length=0.1,
                                stroke_color=VELOCITY, stroke_width=2, stroke_opacity=0.8).set_z_index(style.Z_AXES)
            value = label(f"{style.fmt_short(case.limit)}g", style.TICK_SIZE, VELOCITY).set_z_index(style.Z_LABEL)
            value.move_to([left + region_w - value.width / 2, limit_y + 0.06 + value.height / 2, 0])
            limits.append(VGroup(dashed, value))
            velocity = case.velocity
            texts = [f"|v| = {style.fmt_short(abs(float(v)))}g" for v in velocity]
            wording, size = fitted_text([max(texts, key=len), max(texts, key=len)[6:]], read_size, region_w)
            short = wording != max(texts, key=len)
            readout = SwapLabel(lambda k, v=velocity, s=short: (f"{style.fmt_short(abs(float(v[min(k, n)])))}g" if s
                                else f"|v| = {style.fmt_short(abs(float(v[min(k, n)])))}g"),
                                np.array([left, rect.bottom + read_h / 2 + 0.02, 0.0]), size=size, color=VELOCITY)
            drivers.append(StepDriver([stack, readout]))

        # the two readings of β on the steady slope's steps, |Δθ| / (η g) against the step
        const_stack = stacks[0]
        xs = const_stack.points_at[:, 0]
        real_pts = np.stack([xs, base_y + unit * np.abs(self.real.steps), np.zeros(n + 1)], axis=1)
        wrong_pts = np.stack([xs, base_y + unit * np.abs(self.misread.steps), np.zeros(n + 1)], axis=1)
        real_path, wrong_path = ProgressivePath(real_pts, VELOCITY), ProgressivePath(wrong_pts, MISREAD)
        balls = [Ball(real_pts, VELOCITY), Ball(wrong_pts, MISREAD)]
        misread_driver = StepDriver([real_path, wrong_path, *balls])
        # the distance each reading moves θ: the area under its step curve, swept step by step
        area_driver = StepDriver([AreaUnder(real_pts, base_y, VELOCITY), AreaUnder(wrong_pts, base_y, MISREAD)])
        # the ratio of the two totals, beside the steady total
        const_total, alt_total = const_stack.total_arrow(n), stacks[1].total_arrow(n)
        ratio = abs(float(const.velocity[-1])) / abs(float(alt.velocity[-1]))
        ratio_label = label(f"×{style.fmt_short(ratio)}", style.SMALL_SIZE, VELOCITY).set_z_index(style.Z_LABEL)
        # left of the steady total, level with the middle of the flipping total that slides beside it
        mid = base_y + max(alt_total.height / 2, ratio_label.height / 2 + 0.05)
        ratio_label.move_to([const_total.get_left()[0] - 0.12 - ratio_label.width / 2, mid, 0])
        return {"static": static, "stacks": stacks, "drivers": drivers, "limits": limits,
                "misread_driver": misread_driver, "misread_static": misread_driver.widgets,
                "area_driver": area_driver, "ratio": ratio_label}
