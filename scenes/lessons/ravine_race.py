"""The ravine race: plain SGD against SGD + momentum on a narrow ravine (lesson beats 2 and 7).

Defaults are the lesson's own numbers: ``seed-ravine`` (A = diag(1, 25)), start (6, 6), SGD with
η = 0.08 and momentum with η = 0.02, β = 0.9, 60 steps. Render with ``ravine render ravine-race``
or plainly ``manim -ql scenes/lessons/ravine_race.py RavineRace``.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from manim import Animation, Cross, MathTex, VGroup, Write, smooth

from engine import analysis, claims, get_landscape, run, theory
from engine.verdict import Verdict, verdict
from scenes.kit import style
from scenes.kit.base import LessonScene, pace, plan_story, reading_ticks
from scenes.kit.fades import fade_out
from scenes.widgets.contours import landscape_backdrop
from scenes.kit.framing import View, bounded_prefix, clip_segment_to_view
from scenes.kit.params import (
    RACE,
    SceneSpec,
    batch_size_param,
    beta_param,
    landscape_param,
    lr_param,
    noise_param,
    seed_param,
    start_param,
    steps_param,
    view_param,
)
from scenes.widgets.race import Racer, axis_name, escape_label, frame_racers, noise_settings, race_legend, view_box
from scenes.widgets.aging_trail import AgingTrail
from scenes.widgets.core import (
    Ball,
    LossInset,
    ProgressivePath,
    StepDriver,
    SwapLabel,
    stack_in,
)
from scenes.widgets.step_parts import PartArrow, Tween, spread_offset, step_parts
from scenes.widgets.zoom import PlotZoom, bounding_rect
from scenes.widgets.spotlight import ReadingSpotlight, Stop

# The update's terms, each in the colour of its arrow in the close-up (and in the equations).
GRAD_COLOR = style.SERIES_COLORS[2]      # g: the new gradient
CARRY_COLOR = style.SERIES_COLORS[1]     # βv: the velocity carried over
VELOCITY_COLOR = style.SERIES_COLORS[3]  # v: their sum
STEP_COLOR = style.OPTIMIZER_COLORS["momentum"]  # −ηv: the step, drawn as the momentum run's trail
CLOSE_STEPS = 3      # momentum steps taken apart up close
LEAST_SEEN = 0.1     # a close-up's steps, magnified, span at least this share of the view
MAX_ZOOM = 6.0       # the close-up magnifies at most this much (steps that nearly vanish)
LEAST_ZOOM = 1.4     # a close-up that would magnify less than this keeps the whole plot
MATH_SIZE = 38       # the equations' font size
DIM = 0.3           # opacity of the equations' terms not being acted out
INSET_LEAST = 1.5    # the least height (scene units) the loss inset is drawn in (else readouts only)
CLOSING_TICKS = 4    # the closing caption's hold beyond its reading time
RACE_STEP_TICKS = 3  # ticks a step after the race's first beat (the fading trails keep long stretches readable)
Z_TRAIL, Z_FOCUS, Z_MINIMUM = style.Z_PATH, style.Z_PATH + 0.3, style.Z_PATH + 0.6


def loss_text(value: float) -> str:
    """A loss for a caption: three significant digits (450, 0.454, 1.39×10⁵)."""
    return style.fmt_short(float(f"{float(value):.3g}"))


def loss_change(before: float, after: float) -> str:
    """How a loss went over a stretch: "450 → 0.454", or "stays at 450" where it moved under 1%."""
    before, after = float(before), float(after)
    if abs(after - before) <= 0.01 * max(abs(before), abs(after)):
        return f"stays at {loss_text(after)}"
    return f"{loss_text(before)} → {loss_text(after)}"


def claims_tail(steps: int) -> int:
    """The step where a run's last quarter begins (what "still", "ends" and "keeps" are about)."""
    return max(0, steps - max(1, -(-steps // 4)))


class RavineRace(LessonScene):
    """SGD zig-zags across the steep axis and stalls; momentum overshoots once, then glides to the minimum."""

    TITLE = "The ravine race: SGD vs momentum"
    SPEC = SceneSpec(
        name="ravine-race",
        description="SGD zig-zags across a narrow ravine while momentum overshoots once, then glides to the minimum.",
        params=(
            landscape_param(RACE.landscape),
            start_param(RACE.start),
            lr_param("lr_sgd", RACE.lr_sgd, "SGD"),
            lr_param("lr_momentum", RACE.lr_momentum, "momentum"),
            beta_param(RACE.beta),
            steps_param(RACE.steps),
            noise_param(0.0),
            batch_size_param(None),
            seed_param(0),
            view_param(),
        ),
    )

    # -- engine ----------------------------------------------------------------------------
    def compute(self) -> None:
        """Run both optimizers in one batched engine call (they share any noise draws)."""
        p = self.params
        self.landscape = get_landscape(p["landscape"])
        self.start = np.asarray(p["start"], dtype=float)
        trajectory = run(
            self.landscape,
            "momentum",
            lr=np.array([p["lr_sgd"], p["lr_momentum"]]),
            beta=np.array([0.0, p["beta"]]),
            steps=p["steps"],
            start=self.start,
            **noise_settings(p, self.landscape),
        )
        self.trajectory = trajectory
        self.racers = [
            Racer("gd", "SGD", trajectory.theta[:, 0], trajectory.loss[:, 0], int(trajectory.diverged_at[0])),
            Racer("momentum", "momentum", trajectory.theta[:, 1], trajectory.loss[:, 1], int(trajectory.diverged_at[1])),
        ]
        self.axes = analysis.principal_axes(self.landscape)
        self.close_steps = self.close_up_steps()
        lam_min, lam_max = float(self.axes.eigenvalues[0]), float(self.axes.eigenvalues[-1])
        self.record_constant("lambda_min", lam_min)
        self.record_constant("lambda_max", lam_max)
        self.record_constant("gd_stability_bound", theory.gd_stability_bound(lam_max))
        self.record_constant("heavy_ball_stability_bound", theory.heavy_ball_stability_bound(lam_max, p["beta"]))
        self.record_constant("effective_step_multiplier", theory.effective_step_multiplier(p["beta"]))
        self.record_constant("sgd_contraction_steep", theory.gd_contraction(p["lr_sgd"], lam_max))
        self.record_constant("sgd_contraction_shallow", theory.gd_contraction(p["lr_sgd"], lam_min))
        self.record_constant("momentum_rate", max(theory.heavy_ball_rate(p["lr_momentum"], p["beta"], lam)
                                                  for lam in self.axes.eigenvalues))

    def close_up_steps(self) -> int:
        """How many of momentum's first steps are taken apart up close: up to :data:`CLOSE_STEPS`,
        only whole steps before any divergence, none where the first step would be too small to
        see even magnified :data:`MAX_ZOOM` times (it starts at the minimum, or η is tiny)."""
        mom = self.racers[1]
        count = min(CLOSE_STEPS, self.params["steps"])
        if mom.diverged_at >= 0:
            count = min(count, max(0, mom.diverged_at - 1))
        if count == 0:
            return 0
        view = self.frame()[0]
        moved = np.abs(mom.theta[1:count + 1] - mom.theta[:count]) / np.array([view.width, view.height])
        return count if float(moved.max()) * MAX_ZOOM >= LEAST_SEEN else 0

    def close_up_texts(self) -> list[str]:
        """The close-up's captions: the first step, then the steps that carry a velocity."""
        count, beta = self.close_steps, float(self.params["beta"])
        texts = []
        if count >= 1:
            texts.append("Up close (arrows × −η): v starts at 0, so momentum's first step is plain gradient descent.")
        if count >= 2:
            texts.append(f"Next, β = {style.fmt_short(beta)} of v carries over and the new g adds tip to tail.")
        return texts

    def natural_view(self) -> View:
        """The view fitted to this run's racers (see :func:`frame_racers`)."""
        self.compute()
        return frame_racers(self.racers, self.start, np.asarray(self.landscape.minimizer, dtype=float),
                            self.rates())[0]

    def default_highlights(self) -> dict[str, str]:
        return {
            "SGD": style.OPTIMIZER_COLORS["gd"],
            "SGD with momentum": style.OPTIMIZER_COLORS["momentum"],  # the momentum run, not plain SGD
            "Momentum": style.OPTIMIZER_COLORS["momentum"],
            "momentum": style.OPTIMIZER_COLORS["momentum"],
        }

    # -- captions (facts from the engine) --------------------------------------------------
    def rates(self) -> list[float]:
        """Each racer's per-step factor over the landscape's curvatures (theory, at the minimum)."""
        p, lam = self.params, self.axes.eigenvalues
        return [float(max(theory.heavy_ball_rate(lr, beta, value) for value in lam))
                for lr, beta in ((p["lr_sgd"], 0.0), (p["lr_momentum"], p["beta"]))]

    def frame(self) -> tuple[View, list[bool], list[int | None]]:
        """The plot's view (fitted to the racers, or the ``view`` parameter), whether each racer
        escapes the fitted view, and the first step each racer is outside the view (None: never)."""
        minimizer = np.asarray(self.landscape.minimizer, dtype=float)
        view, escaping = frame_racers(self.racers, self.start, minimizer, self.rates())
        if self.params["view"] is not None:
            view = View(*self.params["view"])
        exits = [claims.leaves_view(r.theta, view_box(view)).get("step") for r in self.racers]
        return view, escaping, exits

    def progress(self, start: int, end: int) -> str:
        """A caption for a long stretch of the race: both losses over steps ``start`` … ``end``."""
        parts = [f"{racer.name}'s loss {loss_change(racer.loss[start], racer.loss[end])}" for racer in self.racers]
        return f"Steps {start}–{end}: " + ", ".join(parts) + "."

    def ticks_per_step(self, start: int, span: int, text: str) -> int:
        ends = [r.diverged_at for r in self.racers]
        if min(ends) >= 0 and max(ends) <= start + span // 4:  # both runs stopped: nothing moves
            return 1
        return pace(text, span, style.DEFAULT_STEP_TICKS * 2 if start == 0 else RACE_STEP_TICKS, 3, 12)

    def intro(self) -> str:
        digits = 0 if np.allclose(self.start, np.round(self.start)) else 2
        return (f"Same {'bowl' if self.axes.round else 'ravine'}, same start {style.fmt_point(self.start, digits)}: "
                f"plain SGD against SGD with momentum, {style.count(self.params['steps'], 'step')} each.")

    def narration(self) -> list[str]:
        """Every caption in the order it plays (long stretches cut as :func:`plan_story` cuts them)."""
        self.compute()
        beats = self.story()
        planned = plan_story(beats, self.params["steps"], self.ticks_per_step, 3, self.progress)
        return ([self.intro()] + self.close_up_texts() + [b.text for b in planned if b.text is not None]
                + [beats[-1][1]])

    def story(self) -> list[tuple[int, str]]:
        """The race's beats as (end step, caption), in order; the last beat ends at the final step.

        Every qualitative word is an :mod:`engine.claims` predicate on the run it names,
        registered with :meth:`claim`; where a predicate is false, another sentence is said."""
        p, steps = self.params, self.params["steps"]
        sgd, mom = self.racers
        minimizer = np.asarray(self.landscape.minimizer, dtype=float)
        lam_max = float(self.axes.eigenvalues[-1])
        steep = axis_name(self.axes.steep, "steep")
        shallow = axis_name(self.axes.shallow, "shallow")
        sgd_coords = self.axes.coordinates(sgd.theta)
        mom_coords = self.axes.coordinates(mom.theta)
        sgd_rate, mom_rate = self.rates()
        sgd_div = claims.diverges(sgd.diverged_at, sgd_rate)
        mom_div = claims.diverges(mom.diverged_at, mom_rate)
        beats: list[tuple[int, str]] = []

        round_bowl = self.axes.round  # no steep or shallow axis: say "the minimum" instead
        across = "the minimum" if round_bowl else f"the {steep}"
        first = min(steps, 6)
        zig = claims.zigzags(sgd_coords[:, -1], 0, first)
        swing = float(theory.gd_contraction(p["lr_sgd"], lam_max))
        if sgd_div and verdict(swing).diverges:
            self.claim("diverges", "SGD", sgd_div)
            bound = float(theory.gd_stability_bound(lam_max))
            text = (f"SGD's η = {style.fmt_short(p['lr_sgd'])} is above 2/λmax = {style.fmt_short(bound)}: "
                    f"each swing across {across} grows ×{style.fmt_ratio(swing)}, so it diverges.")
        elif zig:
            self.claim("zigzags", "SGD", zig)
            every = "every" if zig.get("flips") == zig.get("steps") else "almost every"
            text = f"SGD zig-zags across {across}, flipping sides on {every} step."
            if verdict(swing) is Verdict.STEADY:
                text += " Here |1 − ηλmax| = 1, so the swing never shrinks."
        elif sgd_div:
            self.claim("diverges", "SGD", sgd_div)
            text = f"SGD's swings grow ×{style.fmt_ratio(sgd_rate)} per step: it diverges."
        elif round_bowl:
            text = "SGD heads straight for the minimum: on a round bowl the gradient points right at it."
        else:
            text = f"SGD heads down the {steep} first: that is where the gradient is largest."
        beats.append((first, text))

        shot = claims.overshoots(mom_coords[:, 0])
        steep_shot = claims.overshoots(mom_coords[:, -1])
        if mom_div:
            self.claim("diverges", "momentum", mom_div)
            if verdict(mom_rate).diverges:
                bound = float(theory.heavy_ball_stability_bound(lam_max, p["beta"]))
                text = (f"Momentum's η = {style.fmt_short(p['lr_momentum'])} is above (2 + 2β)/λmax = "
                        f"{style.fmt_short(bound)}: its swings grow ×{style.fmt_ratio(mom_rate)} per step and it diverges.")
            else:
                text = f"Momentum diverges at step {mom.diverged_at}: its steps carry it out of bounds."
            second = min(steps, first + 10)
        elif shot:
            self.claim("overshoots", "momentum", shot)
            crossing = shot.get("step")
            text = (f"Momentum overshoots: the velocity it built up carries it past the minimum at step {crossing}."
                    if round_bowl else
                    f"Momentum overshoots: the velocity it built up carries it past the valley floor "
                    f"along the {shallow} at step {crossing}.")
            second = min(steps, max(first + 6, crossing + 4))
        elif steep_shot:
            self.claim("overshoots", "momentum", steep_shot)
            at = steep_shot.get("step")
            tail = np.abs(mom_coords[claims_tail(steps):, -1])
            calm = bool(tail.size) and float(tail.max()) < steep_shot.get("swing")
            text = f"Momentum overshoots across the {steep} at step {at}" + (
                ", then its swings die down." if calm else ".")
            second = min(steps, max(first + 6, at + 4))
        else:
            text = "Momentum builds speed: each step adds the new gradient to β times the old velocity."
            second = min(steps, first + 10)
        if second > first:
            beats.append((second, text))

        if steps > second:
            beats.append((steps, self.verdict_text(sgd_rate, mom_rate, minimizer)))

        view, escaping, exits = self.frame()
        parts = []
        for racer, rate, exit_step in zip(self.racers, (sgd_rate, mom_rate), exits):
            gone = claims.leaves_view(racer.theta, view_box(view))
            fate = claims.diverges(racer.diverged_at, rate)
            if gone:  # where it left, and what became of it (its loss is in the readouts)
                self.claim("leaves the view", racer.name, gone)
                if fate:
                    self.claim("diverges", racer.name, fate)
                end = (f"diverged at step {racer.diverged_at}" if racer.diverged_at >= 0 else
                       "is diverging" if fate else f"ends at {style.fmt_point(racer.theta[-1])}")
                parts.append(f"{racer.name} left the view at step {exit_step} and {end}")
            elif racer.diverged_at >= 0:
                self.claim("diverges", racer.name, fate)
                parts.append(f"{racer.name} diverged at step {racer.diverged_at}")
            elif fate:
                self.claim("diverges", racer.name, fate)
                parts.append(f"{racer.name} is diverging: loss {style.fmt_short(float(racer.loss[0]))} → "
                             f"{style.fmt_short(float(racer.loss[-1]))}")
            else:
                parts.append(f"{racer.name} ends at {style.fmt_point(racer.theta[-1])}")
        beats.append((steps, f"After {style.count(steps, 'step')}: " + "; ".join(parts) + "."))
        return beats

    def verdict_text(self, sgd_rate: float, mom_rate: float, minimizer: np.ndarray) -> str:
        """The long run: how SGD fails (or not) and whether momentum glides, from the predicates."""
        p, steps = self.params, self.params["steps"]
        sgd, mom = self.racers
        lam_min, lam_max = float(self.axes.eigenvalues[0]), float(self.axes.eigenvalues[-1])
        steep = axis_name(self.axes.steep, "steep")
        shallow = axis_name(self.axes.shallow, "shallow")
        round_bowl = self.axes.round
        sgd_coords = self.axes.coordinates(sgd.theta)
        sgd_div = claims.diverges(sgd.diverged_at, sgd_rate)
        if claims.diverges(mom.diverged_at, mom_rate):
            settled = [claims.settles(claims.distance(r.theta, minimizer), diverged_at=r.diverged_at)
                       for r in self.racers]
            if any(settled):  # started on the minimum: a growing swing of nothing is nothing
                still = [r.name for r, found in zip(self.racers, settled) if found]
                for r, found in zip(self.racers, settled):
                    if found:
                        self.claim("settles", r.name, found)
                return (f"{' and '.join(still)} {'settle' if len(still) > 1 else 'settles'} at once: "
                        f"from the minimum itself there is no swing to grow.")
            for racer, found in zip(self.racers, settled):
                self.claim("settles", racer.name, found, says=False)
            if sgd_div:
                return (f"Neither settles: swings grow ×{style.fmt_ratio(mom_rate)} per step for momentum, "
                        f"×{style.fmt_ratio(sgd_rate)} for SGD.")
            return f"Momentum's swings keep growing ×{style.fmt_ratio(mom_rate)} per step: it will not settle."

        # SGD's part: diverging, settled, stalled (and why), crawling, or just where it got to
        steep_swing = float(theory.gd_contraction(p["lr_sgd"], lam_max))
        sgd_settle = claims.settles(claims.distance(sgd.theta, minimizer))
        stall = claims.stalls(sgd.loss, diverged_at=sgd.diverged_at)
        crawl = claims.crawls(sgd_coords[:, 0])
        zig = claims.zigzags(sgd_coords[:, -1], claims_tail(steps))
        if sgd_div:
            self.claim("diverges", "SGD", sgd_div)
            sgd_text = f"SGD's swings grow ×{style.fmt_ratio(sgd_rate)} per step"
        elif sgd_settle:
            self.claim("settles", "SGD", sgd_settle)
            sgd_text = f"SGD settles on the minimum by step {int(sgd_settle.get('step'))}"
        elif stall:
            self.claim("stalls", "SGD", stall)
            sgd_text = f"SGD stalls at L = {loss_text(stall.get('loss'))}"
            amplitude = style.fmt_short(float(f"{zig.get('amplitude'):.2g}"))
            if not round_bowl and zig:
                self.claim("zigzags", "SGD", zig)
                if verdict(steep_swing) is Verdict.STEADY:
                    sgd_text += f": at η = 2/λmax the {steep} swings ±{amplitude} forever"
                else:
                    sgd_text += f": the {steep} still swings ±{amplitude}"
        elif not round_bowl and crawl:
            self.claim("crawls", "SGD", crawl)
            sgd_text = (f"SGD crawls along the {shallow}, shrinking it by only "
                        f"×{style.fmt_ratio(float(theory.gd_contraction(p['lr_sgd'], lam_min)))} per step")
        else:
            sgd_text = f"SGD ends at L = {loss_text(float(sgd.loss[-1]))}"

        # momentum's part: glides, settles, keeps overshooting, or just where it got to
        glide = claims.glides(mom.theta, mom.loss, sgd.loss, minimizer, mom.diverged_at, mom_rate)
        mom_settle = claims.settles(claims.distance(mom.theta, minimizer))
        far = float(claims.distance(mom.theta[-1], minimizer))
        swinging = claims.overshoots(self.axes.coordinates(mom.theta)[:, 0], claims_tail(steps))
        if glide:
            self.claim("glides", "momentum", glide)
            mom_text = "momentum glides to the minimum" if round_bowl else "momentum glides down the valley"
        elif mom_settle:
            self.claim("settles", "momentum", mom_settle)
            mom_text = f"momentum settles on the minimum by step {int(mom_settle.get('step'))}"
        elif swinging:
            self.claim("overshoots", "momentum", swinging)
            floor = "the minimum" if round_bowl else "the floor"
            mom_text = (f"momentum still overshoots {floor}: it ends {style.fmt_short(float(f'{far:.2g}'))} "
                        f"from the minimum")
        else:
            mom_text = (f"momentum ends {style.fmt_short(float(f'{far:.2g}'))} from the minimum, "
                        f"at L = {loss_text(float(mom.loss[-1]))}")
        return f"{sgd_text}; {mom_text}."

    # -- drawing ---------------------------------------------------------------------------
    def construct(self) -> None:
        self.compute()
        layout, steps = self.layout, self.params["steps"]
        view, _, _ = self.frame()
        fitted = self.params["view"] is None  # a view given by the caller may cut any run
        self.framed_runs = [(r.name, r.theta, view_box(view), bool(claims.diverges(r.diverged_at, rate)) or not fitted)
                            for r, rate in zip(self.racers, self.rates())]

        # Setting: title, plot, contours, minimum (its mark also drawn above the trails)
        self.title(self.TITLE)
        plot, backdrop = landscape_backdrop(self.landscape, view, layout.plot)
        self.add(*backdrop[:2])  # the minimum's cross is drawn above the trails instead
        minimizer = np.asarray(self.landscape.minimizer, dtype=float)
        marks = []
        if view.contains(minimizer):
            marks.append(Cross(scale_factor=0.09, stroke_color=style.MINIMUM, stroke_width=3)
                         .move_to(plot.to_scene(minimizer)).set_z_index(Z_MINIMUM))
            self.add(*marks)

        # Racers: trails that fade with age, balls, escape marks
        moving, balls, paths, exits, self.trails = [], [], [], [], []
        for racer in self.racers:
            points = plot.to_scene(racer.theta)
            last_inside = bounded_prefix(racer.theta, view)
            if last_inside < steps:
                exit_point = clip_segment_to_view(racer.theta[last_inside], racer.theta[last_inside + 1], view)
                points[last_inside + 1:] = plot.to_scene(exit_point)
                exits.append((racer, last_inside + 1, plot.to_scene(exit_point)))
            paths.append(points)
            trail = AgingTrail(points, racer.color)
            self.trails.append(trail)
            balls.append(Ball(points, racer.color))
            moving += [trail, balls[-1]]
        escapes: list[SwapLabel] = []
        for racer, exit_step, exit_point in exits:  # labels clear of every path and of each other
            what = f"diverged (step {racer.diverged_at})" if racer.diverged_at >= 0 else "off the chart"
            escapes.append(escape_label(f"{racer.name}: {what}", exit_step, exit_point, plot.box, racer.color,
                                        clear_of=escapes, beside=True, avoid=paths))

        # Panel: legend with each optimizer's update, step counter, loss readouts, loss inset
        panel = layout.panel
        p = self.params
        legend = race_legend(p, panel.width)
        self.equations = self.update_equations()
        sgd_eq, v_eq, theta_eq = self.equations
        y = stack_in(panel, [legend[0], sgd_eq, legend[1], v_eq, theta_eq], panel.top - 0.05, buff=0.12)
        self.add(*legend)
        counter = SwapLabel(lambda k: f"step {min(k, steps)} / {steps}", [panel.left, y - 0.35, 0])
        readouts = [
            SwapLabel(lambda k, r=racer: f"L = {style.fmt(float(r.loss[min(k, steps)]), 4)}",
                      [panel.left + 0.15, y - 0.85 - 0.42 * i, 0], size=style.SMALL_SIZE, color=racer.color)
            for i, racer in enumerate(self.racers)
        ]
        widgets = moving + escapes + [counter, *readouts]
        inset_top = y - 0.85 - 0.42 * len(self.racers) - 0.1
        if inset_top - panel.bottom >= INSET_LEAST:  # a portrait panel keeps its readouts, not the chart
            inset_rect = style.Rect(panel.x, (inset_top + panel.bottom) / 2, panel.width, inset_top - panel.bottom)
            widgets.append(LossInset(inset_rect, [(r.loss, r.color) for r in self.racers], steps))
        driver = StepDriver(widgets)
        self.add(*driver.widgets)
        zoom = PlotZoom(plot.box)
        zoom.attach(backdrop[0], *marks, *moving)

        # Beats: the update written out, momentum's first steps taken apart up close, the race
        with self.beat(self.intro()):
            self.play_ticks(Write(sgd_eq), ticks=30)
            self.play_ticks(Write(v_eq), Write(theta_eq), ticks=40)
        # the closing caption reads the racers in order: a spotlight moves from one to the next
        spotlight = ReadingSpotlight([Stop(racer.name, ball, [readout], racer.color)
                                      for ball, readout, racer in zip(balls, readouts, self.racers)], clip=plot.box)
        self.play_race(driver, self.story(), steps, first=self.close_up(plot, zoom, counter, readouts),
                       spotlight=spotlight)

    def update_equations(self) -> list[MathTex]:
        """θ ← θ − ηg for SGD, v ← βv + g and θ ← θ − ηv for momentum, each term in its arrow's colour."""
        sgd = MathTex(r"\theta", r"\leftarrow", r"\theta", r"-\eta", r"g", font_size=MATH_SIZE, color=style.TEXT)
        velocity = MathTex(r"v", r"\leftarrow", r"\beta v", r"+", r"g", font_size=MATH_SIZE, color=style.TEXT)
        position = MathTex(r"\theta", r"\leftarrow", r"\theta", r"-\eta v", font_size=MATH_SIZE, color=style.TEXT)
        sgd[4].set_color(GRAD_COLOR)
        velocity[0].set_color(VELOCITY_COLOR)
        velocity[2].set_color(CARRY_COLOR)
        velocity[4].set_color(GRAD_COLOR)
        position[3].set_color(STEP_COLOR)
        for eq in (sgd, velocity, position):
            eq.set_z_index(style.Z_LABEL)
        self.term_opacity: list[float] = []  # the momentum equations' terms' opacities as last lit
        self.terms = {"carried": velocity[2], "push": velocity[4], "total": velocity[0], "step": position[3]}
        return [sgd, velocity, position]

    def light(self, lit: str | None) -> Animation:
        """The momentum equations' terms brightening to show which one is acted out (``lit``; None:
        every term at full strength)."""
        parts = [part for eq in self.equations[1:] for part in eq]
        start = list(self.term_opacity) if self.term_opacity else [1.0] * len(parts)
        end = [1.0 if lit is None or part is self.terms[lit] else DIM for part in parts]
        self.term_opacity = end

        def update(_mob, alpha: float) -> None:
            for part, a, b in zip(parts, start, end):
                part.set_fill(opacity=a + (b - a) * alpha)

        return Tween(VGroup(*self.equations[1:]), update, rate_func=smooth)

    def close_rect(self, zoom: PlotZoom, points: list[np.ndarray]) -> style.Rect | None:
        """The base-coordinate rectangle a close-up of ``points`` shows (None: the whole plot,
        where the steps already fill it)."""
        box = zoom.box
        rect = bounding_rect(points)
        sides = [(box.width, rect.width * 1.5), (box.height, rect.height * 1.5)]  # room around the step
        scale = min([MAX_ZOOM] + [room / side for room, side in sides if side > 1e-12])
        if scale < LEAST_ZOOM:
            return None
        # keep the view inside the plot: contours cover only the view
        width, height = box.width / scale, box.height / scale
        x = float(np.clip(rect.x, box.left + width / 2, box.right - width / 2))
        y = float(np.clip(rect.y, box.bottom + height / 2, box.top - height / 2))
        return style.Rect(x, y, width, height)

    def close_up(self, plot, zoom: PlotZoom, counter, readouts: list) -> Callable[[], None] | None:
        """Momentum's first steps taken apart: the carried βv (the last step shrunk by β, slid to
        the ball), the new g tip to tail, their sum v, then the ball moving by −ηv. The step
        counter and momentum's loss readout follow the close-up's steps (SGD's, still at step 0,
        is dimmed). Returns what brings the whole plot and the panel back to step 0 (played under
        the race's first caption)."""
        count = self.close_steps
        if count == 0:
            return None
        p, mom = self.params, self.racers[1]
        traj = self.trajectory
        parts = [step_parts(plot.to_scene, traj.theta[:, 1], traj.velocity[:, 1], traj.grad[:, 1],
                            float(p["lr_momentum"]), float(p["beta"]), k) for k in range(count)]
        rects = [self.close_rect(zoom, [part.start, part.carried, part.end]) for part in parts]
        points = plot.to_scene(mom.theta)
        demo_path, demo_ball = ProgressivePath(points, STEP_COLOR), Ball(points, STEP_COLOR)
        demo_path.set_z_index(Z_FOCUS)
        carried, push, total = PartArrow(CARRY_COLOR), PartArrow(GRAD_COLOR), PartArrow(VELOCITY_COLOR)
        demo = StepDriver([demo_path, demo_ball])
        self.add(demo_path, carried, push, total, demo_ball)
        zoom.attach(demo_path, demo_ball, carried, push, total)
        ticks = Dimmer(plot.submobjects[1:])  # tick marks and labels lie while zoomed
        follow = StepDriver([counter, readouts[1]])  # the panel reads the close-up's step
        waiting = Dimmer([readouts[0]])  # SGD has not moved
        texts = self.close_up_texts()

        def take_step(k: int) -> None:
            part = parts[k]
            offset = spread_offset(part, zoom.state_for(rects[k]).scale)
            if k == 0:
                self.play_ticks(zoom.show(rects[0]), ticks.to(0.0), waiting.to(0.35), self.light(None), ticks=24)
                self.play_ticks(self.light("push"), push.grow(part.start + offset, part.end + offset), ticks=18)
            else:
                # the last step, shrunk by β, slides to the ball: the velocity carried over
                carried.hue = VELOCITY_COLOR
                carried.set_color(VELOCITY_COLOR)
                carried.put(total.tail, total.tip)
                total.hide()
                self.play_ticks(zoom.show(rects[k]), self.light("carried"),
                                carried.glide(part.start + offset, part.carried + offset, CARRY_COLOR), ticks=13)
                self.play_ticks(self.light("push"), push.grow(part.carried + offset, part.end + offset), ticks=10)
            self.play_ticks(self.light("total"), total.grow(part.start, part.end), ticks=10 if k else 14)
            self.play_ticks(self.light("step"), demo.advance(k + 1), follow.advance(k + 1), carried.fade(), push.fade(),
                            ticks=12 if k else 18)

        with self.beat(texts[0]):
            take_step(0)
        if count > 1:
            with self.beat(texts[1]):
                for k in range(1, count):
                    take_step(k)

        def back() -> None:
            self.play_ticks(zoom.reset(), ticks.to(1.0), waiting.to(1.0), follow.advance(0), self.light(None),
                            fade_out(demo_path, demo_ball, total), ticks=20)
            zoom.detach(demo_path, demo_ball, carried, push, total)
            self.remove(carried, push)

        return back

    def play_race(self, driver: StepDriver, beats: list[tuple[int, str]], steps: int,
                  first: Callable[[], None] | None = None, spotlight: ReadingSpotlight | None = None) -> None:
        """:meth:`LessonScene.play_story`, with the run a caption speaks of drawn on top; ``first``
        plays under the first caption before the race moves (the close-up's zoom back out);
        ``spotlight`` moves from racer to racer as the closing caption reads them."""
        for planned in plan_story(beats, steps, self.ticks_per_step, 3, self.progress):
            if planned.text is not None:
                self.focus(planned.text)
            if planned.text is None:  # plays on under the caption before it
                self.play_ticks(driver.advance(planned.end), ticks=planned.ticks)
                continue
            with self.beat(planned.text):
                if first is not None:
                    first()
                    first = None
                if planned.ticks > 0 and planned.end > planned.start:
                    self.play_ticks(driver.advance(planned.end), ticks=planned.ticks)
        closing = beats[-1][1]
        self.focus(closing)
        with self.beat(closing, min_ticks=reading_ticks(closing) + CLOSING_TICKS):
            if spotlight is not None:
                self.read_out(spotlight, closing)

    def focus(self, text: str) -> None:
        """Draw the trail of the run ``text`` opens with above the other (momentum by default)."""
        sgd_first = text.startswith("SGD")
        self.trails[0].set_focus(Z_FOCUS if sgd_first else Z_TRAIL)
        self.trails[1].set_focus(Z_TRAIL if sgd_first else Z_FOCUS)




class Dimmer:
    """Fades a set of static parts (a plot's tick marks and labels) to a share of their opacity
    and back, as one animation on the parts' own opacities."""

    def __init__(self, parts: list) -> None:
        self.group = VGroup(*parts)
        self.saved = [(m, float(m.get_fill_opacity()), float(m.get_stroke_opacity()))
                      for part in parts for m in part.family_members_with_points()]
        self.share = 1.0

    def to(self, share: float) -> Animation:
        """Fade from the current share of the parts' opacity to ``share``."""
        start, self.share = self.share, share

        def update(_mob, alpha: float) -> None:
            now = start + (share - start) * alpha
            for m, fill, stroke in self.saved:
                m.set_fill(opacity=fill * now)
                m.set_stroke(opacity=stroke * now)

        return Tween(self.group, update, rate_func=smooth)
