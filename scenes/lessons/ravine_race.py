"""The ravine race: plain SGD against SGD + momentum on a narrow ravine (lesson beats 2 and 7).

Defaults are the lesson's own numbers: ``seed-ravine`` (A = diag(1, 25)), start (6, 6), SGD with
η = 0.08 and momentum with η = 0.02, β = 0.9, 60 steps. Render with ``ravine render ravine-race``
or plainly ``manim -ql scenes/lessons/ravine_race.py RavineRace``.
"""

from __future__ import annotations

import numpy as np

from engine import analysis, get_landscape, run, theory
from engine.verdict import Verdict, verdict
from scenes.kit import style
from scenes.kit.base import LessonScene, pace
from scenes.widgets.contours import landscape_backdrop
from scenes.kit.framing import View, bounded_prefix, clip_segment_to_view
from scenes.kit.params import (
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
from scenes.widgets.race import Racer, axis_name, escape_label, frame_racers, noise_settings
from scenes.widgets.core import (
    Ball,
    LossInset,
    ProgressivePath,
    StepDriver,
    SwapLabel,
    legend_row,
    stack_in,
)


class RavineRace(LessonScene):
    """SGD zig-zags and crawls; momentum overshoots once, then glides to the minimum."""

    TITLE = "The ravine race: SGD vs momentum"
    SPEC = SceneSpec(
        name="ravine-race",
        description="SGD zig-zags across a narrow ravine while momentum overshoots once, then glides to the minimum.",
        params=(
            landscape_param("seed-ravine"),
            start_param((6.0, 6.0)),
            lr_param("lr_sgd", 0.08, "SGD"),
            lr_param("lr_momentum", 0.02, "momentum"),
            beta_param(0.9),
            steps_param(60),
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

    def natural_view(self) -> View:
        """The view fitted to this run's racers (see :func:`frame_racers`)."""
        self.compute()
        return frame_racers(self.racers, self.start, np.asarray(self.landscape.minimizer, dtype=float))[0]

    def default_highlights(self) -> dict[str, str]:
        return {
            "SGD": style.OPTIMIZER_COLORS["gd"],
            "SGD with momentum": style.OPTIMIZER_COLORS["momentum"],  # the momentum run, not plain SGD
            "Momentum": style.OPTIMIZER_COLORS["momentum"],
            "momentum": style.OPTIMIZER_COLORS["momentum"],
        }

    # -- captions (facts from the engine) --------------------------------------------------
    def story(self) -> list[tuple[int, str]]:
        """The race's beats as (end step, caption), in order; the last beat ends at the final step."""
        p, steps = self.params, self.params["steps"]
        sgd, mom = self.racers
        lam_min, lam_max = float(self.axes.eigenvalues[0]), float(self.axes.eigenvalues[-1])
        steep = axis_name(self.axes.steep, "steep")
        shallow = axis_name(self.axes.shallow, "shallow")
        sgd_coords = self.axes.coordinates(sgd.theta)
        mom_coords = self.axes.coordinates(mom.theta)
        beats: list[tuple[int, str]] = []

        round_bowl = self.axes.round  # no steep or shallow axis: say "the minimum" instead
        across = "the minimum" if round_bowl else f"the {steep}"
        first = min(steps, 6)
        flips = analysis.sign_flips(sgd_coords[:, -1], 0, first)
        swing = float(theory.gd_contraction(p["lr_sgd"], lam_max))
        if verdict(swing).diverges:
            bound = float(theory.gd_stability_bound(lam_max))
            text = (f"SGD's η = {style.fmt_short(p['lr_sgd'])} is above 2/λmax = {style.fmt_short(bound)}: "
                    f"each swing across {across} grows ×{style.fmt_ratio(swing)}, so it diverges.")
        elif flips >= max(1, first - 1):
            text = f"SGD zig-zags across {across}, flipping sides on every step."
            if verdict(swing) is Verdict.STEADY:
                text += " Here |1 − ηλmax| = 1, so the swing never shrinks."
        elif round_bowl:
            text = "SGD heads straight for the minimum: on a round bowl the gradient points right at it."
        else:
            text = f"SGD heads down the {steep} first: that is where the gradient is largest."
        beats.append((first, text))

        crossing = analysis.first_crossing(mom_coords[:, 0])
        steep_crossing = analysis.first_crossing(mom_coords[:, -1])
        mom_rate = float(theory.heavy_ball_rate(p["lr_momentum"], p["beta"], lam_max))
        if verdict(mom, rate=mom_rate).diverges:
            bound = float(theory.heavy_ball_stability_bound(lam_max, p["beta"]))
            text = (f"Momentum's η = {style.fmt_short(p['lr_momentum'])} is above (2 + 2β)/λmax = "
                    f"{style.fmt_short(bound)}: its swings grow ×{style.fmt_ratio(mom_rate)} per step and it diverges.")
            second = min(steps, first + 10)
        elif crossing is not None and crossing <= steps:
            text = (f"Momentum overshoots: the velocity it built up carries it past the minimum at step {crossing}."
                    if round_bowl else
                    f"Momentum overshoots: the velocity it built up carries it past the valley floor "
                    f"along the {shallow} at step {crossing}.")
            second = min(steps, max(first + 6, crossing + 4))
        elif steep_crossing is not None and steep_crossing <= steps:
            text = f"Momentum overshoots across the {steep} at step {steep_crossing}, then its swings die down."
            second = min(steps, max(first + 6, steep_crossing + 4))
        else:
            text = "Momentum builds speed: each step adds the new gradient to β times the old velocity."
            second = min(steps, first + 10)
        if second > first:
            beats.append((second, text))

        if steps > second:
            crawl = float(theory.gd_contraction(p["lr_sgd"], lam_min))
            sgd_stable = not verdict(sgd, rate=swing).diverges
            mom_stable = not verdict(mom, rate=mom_rate).diverges
            momentum_ahead = bool(mom.loss[-1] < sgd.loss[-1])
            if not mom_stable:  # lower loss than SGD at most because it grows more slowly
                text = (f"Neither settles: swings grow ×{style.fmt_ratio(mom_rate)} per step for momentum, "
                        f"×{style.fmt_ratio(swing)} for SGD." if not sgd_stable else
                        f"Momentum's swings keep growing ×{style.fmt_ratio(mom_rate)} per step: it will not settle.")
            elif sgd_stable and verdict(crawl).converges and round_bowl:
                text = f"SGD closes in on the minimum, its distance shrinking ×{style.fmt_ratio(crawl)} per step"
                text += ", and momentum keeps up." if momentum_ahead else "."
            elif sgd_stable and verdict(crawl).converges:
                text = f"SGD crawls along the {shallow}, shrinking it by only ×{style.fmt_ratio(crawl)} per step"
                text += ", while momentum glides down the valley." if momentum_ahead else "."
            elif momentum_ahead and round_bowl:
                text = "Momentum settles on the minimum."
            elif momentum_ahead:
                text = "Momentum glides down the valley: persistent slope builds speed, the zig-zag averages away."
            else:
                floor = "the minimum" if round_bowl else "the floor"
                text = f"With these settings momentum is not ahead: its velocity keeps carrying it past {floor}."
            beats.append((steps, text))

        parts = []
        for racer in self.racers:
            if racer.diverged_at >= 0:
                parts.append(f"{racer.name} diverged at step {racer.diverged_at}")
            elif racer.loss[-1] > racer.loss[0]:
                parts.append(f"{racer.name} is diverging: loss {style.fmt_short(float(racer.loss[0]))} → "
                             f"{style.fmt_short(float(racer.loss[-1]))}")
            else:
                parts.append(f"{racer.name} ends at {style.fmt_point(racer.theta[-1])}")
        beats.append((steps, f"After {style.count(steps, 'step')}: " + "; ".join(parts) + "."))
        return beats

    # -- drawing ---------------------------------------------------------------------------
    def construct(self) -> None:
        self.compute()
        layout, steps = self.layout, self.params["steps"]
        minimizer = np.asarray(self.landscape.minimizer, dtype=float)
        view, _ = frame_racers(self.racers, self.start, minimizer)
        if self.params["view"] is not None:
            view = View(*self.params["view"])

        # Setting: title, plot, contours, minimum
        self.title(self.TITLE)
        plot, backdrop = landscape_backdrop(self.landscape, view, layout.plot)
        self.add(*backdrop)

        # Racers: paths, balls, escape marks
        moving, paths, exits = [], [], []
        for racer in self.racers:
            points = plot.to_scene(racer.theta)
            last_inside = bounded_prefix(racer.theta, view)
            if last_inside < steps:
                exit_point = clip_segment_to_view(racer.theta[last_inside], racer.theta[last_inside + 1], view)
                points[last_inside + 1:] = plot.to_scene(exit_point)
                exits.append((racer, last_inside + 1, plot.to_scene(exit_point)))
            paths.append(points)
            moving += [ProgressivePath(points, racer.color), Ball(points, racer.color)]
        escapes: list[SwapLabel] = []
        for racer, exit_step, exit_point in exits:  # labels clear of every path and of each other
            what = f"diverged (step {racer.diverged_at})" if racer.diverged_at >= 0 else "off the chart"
            escapes.append(escape_label(f"{racer.name}: {what}", exit_step, exit_point, plot.box, racer.color,
                                        clear_of=escapes, beside=True, avoid=paths))
        moving += escapes

        # Panel: legend, step counter, loss readouts, loss inset
        panel = layout.panel
        p = self.params
        legend = [
            legend_row(style.OPTIMIZER_COLORS["gd"], f"SGD   η = {style.fmt_short(p['lr_sgd'])}", width=panel.width),
            legend_row(style.OPTIMIZER_COLORS["momentum"],
                       f"momentum   η = {style.fmt_short(p['lr_momentum'])}, β = {style.fmt_short(p['beta'])}",
                       width=panel.width),
        ]
        y = stack_in(panel, legend, panel.top - 0.05)
        self.add(*legend)
        counter = SwapLabel(lambda k: f"step {min(k, steps)} / {steps}", [panel.left, y - 0.35, 0])
        readouts = [
            SwapLabel(lambda k, r=racer: f"L = {style.fmt(float(r.loss[min(k, steps)]), 4)}",
                      [panel.left + 0.15, y - 0.85 - 0.42 * i, 0], size=style.SMALL_SIZE, color=racer.color)
            for i, racer in enumerate(self.racers)
        ]
        inset_top = y - 0.85 - 0.42 * len(self.racers) - 0.1
        inset_rect = style.Rect(panel.x, (inset_top + panel.bottom) / 2, panel.width, inset_top - panel.bottom)
        inset = LossInset(inset_rect, [(r.loss, r.color) for r in self.racers], steps)
        driver = StepDriver(moving + [counter, *readouts, inset])
        self.add(*driver.widgets)

        # Beats
        beats = self.story()
        intro = (f"Same {'bowl' if self.axes.round else 'ravine'}, same start {style.fmt_point(self.start, 0 if np.allclose(self.start, np.round(self.start)) else 2)}: "
                 f"plain SGD against SGD with momentum, {style.count(steps, 'step')} each.")
        with self.beat(intro):
            pass
        self.play_story(driver, beats, steps, lambda start, span, text: pace(
            text, span, style.DEFAULT_STEP_TICKS * (2 if start == 0 else 1), 3, 12))
