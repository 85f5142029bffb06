"""Limitations: one learning rate for parameters at very different gradient scales (beat 10).

A frequent word's embedding weight gets a large gradient on every step; a rare word's gets one
``scale_ratio`` times weaker, and only on the seeded fraction of steps where the word appears
(``engine.scales``): the gradients' arrivals sweep along both charts first (a comb for the
frequent word, a few ticks for the rare one). Two runs of SGD with momentum, side by side, share
one η each: the large η suits the rare weight but blows up the frequent one, which the view
follows out (zooming out step by step, its size on a badge) before returning to the chart's
scale; the small η is safe for the frequent weight and leaves the rare one crawling. A log η axis
then shows the frequent weight's ceiling (2 + 2β)/h with both η carried onto it from the column
headers; in the fix the two η split to one per weight and the same problem runs again, and the
card's update θ ← θ − ηv becomes θ_i ← θ_i − η_i v_i (the per-parameter step sizes that RMSProp
and Adam automate: the next lesson).
Render with ``ravine render limitations``.
"""

from __future__ import annotations

import math
import textwrap
from typing import Sequence

import numpy as np
from manim import LEFT, Create, Dot, Line, MathTex, ReplacementTransform, TransformFromCopy, VGroup

from engine import theory
from engine.scales import FREQUENT, RARE, TwoScaleProblem, run_two_scales
from scenes.kit import style
from scenes.kit.morphs import MatchingTex
from scenes.kit.base import LessonScene
from scenes.kit.fades import fade_in, fade_out
from scenes.widgets.logplot import decade_label
from scenes.kit.params import ParamSpec, SceneSpec, lr_param, seed_param
from scenes.widgets.stepchart import EventTicks, FollowedCurves, StepChart
from scenes.widgets.weighted_dots import StepCursor
from scenes.widgets.core import StepDriver, SwapLabel, clear_of_labels, fitted_text, label, legend_row, stack_in

FREQUENT_CURVATURE = 10.0
START = (1.0, 1.0)
FREQUENT_COLOR = style.SERIES_COLORS[1]
RARE_COLOR = style.SERIES_COLORS[3]
NAMES = ("frequent", "rare")
NARROW_COLUMN = 5.0  # columns narrower than this (square, portrait frames) stack their readouts


class Limitations(LessonScene):
    """One η for a frequent and a rare weight: it diverges on one or crawls on the other."""

    TITLE = "Limitations: one η for every parameter"
    ASPECTS = ('16:9', '1:1', '9:16')
    SPEC = SceneSpec(
        name="limitations",
        description="A frequent and a rare word's weights at very different gradient scales: one learning rate "
                    "blows up the first or leaves the second crawling; per-parameter steps are the next lesson.",
        params=(
            lr_param("lr_big", 5.0, "the large-η run"),
            lr_param("lr_small", 0.1, "the small-η run"),
            ParamSpec("beta", "float", 0.9, "momentum coefficient β", low=0.0, high=0.99),
            ParamSpec("scale_ratio", "float", 1000.0, "how many times weaker the rare word's gradient is",
                      low=10.0, high=10000.0),
            ParamSpec("rare_fraction", "float", 0.1, "share of steps in which the rare word appears",
                      low=0.02, high=1.0),
            ParamSpec("steps", "int", 100, "optimizer steps", low=20, high=300),
            seed_param(0),
        ),
    )

    # -- engine ----------------------------------------------------------------------------
    def compute(self) -> None:
        """One batched run: large η, small η, and one η per weight (small for frequent, large for rare)."""
        p = self.params
        self.problem = TwoScaleProblem(frequent_curvature=FREQUENT_CURVATURE, scale_ratio=p["scale_ratio"],
                                       rare_fraction=p["rare_fraction"])
        big, small = p["lr_big"], p["lr_small"]
        lr = np.array([[big, big], [small, small], [small, big]])
        self.result = run_two_scales(self.problem, lr=lr, beta=p["beta"], steps=p["steps"], start=START,
                                     seed=p["seed"])
        self.remaining = self.result.remaining()          # (3 runs, 2 weights)
        self.diverged_at = self.result.diverged_at        # (3 runs, 2 weights)
        self.ceiling = float(theory.heavy_ball_stability_bound(self.problem.frequent_curvature, p["beta"]))

    # -- words -----------------------------------------------------------------------------
    def fate(self, run: int, weight: int) -> str:
        """What happened to one weight in one run, in words from the engine."""
        if self.diverged_at[run, weight] >= 0:
            return f"blows up at step {int(self.diverged_at[run, weight])}"
        left = float(self.remaining[run, weight])
        if left > 1.0:  # pushed away from the minimum without passing the blow-up bound
            return f"ends {style.fmt_short(left)}× as far out as it started"
        if left > 0.5:
            return f"is still {style.fmt_percent(left)} of the way out"
        return f"gets down to {style.fmt_percent(left)}"

    def fine(self, run: int, weight: int) -> bool:
        """Whether a weight did well in a run: no blow-up and at most half its distance left."""
        return self.diverged_at[run, weight] < 0 and float(self.remaining[run, weight]) <= 0.5

    def captions(self) -> dict[str, str]:
        p, steps = self.params, self.params["steps"]
        hits = self.result.rare_updates
        big, small = style.fmt_short(p["lr_big"]), style.fmt_short(p["lr_small"])
        ratio = p["scale_ratio"]
        ratio = style.fmt(ratio, 0) if float(ratio).is_integer() else style.fmt_short(ratio)
        arrives = "arrives every step too" if hits == steps else f"arrives in {hits} of {style.count(steps, 'step')}"

        def pair(run: int, lr: str, first: int, second: int) -> str:
            link = "but" if self.fine(run, first) != self.fine(run, second) else "and"
            return (f"With η = {lr} the {NAMES[first]} weight {self.fate(run, first)}, "
                    f"{link} the {NAMES[second]} one {self.fate(run, second)}.")

        out = {
            "intro": (f"A frequent word's weight gets a big gradient every step; a rare word's is {ratio}× weaker "
                      f"and {arrives}."),
            "big": pair(0, big, RARE, FREQUENT),
            "small": pair(1, small, FREQUENT, RARE),
            "next": "RMSProp sets each step size from that weight's own gradients; momentum + RMSProp is Adam.",
        }
        textbook = (self.diverged_at[0, FREQUENT] >= 0 and self.fine(0, RARE)
                    and self.fine(1, FREQUENT) and not self.fine(1, RARE))
        ceiling = style.fmt_short(self.ceiling)
        if textbook:
            out["verdict"] = (f"One η must stay under the frequent weight's ceiling (2 + 2β)/h = {ceiling}: "
                              f"far too small for a weight {ratio}× weaker.")
        else:
            out["verdict"] = (f"One η for both: the frequent weight's ceiling is (2 + 2β)/h = {ceiling}, "
                              f"and the rare weight's gradient is {ratio}× weaker.")
        if self.fine(2, FREQUENT) and self.fine(2, RARE):
            out["fix"] = (f"The fix: a step size per weight, η = {small} for the frequent and {big} for the rare one: "
                          f"{style.fmt_percent(self.remaining[2, FREQUENT])} and {style.fmt_percent(self.remaining[2, RARE])} left.")
        else:
            out["fix"] = (f"A step size per weight, η = {small} and {big}: the frequent weight "
                          f"{self.fate(2, FREQUENT)}, the rare one {self.fate(2, RARE)}.")
        return out

    # -- drawing ---------------------------------------------------------------------------
    def construct(self) -> None:
        self.compute()
        p, steps, layout = self.params, self.params["steps"], self.layout
        text = self.captions()
        self.title(self.TITLE)

        # legend across the top
        full = style.Rect(0.0, 0.0, layout.frame.width - 2 * style.MARGIN, 1.0)
        curv = self.problem.curvatures
        legend = [
            legend_row(FREQUENT_COLOR, f"frequent word: curvature {style.fmt_short(float(curv[0]))}, "
                                       f"a gradient every step", style.SMALL_SIZE),
            legend_row(RARE_COLOR, f"rare word: curvature {style.fmt_short(float(curv[1]))}, a gradient in "
                                   f"{self.result.rare_updates} of {style.count(steps, 'step')} (ticks)",
                       style.SMALL_SIZE),
        ]
        top = layout.title.bottom - 0.05
        y = stack_in(full, legend, top, buff=0.1)
        for row in legend:
            row.shift(np.array([full.left - row.get_left()[0], 0, 0]))
        self.add(*legend)

        # two columns, one run each
        gap = 0.4
        col_w = (full.width - gap) / 2
        col_x = [full.left + col_w / 2, full.right - col_w / 2]
        bottom = layout.caption.top + 0.12
        headers = [f"one η = {style.fmt_short(p['lr_big'])} for both",
                   f"one η = {style.fmt_short(p['lr_small'])} for both"]
        if layout.frame.height > layout.frame.width:  # portrait: the two runs stacked, full width
            mid = (y - 0.15 + bottom) / 2
            slots = [(full.x, full.width, y - 0.15, mid + 0.15), (full.x, full.width, mid - 0.15, bottom)]
        else:
            slots = [(col_x[r], col_w, y - 0.15, bottom) for r in range(2)]
        columns = [self.column(r, *slots[r], headers[r]) for r in range(2)]

        # --- beats ---
        # the gradients arriving: a tick for every step of the frequent word, a few for the rare one
        self.add(*(c["static"] for c in columns))
        with self.beat(text["intro"]):
            self.add(*(w for c in columns for w in c["arrivals"].widgets))
            self.play_ticks(*(c["arrivals"].advance(steps) for c in columns), ticks=100)
            self.play_ticks(*(fade_out(c["cursor"]) for c in columns), ticks=6)
        run_ticks = int(np.clip(steps, 60, 150))
        for r, key in ((0, "big"), (1, "small")):
            with self.beat(text[key]):
                self.play_run(columns[r], steps, run_ticks)
        # one η axis: the frequent weight's ceiling, and where each column's η sits on it
        axis = self.eta_axis(full, top, y)
        with self.beat(text["verdict"]):
            self.play_ticks(fade_out(*legend), ticks=8)
            self.play_ticks(fade_in(axis["line"]), ticks=10)
            self.play_ticks(Create(axis["safe"]), fade_in(axis["ceiling"]), ticks=24)
            for r in range(2):
                self.play_ticks(TransformFromCopy(columns[r]["eta"], axis["markers"][r]), ticks=18)

        # closing: one η per weight, then the card
        leaving = [c["static"] for c in columns] + [VGroup(*c["shown"]) for c in columns] + \
            [VGroup(*(w for w in c["arrivals"].widgets if w is not c["cursor"])) for c in columns]
        fix = self.column(2, *slots[0],
                          f"η = {style.fmt_short(p['lr_small'])} frequent, {style.fmt_short(p['lr_big'])} rare")
        fix["arrivals"].set_progress(steps)
        card, shared, own = self.card(*slots[1])
        with self.beat(text["fix"]):
            # each weight takes its own η: the two markers split to the frequent and the rare weight
            self.play_ticks(*(fade_out(m) for m in leaving), ticks=10)
            self.play_ticks(fade_in(fix["static"]), *(fade_in(w) for w in fix["arrivals"].widgets
                                                       if w is not fix["cursor"]), ticks=8)
            self.play_ticks(*(ReplacementTransform(axis["markers"][r], axis["own"][r]) for r in range(2)),
                            ReplacementTransform(axis["ceiling"][1], axis["ceiling_after"]), ticks=20)
            self.add(*fix["readouts"].widgets, *fix["driver"].widgets)
            self.play_ticks(fix["driver"].advance(steps), fix["readouts"].advance(steps), ticks=max(60, run_ticks * 2 // 3))
        with self.beat(text["next"]):
            self.play_ticks(fade_in(card, shared), ticks=12)
            self.play_ticks(MatchingTex(shared, own), ticks=20)
        self.hold(15)

    def play_run(self, column: dict, steps: int, run_ticks: int) -> None:
        """Play one column's run. A weight that blows up is followed: the view pulls out step by
        step to keep it in sight (its size on a badge), then returns to the chart's scale."""
        follow = column["follow"]
        self.add(*column["readouts"].widgets)
        if follow is None:
            self.add(*column["driver"].widgets)
            self.play_ticks(column["driver"].advance(steps), column["readouts"].advance(steps), ticks=run_ticks)
            column["shown"] = [*column["driver"].widgets, *column["readouts"].widgets]
            return
        chart, until = column["chart"], follow.until
        numbers = chart.y_tick_labels
        self.add(follow, column["badge"])
        self.play_ticks(numbers.animate.set_opacity(0.0), ticks=6)
        follow_driver = StepDriver([follow, column["badge"]])
        slow = min(12 * until, 60)
        self.play_ticks(follow_driver.advance(until), column["readouts"].advance(until), ticks=slow)
        self.play_ticks(follow_driver.advance(until + 1), ticks=15)
        self.remove(follow, column["badge"])
        column["driver"].set_progress(until)
        self.add(*column["driver"].widgets)
        self.play_ticks(numbers.animate.set_opacity(1.0), ticks=6)
        self.play_ticks(column["driver"].advance(steps), column["readouts"].advance(steps),
                        ticks=max(30, run_ticks - slow - 27))
        column["shown"] = [*column["driver"].widgets, *column["readouts"].widgets]

    def column(self, run: int, x: float, width: float, top: float, bottom: float, header: str) -> dict:
        """Header, live readouts and chart of run ``run`` in a column centred at ``x``: the gradients'
        arrivals (with a sweeping cursor), the readouts, the curves and notes, and for a run that
        blows up the followed view of its first steps."""
        rect = style.Rect(x, 0.0, width, 1.0)
        head = label(header, style.LABEL_SIZE, style.TEXT)
        if head.width > width:  # narrow frames: the header fits its column
            head.scale_to_fit_width(width)
        head.move_to([rect.left + head.width / 2, top - head.height / 2, 0])
        row_y = head.get_bottom()[1] - 0.28
        theta = self.result.theta[:, run]
        readouts = []
        # wide columns: both readouts on one row; narrow ones (square, portrait): one row each
        narrow = width < NARROW_COLUMN
        below = -style.SMALL_LINE_STEP
        offsets = ((FREQUENT, FREQUENT_COLOR, 0.0, 0.0), (RARE, RARE_COLOR, 0.0, below)) if narrow else \
            ((FREQUENT, FREQUENT_COLOR, 0.0, 0.0), (RARE, RARE_COLOR, width / 2, 0.0))
        for weight, color, offset, dy in offsets:
            readouts.append(SwapLabel(lambda k, w=weight: self.readout(run, w, k),
                                      [rect.left + offset, row_y + dy, 0], size=style.SMALL_SIZE, color=color))
        chart_top = row_y + offsets[-1][3] - 0.25
        reach = self.chart_reach(run)
        steps = self.params["steps"]
        chart = StepChart(style.Rect(x, (chart_top + bottom) / 2, width, chart_top - bottom), steps, -reach, reach)
        curves = [chart.curve(theta[:, FREQUENT], FREQUENT_COLOR), chart.curve(theta[:, RARE], RARE_COLOR)]
        # arrivals: the frequent word's gradient on every step (a comb), the rare word's ticks above it
        comb = EventTicks(chart, np.ones(steps, bool), FREQUENT_COLOR, height=0.1, width=1.2)
        marks = EventTicks(chart, self.result.mask, RARE_COLOR, lift=0.1)
        cursor = StepCursor(lambda t: float(chart.to_scene(t, 0.0)[0]), chart.box.bottom, chart.box.top, style.MUTED)
        notes: list[SwapLabel] = []
        for weight, color in ((FREQUENT, FREQUENT_COLOR), (RARE, RARE_COLOR)):
            if self.diverged_at[run, weight] >= 0:
                notes.append(self.blowup_note(run, weight, chart, color, clear_of=notes))
        driver = StepDriver([*curves, *notes])
        follow, badge = None, None
        died = self.diverged_at[run]
        until = int(died.max()) - 1 if (died >= 0).any() else 0
        if until >= 1 and chart.exit_step(theta[:, FREQUENT if died[FREQUENT] >= 0 else RARE]) is not None:
            follow = FollowedCurves(chart, [(theta[:, FREQUENT], FREQUENT_COLOR), (theta[:, RARE], RARE_COLOR)], until)

            def view(k: int, envelope=follow.envelope) -> str:
                return f"view ±{style.fmt_short(float(envelope[min(max(k, 0), until)]))}" if k <= until else ""

            widest = max((view(k) for k in range(until + 1)), key=len)
            room = label(widest, style.SMALL_SIZE, font=style.MONO_FONT).width
            badge = SwapLabel(view, [chart.box.right - 0.1 - room, chart.box.top - 0.22, 0], size=style.SMALL_SIZE,
                              color=style.MUTED)
        eta = None
        if run < 2:  # the "η = …" of the header, which travels to the η axis
            shown = style.fmt_short(self.params["lr_big" if run == 0 else "lr_small"])
            eta = VGroup(*head[3: 3 + 2 + len(shown)])
        return {"static": VGroup(head, chart), "chart": chart, "driver": driver, "readouts": StepDriver(readouts),
                "arrivals": StepDriver([comb, marks, cursor]), "cursor": cursor, "follow": follow, "badge": badge,
                "eta": eta}

    def chart_reach(self, run: int) -> float:
        """Half-height of a run's chart: its weights that stay bounded fit (at least ±1.25, at most ±20);
        a diverging weight leaves the chart."""
        theta = np.abs(self.result.theta[:, run])
        bounded = [theta[:, w].max() for w in (FREQUENT, RARE) if self.diverged_at[run, w] < 0]
        return float(np.clip(1.1 * max(bounded, default=1.0), 1.25, 20.0))

    def blowup_note(self, run: int, weight: int, chart: StepChart, color: str,
                    clear_of: Sequence[SwapLabel] = ()) -> SwapLabel:
        """'blows up at step k' beside where the weight's curve leaves the chart, once it has; a line
        further into the chart where it would run into one of the notes ``clear_of`` (both weights
        blowing up on the same side)."""
        values = self.result.theta[:, run, weight]
        exit_step = chart.exit_step(values)
        exit_step = 0 if exit_step is None else exit_step
        died = int(self.diverged_at[run, weight])
        bound = self.result.divergence_bound
        power = math.log10(bound)
        bound_text = decade_label(round(power)) if abs(power - round(power)) < 1e-12 else style.fmt(bound, 0)
        wordings = [f"{NAMES[weight]}: |θ| > {bound_text} at step {died}",
                    f"|θ| > {bound_text} at step {died}"]  # on a narrow chart the colour names the weight
        span = chart.ymax - chart.ymin
        edge = chart.ymax - 0.12 * span if values[exit_step] > chart.ymax else chart.ymin + 0.14 * span
        # beside the curve's exit, on the side with more room (never over the curve)
        exit_x = float(chart.to_scene(exit_step, 0)[0])
        right_room = chart.box.right - 0.1 - (exit_x + 0.15)
        left_room = exit_x - 0.15 - (chart.box.left + 0.08)
        text, size = fitted_text(wordings, style.SMALL_SIZE, max(right_room, left_room))
        width = label(text, size).width
        x = exit_x + 0.15 if right_room >= left_room else exit_x - 0.15 - width
        anchor = np.array([x, float(chart.to_scene(0, edge)[1]), 0.0])
        inward = -1.0 if values[exit_step] > chart.ymax else 1.0
        anchor = clear_of_labels(anchor, width, clear_of, inward * style.SMALL_LINE_STEP, size)
        return SwapLabel(lambda k: text if k >= exit_step else "", anchor, size=size, color=color,
                         font=style.FONT)

    def readout(self, run: int, weight: int, k: int) -> str:
        k = min(max(k, 0), self.params["steps"])
        died = int(self.diverged_at[run, weight])
        if 0 <= died <= k:
            return f"{NAMES[weight]}: blew up"
        value = float(self.result.theta[k, run, weight])
        return f"{NAMES[weight]}: {style.fmt_reading(value)}"

    def eta_axis(self, full: style.Rect, top: float, bottom: float) -> dict:
        """A log η axis across the legend's band (``top`` … ``bottom``): the frequent weight's safe
        range up to its ceiling (2 + 2β)/h below it, each column's η above it; and the same two
        values re-labelled as each weight's own η (the fix)."""
        p = self.params
        values = [p["lr_big"], p["lr_small"], self.ceiling]
        lo = math.floor(math.log10(min(values)) - 0.3)
        hi = math.ceil(math.log10(max(values)) + 0.3)
        name = label("η (log):", style.SMALL_SIZE, style.MUTED)
        mid = bottom + 0.08
        name.move_to([full.left + name.width / 2, mid, 0])
        left, right = name.get_right()[0] + 0.25, full.right - 0.1

        def at(value: float) -> float:
            return left + (math.log10(value) - lo) / (hi - lo) * (right - left)

        line = VGroup(name, Line([left, mid, 0], [right, mid, 0], stroke_color=style.AXIS, stroke_width=2))
        for power in range(lo, hi + 1):
            for mult in (1,) if power == hi else range(1, 10):
                xx = at(mult * 10.0**power)
                size = 0.09 if mult == 1 else 0.045
                line.add(Line([xx, mid - size, 0], [xx, mid + size, 0], stroke_color=style.AXIS, stroke_width=1.5))
        safe = Line([left, mid, 0], [at(self.ceiling), mid, 0], stroke_color=FREQUENT_COLOR, stroke_width=7,
                    stroke_opacity=0.6)
        notch = Line([at(self.ceiling), mid - 0.12, 0], [at(self.ceiling), mid + 0.12, 0],
                     stroke_color=FREQUENT_COLOR, stroke_width=3)

        def placed(texts: list[tuple[str, float, str]]) -> list[VGroup]:
            """Labels above the axis at their values (each with a dot on the axis at its value), pushed
            apart where they would touch."""
            mobs = [label(t, style.SMALL_SIZE, c) for t, _, c in texts]
            xs = [at(v) for _, v, _ in texts]
            order = sorted(range(len(mobs)), key=lambda i: xs[i])
            centres = {}
            edge = -1e9
            for i in order:
                cx = max(xs[i], edge + 0.25 + mobs[i].width / 2, left + mobs[i].width / 2 - 0.3)
                centres[i] = cx
                edge = cx + mobs[i].width / 2
            overflow = max(0.0, max(centres[i] + mobs[i].width / 2 for i in order) - full.right)
            for i in order:
                mobs[i].move_to([centres[i] - overflow, mid + 0.13 + mobs[i].height / 2, 0])
            return [VGroup(Dot([x, mid, 0], radius=0.06, color=c), mob)
                    for x, mob, (_, _, c) in zip(xs, mobs, texts)]

        big, small = style.fmt_short(p["lr_big"]), style.fmt_short(p["lr_small"])
        ceiling_text = (f"ceiling {style.fmt_short(self.ceiling)}", self.ceiling, FREQUENT_COLOR)
        first = placed([ceiling_text, (f"η = {big}", p["lr_big"], style.TEXT),
                        (f"η = {small}", p["lr_small"], style.TEXT)])
        second = placed([ceiling_text, (f"rare: η = {big}", p["lr_big"], RARE_COLOR),
                         (f"frequent: η = {small}", p["lr_small"], FREQUENT_COLOR)])
        ceiling = VGroup(notch, first[0][1])
        markers, own = first[1:], second[1:]
        ceiling_after = second[0][1]
        for mob in (line, safe, ceiling, ceiling_after, *markers, *own):
            mob.set_z_index(style.Z_LABEL)
        return {"line": line, "safe": safe, "ceiling": ceiling, "markers": markers, "own": own,
                "ceiling_after": ceiling_after}

    def card(self, x: float, width: float, top: float, bottom: float) -> tuple[VGroup, MathTex, MathTex]:
        """The closing card: per-parameter update, and what RMSProp and Adam add (the next lesson).
        Returns the card without its update, the one-η update and the per-weight update it becomes."""
        rect = style.Rect(x, (top + bottom) / 2, width, top - bottom)
        p = self.params
        heading = label("Next: a step size per parameter", style.LABEL_SIZE, style.TEXT, weight="BOLD")
        own = MathTex(r"\theta_i", r"\leftarrow", r"\theta_i", "-", r"\eta_i", r"\, v_i",
                      color=style.TEXT).scale(style.MATH_SCALE)
        shared = MathTex(r"\theta", r"\leftarrow", r"\theta", "-", r"\eta", r"\, v",
                         color=style.TEXT).scale(style.MATH_SCALE)
        lines = []
        for paragraph, color in (
            (f"Left: η = {style.fmt_short(p['lr_small'])} for the frequent weight, "
             f"{style.fmt_short(p['lr_big'])} for the rare one.", style.MUTED),
            ("RMSProp picks each step size from that weight's own recent gradients.", style.TEXT),
            ("Adam = momentum + RMSProp.", style.TEXT),
        ):
            for line in textwrap.wrap(paragraph, width=34 if width >= NARROW_COLUMN else int(width * 7.5)):
                lines.append(label(line, style.SMALL_SIZE, color))
        rows = [heading, own, *lines]
        stack_in(rect, rows, top - 0.05, buff=0.22 if width >= NARROW_COLUMN else 0.12)
        own.shift(np.array([0.3, 0, 0]))
        shared.move_to(own.get_center())
        shared.align_to(own, LEFT)
        group = VGroup(heading, *lines)
        for mob in (group, own, shared):
            mob.set_z_index(style.Z_LABEL)
        return group, shared, own
