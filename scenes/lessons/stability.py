"""How large may η be? (lesson beat 8, first half): gradient descent just below and just above
2/λmax, then momentum just below and just above (2 + 2β)/λmax: converging against diverging, and
the ceiling on η rising by the factor 1 + β.

Defaults: ``seed-ravine`` (λmax = 25), start (6, 6), β = 0.9, 40 steps, η = (1 ∓ 0.03) × each
ceiling. Render with ``ravine render stability``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from manim import LEFT, Cross, GrowFromEdge, VGroup

from engine import analysis, claims, get_landscape, run, theory
from engine.compare import farthest, lr_bracket
from engine.verdict import Reach, verdict
from scenes.kit import style
from scenes.kit.base import LessonScene, reading_ticks
from scenes.widgets.contours import landscape_backdrop
from scenes.kit.fades import fade_in, fade_out
from scenes.kit.framing import View, fit_view
from scenes.widgets.numberline import EtaLine, StableRange
from scenes.kit.params import ParamSpec, SceneSpec, beta_param, landscape_param, start_param, steps_param
from scenes.widgets.race import ESCAPE_ROOM, AppearAt, Racer, axis_name, escape_label, racer_marks, view_box
from scenes.widgets.core import StepDriver, SwapLabel, fitted_text, label, legend_row, stack_in

QUADRATICS = ("seed-ravine", "narrow-ravine", "rotated-ravine", "bowl")
GD = style.OPTIMIZER_COLORS["gd"]
MOMENTUM = style.OPTIMIZER_COLORS["momentum"]


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

    def exits(self) -> list[int | None]:
        """The first step each run is outside its phase's view (None: never), as its marks draw it."""
        views = self.views()
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
            box = view_box(self.views()[index // 2])
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
    def construct(self) -> None:
        self.compute()
        layout, steps, p = self.layout, self.params["steps"], self.params
        self.title(self.TITLE)
        views = self.views()
        self.framed_runs = [(f"{r.name} η = {style.fmt_short(float(self.lrs[i]))}", r.theta, view_box(views[i // 2]),
                             bool(claims.diverges(r.diverged_at, float(self.rates[i]))))
                            for i, r in enumerate(self.racers)]
        plots, backdrops = zip(*(landscape_backdrop(self.landscape, view, layout.plot) for view in views))
        self.plot_boxes = [plot.box for plot in plots]  # run i is drawn in plot i // 2
        self.add(*backdrops[0])

        # Runs: paths, balls, and where the divergent ones leave the view (each phase in its own view)
        marks = [racer_marks(plots[i // 2], racer, width=style.PATH_WIDTH if i % 2 == 0 else 2.0)
                 for i, racer in enumerate(self.racers)]
        exits = [m.exit_step for m in marks]
        captions = self.story(exits)
        escapes = []
        for i, (racer, mark) in enumerate(zip(self.racers, marks)):
            if mark.exit_step is None:
                escapes.append([])
                continue
            inward = np.array([plots[i // 2].box.x, plots[i // 2].box.y, 0.0]) - mark.exit_point
            inward *= 0.12 / max(float(np.linalg.norm(inward)), 1e-9)  # just inside the border
            cross = Cross(scale_factor=0.12, stroke_color=style.WARNING, stroke_width=4)
            cross.move_to(mark.exit_point + inward)
            cross.set_z_index(style.Z_BALL)
            pair = [m.path.path_points for m in marks[i - i % 2: i - i % 2 + 2]]  # the runs in this plot
            escapes.append([AppearAt(cross, mark.exit_step),
                            self.escape_label(i, mark.exit_step, mark.exit_point, avoid=pair)])

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

        gd_widgets = [*marks[0].widgets, *marks[1].widgets, *escapes[1], *escapes[0]]
        hb_widgets = [*marks[2].widgets, *marks[3].widgets, *escapes[3], *escapes[2]]
        gd_driver = StepDriver(gd_widgets + [counter])
        hb_driver = StepDriver(hb_widgets + [counter])

        # Beats: gradient descent
        self.add(numberline.heading, numberline.axis, numberline.legend, counter)
        with self.beat(captions["intro"]):
            self.play_ticks(*self.reveal(numberline.rows[0]), fade_in(headings[0]), ticks=15)
        self.add(*gd_driver.widgets)
        split = self.split_step(exits[1])
        self.race(gd_driver, captions["gd_above"], split, 0, rows[1])
        self.race(gd_driver, captions["gd_below"], steps, split, rows[0])

        # Beats: momentum, in a view fitted to its own converging run
        old = [*backdrops[0], *gd_widgets]
        hb_driver.set_progress(0.0)  # the step counter starts again
        with self.beat(captions["hb_intro"]):
            self.play_ticks(*(fade_out(m) for m in old), *self.reveal(numberline.rows[1]), fade_in(headings[1]),
                            ticks=10)
            self.play_ticks(*(fade_in(m) for m in backdrops[1]), ticks=8)
        self.add(*hb_widgets)
        split = self.split_step(exits[3])
        self.race(hb_driver, captions["hb_above"], split, 0, rows[3])
        self.race(hb_driver, captions["hb_below"], steps, split, rows[2])
        with self.beat(captions["close"], min_ticks=reading_ticks(captions["close"]) + 15):
            pass

    def escape_label(self, index: int, exit_step: int, where: np.ndarray,
                     avoid: Sequence[np.ndarray] = ()) -> SwapLabel:
        """The label at the border where run ``index`` left: "left the view", then "diverged"
        (engine); clear of the paths ``avoid`` where it can be."""
        racer = self.racers[index]
        box = self.plot_boxes[index // 2]
        eta = f"η = {style.fmt_short(float(self.lrs[index]))}: "

        def wordings(head: str) -> dict[int, str]:
            texts = {exit_step: head + f"left the view (step {exit_step})"}
            if racer.diverged_at >= 0:
                texts[max(racer.diverged_at, exit_step)] = head + f"diverged (step {racer.diverged_at})"
            return texts

        # the run's name where the plot is wide enough, else its colour names it
        long, short = wordings(f"{racer.name}, {eta}"), wordings(eta)
        widest, _ = fitted_text([max(long.values(), key=len), max(short.values(), key=len)], style.SMALL_SIZE,
                                box.width - ESCAPE_ROOM)
        texts = long if widest in long.values() else short
        mark = escape_label(widest, exit_step, where, box, racer.color, avoid=avoid)
        changes = sorted(texts)
        mark.text_for = lambda k: next((texts[c] for c in reversed(changes) if k >= c), "")
        mark.set_progress(0.0)
        return mark

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

    def race(self, driver: StepDriver, text: str, end: int, start: int, row: VGroup) -> None:
        """One beat: show ``row`` and advance the runs from ``start`` to ``end``."""
        with self.beat(text):
            self.play_ticks(fade_in(row), ticks=6)
            span = end - start
            if span > 0:
                per_step = max(1 if span > 60 else 2, min(10, -(-(reading_ticks(text) - 6) // span)))
                self.play_ticks(driver.advance(end), ticks=span * per_step)
