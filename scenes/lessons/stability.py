"""How large may η be? (lesson beat 8, first half): gradient descent just below and just above
2/λmax, then momentum just below and just above (2 + 2β)/λmax: converging against diverging, and
the ceiling on η rising by the factor 1 + β.

Defaults: ``seed-ravine`` (λmax = 25), start (6, 6), β = 0.9, 40 steps, η = (1 ∓ 0.03) × each
ceiling. Render with ``ravine render stability``.
"""

from __future__ import annotations

import numpy as np
from manim import LEFT, Cross, GrowFromEdge, Transform, TransformFromCopy, UpdateFromAlphaFunc, VGroup

from engine import analysis, claims, get_landscape, run, theory
from engine.compare import farthest, lr_bracket
from engine.verdict import Reach, verdict
from scenes.kit import style
from scenes.kit.base import LessonScene, reading_ticks
from scenes.kit.fades import fade_in, fade_out
from scenes.kit.framing import View, clip_segment_to_view, fit_view
from scenes.widgets.numberline import EtaLine, StableRange
from scenes.kit.params import ParamSpec, SceneSpec, beta_param, landscape_param, start_param, steps_param
from scenes.widgets.race import AppearAt, Racer, axis_name, racer_marks, view_box
from scenes.widgets.core import StepDriver, SwapLabel, label, legend_row, stack_in
from scenes.widgets.dashed_path import DashedPath
from scenes.widgets.escape_zoom import (
    ZOOM_OUT, EscapeTrack, fade_early, inside_exit, plot_scale_marks, wide_backdrop, wide_view,
)
from scenes.widgets.velocity_arrow import VelocityArrow, next_steps
from scenes.widgets.zoom import PlotZoom

QUADRATICS = ("seed-ravine", "narrow-ravine", "rotated-ravine", "bowl")
GD = style.OPTIMIZER_COLORS["gd"]
MOMENTUM = style.OPTIMIZER_COLORS["momentum"]
ZOOM_BACK_TICKS = 20  # the view gliding back to the plot once the run above the ceiling is out


class Stability(LessonScene):
    """Just below the stability ceiling a run converges, just above it diverges; momentum lifts the ceiling."""

    TITLE = "How large can η be?"
    ASPECTS = ('16:9', '1:1', '9:16')
    SPEC = SceneSpec(
        name="stability",
        description="GD and momentum just below and just above their stability ceilings 2/λmax and (2 + 2β)/λmax.",
        params=(
            landscape_param("seed-ravine", choices=QUADRATICS),
            start_param((6.0, 6.0)),
            beta_param(0.9),
            steps_param(40, high=120),
            ParamSpec("margin", "float", 0.03, "η = (1 ∓ margin) × each ceiling", low=0.005, high=0.5),
        ),
    )

    # -- engine ----------------------------------------------------------------------------
    def compute(self) -> None:
        """Four runs in one batched call: GD below/above 2/λmax, momentum below/above (2 + 2β)/λmax."""
        p = self.params
        self.landscape = get_landscape(p["landscape"])
        self.start = np.asarray(p["start"], dtype=float)
        self.axes = analysis.principal_axes(self.landscape)
        lam = self.axes.eigenvalues
        self.lam_max = float(lam[-1])
        beta = p["beta"]
        self.gd_bound = float(theory.gd_stability_bound(self.lam_max))
        self.hb_bound = float(theory.heavy_ball_stability_bound(self.lam_max, beta))
        gd_lo, gd_hi = lr_bracket(self.gd_bound, p["margin"])
        hb_lo, hb_hi = lr_bracket(self.hb_bound, p["margin"])
        self.lrs = np.array([gd_lo, gd_hi, hb_lo, hb_hi])
        betas = np.array([0.0, 0.0, beta, beta])
        trajectory = run(self.landscape, "momentum", lr=self.lrs, beta=betas, steps=p["steps"], start=self.start)
        self.trajectory = trajectory
        keys = ["gd", "gd", "momentum", "momentum"]
        names = ["GD", "GD", "momentum", "momentum"]
        self.racers = [Racer(k, n, trajectory.theta[:, i], trajectory.loss[:, i], int(trajectory.diverged_at[i]))
                       for i, (k, n) in enumerate(zip(keys, names))]
        # per-step factor of the fastest-growing / slowest-shrinking direction (heavy-ball rate, β = 0 is GD)
        self.rates = np.max(theory.heavy_ball_rate(self.lrs[:, None], betas[:, None], lam[None, :]), axis=1)
        # the swing across the steep axis: |1 − ηλmax| for GD, the heavy-ball rate at λmax for momentum
        self.steep_rates = np.atleast_1d(theory.heavy_ball_rate(self.lrs, betas, self.lam_max))

    def default_highlights(self) -> dict[str, str]:
        return {"gradient descent": GD, "GD": GD, "Momentum": MOMENTUM, "momentum": MOMENTUM}

    # -- framing ---------------------------------------------------------------------------
    def phase_view(self, below: int, above: int) -> View:
        """The view of one phase: fitted to the run below the ceiling (it converges, however wide
        its first swings); the run above it is included only while it stays about as close."""
        minimizer = np.asarray(self.landscape.minimizer, dtype=float)
        calm = self.racers[below]
        reach = max(float(np.max(np.abs(calm.theta - minimizer))), float(np.max(np.abs(self.start - minimizer))), 1.0)
        bounded = [calm.theta]
        wild = self.racers[above]
        if not verdict(wild, view=Reach(minimizer, 1.5 * reach)).escapes:
            bounded.append(wild.theta)
        return fit_view(bounded, include=[self.start, minimizer], square_within=4.0)

    # -- captions (facts from the engine) --------------------------------------------------
    def views(self) -> list[View]:
        """The two phases' views: gradient descent's, then momentum's (run i is drawn in view i // 2)."""
        return [self.phase_view(0, 1), self.phase_view(2, 3)]

    def wide_views(self) -> list[View]:
        """The farthest each phase's zoom pulls back: its view × :data:`ZOOM_OUT` about its centre.
        A run is in view while the zoom can keep it there; it leaves the view when it leaves this."""
        return [wide_view(view, ZOOM_OUT) for view in self.views()]

    def exits(self) -> list[int | None]:
        """The first step each run is outside its phase's widest view (None: never), as its marks draw it."""
        views = self.wide_views()
        return [claims.leaves_view(r.theta, view_box(views[i // 2])).get("step") for i, r in enumerate(self.racers)]

    def narration(self) -> list[str]:
        """Every caption in the order it plays."""
        self.compute()
        text = self.story(self.exits())
        return [text[key] for key in ("intro", "gd_above", "gd_below", "hb_intro", "hb_above", "hb_below", "close")]

    def leave_text(self, index: int, exit_step: int | None) -> str:
        """What happened to a run above the ceiling: left the view and/or diverged (engine), or still growing."""
        racer = self.racers[index]
        parts = []
        if exit_step is not None:
            box = view_box(self.wide_views()[index // 2])
            self.claim("leaves the view", racer.name, claims.leaves_view(racer.theta, box))
            parts.append(f"leaves the view at step {exit_step}")
        if racer.diverged_at >= 0:
            self.claim("diverges", racer.name, claims.diverges(racer.diverged_at, float(self.rates[index])))
            parts.append(f"diverges at step {racer.diverged_at}")
        if not parts:
            steps = self.params["steps"]
            return f"is still in view after {steps} step{'s' if steps != 1 else ''}, but growing"
        return " and ".join(parts)

    def story(self, exits: list[int | None]) -> dict[str, str]:
        p = self.params
        lo, hi = f"{style.fmt_short(1 - p['margin'])}×", f"{style.fmt_short(1 + p['margin'])}×"
        eta = [style.fmt_short(float(v)) for v in self.lrs]
        r = [style.fmt_ratio(float(v)) for v in self.steep_rates]
        beta = style.fmt_short(p["beta"])
        factor = style.fmt_short(1 + p["beta"])
        gd_bound, hb_bound = style.fmt_short(self.gd_bound), style.fmt_short(self.hb_bound)
        # "across the steep y-axis" only where there is a steep axis (not on the round bowl)
        steep = axis_name(self.axes.steep, "steep")
        across = "" if self.axes.round else f" across the {steep}"
        gd_below = (f"the swing{across} dies in a single step" if self.steep_rates[0] < 0.005
                    else f"the swing shrinks ×{r[0]} per step")
        # how far the converging momentum run swings out along the steep axis, if beyond its start
        steep_coord = self.axes.coordinates(self.racers[2].theta)[:, -1]
        swing = farthest(steep_coord[1:]) if len(steep_coord) > 1 else None
        out = {
            "intro": (f"With λmax = {style.fmt_short(self.lam_max)}, gradient descent needs η < 2/λmax = "
                      f"{gd_bound}. Try {lo} and {hi} that ceiling."),
            "gd_above": (f"Just above, at η = {eta[1]}, each swing{across} grows ×{r[1]}: "
                         f"GD {self.leave_text(1, exits[1])}."),
            "gd_below": f"Just below, at η = {eta[0]}, {gd_below}: gradient descent converges.",
            "hb_above": (f"Just above, at η = {eta[3]}, momentum's swings grow ×{r[3]} per step: "
                         f"it {self.leave_text(3, exits[3])}."),
        }
        if p["beta"] == 0.0:
            out["hb_intro"] = f"With β = 0, momentum is plain gradient descent: the same ceiling, {hb_bound}."
            out["close"] = f"With β = 0 the ceiling stays at 2/λmax = {gd_bound}; any β > 0 lifts it by 1 + β."
        else:
            out["hb_intro"] = (f"Momentum lifts the ceiling by 1 + β = {factor}: with β = {beta}, "
                               f"η < (2 + 2β)/λmax = {hb_bound}.")
            out["close"] = (f"Momentum's ceiling, {hb_bound}, is {factor}× gradient descent's {gd_bound}: "
                            f"the factor 1 + β.")
        self.claim("converges", "gradient descent", claims.converges(self.racers[0].diverged_at, float(self.rates[0])))
        if swing is not None and abs(swing.value) > abs(steep_coord[0]) * (1 + 1e-9):
            out["hb_below"] = (f"Just below, at η = {eta[2]}, momentum swings as far as "
                               f"{style.fmt_short(abs(swing.value))}, then converges: ×{r[2]} per step.")
        elif self.steep_rates[2] < 0.005:
            out["hb_below"] = f"Just below, at η = {eta[2]}, momentum's swing{across} dies in a single step."
        else:
            out["hb_below"] = f"Just below, at η = {eta[2]}, momentum converges: its swings shrink ×{r[2]} per step."
        if "converge" in out["hb_below"]:
            self.claim("converges", "momentum", claims.converges(self.racers[2].diverged_at, float(self.rates[2])))
        return out

    # -- drawing ---------------------------------------------------------------------------
    def phase_marks(self, phase: int, plot, wide) -> dict:
        """One phase's moving parts in its plot: both runs (the one above its ceiling dashed), their
        velocity arrows, a cross where the run above leaves the widest view, and the zoom that
        follows it out (contours drawn as far as the zoom goes)."""
        out: dict = {"marks": [], "arrows": [], "crosses": []}
        for i in (2 * phase, 2 * phase + 1):
            racer = self.racers[i]
            width = style.PATH_WIDTH if i % 2 == 0 else 2.0
            marks = racer_marks(wide, racer, width=width)
            if i % 2 == 1:  # above the ceiling: dashed, told apart by more than its colour
                marks = marks._replace(path=DashedPath(marks.path.path_points, racer.color, width=width))
            cut = racer.theta.copy()
            if marks.exit_step is not None:  # the arrow stops where the drawn run stops
                cut[marks.exit_step:] = clip_segment_to_view(racer.theta[marks.exit_step - 1],
                                                             racer.theta[marks.exit_step], wide.view)
            out["arrows"].append(VelocityArrow(plot, cut, next_steps(cut), racer.color, clip=None))
            if marks.exit_step is not None:
                cross = Cross(scale_factor=0.12, stroke_color=style.WARNING, stroke_width=4)
                cross.move_to(inside_exit(marks.exit_point, plot.box))
                cross.set_z_index(style.Z_BALL)
                out["crosses"].append(AppearAt(cross, marks.exit_step))
            out["marks"].append(marks)
        out["track"] = EscapeTrack([out["marks"][1].path.path_points], plot.box)
        return out

    def construct(self) -> None:
        self.compute()
        layout, steps, p = self.layout, self.params["steps"], self.params
        self.title(self.TITLE)
        views, wides = self.views(), self.wide_views()
        self.framed_runs = [(f"{r.name} η = {style.fmt_short(float(self.lrs[i]))}", r.theta, view_box(wides[i // 2]),
                             bool(claims.diverges(r.diverged_at, float(self.rates[i]))))
                            for i, r in enumerate(self.racers)]
        built = [wide_backdrop(self.landscape, view, layout.plot, ZOOM_OUT) for view in views]
        plots = [b[0] for b in built]
        self.plot_boxes = [plot.box for plot in plots]  # run i is drawn in plot i // 2
        phases = [self.phase_marks(k, plots[k], built[k][1]) for k in range(2)]
        zooms = []
        for (plot, wide, backdrop, minimum), phase in zip(built, phases):
            zoom = PlotZoom(plot.box)
            zoom.attach(backdrop[0], *minimum, *(w for m in phase["marks"] for w in m.widgets), *phase["arrows"])
            zoom.attach(*phase["crosses"], keep_size=True)
            zooms.append(zoom)
        self.add(*built[0][2], *built[0][3])
        exits = [m.exit_step for phase in phases for m in phase["marks"]]
        captions = self.story(exits)

        # Panel: the η number line, then one row per run with its per-step factor
        panel = layout.panel
        line_rect = style.Rect(panel.x, panel.top - 1.3, panel.width, 2.6)
        ranges = [StableRange(GD, self.gd_bound, r"2/\lambda_{\max}", *self.lrs[:2]),
                  StableRange(MOMENTUM, self.hb_bound, r"(2+2\beta)/\lambda_{\max}", *self.lrs[2:])]
        numberline = EtaLine(line_rect, ranges)
        def row(i: int, terse: bool) -> VGroup:
            """Racer ``i``'s legend row and its per-step factor; ``terse`` leaves out the ×ceiling."""
            side = f"{style.fmt_short(1 - p['margin'] if i % 2 == 0 else 1 + p['margin'])}×"
            rate = style.fmt_ratio(float(self.steep_rates[i]))
            eta = f"η = {style.fmt_short(float(self.lrs[i]))}" + ("" if terse else f" ({side})")
            return VGroup(legend_row(self.racers[i].color, eta, size=style.SMALL_SIZE),
                          label(f"×{rate}/step", style.SMALL_SIZE, style.WARNING if i % 2 else style.MUTED))

        def needed_width(rows: list[VGroup]) -> float:
            """Width of the widest legend, the gap, and the widest factor: the rows set as columns."""
            return max(r[0].width for r in rows) + 0.25 + max(r[1].width for r in rows)

        headings = [label("gradient descent", style.SMALL_SIZE, GD),
                    label(f"momentum, β = {style.fmt_short(p['beta'])}", style.SMALL_SIZE, MOMENTUM)]
        if panel.width >= 6.0:  # a wide, short panel (portrait frames): GD and momentum side by side
            half = (panel.width - 0.3) / 2
            boxes = [style.Rect(panel.left + half / 2, panel.y, half, panel.height),
                     style.Rect(panel.right - half / 2, panel.y, half, panel.height)]
            groups = [(boxes[0], [(headings[0], [0, 1])]), (boxes[1], [(headings[1], [2, 3])])]
        else:
            groups = [(panel, [(headings[0], [0, 1]), (headings[1], [2, 3])])]
        rows: list[VGroup] = [VGroup() for _ in self.racers]
        ends = []
        for box, sections in groups:
            indices = [i for _, section in sections for i in section]
            own = [row(i, terse=False) for i in indices]
            if needed_width(own) * style.LEAST_SHRINK > box.width:  # the ×ceiling is in the caption: keep the size
                own = [row(i, terse=True) for i in indices]
            need = needed_width(own)
            for i, r in zip(indices, own):
                rows[i] = r
            if need > box.width:  # rows and factors shrink together (the gap between them keeps its width)
                for r in own:
                    r.scale((box.width - 0.25) / (need - 0.25))
            stacked = [item for heading, section in sections for item in (heading, *(rows[i][0] for i in section))]
            ends.append(stack_in(box, stacked, numberline.bottom_y - 0.2, buff=0.12))
            column = box.left + max(r[0].width for r in own) + 0.25
            for r in own:
                r[1].move_to([column + r[1].width / 2, r[0].get_center()[1], 0])
        y = min(ends)
        counter = SwapLabel(lambda k: f"step {min(k, steps)} / {steps}", [panel.left, y - 0.3, 0],
                            size=style.SMALL_SIZE)

        widgets = [[*(w for m in ph["marks"] for w in m.widgets), *ph["arrows"], *ph["crosses"]] for ph in phases]
        drivers = [StepDriver(w + [counter]) for w in widgets]
        scale_marks = [plot_scale_marks(plot) for plot in plots]

        # Beats: gradient descent. The ceiling grows, then the first step of both runs
        self.add(numberline.heading, numberline.axis, numberline.legend, counter)
        gd_line = numberline.rows[0]
        with self.beat(captions["intro"]):
            self.play_ticks(*self.reveal(gd_line), fade_in(headings[0]), ticks=20)
            self.add(*drivers[0].widgets)
            self.play_ticks(drivers[0].advance(min(1, steps)), ticks=30)
        split = self.split_step(exits[1])
        self.race(drivers[0], zooms[0], phases[0]["track"], scale_marks[0], captions["gd_above"], split, 1, rows[1])
        self.race(drivers[0], zooms[0], phases[0]["track"], scale_marks[0], captions["gd_below"], steps, split, rows[0])

        # Beats: momentum, in a view fitted to its own converging run; its ceiling stretches GD's by 1 + β
        old = [*built[0][2][:1], *built[0][3], *widgets[0]]
        old_plot = built[0][2][1]
        drivers[1].set_progress(0.0)  # the step counter starts again
        with self.beat(captions["hb_intro"]):
            self.play_ticks(*(fade_out(m) for m in (*old, old_plot)), fade_in(headings[1]), ticks=10)
            self.remove(*old, old_plot)
            self.play_ticks(*self.lift(numberline, 0.0, self.gd_bound), ticks=15)
            self.play_ticks(*self.lift(numberline, self.gd_bound, self.hb_bound), ticks=30)
            self.play_ticks(*(fade_in(m) for m in (*built[1][2], *built[1][3])), ticks=10)
        self.add(*drivers[1].widgets)
        split = self.split_step(exits[3])
        self.race(drivers[1], zooms[1], phases[1]["track"], scale_marks[1], captions["hb_above"], split, 0, rows[3])
        self.race(drivers[1], zooms[1], phases[1]["track"], scale_marks[1], captions["hb_below"], steps, split, rows[2])
        with self.beat(captions["close"], min_ticks=reading_ticks(captions["close"]) + 15):
            self.stretch_by_factor(numberline)

    def stretch_by_factor(self, numberline: EtaLine) -> None:
        """The factor 1 + β made visible: a copy of gradient descent's stable bar drops onto
        momentum's row, then stretches from η = 0 by 1 + β, ending on momentum's ceiling."""
        gd_bar, hb_bar = numberline.rows[0][1], numberline.rows[1][1]
        ghost = gd_bar.copy().set_fill(opacity=0.0).set_stroke(color=style.TEXT, width=2.0, opacity=0.9)
        ghost.set_z_index(style.Z_HIGHLIGHT)
        left = numberline.x_of(0.0)
        ghost.move_to([gd_bar.get_center()[0], hb_bar.get_center()[1], 0])
        self.play_ticks(TransformFromCopy(gd_bar, ghost), ticks=15)
        factor = self.hb_bound / self.gd_bound if self.gd_bound > 0 else 1.0
        if abs(factor - 1.0) > 1e-6:
            stretched = ghost.copy().stretch(factor, 0, about_point=[left, ghost.get_center()[1], 0])
            self.play_ticks(Transform(ghost, stretched), ticks=25)

    def lift(self, numberline: EtaLine, low: float, high: float) -> list:
        """Momentum's stable bar growing from ``low`` to ``high`` (its end and ceiling tick with it);
        at its full height its name and η markers fade in."""
        row = numberline.rows[1]
        bar, ceiling = row[1], row[2]
        left = numberline.x_of(0.0)
        y = float(bar.get_center()[1])
        full = numberline.x_of(high) - left
        start = max(numberline.x_of(low) - left, 1e-3)

        def grow(_group, alpha: float) -> None:
            width = max(start + (full - start) * alpha, 1e-3)
            bar.stretch_to_fit_width(width)
            bar.move_to([left + width / 2, y, 0])
            ceiling.move_to([left + width, ceiling.get_center()[1], 0])

        if low == 0.0:
            bar.stretch_to_fit_width(1e-3).move_to([left, y, 0])
            ceiling.move_to([left, ceiling.get_center()[1], 0])
            self.add(bar, ceiling)
            return [UpdateFromAlphaFunc(VGroup(bar, ceiling), grow)]
        others = [m for k, m in enumerate(row) if k not in (1, 2)]
        return [UpdateFromAlphaFunc(VGroup(bar, ceiling), grow), *(fade_in(m) for m in others)]

    @staticmethod
    def reveal(row: VGroup) -> list:
        """Animations showing a number-line row: the bar grows from 0, the rest fades in."""
        bar, others = row[1], [m for k, m in enumerate(row) if k != 1]
        return [GrowFromEdge(bar, LEFT), *(fade_in(m) for m in others)]

    def split_step(self, exit_step: int | None) -> int:
        """Where the 'above' beat hands over to the 'below' beat: a little after the divergent run leaves."""
        steps = self.params["steps"]
        if exit_step is None:
            return max(1, steps // 3)
        return int(min(steps, max(1, exit_step + 2)))

    def race(self, driver: StepDriver, zoom: PlotZoom, track: EscapeTrack, scale_marks: list, text: str,
             end: int, start: int, row: VGroup) -> None:
        """One beat: show ``row`` and advance the runs from ``start`` to ``end``. While the run above
        the ceiling heads out, the zoom follows it (the tick numbers fade: they are only right at
        the plot's own view); once it is out, the view glides back to the run that stays."""
        with self.beat(text):
            back = zoom.scale < 1 - 1e-6 and not track.moves(start, end)
            if back:
                self.play_ticks(fade_in(row), zoom.reset(), *(fade_in(m) for m in scale_marks), ticks=ZOOM_BACK_TICKS)
                track.restart(start)
            else:
                self.play_ticks(fade_in(row), ticks=6)
            span = end - start
            if span > 0:
                used = ZOOM_BACK_TICKS if back else 6
                per_step = max(1 if span > 60 else 2, min(10, -(-(reading_ticks(text) - used) // span)))
                if track.moves(start, end):
                    fades = [fade_out(m, rate_func=fade_early) for m in scale_marks] if zoom.scale > 1 - 1e-6 else []
                    self.play_ticks(driver.advance(end), zoom.tracking(driver, track.view_at), *fades,
                                    ticks=span * per_step)
                else:
                    self.play_ticks(driver.advance(end), ticks=span * per_step)
