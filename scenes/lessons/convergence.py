"""Convergence theory on the κ = 100 ravine: measured error against the predicted slopes (beat 8).

Gradient descent and heavy-ball momentum race from the same start on ``narrow-ravine``
(A = diag(1, 100)); their distance to the minimum is drawn on a log scale, where a fixed
shrink factor per step is a straight line, and the theoretical rates are drawn over them:
GD's max |1 − ηλ| and momentum's spectral radius (tuned: (√κ − 1)/(√κ + 1) = 1 − √(η*λ_min)).
Then each error splits into its shallow and steep components, and the captions count the
steps each needs to reach 10⁻⁶. Render with ``ravine render convergence``.
"""

from __future__ import annotations

import numpy as np
from manim import DL, DOWN, DR, LEFT, RIGHT, UL, UR, BackgroundRectangle, DashedVMobject, MathTex, ReplacementTransform, VGroup, VMobject

from engine import analysis, claims, get_landscape, run, theory
from engine.rates import distance_to_minimum, slowest_index, spectral_radius
from scenes.kit import style
from scenes.kit.base import LessonScene
from scenes.kit.fades import fade_in, fade_out
from scenes.widgets.logplot import LogPlot, decade_label, decade_range
from scenes.kit.params import ParamError, ParamSpec, SceneSpec
from scenes.widgets.core import StepDriver, SwapLabel, label, legend_row, stack_in

LANDSCAPE = "narrow-ravine"
TOLERANCE = claims.SETTLE_TOL  # settled: ‖θ − θ*‖ stays at or below this for good (as the rate map counts it)
TOL_DECADE = -6
FLOOR_DECADE = -10


def tex_number(text: str) -> str:
    """A number formatted by ``style.fmt`` rewritten for LaTeX (true minus, ×10ⁿ)."""
    if "×10^" in text:
        mantissa, exponent = text.split("×10^")
        text = f"{mantissa}\\times 10^{{{exponent}}}"
    return text.replace("−", "-")


def steps_text(value: float) -> str:
    """A step count for captions: an integer, or 'never' for inf."""
    return "never" if not np.isfinite(value) else f"{int(value):,}"


class Convergence(LessonScene):
    """Log-scale error of GD and momentum on κ = 100 with the theory's slopes drawn over them."""

    TITLE = "Convergence: measured error vs theory"
    ASPECTS = ('16:9', '1:1', '9:16')
    SPEC = SceneSpec(
        name="convergence",
        description="Log-scale error of GD and momentum on the κ = 100 ravine, with theory's rates drawn over "
                    "the measured curves and the error split into shallow and steep directions.",
        params=(
            ParamSpec("lr", "float", 0.019, "learning rate η for gradient descent (stable only below 2/λmax)",
                      low=0.001, high=0.02, high_open=True),
            ParamSpec("lr_momentum", "float", None, "learning rate η for momentum (unset = the tuned η*)",
                      low=0.001, high=0.04, optional=True),
            ParamSpec("beta", "float", None, "momentum coefficient β (unset = the tuned β*)",
                      low=0.0, high=0.99, optional=True),
            ParamSpec("steps", "int", 120, "optimizer steps", low=20, high=300),
            ParamSpec("start", "point", (-4.0, 1.5), "start point θ₀ as X,Y", low=-10.0, high=10.0),
        ),
    )

    # -- engine ----------------------------------------------------------------------------
    def compute(self) -> None:
        """One batched run (GD and momentum), the error and its components, and theory's rates."""
        p = self.params
        self.landscape = get_landscape(LANDSCAPE)
        self.axes = analysis.principal_axes(self.landscape)
        lam = self.axes.eigenvalues
        self.lam_min, self.lam_max = float(lam[0]), float(lam[-1])
        self.kappa = self.lam_max / self.lam_min
        self.start = np.asarray(p["start"], dtype=float)
        if float(distance_to_minimum(self.start, self.landscape.minimizer)) == 0.0:
            raise ParamError("start", "--start must differ from the minimum (0, 0)")
        self.tuned = theory.optimal_heavy_ball(self.lam_min, self.lam_max)
        self.is_tuned = p["lr_momentum"] is None and p["beta"] is None
        self.lr_gd = float(p["lr"])
        self.lr_mom = float(self.tuned.lr if p["lr_momentum"] is None else p["lr_momentum"])
        self.beta = float(self.tuned.beta if p["beta"] is None else p["beta"])
        steps = p["steps"]
        self.trajectory = run(self.landscape, "momentum", lr=np.array([self.lr_gd, self.lr_mom]),
                              beta=np.array([0.0, self.beta]), steps=steps, start=self.start)
        theta = self.trajectory.theta                                   # (T+1, 2 runs, 2)
        self.error = distance_to_minimum(theta, self.landscape.minimizer)  # (T+1, 2 runs)
        self.components = np.abs(self.axes.coordinates(theta))          # (T+1, 2 runs, 2 directions)
        self.diverged_at = [int(k) for k in self.trajectory.diverged_at]
        for r, k in enumerate(self.diverged_at):  # the engine freezes a diverged run; draw it as gone
            if k >= 0:
                self.error[k:, r] = np.inf
                self.components[k:, r] = np.inf
        # theory: whole-problem rates and per-direction rates
        self.rate = [float(spectral_radius(self.lr_gd, 0.0, lam)), float(spectral_radius(self.lr_mom, self.beta, lam))]
        self.direction_rate = [np.asarray(theory.gd_contraction(self.lr_gd, lam)),
                               np.asarray(theory.heavy_ball_rate(self.lr_mom, self.beta, lam))]
        self.gd_slowest = slowest_index(self.lr_gd, 0.0, lam)
        error0 = float(self.error[0, 0])
        self.steps_needed = [float(theory.steps_to_tolerance(r, TOLERANCE, error0)) for r in self.rate]
        self.settled = [claims.settles(distance_to_minimum(theta[:, i], self.landscape.minimizer), TOLERANCE,
                                       self.diverged_at[i]) for i in range(2)]
        self.measured = [float(found.get("step")) for found in self.settled]
        self.stability = [float(theory.gd_stability_bound(self.lam_max)),
                          float(theory.heavy_ball_stability_bound(self.lam_max, self.beta))]
        # hyperparameters as shown: given ones as typed, derived (tuned) ones to 3 significant digits
        self.lr_mom_text = style.fmt_short(self.lr_mom) if p["lr_momentum"] is not None else style.fmt(self.lr_mom, 4)
        self.beta_text = style.fmt_short(self.beta) if p["beta"] is not None else style.fmt(self.beta, 3)
        self.start_text = "(" + ", ".join(style.fmt_short(float(v)) for v in self.start) + ")"

    def default_highlights(self) -> dict[str, str]:
        return {"GD": style.OPTIMIZER_COLORS["gd"], "momentum": style.OPTIMIZER_COLORS["momentum"],
                "Momentum": style.OPTIMIZER_COLORS["momentum"]}

    # -- captions --------------------------------------------------------------------------
    def narration(self) -> list[str]:
        """Every caption in the order it plays."""
        self.compute()
        return list(self.captions().values())

    def captions(self) -> dict[str, str]:
        """Every caption of the scene, keyed by beat, with numbers from this render's engine run."""
        f3 = lambda x: style.fmt(float(x), 3)  # noqa: E731
        out = {
            "intro": (f"κ = {style.fmt_short(self.kappa)} ravine, λmin = {style.fmt_short(self.lam_min)}, "
                      f"λmax = {style.fmt_short(self.lam_max)}. Log scale: a fixed shrink per step is a straight line."),
            "race": (f"GD (η = {style.fmt_short(self.lr_gd)}) against momentum (η = {self.lr_mom_text}, "
                     f"β = {self.beta_text}), both from {self.start_text}."),
        }
        which = "λmin" if self.gd_slowest == 0 else "λmax"
        slowest = self.axes.coordinates(self.trajectory.theta[:, 0])[:, self.gd_slowest]
        crawl, zig = claims.crawls(slowest), claims.zigzags(slowest)
        if crawl:
            self.claim("crawls", "GD", crawl)
            pace = " A crawl."
        elif zig:
            self.claim("zigzags", "GD", zig)
            pace = " A slow zig-zag."
        else:
            pace = ""
        out["gd_theory"] = (f"GD's slowest direction shrinks ×|1 − η{which}| = {f3(self.rate[0])} per step: "
                            f"theory's dashed slope.{pace}")
        if self.diverged_at[1] >= 0:
            self.claim("diverges", "Momentum", claims.diverges(self.diverged_at[1], self.rate[1]))
            out["mom_theory"] = (f"Momentum's η = {self.lr_mom_text} is above (2 + 2β)/λmax = "
                                 f"{style.fmt_short(self.stability[1])}: spectral radius {f3(self.rate[1])} > 1, "
                                 f"it diverges at step {self.diverged_at[1]}.")
        elif self.is_tuned:
            out["mom_theory"] = (f"Tuned momentum shrinks ×(√κ − 1)/(√κ + 1) = {f3(self.rate[1])} per step: "
                                 f"exactly 1 − √(η*λmin).")
        else:
            out["mom_theory"] = (f"Momentum's rate is the spectral radius of [[1 + β − ηλ, −β], [1, 0]], "
                                 f"largest over λ: {f3(self.rate[1])} per step.")
        gd_lo, gd_hi = self.direction_rate[0]
        if self.gd_slowest == 0:
            out["split_gd"] = (f"Per direction: GD's steep part fades at ×{f3(gd_hi)} per step; "
                               f"the shallow part, ×{f3(gd_lo)}, sets the pace.")
        else:
            out["split_gd"] = (f"Per direction: GD's steep part only shrinks ×{f3(gd_hi)} per step; "
                               f"it, not the shallow part (×{f3(gd_lo)}), sets the pace.")
        hb_lo, hb_hi = self.direction_rate[1]
        if self.diverged_at[1] >= 0:
            self.claim("settles", "Momentum", self.settled[1], says=False)
            out["split_mom"] = (f"Momentum's steep part grows ×{f3(hb_hi)} per step: "
                                f"past the stability ceiling no direction settles.")
        elif abs(hb_lo - hb_hi) < 1e-6:
            out["split_mom"] = f"Momentum shrinks both parts alike, ×{f3(hb_lo)} per step: neither is left behind."
        else:
            out["split_mom"] = f"Momentum: shallow part ×{f3(hb_lo)}, steep part ×{f3(hb_hi)} per step."
        # the verdict: when each run settled (the one definition: within 10⁻⁶ for good, as the rate map
        # counts it); theory's counts stand beside this run's in the panel's table
        gd_n, mom_n = self.steps_needed
        gd_run, mom_run = self.measured
        steps = self.params["steps"]

        def settled(r: int, name: str) -> str:
            """The first run's clause: it settles within 10⁻⁶ at step n, or does not in the run."""
            self.claim("settles", name, self.settled[r], says=bool(self.settled[r]))
            if self.settled[r]:
                return f"{name} settles within 10⁻⁶ at step {int(self.measured[r])}"
            return (f"{name} does not settle within 10⁻⁶ in {steps} steps "
                    f"(theory: {steps_text(self.steps_needed[r])})")

        def also(r: int, name: str, first: int) -> str:
            """The second run's clause, the verb carried over from the first; theory's count where
            this run is too short to show it."""
            if self.settled[r]:
                return f"{name} at step {int(self.measured[r])}"
            theory_n = f"(theory: {steps_text(self.steps_needed[r])})"
            if not self.settled[first]:
                return f"{name} neither {theory_n}"
            return f"{name} not within {steps} steps {theory_n}"

        theory_pair = (f"(theory: momentum {steps_text(mom_n)}, GD {steps_text(gd_n)})" if mom_n <= gd_n else
                       f"(theory: GD {steps_text(gd_n)}, momentum {steps_text(mom_n)})")
        if self.diverged_at[1] >= 0:
            self.claim("settles", "momentum", self.settled[1], says=False)
            out["verdict"] = (f"{settled(0, 'GD')}; momentum never settles. "
                              f"Above the ceiling, memory only amplifies.")
        elif not self.settled[0] and not self.settled[1]:
            for r, name in ((0, "GD"), (1, "momentum")):
                self.claim("settles", name, self.settled[r], says=False)
            out["verdict"] = f"Neither settles within 10⁻⁶ in {steps} steps {theory_pair}" + (
                ". The ravine goes from nearly uncrossable to merely narrow." if mom_n < gd_n else
                ": momentum only helps when η and β are tuned.")
        elif mom_run < gd_run or (mom_run == gd_run == np.inf and mom_n < gd_n):
            out["verdict"] = (f"{settled(1, 'Momentum')}, {also(0, 'GD', 1)}. "
                              f"The ravine goes from nearly uncrossable to merely narrow.")
        else:
            out["verdict"] = (f"{settled(0, 'GD')}, {also(1, 'momentum', 0)}: "
                              f"momentum only helps when η and β are tuned.")
        return out

    # -- drawing ---------------------------------------------------------------------------
    def construct(self) -> None:
        self.compute()
        layout, steps = self.layout, self.params["steps"]
        text = self.captions()
        gd_color, mom_color = style.OPTIMIZER_COLORS["gd"], style.OPTIMIZER_COLORS["momentum"]
        colors = (gd_color, mom_color)
        self.title(self.TITLE)

        comps_drawn = [self.components[:, r, d] for r in range(2) for d in range(2) if self.components[0, r, d] > 0]
        bottom, top = decade_range([self.error, *comps_drawn], FLOOR_DECADE, must_show=TOL_DECADE)
        chart = LogPlot(layout.plot, steps, bottom, top, y_label="distance to the minimum ‖θ − θ*‖")
        tolerance = chart.level_line(TOLERANCE, f"target {decade_label(TOL_DECADE)}")
        self.add(chart, tolerance)
        totals = [chart.curve(self.error[:, r], colors[r]) for r in range(2)]

        # panel: legend, line styles, counter, readouts
        panel = layout.panel
        legend = [
            legend_row(gd_color, f"GD   η = {style.fmt_short(self.lr_gd)}", style.SMALL_SIZE, width=panel.width),
            legend_row(mom_color, f"momentum   η = {self.lr_mom_text}, β = {self.beta_text}", style.SMALL_SIZE,
                       width=panel.width),
        ]
        y = stack_in(panel, legend, panel.top - 0.05)
        line_key = self.line_key("this run", "theory slope ρᵗ", dotted=False, width=panel.width)
        y = stack_in(panel, [line_key], y - 0.12)
        counter = SwapLabel(lambda k: f"step {min(k, steps)} / {steps}", [panel.left, y - 0.3, 0], size=style.SMALL_SIZE)
        readouts = [
            SwapLabel(lambda k, r=r: self.readout(r, k),
                      [panel.left + 0.1, y - 0.72 - 0.36 * r, 0], size=style.SMALL_SIZE, color=colors[r])
            for r in range(2)
        ]
        formula_top = y - 0.72 - 0.36 * 2 - 0.05
        self.add(*legend, line_key)
        driver = StepDriver(totals + [counter, *readouts])
        self.add(*driver.widgets)

        # theory lines and formulas
        slopes = []
        for r in range(2):
            anchor_step, anchor_value = self.slope_anchor(r, bottom)
            line = chart.slope_line(anchor_step, anchor_value, self.rate[r])
            words = label(f"×{style.fmt(self.rate[r], 3)}", style.TICK_SIZE, colors[r])
            tag = VGroup(BackgroundRectangle(words, color=style.BACKGROUND, fill_opacity=0.75, buff=0.04), words)
            self.place_tag(tag, line, chart.box, [s[1] for s in slopes])
            slopes.append(VGroup(line, tag).set_z_index(style.Z_BALL))
        which = r"\lambda_{\min}" if self.gd_slowest == 0 else r"\lambda_{\max}"
        f3 = lambda x: tex_number(style.fmt(float(x), 3))  # noqa: E731
        gd_tex = MathTex(rf"\rho_{{\mathrm{{GD}}}} = |1 - \eta {which}| = {f3(self.rate[0])}", color=gd_color)
        if self.is_tuned and self.diverged_at[1] < 0:
            mom_tex = MathTex(rf"\rho_{{\mathrm{{mom}}}} = \frac{{\sqrt{{\kappa}} - 1}}{{\sqrt{{\kappa}} + 1}} = {f3(self.rate[1])}",
                              color=mom_color)
        else:
            mom_tex = MathTex(rf"\rho_{{\mathrm{{mom}}}} = \max_\lambda \rho(M_\lambda) = {f3(self.rate[1])}", color=mom_color)
        for tex in (gd_tex, mom_tex):
            tex.scale(style.MATH_SCALE * 0.85)
        widest = max((self.readout(r, k) for r in range(2) for k in range(steps + 1)), key=len)
        readout_w = label(widest, style.SMALL_SIZE, font=style.MONO_FONT).width  # monospaced
        column_left = panel.left + 0.1 + readout_w + 0.4
        if layout.panel.top <= layout.plot.bottom and \
                column_left + max(gd_tex.width, mom_tex.width) <= panel.right:
            # stacked (portrait) panel: short and wide, so the formulas go right of the readouts
            column = style.Rect((column_left + panel.right) / 2, panel.y, panel.right - column_left, panel.height)
            after_formulas = min(stack_in(column, [gd_tex, mom_tex], y - 0.2, buff=0.14), formula_top + 0.05)
        else:
            after_formulas = stack_in(panel, [gd_tex, mom_tex], formula_top, buff=0.14)
        for tex in (gd_tex, mom_tex):
            tex.set_z_index(style.Z_LABEL)

        # --- beats ---
        with self.beat(text["intro"]):
            pass
        with self.beat(text["race"]):
            self.play_ticks(driver.advance(steps), ticks=int(np.clip(round(1.25 * steps), 75, 170)))
        with self.beat(text["gd_theory"]):
            self.play_ticks(fade_in(slopes[0]), fade_in(gd_tex), ticks=15)
        with self.beat(text["mom_theory"]):
            self.play_ticks(fade_in(slopes[1]), fade_in(mom_tex), ticks=15)

        # split into directions: totals and slopes dim, component curves grow out of them (each
        # total morphs into a solid copy of a component; a steep one then turns dotted)
        parts, morphs, part_sources = [], [], []
        for r in range(2):
            for d in range(2):
                if self.components[0, r, d] <= 0:
                    continue
                path = chart.clipped_points(self.components[:, r, d])
                curve = VMobject(stroke_color=colors[r], stroke_width=style.PATH_WIDTH)
                curve.set_points_as_corners(path if len(path) > 1 else np.vstack([path, path + 1e-6]))
                curve.set_z_index(style.Z_PATH)
                morphs.append(curve)
                if d == 1:  # steep: dotted
                    length = float(np.sum(np.linalg.norm(np.diff(path, axis=0), axis=1)))
                    curve = DashedVMobject(curve, num_dashes=max(8, int(length / 0.11)), dashed_ratio=0.4)
                    curve.set_stroke(width=style.PATH_WIDTH)
                    curve.set_z_index(style.Z_PATH)
                parts.append(curve)
                part_sources.append(totals[r].copy())
        part_key = self.line_key(f"shallow (λ = {style.fmt_short(self.lam_min)})",
                                 f"steep (λ = {style.fmt_short(self.lam_max)})", dotted=True, width=panel.width)
        stack_in(panel, [part_key], line_key.get_top()[1])
        with self.beat(text["split_gd"]):
            self.play_ticks(*(ReplacementTransform(src, dst) for src, dst in zip(part_sources, morphs)),
                            *(t.animate.set_stroke(opacity=0.0) for t in totals),
                            *(fade_out(s) for s in slopes), fade_out(line_key), fade_in(part_key), ticks=24)
            for morph, part in zip(morphs, parts):
                if part is not morph:
                    self.remove(morph)
                    self.add(part)
        with self.beat(text["split_mom"]):
            pass

        # verdict: back to the totals with the slopes, and the step counts
        table = self.steps_table(panel, after_formulas - 0.1)
        with self.beat(text["verdict"], min_ticks=None):
            self.play_ticks(*(fade_out(p) for p in parts), fade_out(part_key), fade_in(line_key),
                            *(t.animate.set_stroke(opacity=1.0) for t in totals),
                            *(fade_in(s) for s in slopes), fade_in(table), ticks=20)
        self.hold(15)

    def readout(self, r: int, k: int) -> str:
        """Run ``r``'s distance to the minimum at step ``k`` (or when it diverged)."""
        k = min(max(k, 0), self.params["steps"])
        if 0 <= self.diverged_at[r] <= k:
            return f"diverged at step {self.diverged_at[r]}"
        return f"‖θ − θ*‖ = {style.fmt(float(self.error[k, r]), 4)}"

    @staticmethod
    def place_tag(tag, line, box: style.Rect, taken: list) -> None:
        """Put a slope's rate tag beside its line: the first of a few spots along it (above, then below)
        that is inside the chart's box and clear of the tags already placed."""
        start, end = line.get_start(), line.get_end()

        def fits() -> bool:
            inside = (tag.get_left()[0] >= box.left and tag.get_right()[0] <= box.right
                      and tag.get_bottom()[1] >= box.bottom and tag.get_top()[1] <= box.top)
            gap = 0.12
            clear = all(tag.get_right()[0] + gap < o.get_left()[0] or o.get_right()[0] + gap < tag.get_left()[0]
                        or tag.get_top()[1] + gap < o.get_bottom()[1] or o.get_top()[1] + gap < tag.get_bottom()[1]
                        for o in taken)
            return inside and clear

        for side in (UR, DL, UL, DR):
            for fraction in (0.55, 0.8, 0.3, 0.15, 0.9, 0.4, 0.65):
                tag.next_to(start + fraction * (end - start), side, buff=0.12)
                if fits():
                    return
        tag.next_to(start + 0.55 * (end - start), UR, buff=0.12)

    def slope_anchor(self, r: int, bottom_decade: int) -> tuple[int, float]:
        """(step, error) where run ``r``'s theory slope is pinned to its measured curve.

        Three quarters of the way along the stretch where the curve is on the chart (above the
        floor, before any divergence): late enough for the transient to have died out.
        """
        error = self.error[:, r]
        last = len(error) - 1 if self.diverged_at[r] < 0 else max(1, self.diverged_at[r] - 1)
        below = np.flatnonzero(error[: last + 1] < 10.0**bottom_decade)
        if below.size:
            last = max(1, int(below[0]) - 1)
        step = max(1, int(round(0.75 * last)))
        return step, float(error[step])

    def line_key(self, solid: str, other: str, dotted: bool, width: float) -> VGroup:
        """A key: a solid sample line + ``solid``, then a dashed/dotted one + ``other``; on one row,
        shrunk to at most ``width`` scene units, or on two where that would shrink it below
        ``style.LEAST_SHRINK``."""
        from manim import DashedLine, Line

        sample = Line([0, 0, 0], [0.4, 0, 0], stroke_color=style.MUTED, stroke_width=3)
        if dotted:
            broken = DashedVMobject(Line([0, 0, 0], [0.4, 0, 0], stroke_color=style.MUTED, stroke_width=3),
                                    num_dashes=4, dashed_ratio=0.4)
        else:
            broken = DashedLine([0, 0, 0], [0.4, 0, 0], dash_length=0.12, dashed_ratio=0.55,
                                stroke_color=style.TEXT, stroke_width=2.2)
        items = [VGroup(line, label(text, style.SMALL_SIZE, style.MUTED)).arrange(RIGHT, buff=0.12)
                 for line, text in ((sample, solid), (broken, other))]
        key = VGroup(*items).arrange(RIGHT, buff=0.27)
        if key.width * style.LEAST_SHRINK > width:
            key.arrange(DOWN, buff=0.1, aligned_edge=LEFT)
        key.set_z_index(style.Z_LABEL)
        return key

    def steps_table(self, panel: style.Rect, top: float) -> VGroup:
        """'steps to 10⁻⁶' with theory's count and this run's, one row per optimizer."""
        steps = self.params["steps"]

        def run_text(value: float) -> str:
            return f"> {steps}" if not np.isfinite(value) else str(int(value))

        rows = [label(f"steps to {decade_label(TOL_DECADE)}: theory · this run", style.SMALL_SIZE, style.MUTED)]
        names = ("GD", "momentum")
        colors = (style.OPTIMIZER_COLORS["gd"], style.OPTIMIZER_COLORS["momentum"])
        for r in range(2):
            rows.append(label(f"{names[r]:<9}{steps_text(self.steps_needed[r]):>7} · {run_text(self.measured[r])}",
                              style.SMALL_SIZE, colors[r], style.MONO_FONT))
        group = VGroup(*rows)
        stack_in(panel, rows, top, buff=0.1)
        group.set_z_index(style.Z_LABEL)
        return group
