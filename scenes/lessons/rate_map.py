"""The rate map: how fast heavy ball converges for every (η, β), from one batched run (beat 8).

Every pixel of the heat map is one heavy-ball run on a quadratic ravine; its colour is the step
from which the loss stays below 10⁻⁶ of its start. All the runs are a single batched engine
call (``engine.rates.rate_sweep``). Theory is drawn over the map: the gradient-descent row
β = 0, the stability ceiling η = (2 + 2β)/λ_max and the optimum (η*, β*). A probe then slides
along the GD row to GD's best step, to the optimum, up to a long-memory β and across the
ceiling, with its trajectory drawn in a small ravine beside the map and, in sync, the
eigenvalues of M = [[1 + β − ηλ, −β], [1, 0]] for λmin and λmax in a complex-plane inset (the
ring: the widest |μ|; dashed: the unit circle); M is shown with each stop's η and β substituted.
Render with ``ravine render rate-map``.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
from manim import (
    DOWN,
    Create,
    LEFT,
    RIGHT,
    UP,
    BackgroundRectangle,
    Cross,
    Dot,
    Group,
    Line,
    MathTex,
    Rectangle,
    Square,
    VGroup,
    VMobject,
)

from engine import analysis, claims, get_landscape, theory
from engine.iteration_matrix import sweep_eigenvalues
from engine.rates import best_gd_lr, probe_runs, rate_sweep, spectral_radius
from scenes.kit import colormap, style
from scenes.kit.base import LessonScene
from scenes.widgets.contours import contour_levels, ellipse_contours
from scenes.kit.fades import fade_in, fade_out
from scenes.kit.framing import View, bounded_prefix, clip_segment_to_view, fit_view
from scenes.widgets.heatmap import HeatMap, ProbeMarker, color_key, swatch_row
from scenes.widgets.logplot import decade_label
from scenes.kit.params import ParamSpec, SceneSpec, landscape_param
from scenes.widgets.complex_plane import PAIR_COLORS, EigenPlane
from scenes.widgets.core import PlotFrame, StepDriver, SwapLabel, label

START = (-4.0, 1.5)
TOLERANCE = claims.SETTLE_TOL  # settled: ‖θ − θ*‖ stays at or below this for good (as convergence counts it)
TOL_DECADE = -6
BETA_TOP = 0.98          # the map's β range is [0, BETA_TOP]
ETA_MARGIN = 1.15        # the map's η range reaches this × the ceiling at β = BETA_TOP
LONG_MEMORY_BETA = 0.95  # the probe's "too much memory" stop
PAST_CEILING_BETA = 0.5  # the probe crosses the ceiling at this β ...
PAST_CEILING = 1.1       # ... at this × the ceiling's η
PROBES_PER_LEG = 10
ROW_START = 0.5          # the probe enters the GD row at this × GD's best step
EIGEN_SAMPLES = 8        # eigenvalue samples per probe interval (the inset's dots move smoothly)
QUADRATICS = ("seed-ravine", "narrow-ravine", "rotated-ravine", "bowl")


def sig3(value: float) -> str:
    """A derived hyperparameter to 3 significant digits, formatted by ``style.fmt_short``."""
    return style.fmt_short(float(f"{float(value):.3g}"))


class ProbeTrajectory(VMobject):
    """The trajectory of the probe nearest to a fractional probe index, from precomputed scene paths."""

    def __init__(self, paths: list[np.ndarray], color: str) -> None:
        super().__init__(stroke_color=color, stroke_width=2.2)
        self.paths = [p if len(p) > 1 else np.vstack([p, p + 1e-6]) for p in paths]
        self.shown = -1
        self.set_z_index(style.Z_PATH)
        self.set_progress(0.0)

    def set_progress(self, probe: float) -> None:
        index = int(min(max(round(probe), 0), len(self.paths) - 1))
        if index != self.shown:
            self.shown = index
            self.set_points_as_corners(self.paths[index])


class RateMap(LessonScene):
    """Heat map of measured steps-to-tolerance over (η, β) with theory's ceiling and optimum."""

    TITLE = "The rate map: every (η, β) at once"
    ASPECTS = ('16:9', '1:1', '9:16')
    SPEC = SceneSpec(
        name="rate-map",
        description="Heat map of how fast heavy ball converges for every (η, β), from one batched run, with the "
                    "GD row, the stability ceiling and the optimum marked, and a probe with its trajectory.",
        params=(
            landscape_param("narrow-ravine", choices=QUADRATICS),
            ParamSpec("grid", "int", 60, "heat-map cells per side (runs = grid²)", low=16, high=120),
            ParamSpec("steps", "int", 400, "optimizer steps per run", low=100, high=800),
        ),
    )

    def setup(self) -> None:
        super().setup()

    # -- engine ----------------------------------------------------------------------------
    def compute(self) -> None:
        p = self.params
        self.landscape = get_landscape(p["landscape"])
        self.axes = analysis.principal_axes(self.landscape)
        lam = self.axes.eigenvalues
        self.lam_min, self.lam_max = float(lam[0]), float(lam[-1])
        self.kappa = self.lam_max / self.lam_min
        n, steps = p["grid"], p["steps"]
        self.start = np.array(START)
        eta_max = ETA_MARGIN * float(theory.heavy_ball_stability_bound(self.lam_max, BETA_TOP))
        self.lrs = np.linspace(eta_max / n, eta_max, n)
        self.betas = np.linspace(0.0, BETA_TOP, n)
        self.sweep = rate_sweep(self.landscape, self.lrs, self.betas, steps, self.start, TOLERANCE)
        self.tuned = theory.optimal_heavy_ball(self.lam_min, self.lam_max)
        self.gd_lr, self.gd_rate = best_gd_lr(self.lam_min, self.lam_max)
        self.gd_ceiling = float(theory.gd_stability_bound(self.lam_max))
        self.top_ceiling = float(theory.heavy_ball_stability_bound(self.lam_max, BETA_TOP))
        past_lr = PAST_CEILING * float(theory.heavy_ball_stability_bound(self.lam_max, PAST_CEILING_BETA))
        # the probe enters on the GD row, slides to GD's best step, then to the optimum, up to long
        # memory and across the ceiling; ``stops`` are the probe indices of the four named places
        self.waypoints = np.array([[ROW_START * self.gd_lr, 0.0], [self.gd_lr, 0.0], [self.tuned.lr, self.tuned.beta],
                                   [self.tuned.lr, LONG_MEMORY_BETA], [past_lr, PAST_CEILING_BETA]])
        legs = [np.linspace(a, b, PROBES_PER_LEG + 1)[:-1] for a, b in zip(self.waypoints[:-1], self.waypoints[1:])]
        self.probe_points = np.vstack(legs + [self.waypoints[-1:]])
        self.stops = [i * PROBES_PER_LEG for i in range(1, len(self.waypoints))]  # probe index of each place
        # the iteration matrix's eigenvalues (λmin's pair, λmax's pair) along the probe's path
        fine = np.linspace(0.0, len(self.probe_points) - 1, (len(self.probe_points) - 1) * EIGEN_SAMPLES + 1)
        index = np.arange(len(self.probe_points))
        fine_lr = np.interp(fine, index, self.probe_points[:, 0])
        fine_beta = np.interp(fine, index, self.probe_points[:, 1])
        self.eigen_lams = np.array([self.lam_min, self.lam_max])
        self.path_mu = sweep_eigenvalues(fine_lr, fine_beta, self.eigen_lams)
        self.path_radius = np.asarray(spectral_radius(fine_lr, fine_beta, lam))
        self.reach = max(1.3, 1.1 * float(np.max(self.path_radius)))
        self.probes = probe_runs(self.landscape, self.probe_points[:, 0], self.probe_points[:, 1], steps,
                                 self.start, TOLERANCE)

    def default_highlights(self) -> dict[str, str]:
        return {"GD": style.OPTIMIZER_COLORS["gd"]}

    # -- captions --------------------------------------------------------------------------
    def narration(self) -> list[str]:
        """Every caption in the order it plays."""
        self.compute()
        return list(self.captions().values())

    def probe_result(self, k: int, subject: str | None = None) -> str:
        """What probe ``k``'s run did, as a verb phrase (from the engine); with ``subject`` (how the
        caption names the run) the claim is registered."""
        diverged, rate = int(self.probes.diverged_at[k]), float(self.probes.rate[k])
        error = claims.distance(self.probes.theta[:, k], self.landscape.minimizer)
        settled = claims.settles(error, TOLERANCE, diverged)
        if diverged >= 0:
            if subject:
                self.claim("diverges", subject, claims.diverges(diverged, rate))
            return f"diverges at step {diverged}"
        if subject:
            self.claim("settles", subject, settled, says=bool(settled))
        if not settled:
            return f"does not settle within {style.count(self.params['steps'], 'step')}"
        return f"settles in {self.steps_words(settled.get('step'))}"

    def shape_word(self) -> str:
        return "ravine" if self.kappa > 1.5 else "bowl"

    def steps_words(self, value: float) -> str:
        if not np.isfinite(value):
            return f"more than {style.count(self.params['steps'], 'step')}"
        return style.count(int(value), "step")

    def captions(self) -> dict[str, str]:
        steps, sweep = self.params["steps"], self.sweep
        gd_stop, opt_stop, long_stop, past_stop = self.stops
        fast_lr, fast_beta, fast_steps = sweep.fastest
        out = {
            "intro": (f"Each pixel: one heavy-ball run on the κ = {sig3(self.kappa)} {self.shape_word()}, "
                      f"{sweep.runs:,} runs in one batched call. Colour: steps to stay within "
                      f"{decade_label(TOL_DECADE)}; grey: not in {steps}."),
            "ceiling": (f"Right of η = (2 + 2β)/λmax runs diverge: momentum lifts GD's ceiling "
                        f"2/λmax = {sig3(self.gd_ceiling)} towards {sig3(self.top_ceiling)}."),
            "eigen": "Inset: M's eigenvalues μ for λmin and λmax. A run shrinks only while every |μ| < 1.",
            "gd": (f"On the GD row μ = 1 − ηλ. The best step, η = 2/(λmin + λmax) = {sig3(self.gd_lr)}, "
                   f"{self.probe_result(gd_stop, 'GD row')}."),
        }
        beyond = sweep.lrs[None, :] > sweep.stability_bound()[:, None]  # right of the ceiling
        self.claim("diverges", "runs", claims.Finding(bool(np.all(sweep.rate[beyond] > 1.0)),
                                                      {"cells": int(beyond.sum())}))
        if np.allclose(self.waypoints[1], self.waypoints[2]):
            out["optimum"] = (f"Here theory's optimum is on the GD row: β* = {sig3(self.tuned.beta)}. "
                              f"The map's fastest pixel: {self.steps_words(fast_steps)}.")
        else:
            out["optimum"] = (f"Theory's optimum, both pairs on one circle, η* = {sig3(self.tuned.lr)}, β* = {sig3(self.tuned.beta)}, "
                              f"{self.probe_result(opt_stop, 'optimum')}; the fastest pixel: {self.steps_words(fast_steps)}.")
        # "keeps swinging past the minimum": the run still crosses it along its slowest direction late on
        slow_axis = self.axes.coordinates(self.probes.theta[:, long_stop])[:, 0]
        swinging = claims.overshoots(slow_axis, len(slow_axis) // 2)
        if swinging:
            self.claim("overshoots", "the ball", swinging)
            out["long"] = (f"Too much memory: at β = {style.fmt_short(LONG_MEMORY_BETA)} the ball keeps swinging "
                           f"past the minimum and {self.probe_result(long_stop, 'the ball')}.")
        else:
            out["long"] = (f"Longer memory: at β = {style.fmt_short(LONG_MEMORY_BETA)} the ball "
                           f"{self.probe_result(long_stop, 'the ball')}.")
        past = self.probe_result(past_stop, "the probe")
        predicted = ", as theory predicts" if "diverges" in past else ", though theory says it diverges in the end"
        out["past"] = (f"Across the ceiling (β = {style.fmt_short(PAST_CEILING_BETA)}) the probe "
                       f"{past}{predicted}.")
        return out

    # -- drawing ---------------------------------------------------------------------------
    def construct(self) -> None:
        self.compute()
        layout, steps, sweep = self.layout, self.params["steps"], self.sweep
        text = self.captions()
        self.title(self.TITLE)

        # heat map
        finite = sweep.settle[np.isfinite(sweep.settle)]
        fast = float(finite.min()) if finite.size else 1.0
        rgba = colormap.colorize(sweep.settle, fast, float(steps), sweep.diverged)
        heat = HeatMap(rgba, self.lrs, self.betas, layout.plot, "η", "β",
                       x_format=style.fmt_short, y_format=style.fmt_short)

        # theory overlays: ceiling line, GD row, optimum
        ceiling_beta = np.array([heat.y_range[0], heat.y_range[1]])
        ceiling_eta = np.asarray(theory.heavy_ball_stability_bound(self.lam_max, ceiling_beta))
        a, b = heat.clip_to_box(heat.to_scene([ceiling_eta[0], ceiling_beta[0]]),
                                heat.to_scene([ceiling_eta[1], ceiling_beta[1]]))
        ceiling = Line(a, b, stroke_color=style.TEXT, stroke_width=3).set_z_index(style.Z_AXES)
        ceiling_text = self.boxed(label("η = (2 + 2β)/λmax", style.SMALL_SIZE, style.TEXT))
        mid = heat.to_scene([float(theory.heavy_ball_stability_bound(self.lam_max, 0.3)), 0.3])
        ceiling_text.next_to(mid, RIGHT, buff=0.15)
        self.keep_inside(ceiling_text, heat.box)

        row_h = heat.box.height / len(self.betas)
        gd_row = Rectangle(width=heat.box.width, height=row_h, stroke_color=style.OPTIMIZER_COLORS["gd"],
                           stroke_width=2.5).move_to([heat.box.x, heat.box.bottom + row_h / 2, 0])
        gd_text = self.boxed(label("GD row, β = 0", style.SMALL_SIZE, style.OPTIMIZER_COLORS["gd"]))
        gd_text.next_to([heat.box.left + 0.1, heat.box.bottom + row_h, 0], UP, buff=0.08, aligned_edge=np.array([-1, 0, 0]))
        gd_row.set_z_index(style.Z_AXES)
        gd_group = VGroup(gd_row, gd_text)

        opt_at = heat.to_scene([self.tuned.lr, self.tuned.beta])
        optimum = Cross(scale_factor=0.1, stroke_color=style.MINIMUM, stroke_width=4).move_to(opt_at)
        opt_text = self.boxed(label("(η*, β*)", style.SMALL_SIZE, style.TEXT))
        # clear of the other labels and of the probe ring where it rests (rings 0.24 across), except
        # on the optimum itself, which the label is beside
        gd_stop, opt_stop, long_stop, past_stop = self.stops
        rings = [Square(side_length=0.3).move_to(heat.to_scene(self.probe_points[self.nearest(stop)]))
                 for stop in (gd_stop, long_stop, past_stop)]
        # the optimum's label right beside it if it can be; if the GD row's label is in the way (the
        # optimum on the row's left), that label goes to the row's right end first
        close = self.place_clear(opt_text, opt_at, heat.box, avoid=[gd_text, ceiling_text, *rings], buffs=(0.1,))
        if not close and self.overlap(opt_text, gd_text, margin=style.TICK_GAP) > 0:
            gd_text.next_to([heat.box.right - 0.1, heat.box.bottom + row_h, 0], UP, buff=0.08,
                            aligned_edge=np.array([1, 0, 0]))
        if not close:
            self.place_clear(opt_text, opt_at, heat.box, avoid=[gd_text, ceiling_text, *rings])
        opt_group = VGroup(optimum, opt_text).set_z_index(style.Z_LABEL)

        # panel: probe readouts, ravine inset, colour key
        panel = layout.panel
        probe_color = style.MINIMUM
        probes = range(len(self.probe_points))

        def widest(texts, size: int) -> float:  # monospaced: the longest text is the widest
            return label(max(texts, key=len), size, font=style.MONO_FONT).width

        hyper = [self.probe_hyper(k) for k in probes]
        results = [self.probe_result(k) for k in probes]
        if panel.left + max(widest(hyper, style.SMALL_SIZE), widest(results, style.SMALL_SIZE)) <= panel.right:
            line1 = SwapLabel(lambda k: self.probe_hyper(k), [panel.left, panel.top - 0.2, 0], size=style.SMALL_SIZE)
            line2 = SwapLabel(lambda k: self.probe_result(self.nearest(k)), [panel.left, panel.top - 0.55, 0],
                              size=style.SMALL_SIZE, color=style.MUTED)
            lines, inset_top = [line1, line2], panel.top - 0.8
        else:
            # narrow panel (square frames): η and β on lines of their own, the result under them
            eta_text = lambda k: self.probe_hyper(k).split(",")[0]  # noqa: E731
            beta_text = lambda k: self.probe_hyper(k).split(", ")[1]  # noqa: E731
            indent = widest(["probe  η"], style.SMALL_SIZE) - widest(["η"], style.SMALL_SIZE)
            advance = widest(["0" * 10], style.SMALL_SIZE) / 10
            chars = max(12, int(panel.width / advance) - 1)  # a result too long wraps onto two lines
            wrapped = [textwrap.wrap(text, chars) for text in results]
            wrapped = [w + [""] * (max(map(len, wrapped)) - len(w)) for w in wrapped]
            lines = [
                SwapLabel(eta_text, [panel.left, panel.top - 0.2, 0], size=style.SMALL_SIZE),
                SwapLabel(beta_text, [panel.left + indent, panel.top - 0.55, 0], size=style.SMALL_SIZE),
            ]
            for row in range(len(wrapped[0])):
                lines.append(SwapLabel(lambda k, row=row: wrapped[self.nearest(k)][row],
                                       [panel.left, panel.top - 0.9 - style.SMALL_LINE_STEP * row, 0],
                                       size=style.SMALL_SIZE, color=style.MUTED))
            inset_top = panel.top - 1.15 - style.SMALL_LINE_STEP * (len(lines) - 3)
        key = self.colour_key(panel, fast, steps)
        key_top = key.get_top()[1]
        inset_rect = style.Rect(panel.x, (inset_top + key_top + 0.1) / 2, panel.width, inset_top - key_top - 0.1)
        stacked = panel.top <= layout.plot.bottom  # portrait: a short, wide panel under the map
        matrices = self.stop_matrices()
        if stacked:  # no room in the panel: the matrix sits in the map's top-left corner
            matrix_boxes = [self.boxed(m) for m in matrices]
            for box in matrix_boxes:
                self.place_clear(box, np.array([heat.box.left, heat.box.top, 0.0]), heat.box,
                                 avoid=[gd_text, ceiling_text, opt_text, *rings])
        else:
            width = max(m.width for m in matrices)
            for m in matrices:
                m.scale(min(1.0, inset_rect.width / width))
                m.move_to([inset_rect.left + m.width / 2, inset_rect.top - m.height / 2, 0])
            matrix_boxes = [VGroup(m).set_z_index(style.Z_LABEL) for m in matrices]
            row_h = max(m.height for m in matrices) + 0.15
            inset_rect = style.Rect(inset_rect.x, inset_rect.y - row_h / 2, inset_rect.width, inset_rect.height - row_h)
        ravine_rect, plane_rect = self.split_inset(inset_rect)
        inset, paths = self.ravine_inset(ravine_rect)
        plane = EigenPlane(plane_rect, self.reach, self.path_mu, PAIR_COLORS, self.path_radius,
                           samples_per_step=EIGEN_SAMPLES)
        pair_key = VGroup(*(label(name, style.TICK_SIZE, color) for name, color in zip(("λmin", "λmax"), PAIR_COLORS)))
        pair_key.arrange(DOWN, buff=0.06, aligned_edge=LEFT)
        side = min(plane_rect.width, plane_rect.height)
        pair_key.move_to([plane_rect.x - side / 2 + pair_key.width / 2, plane_rect.y + side / 2 - pair_key.height / 2, 0])
        pair_key.set_z_index(style.Z_LABEL)
        trail = ProbeTrajectory(paths, probe_color)
        marker = ProbeMarker(heat.to_scene(self.probe_points))
        driver = StepDriver([marker, trail, plane, *lines])
        meet = plane.circle_of(self.tuned.rate, style.OPTIMIZER_COLORS["momentum"]).set_z_index(style.Z_BALL)

        # the map is revealed from the GD row up (a cover over the image slides away)
        cover = Rectangle(width=heat.box.width + 0.02, height=heat.box.height + 0.02, stroke_width=0,
                          fill_color=style.BACKGROUND, fill_opacity=1.0).move_to([heat.box.x, heat.box.y, 0])
        cover.set_z_index(style.Z_CONTOUR + 0.5)
        self.add(heat, cover)

        # --- beats ---
        with self.beat(text["intro"]):
            self.play_ticks(cover.animate.stretch(0.001, 1, about_edge=UP), ticks=30)
            self.remove(cover)
            self.hold(25)
            self.play_ticks(fade_in(key[0]), ticks=12)
            self.hold(30)
            self.play_ticks(fade_in(key[1]), ticks=12)
        with self.beat(text["ceiling"]):
            self.play_ticks(Create(ceiling), ticks=40)
            self.play_ticks(fade_in(ceiling_text), ticks=10)
        half_row = self.stops[0] / 2
        with self.beat(text["eigen"]):
            driver.set_progress(0)
            self.play_ticks(fade_in(inset), fade_in(plane.static), fade_in(pair_key), fade_in(matrix_boxes[0]),
                            fade_in(VGroup(*driver.widgets)), ticks=15)
            self.play_ticks(driver.advance(half_row), ticks=60)
        with self.beat(text["gd"]):
            self.play_ticks(fade_in(gd_group), driver.advance(self.stops[0] - 2), ticks=78)
            self.play_ticks(driver.advance(self.stops[0]), *self.swap(matrix_boxes[0], matrix_boxes[1]), ticks=15)
        with self.beat(text["optimum"]):
            self.play_ticks(fade_in(opt_group), ticks=8)
            self.play_ticks(driver.advance(self.stops[1] - 2), ticks=36)
            self.play_ticks(driver.advance(self.stops[1]), *self.swap(matrix_boxes[1], matrix_boxes[2]), ticks=12)
            self.play_ticks(Create(meet), ticks=15)
        with self.beat(text["long"]):
            self.play_ticks(fade_out(meet), driver.advance(self.stops[2] - 2), ticks=68)
            self.play_ticks(driver.advance(self.stops[2]), *self.swap(matrix_boxes[2], matrix_boxes[3]), ticks=12)
        with self.beat(text["past"]):
            self.play_ticks(driver.advance(self.stops[3] - 2), ticks=30)
            self.play_ticks(driver.advance(self.stops[3]), *self.swap(matrix_boxes[3], matrix_boxes[4]), ticks=12)
        self.hold(8)

    @staticmethod
    def swap(old, new) -> tuple:
        """The matrix with the last stop's numbers fades into the one with this stop's, in place
        (fades are composited once drawn: cheap while the probe moves)."""
        return fade_out(old), fade_in(new)

    def stop_matrices(self) -> list:
        """M with symbols, then M with each stop's η and β substituted (λ kept: one matrix per
        direction λ), each typeset once."""
        def tex(body: str):
            return MathTex(body, color=style.TEXT).scale(style.MATH_SCALE * 0.8)

        out = [tex(r"M = \begin{bmatrix} 1 + \beta - \eta\lambda & -\beta \\ 1 & 0 \end{bmatrix}")]
        for lr, beta in self.waypoints[1:]:
            num = lambda x: sig3(x).replace("−", "-")  # noqa: E731
            a = f"1 - {num(lr)}\\lambda" if beta == 0 else f"{num(1 + beta)} - {num(lr)}\\lambda"
            b = "0" if beta == 0 else f"-{num(beta)}"
            out.append(tex(rf"M = \begin{{bmatrix}} {a} & {b} \\ 1 & 0 \end{{bmatrix}}"))
        return out

    @staticmethod
    def split_inset(rect: style.Rect) -> tuple[style.Rect, style.Rect]:
        """The ravine inset's and the eigenvalue plane's rectangles inside ``rect``: side by side
        where it is wide, the plane under the ravine where it is tall."""
        gap = 0.2
        side_by = min(rect.height, (rect.width - gap) * 0.45)
        below = min(rect.width, (rect.height - gap) * 0.5)
        if side_by >= below:
            plane = style.Rect(rect.right - side_by / 2, rect.y, side_by, side_by)
            ravine = style.Rect((rect.left + plane.left - gap) / 2, rect.y, plane.left - gap - rect.left, rect.height)
        else:
            plane = style.Rect(rect.x, rect.bottom + below / 2, below, below)
            ravine = style.Rect(rect.x, (rect.top + plane.top + gap) / 2, rect.width, rect.top - plane.top - gap)
        return ravine, plane

    # -- pieces ----------------------------------------------------------------------------
    def nearest(self, k: int) -> int:
        return int(min(max(k, 0), len(self.probe_points) - 1))

    def probe_hyper(self, k: int) -> str:
        lr, beta = self.probe_points[self.nearest(k)]
        return f"probe  η = {sig3(lr)}, β = {sig3(beta)}"

    @staticmethod
    def boxed(mob):
        """``mob`` on a translucent backdrop so it reads over the heat map (drawn above the image)."""
        back = BackgroundRectangle(mob, color=style.BACKGROUND, fill_opacity=0.75, buff=0.06)
        return VGroup(back, mob).set_z_index(style.Z_LABEL)

    @classmethod
    def place_clear(cls, mob, anchor: np.ndarray, box: style.Rect, avoid: list,
                    buffs: tuple[float, ...] = (0.1, 0.6)) -> bool:
        """Put ``mob`` beside ``anchor`` on the first side (up-right, up-left, down-right, down-left;
        at each of ``buffs`` in turn) where, kept inside ``box``, it comes within ``style.TICK_GAP``
        of none of ``avoid``, and return True; if there is none, where it covers the least of them,
        and return False."""
        places = [(side, buff) for buff in buffs for side in (UP + RIGHT, UP + LEFT, DOWN + RIGHT, DOWN + LEFT)]
        covered = []
        for side, buff in places:
            mob.next_to(anchor, side, buff=buff)
            cls.keep_inside(mob, box)
            covered.append(sum(cls.overlap(mob, other, margin=style.TICK_GAP) for other in avoid))
            if covered[-1] == 0.0:
                return True
        side, buff = places[int(np.argmin(covered))]
        mob.next_to(anchor, side, buff=buff)
        cls.keep_inside(mob, box)
        return False

    @staticmethod
    def overlap(a, b, margin: float = 0.0) -> float:
        """Area (scene units²) where the bounding boxes of ``a`` and ``b`` overlap, ``b``'s grown by
        ``margin`` on every side (to keep words a gap apart)."""
        width = min(a.get_right()[0], b.get_right()[0] + margin) - max(a.get_left()[0], b.get_left()[0] - margin)
        height = min(a.get_top()[1], b.get_top()[1] + margin) - max(a.get_bottom()[1], b.get_bottom()[1] - margin)
        return max(0.0, width) * max(0.0, height)

    @staticmethod
    def keep_inside(mob, box: style.Rect, pad: float = 0.05) -> None:
        """Shift ``mob`` so it lies inside ``box``."""
        dx = max(0.0, box.left + pad - mob.get_left()[0]) - max(0.0, mob.get_right()[0] - (box.right - pad))
        dy = max(0.0, box.bottom + pad - mob.get_bottom()[1]) - max(0.0, mob.get_top()[1] - (box.top - pad))
        mob.shift(np.array([dx, dy, 0.0]))

    def colour_key(self, panel: style.Rect, fast: float, steps: int):
        """The colour bar (fast → slow, log scale) and the two flag swatches, at the panel's bottom."""
        n = 128
        ramp = np.geomspace(fast, steps, n) if steps > fast else np.full(n, fast)
        rgba = colormap.colorize(ramp[None, :], fast, float(steps))
        marks = [(0.0, str(int(fast)))]
        for nice in (10, 20, 50, 100, 200, 500, 1000):
            where = math.log(nice / fast) / math.log(steps / fast) if steps > fast else -1.0
            if 0.15 < where < 0.85 and where - marks[-1][0] > 0.15:
                marks.append((where, str(nice)))
        marks.append((1.0, str(steps)))
        width = panel.width - 0.2
        bar = color_key(rgba, width, marks, f"steps until ‖θ − θ*‖ < {decade_label(TOL_DECADE)}")
        flags = swatch_row([(colormap.NOT_SETTLED, f"not in {steps}"), (colormap.DIVERGED, "diverged")])
        flags.next_to(bar, DOWN, buff=0.15, aligned_edge=np.array([-1, 0, 0]))
        whole = Group(bar, flags)
        whole.move_to([panel.left + whole.width / 2, panel.bottom + whole.height / 2, 0])
        return whole

    def ravine_inset(self, rect: style.Rect) -> tuple[VGroup, list[np.ndarray]]:
        """A small plot of the ravine with contours, start and minimum; the probes' paths in its scene units.

        The view fits every probe that does not diverge, however wide its swings; a diverging one is
        drawn up to the border."""
        theta = self.probes.theta  # (T+1, K, 2)
        minimizer = np.asarray(self.landscape.minimizer, dtype=float)
        fates = [bool(claims.diverges(int(self.probes.diverged_at[k]), float(self.probes.rate[k])))
                 for k in range(theta.shape[1])]
        calm = [theta[:, k] for k in range(theta.shape[1]) if not fates[k]]
        view = fit_view(calm, include=[self.start, minimizer], square_within=3.0)
        self.framed_runs = [(f"probe {self.probe_hyper(k)}", theta[:, k], (view.xmin, view.xmax, view.ymin, view.ymax),
                             fates[k]) for k in range(theta.shape[1])]
        plot = PlotFrame(view, rect, y_label="", target_ticks=4)
        corners = np.array([[view.xmin, view.ymin], [view.xmin, view.ymax], [view.xmax, view.ymin], [view.xmax, view.ymax]])
        top = float(np.max(self.landscape.value(corners)))
        contours = ellipse_contours(self.landscape.eigenvalues, self.landscape.eigenvectors, minimizer, plot,
                                    contour_levels(top, 10))
        mark = Cross(scale_factor=0.07, stroke_color=style.MINIMUM, stroke_width=3).move_to(plot.to_scene(minimizer))
        start_dot = Dot(plot.to_scene(self.start), radius=0.06, color=style.MUTED)
        paths = [self.clip_path(theta[:, k], view, plot) for k in range(theta.shape[1])]
        return VGroup(contours, plot, mark.set_z_index(style.Z_LABEL), start_dot.set_z_index(style.Z_LABEL)), paths

    @staticmethod
    def clip_path(path: np.ndarray, view: View, plot: PlotFrame) -> np.ndarray:
        """Scene points of ``path`` up to where it first leaves ``view`` (ending on the border)."""
        last = bounded_prefix(path, view)
        pts = path[: last + 1]
        if last < len(path) - 1:
            pts = np.vstack([pts, clip_segment_to_view(path[last], path[last + 1], view)[None, :]])
        return plot.to_scene(pts)
