"""The heavy ball: momentum rolls through a ripple where plain gradient descent stalls (beat 3).

The 1-D ``bumpy-valley`` L(x) = ½cx² + r(1 − cos ωx) in side view. Plain gradient descent and
heavy-ball momentum start at the same x with the same η (the landscape's documented settings:
x₀ = −4, η = 0.02, β = 0.9); gradient descent stops in the first ripple, the heavy ball carries
its velocity over it and settles at the bottom. Render with ``ravine render heavy-ball``.
"""

from __future__ import annotations

import dataclasses
import numpy as np
from manim import UP, MathTex

from engine import claims, get_landscape, run
from engine.overshoot import max_overshoot
from engine.valley import first_pass, local_minima, nearest_minimum, step_lengths
from scenes.kit import style
from scenes.widgets.arrows import RidingArrows, nice_scale
from scenes.kit.base import LessonScene, pace, plan_story
from scenes.widgets.curve import SideView, side_view
from scenes.widgets.panels import split_panel
from scenes.widgets.spotlight import ReadingSpotlight, Stop
from scenes.kit.params import ParamSpec, SceneSpec, beta_param, lr_param, steps_param
from scenes.widgets.core import Ball, LossInset, StepDriver, SwapLabel, label, legend_row, stack_in

HEAVY_RADIUS = 0.17        # the heavy ball is drawn bigger than gradient descent's
ARROW_TARGET = 1.4         # the longest velocity arrow, scene units (before rounding the scale)
MIN_HALF_WIDTH = 2.5       # the side view shows x in [−h, h], h = max(2.5, max |x| + 0.5)
GD_ARROW_RAISE = 0.22     # gradient descent's arrow rides this much above the heavy ball's row
PILE_UP = 1.1             # the heavy ball's longest downhill step over gradient descent's that counts as piling up


def position(x: float) -> str:
    """A ball's x for the screen: three decimals, never scientific (the view spans a few units)."""
    return style.fmt(round(float(x), 3) + 0.0, 3)


class HeavyBall(LessonScene):
    """Gradient descent stalls in a ripple; the heavy ball rolls through to the bottom."""

    TITLE = "The heavy ball: momentum rolls through bumps"
    SPEC = SceneSpec(
        name="heavy-ball",
        description="Side view of a rippled valley: gradient descent stalls in a ripple, the heavy ball rolls through.",
        params=(
            dataclasses.replace(lr_param("lr", 0.02, "both balls"), high=0.1),
            dataclasses.replace(beta_param(0.9), high=0.99, high_open=False),
            steps_param(100, high=300),
            ParamSpec("start", "point", (-4.0,), "start position x₀ of both balls", low=-5.0, high=5.0,
                      length=(1, 1)),
        ),
    )

    # -- engine ----------------------------------------------------------------------------
    def compute(self) -> None:
        """Both balls in one batched run: row 0 plain gradient descent (β = 0), row 1 the heavy ball."""
        p = self.params
        self.landscape = get_landscape("bumpy-valley")
        self.start = float(p["start"][0])
        self.trajectory = run(self.landscape, "momentum", lr=p["lr"], beta=np.array([0.0, p["beta"]]),
                              steps=p["steps"], start=np.array([self.start]))
        self.x = self.trajectory.theta[:, :, 0]            # (N+1, 2)
        self.loss = self.trajectory.loss                     # (N+1, 2)
        # displacement of the step just taken, −η v_t (v_0 = 0): what the velocity arrow shows
        self.moved = -p["lr"] * self.trajectory.velocity[:, :, 0]
        half = max(MIN_HALF_WIDTH, float(np.max(np.abs(self.x))) + 0.5)
        low, high = -half, half
        self.x_range = (low, high)
        self.minima = local_minima(self.landscape, low, high)
        self.global_min = float(self.landscape.minimizer[0])
        ripple = self.first_ripple()
        if ripple is not None:
            self.record_constant("ripple_minimum", ripple)
        self.record_constant("gd_final_x", float(self.x[-1, 0]))
        self.record_constant("heavy_ball_final_x", float(self.x[-1, 1]))
        self.record_constant("heavy_ball_overshoot", max_overshoot(self.x[:, 1] - self.global_min))

    def default_highlights(self) -> dict[str, str]:
        return {
            "gradient descent": style.OPTIMIZER_COLORS["gd"],
            "Gradient descent": style.OPTIMIZER_COLORS["gd"],
            "heavy ball": style.OPTIMIZER_COLORS["momentum"],
        }

    # -- facts for the captions --------------------------------------------------------------
    def first_ripple(self) -> float | None:
        """The first non-global local minimum between the start and the bottom (None if none)."""
        lo, hi = sorted((self.start, self.global_min))
        between = [m for m in self.minima if lo < m < hi and abs(m - self.global_min) > 1e-6]
        if not between:
            return None
        return min(between, key=lambda m: abs(m - self.start))

    def where_it_ends(self, column: int) -> tuple[str, float, int | None]:
        """('bottom' | 'ripple' | 'moving', the nearest minimum, the step it settled there):
        settled as :func:`engine.claims.settles` decides, within ``claims.REST_TOL`` of a minimum."""
        rest = self.rests(column)
        nearest = float(rest.get("minimum"))
        if not rest:
            return "moving", nearest, None
        kind = "bottom" if abs(nearest - self.global_min) < 1e-6 else "ripple"
        return kind, nearest, int(rest.get("step"))

    def rests(self, column: int) -> claims.Finding:
        """Whether ball ``column`` settles at the minimum nearest its final x (the one definition:
        stays within ``claims.REST_TOL`` of it for good); the evidence adds that ``minimum``."""
        series = self.x[:, column]
        nearest = float(self.minima[nearest_minimum(series[-1], self.minima)])
        found = claims.settles(np.abs(series - nearest), claims.REST_TOL)
        return claims.Finding(found.holds, {**found.evidence, "minimum": nearest})

    def progress(self, start: int, end: int) -> str:
        """A caption for a long stretch: where both balls are over steps ``start`` … ``end``."""
        gd, hb = self.x[:, 0], self.x[:, 1]
        return (f"Steps {start}–{end}: gradient descent x = {position(gd[start])} → {position(gd[end])}, "
                f"the heavy ball {position(hb[start])} → {position(hb[end])}.")

    @staticmethod
    def ticks_per_step(start: int, span: int, text: str) -> int:
        return pace(text, span, 0, 1 if span > 60 else 2, 15)

    def narration(self) -> list[str]:
        """Every caption in the order it plays (long stretches cut as :func:`plan_story` cuts them)."""
        self.compute()
        beats = self.story()
        planned = plan_story(beats, self.params["steps"], self.ticks_per_step, 2, self.progress)
        return [b.text for b in planned if b.text is not None] + [beats[-1][1]]

    def story(self) -> list[tuple[int, str]]:
        """(end step, caption) for each beat, in order; the last one is the summary at the final step."""
        p, steps = self.params, self.params["steps"]
        beta = p["beta"]
        gd_x, hb_x = self.x[:, 0], self.x[:, 1]
        ripple = self.first_ripple()
        gd_end, gd_min, gd_settled = self.where_it_ends(0)
        hb_end, hb_min, hb_settled = self.where_it_ends(1)
        gd_steps, hb_steps = step_lengths(gd_x), step_lengths(hb_x)
        hb_pass = first_pass(hb_x, ripple) if ripple is not None else None
        beats: list[tuple[int, str]] = []

        def add(end: int, text: str) -> None:
            end = min(end, steps)
            if not beats or end > beats[-1][0]:
                beats.append((end, text))

        add(3, (f"Two balls start at x = {style.fmt_short(self.start)}: plain gradient descent, and a heavy ball "
                f"with momentum β = {style.fmt_short(beta)}."))

        # speed builds on the steady slope
        speed_end = max(4, hb_pass - 2) if hb_pass is not None else 10
        if beta == 0:
            add(speed_end, "With β = 0 the heavy ball has no memory: it moves exactly like gradient descent.")
        else:
            hb_most, gd_most = float(hb_steps[:speed_end].max()), float(gd_steps[:speed_end].max())
            hb_text, gd_text = (style.fmt(x, 2) if x >= 0.1 else style.fmt_short(x) for x in (hb_most, gd_most))
            if hb_most >= PILE_UP * gd_most:
                add(speed_end, (f"Downhill, the heavy ball's velocity piles up: steps of {hb_text} "
                                f"against at most {gd_text} for gradient descent."))
            elif hb_text == gd_text:
                add(speed_end, (f"With β = {style.fmt_short(beta)} little piles up downhill: the heavy ball's "
                                f"steps, at most {hb_text}, match gradient descent's."))
            else:
                add(speed_end, (f"With β = {style.fmt_short(beta)} little piles up downhill: the heavy ball's "
                                f"steps reach {hb_text}, gradient descent's {gd_text}."))

        # the ripple: rolled over, or not; "only slows it down" where the ball then rests at the bottom
        hb_rest = self.rests(1)
        past_bottom = claims.overshoots(hb_x - self.global_min)
        if ripple is not None and beta > 0:
            if hb_pass is not None:
                text = f"The heavy ball rolls over the ripple at x = {style.fmt(ripple, 2)} (step {hb_pass})"
                if hb_end == "bottom":
                    self.claim("settles", "heavy ball", hb_rest)
                    text += ": the bump only slows it down."
                elif past_bottom:
                    self.claim("overshoots", "heavy ball", past_bottom)
                    text += " and overshoots the bottom."
                else:
                    text += "."
                add(hb_pass + 5, text)
            else:
                add(speed_end + 10, f"Even so, the heavy ball cannot clear the ripple at x = {style.fmt(ripple, 2)}.")

        # gradient descent stalls (or not)
        gd_beat_end = max(beats[-1][0] + 10, round(0.55 * steps))
        gd_crawl = claims.crawls(gd_x - gd_min)
        if gd_end == "ripple":
            self.claim("settles", "Gradient descent", self.rests(0))
            add(gd_beat_end, (f"Gradient descent stops in the ripple at x = {style.fmt(gd_min, 2)}: the slope there is "
                              f"zero, so its steps shrink to nothing."))
        elif gd_end == "bottom":
            self.claim("settles", "gradient descent", self.rests(0))
            add(gd_beat_end, (f"From x = {style.fmt_short(self.start)} no ripple blocks gradient descent: it reaches "
                              f"the bottom too, by step {gd_settled}."))
        else:
            at = min(gd_beat_end, steps)
            if gd_crawl:
                self.claim("crawls", "Gradient descent", gd_crawl)
            verb = "crawls" if gd_crawl else "is still moving"
            add(gd_beat_end, (f"Gradient descent {verb}: each step is η times the local slope, "
                              f"{style.fmt(float(gd_steps[at - 1]), 4)} at step {at}."))

        # the heavy ball settles (or not)
        swing = max_overshoot(hb_x - self.global_min)
        ahead = bool(self.loss[-1, 1] < self.loss[-1, 0])  # the heavy ball ends lower than gradient descent
        far_side = (hb_min - self.global_min) * (self.start - self.global_min) < 0  # beyond the bottom
        if hb_end == "bottom":
            self.claim("settles", "heavy ball", hb_rest)
            text = "The heavy ball "
            if swing > claims.REST_TOL and past_bottom:
                self.claim("overshoots", "heavy ball", past_bottom)
                text += f"overshoots by {style.fmt(swing, 2)}, swings back and "
            text += f"settles at {style.fmt_short(self.global_min)} by step {hb_settled}."
            if ahead:
                text += " Bumps average away; steady slope builds speed."
        elif hb_end == "ripple" and beta == 0:
            text = f"With no memory, the heavy ball stops in the same ripple, at x = {style.fmt(hb_min, 2)}."
        elif hb_end == "ripple" and far_side and past_bottom:
            self.claim("overshoots", "heavy ball", past_bottom)
            self.claim("settles", "heavy ball", hb_rest)
            text = (f"With β = {style.fmt_short(beta)} too much speed: the heavy ball overshoots the bottom and "
                    f"settles in the far ripple at x = {style.fmt(hb_min, 2)}"
                    + (", higher than gradient descent." if not ahead else "."))
        elif hb_end == "ripple" and hb_pass is None:
            self.claim("settles", "heavy ball", hb_rest)
            text = (f"With β = {style.fmt_short(beta)} the memory is too short: the heavy ball also settles in the "
                    f"ripple at x = {style.fmt(hb_min, 2)}.")
        elif hb_end == "ripple":
            self.claim("settles", "heavy ball", hb_rest)
            text = (f"With β = {style.fmt_short(beta)} the heavy ball rolls back and settles in the ripple at "
                    f"x = {style.fmt(hb_min, 2)}.")
        else:
            text = (f"With β = {style.fmt_short(beta)} the heavy ball keeps swinging: its velocity fades slowly, "
                    f"{style.fmt(float(abs(self.moved[-1, 1])), 3)} per step at the end.")
        add(steps, text)

        beats.append((steps, (
            f"After {style.count(steps, 'step')}: gradient descent at x = {position(gd_x[-1])} "
            f"(L = {style.fmt(float(self.loss[-1, 0]), 4)}), the heavy ball at x = {position(hb_x[-1])} "
            f"(L = {style.fmt(float(self.loss[-1, 1]), 4)}).")))
        return beats

    # -- drawing ---------------------------------------------------------------------------
    def formula(self) -> MathTex:
        """L(x) with the landscape's own constants."""
        scape = self.landscape
        quad = r"\tfrac{1}{2}x^2" if scape.curvature == 1 else rf"\tfrac{{{style.fmt_short(scape.curvature)}}}{{2}}x^2"
        tex = (rf"L(x) = {quad} + {style.fmt_short(scape.ripple)}\,"
               rf"\big(1 - \cos {style.fmt_short(scape.frequency)}x\big)")
        return MathTex(tex, color=style.TEXT).scale(style.MATH_SCALE)

    def construct(self) -> None:
        self.compute()
        layout, p, steps = self.layout, self.params, self.params["steps"]
        self.title(self.TITLE)
        gd_color, hb_color = style.OPTIMIZER_COLORS["gd"], style.OPTIMIZER_COLORS["momentum"]

        # Setting: the valley in side view, the bottom marked
        view = side_view(self.landscape, np.array(self.x_range))
        valley = SideView(self.landscape, view, layout.plot, color=style.MUTED)
        self.add(valley)

        # The balls and the heavy ball's velocity arrow (k × the step just taken)
        gd_points = valley.resting(self.x[:, 0], style.BALL_RADIUS)
        hb_points = valley.resting(self.x[:, 1], HEAVY_RADIUS)
        gd_ball = Ball(gd_points, gd_color)
        gd_ball.set_z_index(style.Z_BALL + 1)
        hb_ball = Ball(hb_points, hb_color, radius=HEAVY_RADIUS)
        biggest = float(np.max(np.abs(self.moved[:, 1]))) * valley.frame.scale_x
        scale = nice_scale(ARROW_TARGET / biggest) if biggest > 0 else 1.0
        vectors = np.zeros((steps + 1, 3))
        vectors[:, 0] = self.moved[:, 1] * valley.frame.scale_x * scale
        arrow = RidingArrows(hb_points, vectors, hb_color, ride=True, glide=True, clip=valley.box,
                             offset=UP * (HEAVY_RADIUS + 0.2))
        # gradient descent's arrow on the same scale (its step is η × the slope, nothing carried),
        # a row higher so the two never cover each other where the balls are together
        gd_vectors = np.zeros((steps + 1, 3))
        gd_vectors[:, 0] = self.moved[:, 0] * valley.frame.scale_x * scale
        gd_arrow = RidingArrows(gd_points, gd_vectors, gd_color, ride=True, glide=True, clip=valley.box,
                                offset=UP * (HEAVY_RADIUS + 0.2 + GD_ARROW_RAISE))

        # Panel: formula, legend, counter, readouts, loss inset
        columns = split_panel(layout.panel)
        panel = columns.text
        rows = [
            self.formula(),
            legend_row(gd_color, f"gradient descent   η = {style.fmt_short(p['lr'])}", width=panel.width),
            legend_row(hb_color, f"heavy ball   η = {style.fmt_short(p['lr'])}, β = {style.fmt_short(p['beta'])}",
                       width=panel.width),
            label(f"arrows: velocity, {style.fmt_short(scale)}× one step", style.SMALL_SIZE, style.MUTED),
        ]
        y = stack_in(panel, rows, panel.top - 0.05)
        self.add(*rows)
        counter = SwapLabel(lambda k: f"step {min(k, steps)} / {steps}", [panel.left, y - 0.3, 0])
        readouts = [
            SwapLabel(lambda k, c=column: f"x = {position(self.x[min(k, steps), c])}",
                      [panel.left + 0.15, y - 0.75 - 0.38 * column, 0], size=style.SMALL_SIZE,
                      color=color)
            for column, color in enumerate((gd_color, hb_color))
        ]
        chart = columns.chart
        inset_top = chart.top if columns.split else y - 0.75 - 0.38 * 2 - 0.05
        inset_rect = style.Rect(chart.x, (inset_top + chart.bottom) / 2, chart.width, inset_top - chart.bottom)
        inset = LossInset(inset_rect, [(self.loss[:, 0], gd_color), (self.loss[:, 1], hb_color)], steps)
        driver = StepDriver([arrow, gd_arrow, hb_ball, gd_ball, counter, *readouts, inset])
        self.add(*driver.widgets)

        # Beats
        beats = self.story()
        spotlight = ReadingSpotlight([Stop("gradient descent", gd_ball, [readouts[0]], gd_color),
                                      Stop("heavy ball", hb_ball, [readouts[1]], hb_color)],
                                     clip=layout.plot)  # the closing caption reads gradient descent first
        self.play_story(driver, beats, steps, self.ticks_per_step, tail_ticks=2, progress=self.progress,
                        closing_body=lambda: self.read_out(spotlight, beats[-1][1]))
