"""Nesterov momentum: the gradient at the look-ahead point θ − ηβv (lesson beat 9).

Heavy ball and Nesterov race on the lesson's ravine (``seed-ravine``, A = diag(1, 25)) from
(6, 6) with η = 0.02, β = 0.9: the same settings as the ravine race. Each run carries its
velocity as a thin arrow −ηβv (Nesterov's ends on its look-ahead point, the hollow ring). The
first steps are acted out, written as θ ← θ − ηβv − η∇L(·) in the panel with the term in play
lit: each run's −η∇L arrow grows where its gradient is taken (heavy ball at θ, Nesterov at the
ring), the heavy ball's moves to the tip of its carried arrow, and both balls follow to the tips.
The camera zooms onto steps 1–3 (one view per step from the engine's first positions, the
magnification shown above the plot) and pushes in on step 1's ring, where Nesterov's small
gradient is read; then it pulls back for the race, and the engine says how much less Nesterov
overshoots across the steep axis. A diverging run's path is drawn faint and thin.
Render with ``ravine render nesterov``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from manim import RIGHT, Animation, Circle, MathTex, Text, UpdateFromAlphaFunc, VGroup

from engine import analysis, claims, get_landscape, lookahead_point, run, theory
from engine.optimizers import SGDState
from engine.overshoot import max_overshoot, overshoot_step
from engine.verdict import Reach, verdict
from scenes.kit import style
from scenes.kit.base import MAX_CAPTION_TICKS, LessonScene, pace, plan_story, reading_ticks
from scenes.kit.fades import fade_in, fade_out
from scenes.widgets.contours import landscape_backdrop
from scenes.kit.framing import View, bounded_prefix, clip_segment_to_view, fit_view
from scenes.widgets.panels import split_panel
from scenes.widgets.lookahead import ADDED, GROWN, HIDDEN, GradientStep, closeup_views, play_phases
from scenes.widgets.race import ESCAPE_REACH, Racer, axis_name, view_box
from scenes.widgets.velocity_arrow import VelocityArrow
from scenes.widgets.zoom import PlotZoom
from scenes.widgets.spotlight import ReadingSpotlight, Stop
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
SLOW_STEPS = 5          # the first steps, acted out with the look-ahead and gradient arrows
CLOSE_STEPS = 3         # steps 1 … 3 are shown in a close-up (the camera inside the plot)
MAX_ZOOM = 8.0          # the close-up magnifies at most this much (tiny first steps)
PUSH_GAIN = 1.5         # the push-in on step 1's ring is made when it magnifies this much more
CLOSE_COST = (130, 80)  # ticks of step 1 (with the push-in), and of a later step, acted in the close-up
DIM = 0.3               # opacity of an update rule's term while the picture shows another
FAINT = 0.45            # opacity of a diverging run's path
CARRIED_WIDTH = 2.0     # the carried −ηβv arrows are thin …
GRADIENT_WIDTH = 3.5    # … the −η∇L arrows thick
DEFAULT_TICKS = 3
TAG_GAP = 0.25          # scene units between a point and its name in the close-up
BRISK_ACT = 28          # ticks of one step acted out without the close-up


@dataclass(frozen=True)
class Runner(Racer):
    """A racer with the gradient it used at each step and where it took it."""

    grad: np.ndarray     # (N+1, 2): gradient used at step t (zeros at t = N)
    probe: np.ndarray    # (N+1, 2): where that gradient was taken (θ_t, or the look-ahead point)
    carried: np.ndarray  # (N+1, 2): −ηβ v_t, the displacement the velocity carries into step t


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
                   grad=padded(heavy.grad[:, 0], np.zeros(2)), probe=heavy.theta[:, 0],
                   carried=-p["lr"] * p["beta"] * heavy.velocity[:, 0]),
            Runner("nesterov", "Nesterov", nesterov.theta[:, 0], nesterov.loss[:, 0], int(nesterov.diverged_at[0]),
                   grad=padded(nesterov.grad[:, 0], np.zeros(2)),
                   probe=padded(nesterov.lookahead[:, 0], final_look),
                   carried=-p["lr"] * p["beta"] * nesterov.velocity[:, 0]),
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

    def closeup(self, plot: PlotFrame) -> dict:
        """The close-up of steps 1 … ``CLOSE_STEPS``: per step, the base-scene view that shows θ,
        the carried −ηβv, both gradient arrows and both next θ (each run's own) at one scale, from
        the engine's first positions. Stops at the first step with a point out of view (a run
        leaving or diverging) or one that would hardly be magnified."""
        steps, view = self.params["steps"], plot.view
        last = min(CLOSE_STEPS, self.slow_end() - 1, steps - 1)
        frames, ks = [], []
        for k in range(1, last + 1):
            held = np.array([p for r in self.runners for p in (r.theta[k], r.probe[k], r.theta[k + 1])])
            tips = np.array([p for r in self.runners
                             for p in (r.theta[k] + r.carried[k], r.probe[k] - self.params["lr"] * r.grad[k])])
            if not np.isfinite(tips).all() or not view.contains(held).all():
                break
            # an arrow running out of the plot is framed up to the border (where the zoom clips it)
            tips = np.clip(tips, [view.xmin, view.ymin], [view.xmax, view.ymax])
            frames.append(plot.to_scene(np.vstack([held, tips])))
            ks.append(k)
        views: dict = dict(zip(ks, closeup_views(frames, plot.box, max_zoom=MAX_ZOOM)))
        if 1 in views:  # a push-in on the ring: Nesterov's own gradient step, small beside the heavy ball's
            nag = self.runners[1]
            ring = np.array([nag.probe[1], nag.probe[1] - self.params["lr"] * nag.grad[1]])
            push = closeup_views([plot.to_scene(ring)], plot.box, margin=0.6, max_zoom=MAX_ZOOM)
            if push and push[0].width < views[1].width / PUSH_GAIN:
                views["ring"] = push[0]
        return views

    def construct(self) -> None:
        self.compute()
        layout, p, steps = self.layout, self.params, self.params["steps"]
        view, escaping = self.frame()
        self.framed_runs = [(r.name, r.theta, view_box(view), bool(claims.diverges(r.diverged_at, rate)))
                            for r, rate in zip(self.runners, self.rates())]
        slow = self.slow_end()
        heavy, nag = self.runners

        # Setting: title, plot, contours, minimum; tick marks apart (they fade while zoomed in)
        self.title(self.TITLE)
        plot, backdrop = landscape_backdrop(self.landscape, view, layout.plot)
        axis_names = [m for m in plot.submobjects[1:] if isinstance(m, Text) and m.text in ("x", "y")]
        tick_marks = VGroup(*[m for m in plot.submobjects[1:] if m not in axis_names])
        plot.remove(*tick_marks.submobjects)
        self.add(*backdrop, tick_marks)

        # Runners: paths and balls (escaping runs stop at the border; diverging ones drawn faint)
        moving, balls = [], []
        scene_paths = []
        escapes: list[SwapLabel] = []
        drawn = []
        for runner in self.runners:
            points = plot.to_scene(runner.theta)
            last_inside = bounded_prefix(runner.theta, view)
            if last_inside < steps:
                exit_point = plot.to_scene(
                    clip_segment_to_view(runner.theta[last_inside], runner.theta[last_inside + 1], view))
                points[last_inside + 1:] = exit_point
                escapes.append(self.escape_label(runner, last_inside + 1, exit_point, plot, clear_of=escapes))
            scene_paths.append(points)
            faint = runner.diverged_at >= 0
            path = ProgressivePath(points, runner.color, width=style.PATH_WIDTH * (0.6 if faint else 1.0),
                                   stroke_opacity=FAINT if faint else 1.0)
            ball = Ball(points, runner.color)
            balls.append(ball)
            drawn += [path, ball]
            moving += [path, ball]
        moving += escapes

        # The look-ahead ring; on each run the carried −ηβv (a velocity arrow: Nesterov's ends on
        # the ring); the −η∇L arrows of the first steps (grown, then added tip to tail)
        ring_data = nag.probe.copy()
        inside = view.contains(ring_data)
        ring_points = plot.to_scene(ring_data)
        ring_points[~inside] = scene_paths[1][~inside]
        ring = Ball(ring_points, nag.color, radius=style.BALL_RADIUS * 1.15)
        ring.set_fill(opacity=0.0).set_stroke(color=nag.color, width=2.5)
        carried = [VelocityArrow(plot, r.theta, np.nan_to_num(r.carried, nan=0.0, posinf=0.0, neginf=0.0), r.color,
                                 opacity=0.8, width=CARRIED_WIDTH, z_index=style.Z_PATH) for r in self.runners]
        gradients = [GradientStep(plot, r.probe, -p["lr"] * r.grad, r.carried, r.color, probe_is_tip=(r is nag),
                                  width=GRADIENT_WIDTH) for r in self.runners]
        for g in gradients:
            g.clear(0)
        moving = [*carried, ring] + moving

        # The camera inside the plot: everything the runs draw, the contours and the minimum
        views = self.closeup(plot)
        zoom = PlotZoom(plot.box)
        zoom.attach(backdrop[0], *carried, *[g.arrow for g in gradients], ring, *drawn)
        zoom.attach(*backdrop[2:], keep_size=True)
        tags = VGroup()
        if 1 in views:  # names on the picture in step 1's close-up: θ, and the ring θ − ηβv
            tags = VGroup(*self.point_tags(plot, views[1], [(heavy.theta[1], "θ", style.TEXT),
                                                            (nag.probe[1], "θ − ηβv", nag.color)]))
        badges = {}
        for k, rect in views.items():  # "close-up ×2.5" above the plot's top right corner
            badge = label(f"close-up ×{style.fmt(plot.box.width / rect.width, 1)}", style.SMALL_SIZE, style.MUTED)
            badges[k] = badge.move_to([plot.box.right - badge.width / 2, plot.box.top + 0.2, 0])

        # Panel: the update rules (terms lit as the close-up acts them), legend, step counter, losses
        columns = split_panel(layout.panel)
        panel = columns.text
        def update_rules(named: bool) -> list[MathTex]:
            """θ ← θ − ηβv − η∇L(·) per run, its terms apart (the last two: carried, gradient)."""
            names = [r"\text{heavy ball: }", r"\text{Nesterov: }"] if named else ["", ""]
            built = [
                MathTex(*filter(None, [names[0], r"\theta \leftarrow \theta", r"-\eta\beta v", r"-\eta\nabla L(\theta)"]),
                        color=heavy.color),
                MathTex(*filter(None, [names[1], r"\theta \leftarrow \theta", r"-\eta\beta v",
                                       r"-\eta\nabla L(\theta - \eta\beta v)"]), color=nag.color),
                MathTex(r"\text{then } v \leftarrow \beta v + \text{that gradient}", color=style.TEXT),
            ]
            for rule in built:
                rule.scale(style.MATH_SCALE * 0.9)
            return built

        rules = update_rules(True)
        if max(rule.width for rule in rules) > panel.width / style.LEAST_SHRINK:  # a narrow panel: colour names them
            rules = update_rules(False)
        terms = {"carried": [rules[0][-2], rules[1][-2]], "gradient": [rules[0][-1], rules[1][-1]]}
        ring_icon = Circle(radius=style.BALL_RADIUS * 0.9, stroke_color=nag.color, stroke_width=2.5, fill_opacity=0)
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
            label("arrows: thin −ηβv, thick −η∇L", style.SMALL_SIZE, style.MUTED),
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
        self.add(*driver.widgets, *gradients)

        # -- the story: the first steps acted out (close-up on steps 1 … 3), then the race -------
        lit = {name: 1.0 for name in terms}

        def light(**targets: float) -> Animation:
            begin = dict(lit)
            lit.update(targets)
            parts = [part for name in targets for part in terms[name]]

            def update(_mob, alpha: float) -> None:
                for name, value in targets.items():
                    for part in terms[name]:
                        part.set_fill(opacity=begin[name] + (value - begin[name]) * alpha)

            return UpdateFromAlphaFunc(VGroup(*parts), update)

        arrows = [*carried, *[g.arrow for g in gradients]]
        state = {"done": 0, "zoomed": None, "tags": False}

        def refresh() -> Animation:
            return play_phases([], refresh=arrows)

        def untag(ticks: int, *extra: Animation) -> None:
            """Fade the close-up's point names out (with ``extra``) and take them off the zoom."""
            self.play_ticks(fade_out(tags), *extra, ticks=ticks)
            zoom.detach(*tags)
            state["tags"] = False

        def zoom_to(k: int | str | None, ticks: int, *extra: Animation) -> None:
            """Move the camera to step ``k``'s close-up (None: the whole plot), with ``extra``."""
            fades = []
            if k == state["zoomed"]:
                if extra:
                    self.play_ticks(*extra, ticks=ticks)
                return
            was = state["zoomed"]
            if state["tags"]:
                untag(8)
            fades += [fade_out(badges[was]) if was is not None else fade_out(tick_marks),
                      fade_in(badges[k]) if k is not None else fade_in(tick_marks)]
            self.play_ticks(zoom.show(views[k] if k is not None else None), *extra, refresh(), *fades, ticks=ticks)
            state["zoomed"] = k

        def act(k: int, close: bool) -> int:
            """Step ``k`` acted out: both −η∇L arrows grow where each gradient is taken, the heavy
            ball's moves to the tip of its carried −ηβv, the balls follow to the tips. Returns ticks."""
            grow, add, move = (20, 18, 24) if close else (8, 8, BRISK_ACT - 16)
            if k == 1 and close:
                grow, add, move = 24, 24, 30
            if k == 0:  # the opening step: v = 0, both take the same gradient step
                grow, add, move = 20, 0, 30
            ticks = 0
            if not close and state["zoomed"] is not None:  # back to the whole plot as the balls move on
                zoom_to(None, 30, driver.advance(k + 1))
                state["done"] = k + 1
                return 30
            if close and state["zoomed"] != k:
                zoom_to(k, 15)
                ticks += 15
            grown = play_phases([(g, *g.play(k, HIDDEN, GROWN)) for g in gradients])
            if state["tags"]:  # the names make room for the arrows
                untag(grow, grown)
            else:
                self.play_ticks(grown, ticks=grow)
            if close and k == 1 and "ring" in views:  # push in on the ring, hold, back out as the arrows add
                zoom_to("ring", 24)
                self.hold(12)
                zoom_to(1, 24, play_phases([(gradients[0], *gradients[0].play(k, GROWN, ADDED))]))
                ticks += 60
            elif np.any(heavy.carried[k] != 0):
                self.play_ticks(play_phases([(gradients[0], *gradients[0].play(k, GROWN, ADDED))]), ticks=add)
                ticks += add
            self.play_ticks(driver.advance(k + 1), ticks=move)
            for g in gradients:
                g.clear(k + 1)
            state["done"] = k + 1
            return ticks + grow + move

        def intact(step: int) -> bool:
            return all(r.diverged_at < 0 or r.diverged_at > step for r in self.runners)

        def run_to(end: int, planned_ticks: int) -> None:
            """Play from the current step to ``end``: the first steps acted out (while both runs hold
            and the caption's time allows), the rest at the planned pace."""
            start = state["done"]
            per_step = max(1, planned_ticks // (end - start)) if planned_ticks and end > start else DEFAULT_TICKS
            acted = [k for k in range(start, min(end, slow)) if intact(k + 1)]
            acted = acted[:next((i for i, k in enumerate(acted) if k != start + i), len(acted))]  # a run of steps
            limit = MAX_CAPTION_TICKS - 20  # this caption's stretch stays under the longest a caption may stay
            spent = 0
            for k in acted:
                reserve = (end - k - 1) + 30  # the rest at one tick a step at least, and a zoom-out
                if k in views and spent + (CLOSE_COST[0] if k == 1 else CLOSE_COST[1]) + reserve <= limit:
                    spent += act(k, True)
                elif spent + BRISK_ACT + reserve <= limit:
                    spent += act(k, False)
                else:
                    break
            if state["done"] < end:
                per_step = min(per_step, max(1, (limit - 30 - spent) // (end - state["done"])))
                if state["zoomed"] is not None:  # the camera pulls back while the race starts
                    first = min(end, state["done"] + max(1, round(30 / per_step)))
                    zoom_to(None, 30, driver.advance(first))
                    state["done"] = first
                if state["done"] < end:
                    self.play_ticks(driver.advance(end), ticks=(end - state["done"]) * per_step)
                state["done"] = end
            elif state["zoomed"] is not None and end >= slow:
                zoom_to(None, 30)

        planned = plan_story(self.story(), steps, self.ticks_per_step, 3, self.progress)
        closing = self.story()[-1][1]
        for index, beat in enumerate(planned):
            if beat.text is None:
                run_to(beat.end, beat.ticks)
                continue
            with self.beat(beat.text):
                if index == 0 and steps >= 1:  # the opening: the first step, the same for both (v = 0)
                    self.play_ticks(light(carried=DIM), ticks=10)
                    run_to(1, 0)
                elif index == 1 and 1 in views:  # the ring: the camera goes to step 1, the carried term lights
                    zoom_to(1, 36, light(carried=1.0, gradient=DIM))
                    zoom.attach(*tags, keep_size=True)  # drawn through the zoom while shown (no move then)
                    self.play_ticks(fade_in(tags), ticks=15)
                    state["tags"] = True
                elif index == 1:
                    self.play_ticks(light(carried=1.0, gradient=DIM), ticks=20)
                if index >= 1:
                    if lit["gradient"] < 1.0 and state["done"] < beat.end:
                        self.play_ticks(light(gradient=1.0), ticks=10)
                    run_to(beat.end, beat.ticks)
        with self.beat(closing, min_ticks=reading_ticks(closing) + 15):
            if lit["gradient"] < 1.0 or lit["carried"] < 1.0:
                self.play_ticks(light(gradient=1.0, carried=1.0), ticks=10)
            if state["zoomed"] is not None:
                zoom_to(None, 30)
            # the caption reads each run's loss in turn: a spotlight moves from one to the next
            self.read_out(ReadingSpotlight([Stop(runner.name, ball, [readout], runner.color) for ball, readout, runner
                                            in zip(balls, readouts, self.runners)], clip=plot.box), closing)

    def point_tags(self, plot: PlotFrame, view: style.Rect, tags: Sequence[tuple[np.ndarray, str, str]]) -> list[Text]:
        """Labels beside data points for the close-up ``view`` (drawn with keep_size through the
        zoom): each on the right of its point, or on its left where the right would leave the box."""
        scale = plot.box.width / view.width
        out = []
        for point, text, color in tags:
            tag = label(text, style.SMALL_SIZE, color)
            base = plot.to_scene(point)
            drawn_x = plot.box.x + scale * (base[0] - view.x)
            side = 1.0 if drawn_x + TAG_GAP + tag.width < plot.box.right - 0.1 else -1.0
            tag.move_to(base + np.array([side * (TAG_GAP + tag.width / 2) / scale, 0.0, 0.0]))
            out.append(tag.set_z_index(style.Z_LIVE_LABEL))
        return out

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
