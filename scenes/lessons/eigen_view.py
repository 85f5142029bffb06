"""The eigen view: a tilted ravine turned into its eigenbasis, where it is two separate 1-D problems.

The contours, the eigenvectors and gradient descent's run turn about the minimum until the
eigenvectors are the axes; the run then splits into its two eigen-coordinates, drawn against the
step beside the map while the ball moves: the steep one multiplied by 1 − ηλmax each step (flipping
sign where that is negative), the shallow one by 1 − ηλmin (crawling). Then momentum, per
direction a damped oscillator: β sweeps from 0 and each coordinate is labelled over-, critically or
under-damped as β passes its critical value (1 − √(ηλ))², with the envelope ±C·β^(t/2) drawn while
it is under-damped. Every number and regime comes from :mod:`engine.eigen` and the engine's runs.

Render with ``ravine render eigen-view``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from manim import RIGHT, Arrow, GrowArrow, Line, MathTex, ReplacementTransform, Rotate, TransformFromCopy, \
    UpdateFromAlphaFunc, VGroup

from engine import claims, get_landscape, run, theory
from engine.eigen import DAMPINGS, beta_sweep, critical_beta, damping_code, eigen_frame, envelope, gd_factor
from scenes.kit import style
from scenes.kit.morphs import MatchingTex
from scenes.kit.base import LessonScene, reading_ticks
from scenes.kit.fades import fade_in, fade_out
from scenes.kit.params import SceneSpec, beta_param, landscape_param, lr_param, start_param, steps_param
from scenes.widgets.contours import contour_levels
from scenes.widgets.core import Ball, ProgressivePath, StepDriver, SwapLabel, fitted_text, label
from scenes.widgets.eigen_traces import (
    DiskMap, Projections, SweepCurve, SweepEnd, SweepEnvelope, TraceChart, beside_axis, body_split, chart_rects,
    disk_contours, turned,
)

RAVINES = ("rotated-ravine", "narrow-ravine", "seed-ravine")
"""The quadratic presets with a steep and a shallow direction (the round bowl has neither)."""
SWEEP_POINTS = 121  # β values in the sweep's grid (each critical β is added exactly)
SHALLOW_COLOR = style.SERIES_COLORS[3]
STEEP_COLOR = style.SERIES_COLORS[1]
GD = style.OPTIMIZER_COLORS["gd"]
MOMENTUM = style.OPTIMIZER_COLORS["momentum"]
NAMES = ("shallow", "steep")


def share(value: float) -> str:
    return style.fmt_percent(float(value))


class EigenView(LessonScene):
    """A ravine seen along its eigenvectors: GD's coordinates flip or crawl, momentum's are damped oscillators."""

    TITLE = "The eigen view: two 1-D problems"
    SPEC = SceneSpec(
        name="eigen-view",
        description="A tilted ravine turned into its eigenbasis: the run splits into two coordinates, "
                    "GD's flipping and crawling, momentum's over-, critically or under-damped as β sweeps.",
        params=(
            landscape_param("rotated-ravine", choices=RAVINES),
            start_param((-6.0, -2.0)),
            # below 2/λmax of every ravine offered: gradient descent stays stable, so the picture is
            # about flipping and crawling, not blowing up (the stability scene shows that)
            replace(lr_param("lr", 0.018), high=0.0199),
            beta_param(0.9),
            steps_param(60, high=200),
        ),
    )

    # -- engine ----------------------------------------------------------------------------
    def compute(self) -> None:
        """GD's run, momentum's runs for every β of the sweep (one batched call), their
        eigen-coordinates, and per direction the factor, critical β, regime and envelope."""
        p = self.params
        lr, steps = float(p["lr"]), int(p["steps"])
        self.landscape = get_landscape(p["landscape"])
        self.eig = eigen_frame(self.landscape)
        self.lam = self.eig.eigenvalues
        self.origin = self.eig.origin
        self.start = np.asarray(p["start"], dtype=float)
        gd = run(self.landscape, "gd", lr=lr, steps=steps, start=self.start)
        self.gd_theta = gd.theta[:, 0]
        self.gd_q = self.eig.coordinates(self.gd_theta)  # (T+1, 2): shallow, steep
        self.betas, self.stops = beta_sweep(lr, self.lam, p["beta"], count=SWEEP_POINTS)
        count = len(self.betas)
        mom = run(self.landscape, "momentum", lr=np.full(count, lr), beta=self.betas, steps=steps, start=self.start)
        self.mom_theta = mom.theta  # (T+1, K, 2)
        self.mom_q = self.eig.coordinates(mom.theta)
        self.factors = np.array([gd_factor(lr, lam) for lam in self.lam])
        self.critical = np.array([critical_beta(lr, lam) for lam in self.lam])
        self.codes = np.asarray(damping_code(lr, self.betas[:, None], self.lam[None, :]))  # (K, 2)
        self.envelopes = envelope(lr, self.betas[:, None], self.lam[None, :], self.gd_q[0][None, :], steps)
        self.end_rates = np.array([theory.heavy_ball_rate(lr, p["beta"], lam) for lam in self.lam])
        self.record_constant("lambda_min", float(self.lam[0]))
        self.record_constant("lambda_max", float(self.lam[-1]))
        self.record_constant("gd_factor_shallow", float(self.factors[0]))
        self.record_constant("gd_factor_steep", float(self.factors[1]))
        self.record_constant("critical_beta_shallow", float(self.critical[0]))
        self.record_constant("critical_beta_steep", float(self.critical[1]))

    def default_highlights(self) -> dict[str, str]:
        return {"Gradient descent": GD, "gradient descent": GD, "Momentum": MOMENTUM}

    def stop_index(self, beta: float) -> int:
        """Where β lies in the sweep's grid (critical values are in it exactly)."""
        return int(np.argmin(np.abs(self.betas - beta)))

    # -- captions (facts from the engine) --------------------------------------------------
    def captions(self) -> dict[str, str]:
        """Every caption by beat, in play order; the sweep's as ``sweep0``, ``sweep1``, …"""
        p, steps = self.params, int(self.params["steps"])
        eta = style.fmt_short(p["lr"])
        q_sh, q_st = self.gd_q[:, 0], self.gd_q[:, 1]
        tiny = 1e-9 * max(1.0, float(np.max(np.abs(self.gd_q[0]))))
        tilted = abs(self.eig.degrees) >= 0.05
        out: dict[str, str] = {}

        zig = claims.zigzags(q_st, 0, min(steps, 6))
        if zig:
            self.claim("zigzags", "gradient descent", zig)
            move = "zig-zags across it"
        else:
            move = f"starts at {style.fmt_point(self.start, 2)}"
        where = (f"A ravine tilted {style.fmt_short(abs(self.eig.degrees))}°, eigenvectors as arrows."
                 if tilted else "A ravine whose eigenvectors, the arrows, lie along the axes.")
        out["intro"] = f"{where} Gradient descent (η = {eta}) {move}."
        out["turn"] = (f"Turn it {style.fmt_short(-self.eig.degrees)}° about the minimum: the eigenvectors become "
                       f"the axes; the loss splits in two." if tilted else
                       "In these axes, q₁ and q₂, the loss splits in two: one 1-D problem per axis.")

        factor = style.fmt(float(self.factors[1]), 3)
        head = f"Steep axis: ×(1 − ηλmax) = {factor} per step"
        whole = claims.zigzags(q_st, 0, min(steps, 10))
        if abs(q_st[0]) <= tiny:
            out["steep"] = "Steep axis: the start has no steep part, q₂ = 0, so nothing happens along it."
        elif whole:
            self.claim("zigzags", "gradient descent", whole)
            every = "every" if whole.get("flips") == whole.get("steps") else "almost every"
            out["steep"] = f"{head}, so gradient descent zig-zags, flipping sign {every} step."
        elif self.factors[1] > 0:
            out["steep"] = f"{head}: q₂ shrinks without changing sign."
        elif abs(self.factors[1]) < 5e-4:
            out["steep"] = f"{head}: one step takes q₂ to the valley floor."
        else:
            out["steep"] = f"{head}: q₂ changes sign and is all but gone in a few steps."

        factor = style.fmt(float(self.factors[0]), 3)
        head = f"Shallow axis: ×(1 − ηλmin) = {factor} per step"
        left = abs(q_sh[-1]) / abs(q_sh[0]) if abs(q_sh[0]) > tiny else 0.0
        crawl = claims.crawls(q_sh)
        if abs(q_sh[0]) <= tiny:
            out["shallow"] = "Shallow axis: the start has no shallow part, q₁ = 0, so nothing happens along it."
        elif crawl:
            self.claim("crawls", "gradient descent", crawl)
            out["shallow"] = f"{head}: gradient descent crawls, {share(left)} of q₁ left after {style.count(steps, 'step')}."
        else:
            out["shallow"] = f"{head}: after {style.count(steps, 'step')}, {share(left)} of q₁ is left."

        out["momentum"] = "Momentum also recalls each coordinate's last value; this quadratic's roots decide the motion."
        for n, text in enumerate(self.sweep_texts()):
            out[f"sweep{n}"] = text[1]
        return out

    def sweep_texts(self) -> list[tuple[int, str]]:
        """The sweep's beats as (grid index it ends at, caption): one per critical β met, then β's end."""
        end = float(self.params["beta"])
        which = ("λmin", "λmax")
        beats: list[tuple[int, str]] = []
        previous = None
        for n, (beta_c, d) in enumerate(self.stops):
            at = self.stop_index(beta_c)
            number = style.fmt(beta_c, 3)
            if previous is None:
                text = f"Raise β. At β = (1 − √(η{which[d]}))² = {number} the {NAMES[d]} roots meet: critically damped."
            else:
                regime = DAMPINGS[int(self.codes[at, previous]) + 1]
                past = (f"Past it: {NAMES[previous]} roots complex, |z| = √β, {regime} inside ±C·β^(t/2)."
                        if regime == "under-damped" else f"Past it the {NAMES[previous]} one is {regime}.")
                text = f"{past} The {NAMES[d]} roots meet at β = {number}."
            beats.append((at, text))
            previous = d
        regimes = [DAMPINGS[int(code) + 1] for code in self.codes[-1]]
        bt = style.fmt_short(end)
        rates = [style.fmt(float(r), 3) for r in self.end_rates]
        if regimes[0] == regimes[1]:
            state = f"At β = {bt} both are {regimes[0]}"
        else:
            state = f"At β = {bt} the steep one is {regimes[1]}, the shallow one {regimes[0]}"
        under = [d for d in (1, 0) if regimes[d] == "under-damped"]
        if len(under) == 2:
            text = f"{state}, shrinking ×√β = {style.fmt(float(np.sqrt(end)), 3)} per step."
        elif under:
            d = under[0]
            text = (f"{state}: ×√β = {style.fmt(float(np.sqrt(end)), 3)} per step {NAMES[d]}, "
                    f"×{rates[1 - d]} {NAMES[1 - d]}.")
        else:
            text = f"{state}: real roots, ×{rates[1]} per step steep, ×{rates[0]} shallow."
        if end <= 0.0:
            text = f"At β = 0 momentum is gradient descent: ×{rates[1]} per step steep, ×{rates[0]} shallow."
        beats.append((len(self.betas) - 1, text))
        return beats

    def narration(self) -> list[str]:
        """Every caption in the order it plays, from :meth:`compute` alone."""
        self.compute()
        return list(self.captions().values())

    # -- drawing ---------------------------------------------------------------------------
    def construct(self) -> None:
        self.compute()
        text = self.captions()
        steps = int(self.params["steps"])
        self.title(self.TITLE)
        square, region = body_split(self.layout)

        # the map: a disk about the minimum holding every run at every turn
        every = np.concatenate([self.gd_theta, self.mom_theta.reshape(-1, 2), self.start[None, :]])
        reach = float(np.max(claims.distance(every, self.origin)))
        disk = DiskMap(square, self.origin, 1.06 * reach if reach > 0 else 1.0)
        center = disk.screen_center
        lam, vec = self.lam, self.eig.eigenvectors
        top_level = 0.5 * float(lam[-1]) * (disk.view.radius ** 2)
        contours = disk_contours(disk, lam, vec, contour_levels(top_level, 12, 0.45))
        axes, axis_names = [], []
        for direction, name in (((1.0, 0.0), "θ₁"), ((0.0, 1.0), "θ₂")):
            u = np.array(direction)
            axes.append(Line(disk.along(-u, 1.0), disk.along(u, 1.0), stroke_color=style.GRID, stroke_width=1.5))
            words = label(name, style.SMALL_SIZE, style.MUTED)
            beside_axis(words, disk.along(u, 0.88), -u)  # on the axis' right: the eigen labels go on its left
            axis_names.append(words)
        static_axes = VGroup(*axes, *axis_names).set_z_index(style.Z_AXES)
        colors = (SHALLOW_COLOR, STEEP_COLOR)
        arrows, lam_labels = [], []
        for d in range(2):
            u = vec[:, d]
            arrow = Arrow(disk.along(-u, 0.96), disk.along(u, 0.96), buff=0, stroke_width=3, color=colors[d],
                          max_tip_length_to_length_ratio=0.06, max_stroke_width_to_length_ratio=20)
            arrow.set_z_index(style.Z_AXES)
            arrows.append(arrow)
            # the curvature as its own word: it travels into the loss once the axes are turned
            words = VGroup(label(f"{NAMES[d]}  λ =", style.SMALL_SIZE, colors[d]),
                           label(style.fmt_short(float(lam[d])), style.SMALL_SIZE, colors[d])).arrange(RIGHT, buff=0.16)
            words.set_z_index(style.Z_LABEL)
            disk.place_beside(words, u)
            lam_labels.append(words)

        gd_points = disk.to_scene(self.gd_theta)
        gd_path = ProgressivePath(gd_points, GD, width=2.5)
        gd_ball = Ball(gd_points, GD)
        tilted_run = StepDriver([gd_path, gd_ball])
        self.add(disk.border, static_axes, *tilted_run.widgets)

        # the equations over the charts, and the charts
        eq_rows = 0.75
        eq_rect = style.Rect(region.x, region.top - eq_rows / 2, region.width, eq_rows)
        chart_region = style.Rect(region.x, (region.bottom + region.top - eq_rows - 0.1) / 2, region.width,
                                  region.height - eq_rows - 0.1)
        rects = chart_rects(chart_region, 2)
        charts = []
        for rect, d in zip(rects, (1, 0)):  # steep on top (or left), shallow under it
            q_name = "q₂" if d == 1 else "q₁"
            ymax = 1.08 * max(float(np.max(np.abs(self.gd_q[:, d]))), float(np.max(np.abs(self.mom_q[:, :, d]))))
            heading = f"{NAMES[d]} {q_name}, λ = {style.fmt_short(float(lam[d]))}"
            charts.append(TraceChart(rect, steps, ymax if ymax > 0 else 1.0, heading, colors[d]))
        chart_of = {1: charts[0], 0: charts[1]}
        loss_tex = MathTex(r"L = \tfrac12\,", style.fmt_short(float(lam[0])), r"\,q_1^2 + \tfrac12\,",
                           style.fmt_short(float(lam[1])), r"\,q_2^2")
        loss_tex[1].set_color(SHALLOW_COLOR)
        loss_tex[3].set_color(STEEP_COLOR)
        recursion = MathTex("q_{t+1}", "=", r"(1+\beta-\eta\lambda)", "q_t", "-", r"\beta", "q_{t-1}")
        roots = MathTex("z^2", "-", r"(1+\beta-\eta\lambda)", "z", "+", r"\beta", "=", "0")
        readout_width = label("β = 0.000", style.SMALL_SIZE, font=style.MONO_FONT).width + 0.1
        room = eq_rect.width - readout_width - 0.35  # the equation, a gap, then the β readout
        for tex in (loss_tex, recursion, roots):
            tex.scale(style.MATH_SCALE * 0.8)
            if tex.width > room:
                tex.scale(room / tex.width)
            tex.move_to([eq_rect.left + tex.width / 2, eq_rect.y, 0]).set_z_index(style.Z_LABEL)

        # the run in the eigen frame: the ball, its projections onto the axes, both traces
        q_points = disk.to_scene(self.origin + self.gd_q)
        eigen_path = ProgressivePath(q_points, GD, width=2.5)
        eigen_ball = Ball(q_points, GD)
        guides = Projections(q_points, center)
        t = np.arange(steps + 1, dtype=float)
        traces = [ProgressivePath(chart_of[d].to_scene(t, self.gd_q[:, d]), GD, width=2.5) for d in (1, 0)]
        split_run = StepDriver([eigen_path, guides, eigen_ball, *traces])
        gd_notes = []
        for d in (1, 0):
            chart = chart_of[d]
            factor = style.fmt(float(self.factors[d]), 3)
            words, size = fitted_text([f"gradient descent: ×{factor} per step", f"GD: ×{factor} per step"],
                                      style.SMALL_SIZE, chart.box.width)
            note = label(words, size, GD)
            note.move_to([chart.status_left + note.width / 2, chart.status_y, 0]).set_z_index(style.Z_LABEL)
            gd_notes.append(note)

        # momentum across the sweep: its path on the map, its traces, envelopes, regimes, β
        mom_map = disk.to_scene(self.origin + self.mom_q.transpose(1, 0, 2))  # (K, T+1, 3)
        sweep_parts = [SweepCurve(mom_map, MOMENTUM, width=2.5), SweepEnd(mom_map, MOMENTUM)]
        for d in (1, 0):
            chart = chart_of[d]
            sweep_parts.append(SweepEnvelope(chart, self.envelopes[:, :, d].T, colors[d]))
            sweep_parts.append(SweepCurve(chart.to_scene(t[None, :], self.mom_q[:, :, d].T), MOMENTUM, width=2.5))
            sweep_parts.append(SwapLabel(lambda k, d=d: DAMPINGS[int(self.codes[min(k, len(self.betas) - 1), d]) + 1],
                                         [chart.status_left, chart.status_y, 0], size=style.SMALL_SIZE, color=colors[d]))
        beta_readout = SwapLabel(lambda k: f"β = {style.fmt(float(self.betas[min(k, len(self.betas) - 1)]), 3)}",
                                 [eq_rect.right - readout_width, eq_rect.y, 0], size=style.SMALL_SIZE, color=MOMENTUM)
        sweep = StepDriver([*sweep_parts, beta_readout])
        sweep.set_progress(0.0)

        # --- beats ---
        with self.beat(text["intro"]):
            self.play_ticks(fade_in(contours), ticks=12)
            self.play_ticks(*(GrowArrow(a) for a in arrows), *(fade_in(w) for w in lam_labels), ticks=18)
            self.play_ticks(tilted_run.advance(steps), ticks=max(30, reading_ticks(text["intro"]) - 36))

        angle = -self.eig.angle
        turning = [contours, *arrows, gd_path, gd_ball]

        def carry_labels(_mob, alpha: float) -> None:
            for d, words in enumerate(lam_labels):
                u = turned(vec[:, d], angle * alpha)
                disk.place_beside(words, u)

        with self.beat(text["turn"]):
            ticks = max(45, reading_ticks(text["turn"]) - 30)
            moves = [fade_out(static_axes)]
            if abs(angle) > 1e-9:
                moves += [Rotate(VGroup(*turning), angle=angle, about_point=center),
                          UpdateFromAlphaFunc(VGroup(*lam_labels), carry_labels)]
            self.play_ticks(*moves, ticks=ticks)
            rest = VGroup(loss_tex[0], loss_tex[2], loss_tex[4])
            self.play_ticks(fade_in(rest), TransformFromCopy(lam_labels[0][1], loss_tex[1]),
                            TransformFromCopy(lam_labels[1][1], loss_tex[3]), *(fade_in(c) for c in charts), ticks=20)
            self.remove(rest, loss_tex[1], loss_tex[3])
            self.add(loss_tex)

        with self.beat(text["steep"]):
            self.play_ticks(gd_path.animate.set_stroke(opacity=0.25), fade_out(gd_ball), fade_in(gd_notes[0]),
                            ticks=10)
            self.add(*split_run.widgets)
            half = max(1, min(steps, max(steps // 3, 10)))
            self.play_ticks(split_run.advance(half), ticks=max(30, reading_ticks(text["steep"]) - 18))
        with self.beat(text["shallow"]):
            self.play_ticks(fade_in(gd_notes[1]), ticks=8)
            self.play_ticks(split_run.advance(steps), ticks=max(30, reading_ticks(text["shallow"]) - 14))

        with self.beat(text["momentum"]):
            dim = [trace.animate.set_stroke(opacity=0.3) for trace in traces]
            self.play_ticks(*dim, eigen_path.animate.set_stroke(opacity=0.25), fade_out(eigen_ball), fade_out(guides),
                            *(fade_out(n) for n in gd_notes), ReplacementTransform(loss_tex, recursion), ticks=20)
            self.add(*sweep.widgets)
            self.play_ticks(fade_in(VGroup(*sweep_parts, beta_readout)), ticks=12)
            self.play_ticks(MatchingTex(recursion, roots), ticks=max(20, reading_ticks(text["momentum"]) - 45))

        for n, (at, _) in enumerate(self.sweep_texts()):
            caption = text[f"sweep{n}"]
            with self.beat(caption):
                self.play_ticks(sweep.advance(at), ticks=max(30, reading_ticks(caption) - 18))
        self.hold(15)
