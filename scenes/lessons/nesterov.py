"""Nesterov momentum: the gradient at the look-ahead point θ − ηβv (lesson beat 9).

Heavy ball and Nesterov race on the lesson's ravine (``seed-ravine``, A = diag(1, 25)) from
(6, 6) with η = 0.02, β = 0.9: the same settings as the ravine race. The first steps play slowly
with Nesterov's look-ahead point drawn as a hollow ring and each optimizer's gradient arrow
(heavy ball's at θ, Nesterov's at the ring); then both race on, and the engine says how much
less Nesterov overshoots across the steep axis. Render with ``ravine render nesterov``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from manim import RIGHT, Circle, MathTex, Text, VGroup

from engine import analysis, claims, get_landscape, lookahead_point, run, theory
from engine.optimizers import SGDState
from engine.overshoot import max_overshoot, overshoot_step
from engine.verdict import Reach, verdict
from scenes.kit import style
from scenes.widgets.arrows import RidingArrows, nice_scale
from scenes.kit.base import LessonScene, pace, plan_story
from scenes.widgets.contours import landscape_backdrop
from scenes.kit.framing import View, bounded_prefix, clip_segment_to_view, fit_view
from scenes.widgets.panels import split_panel
from scenes.widgets.race import ESCAPE_REACH, Racer, axis_name, view_box
from scenes.kit.params import SceneSpec, beta_param, landscape_param, lr_param, start_param, steps_param
from scenes.widgets.core import (
    Ball,
    LossInset,
    PlotFrame,
    ProgressivePath,
    StepDriver,
    SwapLabel,
    clear_of_labels,
    fitted_text,
    label,
    legend_row,
    stack_in,
)

def loss_text(value: float) -> str:
    """A loss for a caption: three significant digits (450, 0.454, 1.39×10⁵)."""
    return style.fmt_short(float(f"{float(value):.3g}"))


RAVINES = ("seed-ravine", "narrow-ravine", "rotated-ravine")
SLOW_STEPS = 5          # the first steps, played slowly with the look-ahead and gradient arrows
ARROW_TARGET = 1.6      # the first gradient arrow at most this long, scene units (else scaled down)


@dataclass(frozen=True)
class Runner(Racer):
    """A racer with the gradient it used at each step and where it took it."""

    grad: np.ndarray     # (N+1, 2): gradient used at step t (zeros at t = N)
    probe: np.ndarray    # (N+1, 2): where that gradient was taken (θ_t, or the look-ahead point)


class Nesterov(LessonScene):
    """Heavy ball against Nesterov: the look-ahead gradient brakes before the far wall."""

    TITLE = "Nesterov: take the gradient where you are heading"
    SPEC = SceneSpec(
        name="nesterov",
        description="Heavy ball vs Nesterov on a ravine: the look-ahead point θ − ηβv, its gradient, and a smaller overshoot.",
        params=(
            landscape_param("seed-ravine", RAVINES),
            start_param((6.0, 6.0)),
            lr_param("lr", 0.02, "both optimizers"),
            dataclasses.replace(beta_param(0.9), low_open=True),
            steps_param(60, high=200),
        ),
    )

    # -- engine ----------------------------------------------------------------------------
    def compute(self) -> None:
        """Heavy ball and Nesterov runs with the same η, β, start; look-ahead points from the engine."""
        p = self.params
        self.landscape = get_landscape(p["landscape"])
        self.start = np.asarray(p["start"], dtype=float)
        common = dict(lr=p["lr"], beta=p["beta"], steps=p["steps"], start=self.start)
        heavy = run(self.landscape, "momentum", **common)
        nesterov = run(self.landscape, "nesterov", **common)
        steps = p["steps"]

        def padded(arr: np.ndarray, last: np.ndarray) -> np.ndarray:
            return np.vstack([arr, last[None, :]])

        final_look = lookahead_point(nesterov.theta[-1, 0], SGDState(nesterov.velocity[-1, 0], np.array(steps)),
                                     p["lr"], p["beta"])
        self.runners = [
            Runner("momentum", "heavy ball", heavy.theta[:, 0], heavy.loss[:, 0], int(heavy.diverged_at[0]),
                   grad=padded(heavy.grad[:, 0], np.zeros(2)), probe=heavy.theta[:, 0]),
            Runner("nesterov", "Nesterov", nesterov.theta[:, 0], nesterov.loss[:, 0], int(nesterov.diverged_at[0]),
                   grad=padded(nesterov.grad[:, 0], np.zeros(2)),
                   probe=padded(nesterov.lookahead[:, 0], final_look)),
        ]
        self.axes = analysis.principal_axes(self.landscape)
        for runner in self.runners:
            coords = self.axes.coordinates(runner.theta)
            key = runner.key
            self.record_constant(f"{key}_overshoot_steep", max_overshoot(coords[:, -1]))
            self.record_constant(f"{key}_overshoot_shallow", max_overshoot(coords[:, 0]))

    def default_highlights(self) -> dict[str, str]:
        return {"heavy ball": style.OPTIMIZER_COLORS["momentum"], "Heavy ball": style.OPTIMIZER_COLORS["momentum"],
                "Nesterov": style.OPTIMIZER_COLORS["nesterov"]}

    # -- captions (facts from the engine) --------------------------------------------------
    def slow_end(self) -> int:
        return min(self.params["steps"], SLOW_STEPS)

    def story(self) -> list[tuple[int, str]]:
        """(end step, caption) per beat, in order; the last is the summary at the final step."""
        p, steps = self.params, self.params["steps"]
        heavy, nag = self.runners
        steep = axis_name(self.axes.steep, "steep")
        shallow = axis_name(self.axes.shallow, "shallow")
        beats: list[tuple[int, str]] = []

        def add(end: int, text: str) -> None:
            end = min(end, steps)
            if end > beats[-1][0]:
                beats.append((end, text))

        beats.append((0, (f"Heavy ball against Nesterov from {style.fmt_point(self.start, 0 if np.allclose(self.start, np.round(self.start)) else 2)}, "
                          f"both with η = {style.fmt_short(p['lr'])} and β = {style.fmt_short(p['beta'])}.")))
        add(1, "The hollow ring is Nesterov's look-ahead θ − ηβv: where its velocity is about to carry it.")
        intact = lambda upto: all(r.diverged_at < 0 or r.diverged_at > upto for r in self.runners)  # noqa: E731
        if steps >= 2 and intact(2):
            felt_heavy = abs(float(heavy.grad[1] @ self.axes.steep))
            felt_nag = abs(float(nag.grad[1] @ self.axes.steep))
            ring_side = float(self.axes.coordinates(nag.probe[1])[-1])
            start_side = float(self.axes.coordinates(self.start)[-1])
            text = f"Step 1: the heavy ball feels a slope of {style.fmt(felt_heavy, 1)} across the ravine; "
            if felt_nag < felt_heavy:
                text += f"at the ring Nesterov feels {style.fmt(felt_nag, 1)} and brakes early."
            elif ring_side * start_side < 0:
                text += f"the ring, past the floor, feels {style.fmt(felt_nag, 1)} pushing back."
            else:
                text += f"at the ring Nesterov feels {style.fmt(felt_nag, 1)}."
            add(2, text)
        slow = self.slow_end()
        coords = [self.axes.coordinates(r.theta[: slow + 1])[:, -1] for r in self.runners]
        swing_heavy, swing_nag = max_overshoot(coords[0]), max_overshoot(coords[1])
        if slow > 2 and swing_heavy > 0 and intact(slow + 1):
            at = overshoot_step(coords[0])
            text = f"The heavy ball swings {style.fmt_reading(swing_heavy, 2)} past the valley floor (step {at}); "
            if swing_nag == 0:
                text += "Nesterov, braking early, does not cross it at all."
            elif swing_nag < swing_heavy:
                text += f"Nesterov, braking early, only {style.fmt_reading(swing_nag, 2)}."
            else:
                text += f"Nesterov {style.fmt_reading(swing_nag, 2)}."
            add(slow, text)

        if steps > slow:
            alive = all(r.diverged_at < 0 for r in self.runners)
            if alive:
                steep_all = [max_overshoot(self.axes.coordinates(r.theta)[:, -1]) for r in self.runners]
                shallow_all = [max_overshoot(self.axes.coordinates(r.theta)[:, 0]) for r in self.runners]
                shots = [claims.overshoots(self.axes.coordinates(r.theta)[:, -1]) for r in self.runners]
                if all(shots):
                    for r, shot in zip(self.runners, shots):
                        self.claim("overshoots", r.name, shot)
                    text = (f"Largest overshoot across the {steep}: heavy ball {style.fmt(steep_all[0], 2)}, "
                            f"Nesterov {style.fmt(steep_all[1], 2)}")
                elif any(shots):
                    (who, swing), (other, _) = sorted(zip(self.runners, steep_all), key=lambda pair: -pair[1])
                    self.claim("overshoots", who.name, shots[self.runners.index(who)])
                    text = (f"Across the {steep} only the {who.name} overshoots, by {style.fmt(swing, 2)}"
                            if who.key == "momentum" else
                            f"Across the {steep} only {who.name} overshoots, by {style.fmt(swing, 2)}")
                else:
                    for r, shot in zip(self.runners, shots):
                        self.claim("overshoots", r.name, shot, says=False)
                    text = f"Neither the heavy ball nor Nesterov overshoots across the {steep}"
                if max(shallow_all) > 0:
                    text += (f"; along the {shallow}: {style.fmt(shallow_all[0], 2)} vs "
                             f"{style.fmt(shallow_all[1], 2)}")
                text += "."
            else:
                gone = [r for r in self.runners if r.diverged_at >= 0]
                for r in gone:
                    self.claim("diverges", r.name, claims.diverges(r.diverged_at))
                text = "; ".join(f"{r.name} diverges at step {r.diverged_at}" for r in gone)
                text = text[0].upper() + text[1:] + f": η = {style.fmt_short(p['lr'])} is too large here."
            add(steps, text)

        parts = []
        for r in self.runners:
            if r.diverged_at >= 0:
                self.claim("diverges", r.name, claims.diverges(r.diverged_at))
                parts.append(f"{r.name} diverged (step {r.diverged_at})")
            else:
                parts.append(f"{r.name} L = {style.fmt(float(r.loss[-1]), 4)}")
        beats.append((steps, f"After {style.count(steps, 'step')}: " + ", ".join(parts) + "."))
        return beats

    def progress(self, start: int, end: int) -> str:
        """A caption for a long stretch: both losses over steps ``start`` … ``end``."""
        parts = [f"{r.name} {loss_text(r.loss[start])} → {loss_text(r.loss[end])}" for r in self.runners]
        return f"Steps {start}–{end}, loss: " + ", ".join(parts) + "."

    def ticks_per_step(self, start: int, span: int, text: str) -> int:
        ends = [r.diverged_at for r in self.runners]
        if min(ends) >= 0 and max(ends) <= start + span // 4:  # both runs stopped: nothing moves
            return 1
        slow_part = start + span <= self.slow_end()
        return pace(text, span, 24 if slow_part else style.DEFAULT_STEP_TICKS, 3, 30 if slow_part else 12)

    def narration(self) -> list[str]:
        """Every caption in the order it plays (long stretches cut as :func:`plan_story` cuts them)."""
        self.compute()
        beats = self.story()
        planned = plan_story(beats, self.params["steps"], self.ticks_per_step, 3, self.progress)
        return [b.text for b in planned if b.text is not None] + [beats[-1][1]]

    def rates(self) -> list[float]:
        """Heavy ball's per-step factor over the curvatures (theory); None for Nesterov (no closed form here)."""
        p = self.params
        return [float(max(theory.heavy_ball_rate(p["lr"], p["beta"], lam) for lam in self.axes.eigenvalues)), None]

    # -- drawing ---------------------------------------------------------------------------
    def frame(self) -> tuple[View, list[bool]]:
        """The plot's view and, per runner, whether it escapes: every run that does not diverge is
        in view; a diverging one (engine, or the heavy ball's rate above 1) while it stays within
        ``ESCAPE_REACH`` × the start's distance (as :func:`scenes.widgets.race.frame_racers`)."""
        minimizer = np.asarray(self.landscape.minimizer, dtype=float)
        reach = max(float(np.max(np.abs(self.start - minimizer))), 1.0)
        escaping = [verdict(r, rate=rate).diverges and verdict(r, view=Reach(minimizer, ESCAPE_REACH * reach)).escapes
                    for r, rate in zip(self.runners, self.rates())]
        bounded = [r.theta for r, esc in zip(self.runners, escaping) if not esc]
        slow = self.slow_end()
        ghosts = [self.runners[1].probe[: slow + 1]] if not escaping[1] else []
        view = fit_view(bounded + ghosts, include=[self.start, minimizer], square_within=4.0)
        return view, escaping

    def construct(self) -> None:
        self.compute()
        layout, p, steps = self.layout, self.params, self.params["steps"]
        view, escaping = self.frame()
        self.framed_runs = [(r.name, r.theta, view_box(view), bool(claims.diverges(r.diverged_at, rate)))
                            for r, rate in zip(self.runners, self.rates())]
        slow = self.slow_end()

        # Setting: title, plot, contours, minimum
        self.title(self.TITLE)
        plot, backdrop = landscape_backdrop(self.landscape, view, layout.plot)
        self.add(*backdrop)

        # Runners: paths and balls (escaping runs stop at the border)
        moving = []
        scene_paths = []
        escapes: list[SwapLabel] = []
        for runner in self.runners:
            points = plot.to_scene(runner.theta)
            last_inside = bounded_prefix(runner.theta, view)
            if last_inside < steps:
                exit_point = plot.to_scene(
                    clip_segment_to_view(runner.theta[last_inside], runner.theta[last_inside + 1], view))
                points[last_inside + 1:] = exit_point
                escapes.append(self.escape_label(runner, last_inside + 1, exit_point, plot, clear_of=escapes))
            scene_paths.append(points)
            moving += [ProgressivePath(points, runner.color), Ball(points, runner.color)]
        moving += escapes

        # Look-ahead ring and the look-ahead step, then the two gradient arrows (early steps only)
        heavy, nag = self.runners
        ring_data = nag.probe.copy()
        inside = view.contains(ring_data)
        ring_points = plot.to_scene(ring_data)
        ring_points[~inside] = scene_paths[1][~inside]
        ring = Ball(ring_points, nag.color, radius=style.BALL_RADIUS * 1.15)
        ring.set_fill(opacity=0.0).set_stroke(color=nag.color, width=2.5)
        look_step = RidingArrows(scene_paths[1], ring_points - scene_paths[1], nag.color, opacity=0.7, width=2,
                                 glide=True, clip=plot.box, head_length=0.1, head_width=0.09, z_index=style.Z_PATH)
        first = -p["lr"] * heavy.grad[0]  # step 0: both take the same gradient at the start
        first_len = float(np.hypot(first[0] * plot.scale_x, first[1] * plot.scale_y))
        scale = min(1.0, nice_scale(ARROW_TARGET / first_len)) if first_len > 0 else 1.0

        def arrow_vectors(runner: Runner) -> np.ndarray:
            out = np.zeros((steps + 1, 3))
            out[:, 0] = -p["lr"] * runner.grad[:, 0] * plot.scale_x * scale
            out[:, 1] = -p["lr"] * runner.grad[:, 1] * plot.scale_y * scale
            return out

        while_slow = lambda step: step < slow - 1e-9  # noqa: E731
        arrows = [
            RidingArrows(scene_paths[0], arrow_vectors(heavy), heavy.color, ride=False, visible=while_slow,
                         clip=plot.box),
            RidingArrows(ring_points, arrow_vectors(nag), nag.color, ride=False, visible=while_slow, clip=plot.box),
        ]
        moving = [look_step, ring, *arrows] + moving

        # Panel: update rules, legend, step counter, loss readouts, loss inset
        columns = split_panel(layout.panel)
        panel = columns.text
        rules = [
            MathTex(r"\text{heavy ball: } v \leftarrow \beta v + \nabla L(\theta)", color=heavy.color),
            MathTex(r"\text{Nesterov: } v \leftarrow \beta v + \nabla L(\theta - \eta\beta v)", color=nag.color),
            MathTex(r"\text{both: } \theta \leftarrow \theta - \eta v", color=style.TEXT),
        ]
        for rule in rules:
            rule.scale(style.MATH_SCALE * 0.9)
        ring_icon = Circle(radius=style.BALL_RADIUS * 0.9, stroke_color=nag.color, stroke_width=2.5, fill_opacity=0)
        arrow_text = "arrows: η × gradient" if scale == 1 else f"arrows: {style.fmt_short(scale)} × η × gradient"
        shared = f"η = {style.fmt_short(p['lr'])}, β = {style.fmt_short(p['beta'])}"
        legend = [legend_row(heavy.color, f"heavy ball   {shared}", width=panel.width),
                  legend_row(nag.color, f"Nesterov   {shared}", width=panel.width)]
        if any(not isinstance(row[1], Text) for row in legend):  # broken onto two lines: name the shared values once
            legend = [legend_row(heavy.color, "heavy ball"), legend_row(nag.color, "Nesterov"),
                      label(f"both: {shared}", style.SMALL_SIZE)]
        rows = [
            *rules,
            *legend,
            VGroup(ring_icon, label("look-ahead  θ − ηβv", style.SMALL_SIZE)).arrange(RIGHT, buff=0.3),
            label(arrow_text, style.SMALL_SIZE, style.MUTED),
        ]
        y = stack_in(panel, rows, panel.top - 0.05, buff=0.14)
        self.add(*rows)
        counter = SwapLabel(lambda k: f"step {min(k, steps)} / {steps}", [panel.left, y - 0.3, 0])
        side_by_side = panel.width >= 4.0  # room for both loss readouts on one row
        readouts = [
            SwapLabel(lambda k, r=runner: f"L = {style.fmt(float(r.loss[min(k, steps)]), 4)}",
                      [panel.left + 0.15 + (panel.width / 2 * i if side_by_side else 0),
                       y - 0.72 - (0 if side_by_side else 0.38 * i), 0], size=style.SMALL_SIZE, color=runner.color)
            for i, runner in enumerate(self.runners)
        ]
        readouts_bottom = y - 0.95 - (0 if side_by_side else 0.38)
        chart = columns.chart
        inset_top = chart.top if columns.split else readouts_bottom
        inset_rect = style.Rect(chart.x, (inset_top + chart.bottom) / 2, chart.width, inset_top - chart.bottom)
        inset = LossInset(inset_rect, [(r.loss, r.color) for r in self.runners], steps)
        driver = StepDriver(moving + [counter, *readouts, inset])
        self.add(*driver.widgets)

        # Beats: the first steps slowly, then the race
        beats = self.story()
        self.play_story(driver, beats, steps, self.ticks_per_step, progress=self.progress)

    def escape_label(self, runner: Runner, step: int, where: np.ndarray, plot: PlotFrame,
                     clear_of: Sequence[SwapLabel] = ()) -> SwapLabel:
        """A label that appears where ``runner`` leaves the plot, from ``step`` on; a line further
        towards the plot's middle for each of the labels ``clear_of`` it would run into (runs
        leaving at one place)."""
        wordings = [f"{runner.name}: off the chart"]
        if runner.diverged_at >= 0:  # a narrow plot gets the short form
            wordings = [f"{runner.name}: off the chart, diverges at step {runner.diverged_at}",
                        f"{runner.name}: diverges at step {runner.diverged_at}"]
        box = plot.box
        text, size = fitted_text(wordings, style.SMALL_SIZE, box.width - 0.4)  # clear of a ball on the border
        probe = label(text, size)
        beside = where[0] - probe.width - 0.25 if where[0] > box.x else where[0] + 0.25
        x = float(np.clip(beside, box.left + 0.1, box.right - probe.width - 0.1))
        y = float(np.clip(where[1], box.bottom + 0.3, box.top - 0.3))
        anchor = clear_of_labels(np.array([x, y, 0.0]), probe.width, clear_of,
                                 (-1.0 if y > box.y else 1.0) * style.SMALL_LINE_STEP, size)
        return SwapLabel(lambda k: text if k >= step else "", anchor, size=size, color=runner.color,
                         font=style.FONT)
