"""Convergence theory on the κ = 100 ravine: measured error against the predicted slopes (beat 8).

Gradient descent and heavy-ball momentum race from the same start on ``narrow-ravine``
(A = diag(1, 100)); their distance to the minimum is drawn on a log scale, where a fixed
shrink factor per step is a straight line, and the theoretical rates are drawn over them:
GD's max |1 − ηλ| and momentum's spectral radius (tuned: (√κ − 1)/(√κ + 1) = 1 − √(η*λ_min)).
Then the chart gives way to the iteration matrix M = [[1 + β − ηλ, −β], [1, 0]] and its
eigenvalues in the complex plane (``engine.iteration_matrix``): β slides from 0 to the run's β
while λmin's and λmax's pairs move and the ring of the widest |μ| shrinks against the unit
circle; at the optimum both pairs sit on the circle √β*, whence η* and β* are derived on screen.
The verdict returns to the chart and counts the steps each run needs to reach 10⁻⁶. Render with
``ravine render convergence``.
"""

from __future__ import annotations

import numpy as np
from manim import (DL, DOWN, DR, LEFT, RIGHT, UL, UR, BackgroundRectangle, Create, DashedVMobject, MathTex,
                   TransformFromCopy, VGroup)

from engine import analysis, claims, get_landscape, run, theory
from engine.iteration_matrix import sweep_eigenvalues
from engine.rates import distance_to_minimum, slowest_index, spectral_radius
from scenes.kit import style
from scenes.kit.morphs import MatchingShapes
from scenes.kit.base import LessonScene, reading_ticks
from scenes.kit.fades import fade_in, fade_out
from scenes.widgets.logplot import LogPlot, decade_label, decade_range
from scenes.kit.params import ParamError, ParamSpec, SceneSpec
from scenes.widgets.complex_plane import PAIR_COLORS, EigenPlane
from scenes.widgets.core import StepDriver, SwapLabel, label, legend_row, stack_in

LANDSCAPE = "narrow-ravine"
TOLERANCE = claims.SETTLE_TOL  # settled: ‖θ − θ*‖ stays at or below this for good (as the rate map counts it)
TOL_DECADE = -6
FLOOR_DECADE = -10
SWEEP_SAMPLES = 61   # β from 0 to the run's β at the run's η: samples of the eigenvalues
GLIDE_SAMPLES = 31   # then (η, β) from the run's to the optimum (η*, β*)
MATRIX_LEGS = 3      # the matrices are typeset at β = 0, β/3, 2β/3, β (numbers substituted as β grows)
LAM_COLORS = PAIR_COLORS  # eigenvalue dots of λmin, λmax


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
        # the iteration matrix's eigenvalues, λmin's pair and λmax's pair: β slides from 0 to the
        # run's β at the run's η, then (η, β) glides to the optimum (η*, β*)
        sweep_b = np.linspace(0.0, self.beta, SWEEP_SAMPLES)
        glide = np.linspace(0.0, 1.0, GLIDE_SAMPLES)[1:]
        self.path_lr = np.concatenate([np.full(SWEEP_SAMPLES, self.lr_mom),
                                       self.lr_mom + glide * (self.tuned.lr - self.lr_mom)])
        self.path_beta = np.concatenate([sweep_b, self.beta + glide * (self.tuned.beta - self.beta)])
        self.eigen_lams = np.array([self.lam_min, self.lam_max])
        self.path_mu = sweep_eigenvalues(self.path_lr, self.path_beta, self.eigen_lams)   # (K, 2, 2)
        self.path_radius = np.asarray(spectral_radius(self.path_lr, self.path_beta, lam))  # (K,)
        self.sweep_end = SWEEP_SAMPLES - 1
        self.reach = max(1.3, 1.1 * float(np.max(self.path_radius)))

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
            "intro": (f"GD against momentum on the κ = {style.fmt_short(self.kappa)} ravine. On a log scale a fixed "
                      f"shrink per step is a straight line."),
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
        out.update(self.eigen_captions())
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

    def eigen_captions(self) -> dict[str, str]:
        """The matrix beats: M, β sliding its eigenvalues, the optimum's circle and its formulas."""
        f3 = lambda x: style.fmt(float(x), 3)  # noqa: E731
        out = {"matrix": "Why? Each step multiplies a direction's last two positions by M; its eigenvalues μ set the pace."}
        r0, r1 = self.path_radius[0], self.path_radius[self.sweep_end]
        side = "inside" if r1 < 1 else "outside"
        if self.is_tuned:
            out["sweep"] = (f"Slide β from 0 to β* = {self.beta_text}: the widest |μ| shrinks from {f3(r0)} to "
                            f"{f3(r1)}, {side} the unit circle.")
        else:
            turned = [abs(float(self.path_mu[self.sweep_end, j, 0].imag)) > 1e-9 for j in range(2)]
            if all(turned):
                pairs = "both pairs turn onto |μ| = √β"
            elif any(turned):
                pairs = f"λ = {style.fmt_short(self.eigen_lams[turned.index(True)])}'s pair turns onto |μ| = √β"
            else:
                pairs = "both pairs stay real"
            out["sweep"] = (f"Slide β from 0 to {self.beta_text}: {pairs}. The widest |μ| goes from {f3(r0)} to "
                            f"{f3(r1)}, {side} the unit circle.")
        out["meet"] = (f"Best: both pairs on one circle, radius √β* = {f3(self.tuned.rate)}: "
                       f"√(ηλmin) = 1−√β, √(ηλmax) = 1+√β.")
        out["solve"] = (f"Add: η* = (2/(√λmax + √λmin))² = {style.fmt(self.tuned.lr, 3)}. "
                        f"Divide: β* = ((√κ − 1)/(√κ + 1))² = {style.fmt(self.tuned.beta, 3)}.")
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
        race_ticks = max(reading_ticks(text["intro"]), int(np.clip(round(0.9 * steps), 75, 150)))
        with self.beat(text["intro"]):
            self.play_ticks(driver.advance(steps), ticks=race_ticks)
        for (line, tag), caption, tex in zip(slopes, (text["gd_theory"], text["mom_theory"]), (gd_tex, mom_tex)):
            with self.beat(caption):  # the theory's slope laid along the curve, then its rate carried to the formula
                self.play_ticks(Create(line), fade_in(tag), ticks=30)
                self.play_ticks(TransformFromCopy(tag, tex), ticks=24)

        # the matrix and its eigenvalues: the chart gives way to the complex plane
        chart_view = [chart, tolerance, *legend, line_key, *driver.widgets, *slopes, gd_tex, mom_tex]
        eigen = self.eigen_view(layout)
        plane, readout, key, column = eigen["plane"], eigen["readout"], eigen["key"], eigen["column"]
        eigen_driver = StepDriver([plane, readout])
        symbolic, matrices = eigen["symbolic"], eigen["matrices"]
        eigen_parts = VGroup(plane, readout)
        with self.beat(text["matrix"]):
            self.play_ticks(*(fade_out(m) for m in chart_view), ticks=15)
            self.play_ticks(fade_in(eigen_parts), fade_in(key), fade_in(symbolic), ticks=20)
            self.play_ticks(MatchingShapes(symbolic, matrices[0]), ticks=30)
        leg = self.sweep_end / MATRIX_LEGS
        with self.beat(text["sweep"]):
            for i in range(MATRIX_LEGS):  # β slides; the matrices' numbers follow at the end of each leg
                self.play_ticks(eigen_driver.advance((i + 0.7) * leg), ticks=26)
                self.play_ticks(eigen_driver.advance((i + 1) * leg), fade_out(matrices[i]), fade_in(matrices[i + 1]),
                                ticks=10)
        current = matrices[MATRIX_LEGS]
        meet_circle = plane.circle_of(self.tuned.rate, style.OPTIMIZER_COLORS["momentum"])
        meet_circle.set_z_index(style.Z_BALL)
        root_tag = MathTex(r"\sqrt{\beta^*}", color=style.OPTIMIZER_COLORS["momentum"]).scale(style.MATH_SCALE * 0.8)
        root_tag.next_to(plane.to_scene(self.tuned.rate * np.exp(0.25j * np.pi))[0], UR, buff=0.06)
        root_tag.set_z_index(style.Z_LABEL)
        meet_circle = VGroup(meet_circle, root_tag)
        window, results = eigen["window"], eigen["results"]
        with self.beat(text["meet"]):
            if not self.is_tuned:
                self.play_ticks(eigen_driver.advance(len(self.path_radius) - 1),
                                MatchingShapes(current, eigen["optimum"]), ticks=45)
                current = eigen["optimum"]
            self.play_ticks(Create(meet_circle), ticks=20)
            self.play_ticks(MatchingShapes(current, window), ticks=25)
        with self.beat(text["solve"]):
            for before, after in zip([window, *eigen["solution"]], eigen["solution"]):
                self.play_ticks(MatchingShapes(before, after), ticks=30)

        # verdict: back to the chart with the slopes, and the step counts
        table = self.steps_table(panel, after_formulas - 0.1)
        with self.beat(text["verdict"], min_ticks=None):
            self.play_ticks(fade_out(eigen_parts), fade_out(key),
                            fade_out(meet_circle), fade_out(results), ticks=12)
            self.play_ticks(*(fade_in(m) for m in chart_view), fade_in(table), ticks=20)
        self.hold(6)

    def eigen_view(self, layout) -> dict:
        """The complex plane with the eigenvalue pairs, its readouts and key, and every equation of
        the matrix beats (each typeset once), laid out in the body (plot and panel together)."""
        plot, panel = layout.plot, layout.panel
        left, right = min(plot.left, panel.left), max(plot.right, panel.right)
        top, bottom = max(plot.top, panel.top), min(plot.bottom, panel.bottom)
        body = style.Rect((left + right) / 2, (top + bottom) / 2, right - left, top - bottom)
        if body.width - body.height >= 3.5:  # landscape: the plane left, the equations right
            side = body.height
            plane_rect = style.Rect(body.left + side / 2, body.y, side, side)
            column = style.Rect((plane_rect.right + 0.4 + body.right) / 2, body.y, body.right - plane_rect.right - 0.4,
                                body.height)
        else:  # square and portrait: the plane on top, the equations under it
            side = min(body.width, 0.55 * body.height)
            plane_rect = style.Rect(body.x, body.top - side / 2, side, side)
            col_top = plane_rect.bottom - 0.25
            column = style.Rect(body.x, (col_top + body.bottom) / 2, body.width, col_top - body.bottom)
        plane = EigenPlane(plane_rect, self.reach, self.path_mu, LAM_COLORS, self.path_radius)
        f3 = lambda x: style.fmt(float(x), 3)  # noqa: E731
        readout = SwapLabel(lambda k: f"β = {f3(self.path_beta[self.sample(k)])}   radius {f3(self.path_radius[self.sample(k)])}",
                            [column.left, column.top - 0.15, 0], size=style.SMALL_SIZE)
        rows = [legend_row(LAM_COLORS[j], f"μ of λ = {style.fmt_short(self.eigen_lams[j])}", style.SMALL_SIZE,
                           width=column.width) for j in range(2)]
        rows.append(label("ring: widest |μ|; dashed: |μ| = 1", style.SMALL_SIZE, style.MUTED))
        y = stack_in(column, rows, column.top - 0.45, buff=0.1)
        key = VGroup(*rows).set_z_index(style.Z_LABEL)
        room = style.Rect(column.x, (y - 0.2 + column.bottom) / 2, column.width, y - 0.2 - column.bottom)

        def fitted(*texes, color=None) -> VGroup:
            group = VGroup(*texes)
            for tex, c in zip(texes, color or [None] * len(texes)):
                tex.scale(style.MATH_SCALE)
                if c:
                    tex.set_color(c)
            group.arrange(RIGHT, buff=0.5)
            if group.width > room.width:
                group.arrange(DOWN, buff=0.25, aligned_edge=LEFT)
            factor = min(1.3, room.width / group.width, room.height / group.height)  # larger where there is room
            group.scale(factor)
            group.move_to([room.left + group.width / 2, room.top - group.height / 2, 0])
            return group.set_z_index(style.Z_LABEL)

        def matrix(lr: float, beta: float) -> VGroup:
            texes = []
            for lam in self.eigen_lams:
                a = tex_number(style.fmt(1.0 + beta - lr * lam, 3))
                b = tex_number(style.fmt(-beta, 3)) if beta > 0 else "0"
                name = tex_number(style.fmt_short(lam))
                texes.append(MathTex(rf"M_{{\lambda = {name}}} = \begin{{bmatrix}} {a} & {b} \\ 1 & 0 \end{{bmatrix}}"))
            return fitted(*texes, color=LAM_COLORS)

        symbolic = fitted(MathTex(r"M = \begin{bmatrix} 1 + \beta - \eta\lambda & -\beta \\ 1 & 0 \end{bmatrix}"),
                          color=[style.TEXT])
        legs = [self.sweep_end * i // MATRIX_LEGS for i in range(MATRIX_LEGS + 1)]
        matrices = [matrix(self.path_lr[k], self.path_beta[k]) for k in legs]
        optimum = matrix(self.tuned.lr, self.tuned.beta) if not self.is_tuned else None
        window = fitted(MathTex(r"\sqrt{\eta\lambda_{\min}} = 1 - \sqrt{\beta}"),
                        MathTex(r"\sqrt{\eta\lambda_{\max}} = 1 + \sqrt{\beta}"), color=LAM_COLORS)
        mom = style.OPTIMIZER_COLORS["momentum"]
        lr_t, beta_t = tex_number(style.fmt(self.tuned.lr, 3)), tex_number(style.fmt(self.tuned.beta, 3))
        eta_star = rf"\eta^* = \left(\frac{{2}}{{\sqrt{{\lambda_{{\max}}}} + \sqrt{{\lambda_{{\min}}}}}}\right)^2 = {lr_t}"
        beta_star = rf"\beta^* = \left(\frac{{\sqrt{{\kappa}} - 1}}{{\sqrt{{\kappa}} + 1}}\right)^2 = {beta_t}"
        # the solution worked on screen: add the two conditions (√β cancels) for η*, divide them for β*
        added = fitted(MathTex(r"\sqrt{\eta}\,\left(\sqrt{\lambda_{\min}} + \sqrt{\lambda_{\max}}\right) = 2"),
                       MathTex(eta_star), color=[style.TEXT, mom])
        divided = fitted(MathTex(eta_star),
                         MathTex(r"\frac{1 - \sqrt{\beta}}{1 + \sqrt{\beta}} = \sqrt{\frac{\lambda_{\min}}{\lambda_{\max}}}"
                                 r" = \frac{1}{\sqrt{\kappa}}"), color=[mom, style.TEXT])
        results = fitted(MathTex(eta_star), MathTex(beta_star), color=[mom, mom])
        return {"plane": plane, "readout": readout, "key": key, "column": column, "symbolic": symbolic,
                "matrices": matrices, "optimum": optimum, "window": window, "solution": [added, divided, results],
                "results": results}

    def sample(self, k: int) -> int:
        """A sample index of the eigenvalue path, clamped to it."""
        return int(min(max(k, 0), len(self.path_radius) - 1))

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
