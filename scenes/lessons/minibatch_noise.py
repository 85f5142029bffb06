"""Mini-batch noise: SGD's gradient estimates scatter around the true gradient (lesson beat 1).

Full-batch gradient descent and mini-batch SGD on the same quadratic from the same start, with
the engine's seeded least-squares data set (512 samples whose full-batch loss is the quadratic).
At every SGD step a fan of mini-batch gradients drawn at the current point scatters around the
full-batch gradient (white); then momentum (β = 0.9, stepping η(1 − β) so that its steady step
matches SGD's) replays the same mini-batches, and its velocity arrow barely turns while the raw
mini-batch gradient swings from step to step. Render with ``ravine render minibatch-noise``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from manim import RIGHT, Line, VGroup

from engine import claims, get_landscape, run, theory
from engine.minibatch import dataset, gradient_draws, mean_turn_angle, minibatch_spread
from engine.verdict import Reach, verdict
from scenes.kit import style
from scenes.widgets.arrows import RidingArrows
from scenes.kit.base import LessonScene, reading_ticks
from scenes.widgets.contours import landscape_backdrop
from scenes.kit.fades import fade_in, fade_out
from scenes.kit.framing import View, bounded_prefix, clip_segment_to_view, fit_view
from scenes.widgets.panels import split_panel
from scenes.widgets.race import ESCAPE_REACH, SeriesRacer, view_box
from scenes.kit.params import (
    ParamSpec,
    SceneSpec,
    beta_param,
    landscape_param,
    lr_param,
    seed_param,
    start_param,
    steps_param,
)
from scenes.widgets.core import (
    Ball,
    PlotFrame,
    ProgressivePath,
    StepDriver,
    SwapLabel,
    label,
    legend_row,
    note_lines,
    stack_in,
)

QUADRATICS = ("bowl", "seed-ravine", "narrow-ravine", "rotated-ravine")
N_SAMPLES = 512          # the data set's size (run's default n_samples)
DRAWS = 8                # mini-batch gradients shown at each point (the first is the one SGD used)
DRAWS_WORD = "Eight"
ARROW_LENGTH = 1.1       # scene length of the full-batch gradient arrow (and of the replay's direction arrows)
REFERENCE = style.MUTED  # the full-batch run: a reference, not a competitor


class MinibatchNoise(LessonScene):
    """SGD's mini-batch gradients scatter around the true gradient; momentum's velocity averages them."""

    TITLE = "Mini-batch noise"
    SPEC = SceneSpec(
        name="minibatch-noise",
        description="Mini-batch gradients scatter around the full-batch gradient; momentum's velocity stays steady.",
        params=(
            landscape_param("bowl", QUADRATICS),
            start_param((6.0, 4.0)),
            dataclasses.replace(lr_param("lr", 0.1, "full-batch GD and SGD"), high=1.0),
            beta_param(0.9),
            dataclasses.replace(steps_param(30, high=80), low=4),
            ParamSpec("batch_size", "int", 8, f"mini-batch size b from the seeded data set of {N_SAMPLES} samples",
                      low=1, high=N_SAMPLES // 2),
            seed_param(0),
        ),
    )

    # -- engine ----------------------------------------------------------------------------
    def compute(self) -> None:
        """Full-batch GD; SGD and momentum on the same mini-batches; fans of extra draws; spreads."""
        p = self.params
        self.landscape = get_landscape(p["landscape"])
        self.start = np.asarray(p["start"], dtype=float)
        steps, b, seed = p["steps"], p["batch_size"], p["seed"]
        self.lr_momentum = float(theory.ema_to_library_lr(p["lr"], p["beta"]))
        noisy = run(self.landscape, "momentum", lr=np.array([p["lr"], self.lr_momentum]),
                    beta=np.array([0.0, p["beta"]]), steps=steps, start=self.start,
                    noise="minibatch", batch_size=b, seed=seed, n_samples=N_SAMPLES)
        full = run(self.landscape, "gd", lr=p["lr"], steps=steps, start=self.start)
        self.noisy = noisy
        self.walkers = [
            SeriesRacer("gd", "full-batch GD", full.theta[:, 0], full.loss[:, 0], int(full.diverged_at[0]),
                        hue=REFERENCE),
            SeriesRacer("sgd", "SGD", noisy.theta[:, 0], noisy.loss[:, 0], int(noisy.diverged_at[0])),
            SeriesRacer("momentum", "momentum", noisy.theta[:, 1], noisy.loss[:, 1], int(noisy.diverged_at[1])),
        ]
        sgd = self.walkers[1].theta
        # At each SGD position: the mini-batch gradient it used, then DRAWS − 1 other draws
        fans = np.zeros((steps + 1, DRAWS, 2))
        fans[:steps, 0] = noisy.grad[:, 0]
        fans[:steps, 1:] = gradient_draws(self.landscape, sgd[:steps], b, DRAWS - 1, seed, N_SAMPLES)
        self.fans = fans
        self.true_grads = dataset(self.landscape, N_SAMPLES, seed).full_grad(sgd)
        self.spread_start = minibatch_spread(self.landscape, self.start, b, seed, N_SAMPLES)
        self.spread_path = [minibatch_spread(self.landscape, point, b, seed, N_SAMPLES).relative for point in sgd]
        self.sizes = self.batch_ladder(b)
        self.spread_sizes = [minibatch_spread(self.landscape, self.start, size, seed, N_SAMPLES).relative
                             for size in self.sizes]
        # the fan at the start for every batch size of the ladder (the first is the intro's own fan)
        self.size_fans = np.stack([fans[0]] + [gradient_draws(self.landscape, self.start, size, DRAWS, seed, N_SAMPLES)
                                               for size in self.sizes[1:]])
        self.turn_raw = mean_turn_angle(noisy.grad[:, 1])
        self.turn_velocity = mean_turn_angle(noisy.velocity[1:, 1])
        self.window = float(theory.ema_window(p["beta"]))
        self.record_constant("lr_momentum", self.lr_momentum)
        self.record_constant("spread_start", self.spread_start.relative)
        self.record_constant("spread_end", self.spread_path[-1])
        self.record_constant("turn_raw_degrees", self.turn_raw)
        self.record_constant("turn_velocity_degrees", self.turn_velocity)
        self.record_constant("ema_window", self.window)
        for size, spread in zip(self.sizes, self.spread_sizes):
            self.record_constant(f"spread_b{size}", spread)

    @staticmethod
    def batch_ladder(b: int) -> list[int]:
        """The batch sizes compared at the end: b, 4b, 16b (those below n), then n itself."""
        sizes = [b * 4**k for k in range(3) if b * 4**k < N_SAMPLES]
        return sizes + [N_SAMPLES]

    def default_highlights(self) -> dict[str, str]:
        return {"SGD": style.OPTIMIZER_COLORS["sgd"], "Momentum": style.OPTIMIZER_COLORS["momentum"],
                "momentum": style.OPTIMIZER_COLORS["momentum"], "white": style.TEXT}

    # -- captions ----------------------------------------------------------------------------
    def story(self) -> dict[str, str]:
        """Every caption of the scene, by beat name, with the engine's numbers."""
        p, steps, b = self.params, self.params["steps"], self.params["batch_size"]
        sgd, mom = self.walkers[1], self.walkers[2]
        rel = self.spread_start.relative
        text = {}
        text["intro"] = (f"SGD estimates the gradient from {b} of {N_SAMPLES} samples. {DRAWS_WORD} such mini-batches "
                         f"scatter ±{style.fmt_percent(rel)} about the true gradient (white).")
        if sgd.diverged_at >= 0:
            self.claim("diverges", "SGD", claims.diverges(sgd.diverged_at))
            text["walk"] = f"With η = {style.fmt_short(p['lr'])} SGD diverges at step {sgd.diverged_at}."
        else:
            text["walk"] = "Each step SGD follows the draw it got, so its path wobbles around the full-batch path."
        last = sgd.diverged_at - 1 if sgd.diverged_at >= 0 else steps
        end_rel = self.spread_path[last]
        if end_rel > rel * 1.2:
            text["floor"] = (f"Near the bottom the true gradient shrinks but the scatter does not: by step {last} "
                             f"it is ±{style.fmt_percent(end_rel)} of the true gradient.")
        else:
            text["floor"] = f"By step {last} the scatter is ±{style.fmt_percent(end_rel)} of the true gradient."
        text["momentum"] = (f"Momentum (β = {style.fmt_short(p['beta'])}) replays the same mini-batches, with "
                            f"η(1 − β) = {style.fmt_short(self.lr_momentum)} so its steady step matches SGD's.")
        if mom.diverged_at >= 0:
            self.claim("diverges", "Momentum", claims.diverges(mom.diverged_at))
            text["steady"] = f"Momentum diverges at step {mom.diverged_at}."
        elif self.turn_velocity < self.turn_raw:
            text["steady"] = (f"Its velocity sums about {style.fmt_short(self.window)} gradients: it turns "
                              f"{self.turn_velocity:.0f}° per step on average, the raw gradient {self.turn_raw:.0f}°.")
        else:
            text["steady"] = (f"The raw mini-batch gradient turns {self.turn_raw:.0f}° per step on average, "
                              f"the velocity {self.turn_velocity:.0f}°.")
        pairs = [f"±{style.fmt_percent(s)} at {'b = ' if i == 0 else ''}{size}"
                 for i, (size, s) in enumerate(zip(self.sizes, self.spread_sizes))]
        text["batch"] = "Bigger batches scatter less: " + ", ".join(pairs[:-1]) + f", none at {N_SAMPLES}."
        return text

    def narration(self) -> list[str]:
        """Every caption in the order it plays."""
        self.compute()
        text = self.story()
        return [text[key] for key in ("intro", "walk", "floor", "momentum", "steady", "batch")]

    # -- drawing -----------------------------------------------------------------------------
    def frame(self) -> tuple[View, list[bool]]:
        """The plot's view and, per walker, whether it escapes: every walker the engine did not mark
        diverged is in view, however far its noise takes it; a diverged one too while it stays
        within ``ESCAPE_REACH`` × the start's distance (as :func:`scenes.widgets.race.frame_racers`)."""
        minimizer = np.asarray(self.landscape.minimizer, dtype=float)
        reach = max(float(np.max(np.abs(self.start - minimizer))), 1.0)
        escaping = [verdict(w).diverges and verdict(w, view=Reach(minimizer, ESCAPE_REACH * reach)).escapes
                    for w in self.walkers]
        bounded = [w.theta for w, esc in zip(self.walkers, escaping) if not esc]
        return fit_view(bounded, include=[self.start, minimizer], square_within=2.0), escaping

    def scene_path(self, walker: SeriesRacer, plot: PlotFrame, view: View) -> np.ndarray:
        """Scene points of a walker's path, stopped at the border if it leaves the view."""
        points = plot.to_scene(walker.theta)
        last_inside = bounded_prefix(walker.theta, view)
        if last_inside < len(walker.theta) - 1:
            exit_point = clip_segment_to_view(walker.theta[last_inside], walker.theta[last_inside + 1], view)
            points[last_inside + 1:] = plot.to_scene(exit_point)
        return points

    def construct(self) -> None:
        self.compute()
        layout, p, steps = self.layout, self.params, self.params["steps"]
        lr = p["lr"]
        text = self.story()
        view, _ = self.frame()
        self.framed_runs = [(w.name, w.theta, view_box(view), bool(claims.diverges(w.diverged_at)))
                            for w in self.walkers]
        gd, sgd, mom = self.walkers

        # Setting: title, plot, contours, minimum
        self.title(self.TITLE)
        plot, backdrop = landscape_backdrop(self.landscape, view, layout.plot)
        self.add(*backdrop)
        paths = {w.name: self.scene_path(w, plot, view) for w in self.walkers}

        # Arrows: in the walk, the full-batch gradient step has a fixed length and every mini-batch
        # step is drawn at the same scale, so the fan shows the scatter relative to the true gradient
        # at every point; in the replay, directions only (what "steadier" is about).
        def to_scene_vectors(data: np.ndarray) -> np.ndarray:
            out = np.zeros(data.shape[:-1] + (3,))
            out[..., 0] = data[..., 0] * plot.scale_x
            out[..., 1] = data[..., 1] * plot.scale_y
            return out

        def unit(vectors: np.ndarray) -> np.ndarray:
            norm = np.linalg.norm(vectors, axis=-1, keepdims=True)
            return np.divide(vectors, norm, out=np.zeros_like(vectors), where=norm > 0)

        true_scene = to_scene_vectors(-self.true_grads)                       # (N+1, 3)
        true_len = np.linalg.norm(true_scene, axis=-1)
        per_step = np.divide(ARROW_LENGTH, true_len, out=np.zeros_like(true_len), where=true_len > 0)
        fan_vectors = to_scene_vectors(-self.fans) * per_step[:, None, None]  # (N+1, DRAWS, 3)
        true_vectors = true_scene * per_step[:, None]
        fan_vectors[steps] = 0.0
        true_vectors[steps] = 0.0
        size_vectors = to_scene_vectors(-self.size_fans) * per_step[0]  # the batch-size fans, at the intro's scale

        # Intro fan: the draws at the start appear one by one (pseudo-steps 0..DRAWS)
        reveal = np.zeros((DRAWS + 1, DRAWS, 3))
        for k in range(1, DRAWS + 1):
            reveal[k, :k] = fan_vectors[0, :k]
        start_point = paths["SGD"][0]
        intro_fan = RidingArrows(np.repeat(start_point[None], DRAWS + 1, axis=0), reveal, sgd.color,
                                 opacity=0.45, ride=False, clip=plot.box)
        intro_true = RidingArrows(paths["SGD"][:1], true_vectors[:1], style.TEXT, width=4.5, clip=plot.box,
                                  z_index=style.Z_BALL + 1)

        # Walk: full-batch GD and SGD, the fan and the true gradient at SGD's whole steps
        fan = RidingArrows(paths["SGD"], fan_vectors[:, 1:], sgd.color, opacity=0.45, ride=False, clip=plot.box)
        used = RidingArrows(paths["SGD"], fan_vectors[:, 0], sgd.color, ride=False, clip=plot.box)
        true_arrow = RidingArrows(paths["SGD"], true_vectors, style.TEXT, width=4.5, ride=False, clip=plot.box,
                                  z_index=style.Z_BALL + 1)
        gd_path, gd_ball = ProgressivePath(paths["full-batch GD"], gd.color), Ball(paths["full-batch GD"], gd.color)
        sgd_path, sgd_ball = ProgressivePath(paths["SGD"], sgd.color), Ball(paths["SGD"], sgd.color)

        # Replay: momentum's velocity direction and the raw mini-batch gradient's, at its own position
        raw_dirs = np.zeros((steps + 1, 3))
        raw_dirs[:steps] = unit(to_scene_vectors(-self.noisy.grad[:, 1])) * ARROW_LENGTH
        velocity_dirs = np.zeros((steps + 1, 3))
        velocity_dirs[:steps] = unit(to_scene_vectors(-self.noisy.velocity[1:, 1])) * ARROW_LENGTH
        raw_arrow = RidingArrows(paths["momentum"], raw_dirs, sgd.color, opacity=0.75, ride=False, clip=plot.box)
        velocity_arrow = RidingArrows(paths["momentum"], velocity_dirs, mom.color, width=4.5, ride=False,
                                      clip=plot.box, z_index=style.Z_BALL + 1)
        mom_path, mom_ball = ProgressivePath(paths["momentum"], mom.color), Ball(paths["momentum"], mom.color)

        # Panel: legend, arrow scale, step counter, readouts
        columns = split_panel(layout.panel)
        panel = columns.text
        true_row = VGroup(Line(RIGHT * -0.22, RIGHT * 0.22, stroke_color=style.TEXT, stroke_width=4.5),
                          label("full-batch gradient", style.SMALL_SIZE)).arrange(RIGHT, buff=0.18)
        rows = [
            legend_row(gd.color, f"full-batch GD   η = {style.fmt_short(lr)}", width=panel.width),
            legend_row(sgd.color, f"SGD   b = {p['batch_size']}, η = {style.fmt_short(lr)}", width=panel.width),
            legend_row(mom.color, f"momentum   β = {style.fmt_short(p['beta'])}, η = {style.fmt_short(self.lr_momentum)}",
                       width=panel.width),
            true_row,
        ]
        y = stack_in(panel, rows, panel.top - 0.05, buff=0.14)
        notes = note_lines("arrows: gradient steps, the full-batch one scaled to a fixed length", panel.width)
        replay_notes = note_lines("arrows: directions only", panel.width)
        y = stack_in(panel, notes, y - 0.1, buff=0.06)
        stack_in(panel, replay_notes, notes[0].get_top()[1], buff=0.06)
        self.add(*rows, *notes)
        counter_y = y - 0.3
        walk_counter = SwapLabel(lambda k: f"step {min(k, steps)} / {steps}", [panel.left, counter_y, 0])
        spread_label = SwapLabel(lambda k: f"scatter ±{style.fmt_percent(self.spread_path[min(k, steps)])} of |∇L|",
                                 [panel.left + 0.15, counter_y - 0.42, 0], size=style.SMALL_SIZE, color=sgd.color)
        mom_counter = SwapLabel(lambda k: f"step {min(k, steps)} / {steps}", [panel.left, counter_y, 0])
        turn_rows = [
            *note_lines(f"turn per step, mean over {style.count(steps, 'step')}:", panel.width),
            label(f"mini-batch gradient  {self.turn_raw:.0f}°", style.SMALL_SIZE, sgd.color),
            label(f"velocity  {self.turn_velocity:.0f}°", style.SMALL_SIZE, mom.color),
        ]
        turn_bottom = stack_in(panel, turn_rows, counter_y - 0.3, buff=0.1)
        table_rows = note_lines("scatter at the start, by batch size:", columns.chart.width)
        for size, spread in zip(self.sizes, self.spread_sizes):
            color = sgd.color if size == p["batch_size"] else style.TEXT
            table_rows.append(label(f"b = {size:<4d} ±{style.fmt_percent(spread)}", style.SMALL_SIZE, color, style.MONO_FONT))
        chart_top = columns.chart.top - 0.05
        if columns.split:
            if turn_bottom < panel.bottom:  # a short text column: the turn rows go above the table
                chart_top = stack_in(columns.chart, turn_rows, chart_top, buff=0.1) - 0.2
            stack_in(columns.chart, table_rows, chart_top, buff=0.08)
            handover = False
        else:  # a short one-column panel (square frames) has no room for both: the table takes the turn rows' place
            handover = stack_in(panel, table_rows, turn_bottom - 0.2, buff=0.08) < panel.bottom
            if handover:
                stack_in(panel, table_rows, counter_y - 0.3, buff=0.08)

        intro_driver = StepDriver([intro_fan])
        walk = StepDriver([gd_path, sgd_path, fan, used, true_arrow, gd_ball, sgd_ball, walk_counter, spread_label])
        replay = StepDriver([mom_path, raw_arrow, velocity_arrow, mom_ball, mom_counter])

        # Beats: the fan at the start; SGD's walk; momentum's replay; batch sizes
        self.add(intro_true, intro_fan, gd_ball, sgd_ball, walk_counter, spread_label)
        with self.beat(text["intro"]):
            self.hold(10)
            self.play_ticks(intro_driver.advance(DRAWS), ticks=DRAWS * 8)
        self.remove(intro_fan, intro_true)
        half = max(1, steps // 2)
        for end, key in ((half, "walk"), (steps, "floor")):
            with self.beat(text[key]):
                span = end - round(walk.step)
                if span > 0:
                    per_step = max(3, min(12, -(-reading_ticks(text[key]) // span)))
                    self.play_ticks(walk.advance(end), ticks=span * per_step)
        self.remove(fan, used, true_arrow, walk_counter, spread_label, *notes)
        self.add(*replay_notes)
        for end, key in ((half, "momentum"), (steps, "steady")):
            with self.beat(text[key]):
                span = end - round(replay.step)
                if span > 0:
                    per_step = max(3, min(12, -(-reading_ticks(text[key]) // span)))
                    self.play_ticks(replay.advance(end), ticks=span * per_step)
                if key == "steady":
                    self.play_ticks(fade_in(*turn_rows), ticks=8)
        # back at the start: the fan of mini-batch gradients tightens as the batch grows, each size's
        # row of the table arriving with its fan (the full batch: every draw is the white arrow)
        size_fan = RidingArrows(np.repeat(start_point[None], len(self.sizes), axis=0), size_vectors, sgd.color,
                                opacity=0.45, ride=False, glide=True, clip=plot.box)
        sizes = StepDriver([size_fan])
        heading = table_rows[: len(table_rows) - len(self.sizes)]
        size_rows = table_rows[len(heading):]
        with self.beat(text["batch"], min_ticks=reading_ticks(text["batch"]) + 8):
            self.play_ticks(*([fade_out(*turn_rows)] if handover else []), fade_in(intro_true, size_fan),
                            fade_in(*heading, size_rows[0]), ticks=10)
            for i in range(1, len(self.sizes)):
                self.play_ticks(sizes.advance(i), fade_in(size_rows[i]), ticks=18)
