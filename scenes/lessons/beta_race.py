"""What β buys (lesson beat 7): momentum with short and long memory racing on one ravine.

Defaults: ``narrow-ravine`` (A = diag(1, 100)), start (−4, 1.5), one η = 0.006 for every β
(below (2 + 2β)/λmax for the smallest β, so every run is stable), β = 0.5, 0.9 and 0.99,
80 steps. Render with ``ravine render beta-race``.
"""

from __future__ import annotations

import numpy as np
from manim import Cross

from engine import analysis, claims, get_landscape, run, theory
from engine.compare import leaders, settled_leader
from engine.verdict import verdict as run_verdict  # the story keeps a local named verdict
from scenes.kit import style
from scenes.kit.base import LessonScene, pace, plan_story, reading_ticks
from scenes.widgets.contours import landscape_backdrop
from scenes.kit.fades import fade_in, fade_out
from scenes.kit.framing import clip_segment_to_view
from scenes.kit.params import ParamSpec, SceneSpec, landscape_param, lr_param, start_param, steps_param
from scenes.widgets.race import (
    AppearAt,
    SeriesRacer,
    axis_name,
    frame_racers,
    point_text,
    racer_marks,
    view_box,
)
from scenes.widgets.core import LossInset, StepDriver, SwapLabel, label, legend_row, stack_in
from scenes.widgets.dashed_path import DashedPath
from scenes.widgets.escape_zoom import EscapeTrack, fade_early, inside_exit, plot_scale_marks, wide_backdrop
from scenes.widgets.lead_marker import LeadMarker
from scenes.widgets.velocity_arrow import VelocityArrow, next_steps
from scenes.widgets.zoom import PlotZoom


def loss_text(value: float) -> str:
    """A loss for a caption: three significant digits (450, 0.454, 1.39×10⁵)."""
    return style.fmt_short(float(f"{float(value):.3g}"))


INTRO_STEPS = 2            # the shared first step, then β·v splits the runs: a beat of its own
INTRO_TICKS_PER_STEP = 30  # the first step under the intro's caption, slowly
ZOOM_BACK_TICKS = 20
REPLAY_TICKS = 45          # the shortest replay of the lead on the loss chart under the verdict

NAME_ENDS = (" ", ",", ":", ";", ")", "\n", ". ", ".\n")  # never a bare ".": "β = 0." is in "β = 0.5"


class BetaRace(LessonScene):
    """β = 0.5, 0.9, 0.99 from one start with one η: short memory is timid, long memory overshoots."""

    TITLE = "How much memory? Racing β"
    ASPECTS = ('16:9', '1:1', '9:16')
    SPEC = SceneSpec(
        name="beta-race",
        description="Momentum with β = 0.5, 0.9 and 0.99 races on a narrow ravine: no single β wins everywhere.",
        params=(
            landscape_param("narrow-ravine"),
            start_param((-4.0, 1.5)),
            lr_param("lr", 0.006, "every β"),
            ParamSpec("betas", "floats", (0.5, 0.9, 0.99), "momentum coefficients β to race (1 to 4)",
                      low=0.0, high=1.0, high_open=True, length=(1, 4)),
            steps_param(80, high=200),
        ),
    )

    # -- engine ----------------------------------------------------------------------------
    def compute(self) -> None:
        """Every β in one batched engine call (same η, same start)."""
        p = self.params
        self.landscape = get_landscape(p["landscape"])
        self.start = np.asarray(p["start"], dtype=float)
        self.betas = np.asarray(p["betas"], dtype=float)
        trajectory = run(self.landscape, "momentum", lr=p["lr"], beta=self.betas, steps=p["steps"],
                         start=self.start)
        self.trajectory = trajectory
        self.racers = [
            SeriesRacer("momentum", f"β = {style.fmt_short(beta)}", trajectory.theta[:, i], trajectory.loss[:, i],
                        int(trajectory.diverged_at[i]), hue=style.SERIES_COLORS[i % len(style.SERIES_COLORS)])
            for i, beta in enumerate(self.betas)
        ]
        self.axes = analysis.principal_axes(self.landscape)
        lam = self.axes.eigenvalues
        # slowest per-step contraction of each β over the landscape's curvatures (at the minimum)
        self.rates = np.max(np.atleast_2d(theory.heavy_ball_rate(p["lr"], self.betas[:, None], lam[None, :])), axis=1)
        self.bounds = np.atleast_1d(theory.heavy_ball_stability_bound(float(lam[-1]), self.betas))
        # the race is between the runs that converge (a diverged run's loss is frozen by the engine)
        self.stable = [i for i, (r, rate) in enumerate(zip(self.racers, self.rates))
                       if run_verdict(r, rate=rate).converges]
        loss = trajectory.loss[:, self.stable]
        self.stable_loss = loss
        self.lead = settled_leader(loss) if len(self.stable) > 1 else None
        self.leaders = np.asarray(self.stable)[leaders(loss)] if self.stable else np.zeros(len(loss), int)

    def default_highlights(self) -> dict[str, str]:
        # "β = 0.9" is a prefix of "β = 0.99", and overlapping keys are ambiguous to Manim's
        # t2c: key each name with the character after it, so no two keys can overlap.
        return {r.name + end: r.color for r in self.racers for end in NAME_ENDS}

    # -- captions (facts from the engine) --------------------------------------------------
    def progress(self, start: int, end: int) -> str:
        """A caption for a long stretch: the lowest and highest loss at its end, and whose."""
        losses = np.array([float(r.loss[end]) for r in self.racers])
        low, high = int(np.argmin(losses)), int(np.argmax(losses))
        text = f"Steps {start}–{end}: lowest loss {loss_text(losses[low])} ({self.racers[low].name})"
        if len(self.racers) > 1 and losses[high] > losses[low]:
            text += f", highest {loss_text(losses[high])} ({self.racers[high].name})"
        return text + "."

    def ticks_per_step(self, start: int, span: int, text: str) -> int:
        ends = [r.diverged_at for r in self.racers]
        if min(ends) >= 0 and max(ends) <= start + span // 4:  # every run stopped: nothing moves
            return 1
        # the first steps' beat is slow enough to watch β·v set the runs apart
        return pace(text, span, 0, 1 if span > 60 else 2, INTRO_TICKS_PER_STEP if span <= INTRO_STEPS else 10)

    def narration(self) -> list[str]:
        """Every caption in the order it plays (long stretches cut as :func:`plan_story` cuts them)."""
        self.compute()
        beats = self.story()
        planned = plan_story(beats[1:], self.params["steps"], self.ticks_per_step, 2, self.progress)
        return [beats[0][1]] + [b.text for b in planned if b.text is not None] + [beats[-1][1]]

    def story(self) -> list[tuple[int, str]]:
        """(end step, caption) per beat; the first is the intro (step 0), the last the verdict."""
        p, steps = self.params, self.params["steps"]
        lr = style.fmt_short(p["lr"])
        order = np.argsort(self.betas, kind="stable")
        short, long_ = self.racers[order[0]], self.racers[order[-1]]
        beats: list[tuple[int, str]] = []

        unstable = [r for r, rate in zip(self.racers, self.rates) if run_verdict(r, rate=rate).diverges]
        low = order[0]
        if unstable and len(unstable) == len(self.racers) > 1:
            self.claim("diverges", "every run", claims.Finding(
                all(claims.diverges(r.diverged_at, rate) for r, rate in zip(self.racers, self.rates))))
            beats.append((0, f"One η = {lr} for every β, from {point_text(self.start)}. It is above "
                             f"(2 + 2β)/λmax for each β here, so every run diverges."))
        elif unstable:
            names = ", ".join(r.name for r in unstable)
            for r, rate in zip(self.racers, self.rates):
                if any(r is u for u in unstable):
                    self.claim("diverges", r.name, claims.diverges(r.diverged_at, rate))
            which = "that run diverges" if len(unstable) == 1 else "those runs diverge"
            beats.append((0, f"One η = {lr} for every β, from {point_text(self.start)}. It is above "
                             f"(2 + 2β)/λmax for {names}, so {which}."))
        elif len(self.racers) > 1:
            beats.append((0, f"One η = {lr} for every β, from {point_text(self.start)}: below (2 + 2β)/λmax = "
                             f"{style.fmt_short(float(self.bounds[low]))} for {short.name}, so every run is stable."))
        else:
            beats.append((0, f"η = {lr} and {short.name} from {point_text(self.start)}: below (2 + 2β)/λmax = "
                             f"{style.fmt_short(float(self.bounds[low]))}, so the run is stable."))

        # the first two steps: v₁ = g₀ for every β; then β·v₁ is what sets them apart
        if len(self.racers) > 1 and steps > INTRO_STEPS:
            beats.append((INTRO_STEPS, "Step 1 is the same for every β; from step 2 each keeps β of its velocity."))

        # short memory: little extra speed; who leads early
        window = style.fmt_short(float(theory.ema_window(self.betas[low])))
        early = self.early_step()
        if self.betas[low] == 0.0:
            text = f"No memory: {short.name} is plain gradient descent, one gradient per step."
        elif len(self.racers) == 1:
            text = (f"Memory: {short.name} keeps about {window} gradients, so under a steady slope its "
                    f"steps grow up to {window}× plain SGD's.")
        else:
            text = (f"Short memory: {short.name} keeps about {window} gradients, so steady steps grow "
                    f"only {window}× plain SGD's.")
        if len(self.stable) > 1:
            leader = self.racers[int(self.leaders[early])]
            self.claim("leads", leader.name,
                       claims.leads(self.stable_loss, self.stable.index(int(self.leaders[early])), at=early))
            text += f" At step {early}, {leader.name} leads."
        beats.append((early, text))

        # long memory: acceleration and overshoot along the shallow axis
        done = early
        if len(self.racers) > 1:
            high = order[-1]
            window = style.fmt_short(float(theory.ema_window(self.betas[high])))
            # on the round bowl there is no shallow axis: it heads for the minimum itself
            shallow = axis_name(self.axes.shallow, "shallow")
            down, along = (("toward the minimum", "toward the minimum") if self.axes.round else
                           (f"down the {shallow}", f"along the {shallow}"))
            shot = claims.overshoots(self.axes.coordinates(long_.theta)[:, 0])
            if long_.diverged_at >= 0:
                self.claim("diverges", long_.name, claims.diverges(long_.diverged_at, float(self.rates[high])))
                text = f"Long memory: {long_.name} keeps about {window} gradients; at this η it diverges."
                end = min(steps, max(done + 5, long_.diverged_at))
            elif shot:
                self.claim("overshoots", long_.name, shot)
                text = (f"Long memory: {long_.name} keeps about {window} gradients. It speeds {down} "
                        f"and overshoots {'it' if self.axes.round else 'the minimum'} at step {shot.get('step')}.")
                end = min(steps, max(done + 5, shot.get("peak_step")))
            else:
                text = (f"Long memory: {long_.name} keeps about {window} gradients and keeps "
                        f"gathering speed {along}.")
                end = min(steps, done + 15)
            if end > done:
                beats.append((end, text))
                done = end

        # the long run: each β's slowest contraction per step
        if steps > done:
            rates = ", ".join(f"×{style.fmt_ratio(float(rate))} ({r.name})"
                              for r, rate in zip(self.racers, self.rates))
            fates = [run_verdict(rate) for rate in self.rates]
            verb = ("shrinks" if all(f.converges for f in fates) else "grows" if all(f.diverges for f in fates)
                    else "changes")
            what = "the distance to the minimum" if self.axes.round else "the slowest direction"
            beats.append((steps, f"Long run: per step, {what} {verb} {rates}."))

        # verdict from the losses
        stable = self.stable
        fates = [claims.diverges(r.diverged_at, rate) for r, rate in zip(self.racers, self.rates)]
        if not stable and all(fates):
            self.claim("diverges", "every β", claims.Finding(True, {"runs": len(fates)}))
            verdict = (f"At η = {lr} every β diverges: η must stay below (2 + 2β)/λmax = "
                       f"{style.fmt_short(float(self.bounds[low]))} for {short.name}.")
        elif not stable:
            self.claim("converges", "β", claims.Finding(
                any(claims.converges(r.diverged_at, rate) for r, rate in zip(self.racers, self.rates))), says=False)
            verdict = (f"At η = {lr} no β converges: per step the slowest direction changes "
                       + ", ".join(f"×{style.fmt_ratio(float(rate))}" for rate in self.rates) + ".")
        elif self.lead is None:
            r = self.racers[stable[0]]
            verdict = f"After {style.count(steps, 'step')} {r.name} reaches L = {style.fmt(float(r.loss[-1]))}."
        else:
            winner = self.racers[stable[self.lead.winner]]
            end_loss = style.fmt(float(winner.loss[-1]))
            self.claim("leads", winner.name, claims.leads(self.stable_loss, self.lead.winner, since=self.lead.since))
            if self.lead.before is None:
                verdict = f"{winner.name} leads from step {self.lead.since} to the end, at L = {end_loss}."
            else:
                before = self.racers[stable[self.lead.before]]
                led = np.nonzero(leaders(self.stable_loss)[: self.lead.since] == self.lead.before)[0]
                self.claim("leads", before.name, claims.leads(self.stable_loss, self.lead.before,
                                                              at=int(led[0]) if led.size else 0))
                verdict = (f"{before.name} led {self.lead.before_steps} of the first {style.count(self.lead.since, 'step')}; "
                           f"from step {self.lead.since} {winner.name} leads, ending at L = {end_loss}. "
                           f"No single β wins everywhere.")
        beats.append((steps, verdict))
        return beats

    def early_step(self) -> int:
        """A step in the early race: where the early leader leads, about halfway to the final lead change."""
        steps = self.params["steps"]
        if self.lead is None or self.lead.before is None:
            return max(1, min(steps, steps // 4))
        target = max(1, self.lead.since // 2)
        early_leader = self.stable[self.lead.before]
        candidates = np.nonzero(self.leaders[1:self.lead.since] == early_leader)[0] + 1
        if candidates.size == 0:
            return target
        return int(candidates[np.argmin(np.abs(candidates - target))])

    # -- drawing ---------------------------------------------------------------------------
    def diverging(self) -> list[bool]:
        """Per run, whether it diverges (engine: :func:`engine.claims.diverges`): drawn dashed."""
        return [bool(claims.diverges(r.diverged_at, float(rate))) for r, rate in zip(self.racers, self.rates)]

    def construct(self) -> None:
        self.compute()
        layout, steps = self.layout, self.params["steps"]
        minimizer = np.asarray(self.landscape.minimizer, dtype=float)
        view, escaping = frame_racers(self.racers, self.start, minimizer, list(self.rates))
        diverging = self.diverging()
        self.framed_runs = [(r.name, r.theta, view_box(view), d) for r, d in zip(self.racers, diverging)]

        self.title(self.TITLE)
        # a run that escapes the view is followed by a zoom-out, over contours drawn that far
        follow = any(escaping)
        if follow:
            plot, wide, backdrop, minimum = wide_backdrop(self.landscape, view, layout.plot)
            frame = wide
        else:
            plot, backdrop = landscape_backdrop(self.landscape, view, layout.plot)
            minimum, frame = [], plot
        self.add(*backdrop, *minimum)
        all_marks = []
        for racer, dashed in zip(self.racers, diverging):
            marks = racer_marks(frame, racer, width=2.4)
            if dashed:  # a diverging run is dashed: told apart by more than its colour
                marks = marks._replace(path=DashedPath(marks.path.path_points, racer.color, width=2.4))
            all_marks.append(marks)
        arrows, crosses = [], []
        for racer, marks, dashed in zip(self.racers, all_marks, diverging):
            # the velocity arrow: the step the run takes next, −η·v, from where the ball is
            shown = plot.to_scene(racer.theta)
            cut = racer.theta.copy()
            if marks.exit_step is not None:  # stop where the drawn run stops
                cut[marks.exit_step:] = clip_segment_to_view(racer.theta[marks.exit_step - 1],
                                                             racer.theta[marks.exit_step], frame.view)
            arrows.append(VelocityArrow(plot, cut, next_steps(cut), racer.color, clip=None if follow else "plot"))
            if dashed:
                end = marks.exit_step if marks.exit_step is not None else max(racer.diverged_at, 0) or steps
                where = (inside_exit(marks.exit_point, plot.box) if marks.exit_step is not None
                         else shown[min(end, steps)])
                cross = Cross(scale_factor=0.12, stroke_color=style.WARNING, stroke_width=4).move_to(where)
                cross.set_z_index(style.Z_BALL)
                crosses.append(AppearAt(cross, end))
        moving = [w for marks in all_marks for w in marks.widgets] + arrows + crosses
        zoom = track = None
        scale_marks: list = []
        if follow:
            zoom = PlotZoom(plot.box)
            zoom.attach(*backdrop[:1], *minimum, *(w for marks in all_marks for w in marks.widgets), *arrows)
            zoom.attach(*crosses, keep_size=True)
            track = EscapeTrack([m.path.path_points for m, esc in zip(all_marks, escaping) if esc], plot.box)
            scale_marks = plot_scale_marks(plot)

        # Panel: shared η, step counter, one legend row per β with its loss, loss inset
        panel = layout.panel
        heading = label(f"momentum, η = {style.fmt_short(self.params['lr'])}", style.LABEL_SIZE)
        note = label("arrow: next step, −ηv", style.SMALL_SIZE, style.MUTED)
        y = stack_in(panel, [heading, note], panel.top - 0.05)
        counter = SwapLabel(lambda k: f"step {min(k, steps)} / {steps}", [panel.left, y - 0.3, 0])
        rows = [legend_row(r.color, r.name) for r in self.racers]

        def reading(r, k: int, loss: float) -> str:
            return f"diverged, step {r.diverged_at}" if 0 <= r.diverged_at <= k else f"L = {style.fmt(float(loss), 4)}"

        texts = [[reading(r, k, loss) for k, loss in enumerate(r.loss[:steps + 1])] for r in self.racers]
        widest = max((t for series in texts for t in series), key=len)
        readout_w = label(widest, style.SMALL_SIZE, font=style.MONO_FONT).width
        row_w = max(row.width for row in rows)
        if panel.left + row_w + 0.3 + readout_w <= panel.right:
            # wide panel: each loss readout in a column right of its legend row
            y = stack_in(panel, rows, y - 0.6, buff=0.14)
            column = panel.left + row_w + 0.3
            anchors = [[column, row.get_center()[1], 0] for row in rows]
        else:
            # narrow panel (square frames): each readout on its own line under its legend row
            line_h = label("L = 0.0", style.SMALL_SIZE, font=style.MONO_FONT).height
            y = stack_in(panel, rows, y - 0.6, buff=0.14 + line_h + 0.08)
            anchors = [[row[1].get_left()[0], row.get_bottom()[1] - 0.06 - line_h / 2, 0] for row in rows]
            y -= line_h + 0.08
        readouts = [
            SwapLabel(lambda k, r=series: r[min(k, steps)],
                      anchor, size=style.SMALL_SIZE, color=racer.color)
            for racer, series, anchor in zip(self.racers, texts, anchors)
        ]
        inset_top = y - 0.2
        inset_rect = style.Rect(panel.x, (inset_top + panel.bottom) / 2, panel.width, inset_top - panel.bottom)
        inset = LossInset(inset_rect, [(r.loss, r.color) for r in self.racers], steps)
        driver = StepDriver(moving + [counter, *readouts, inset])
        self.add(*driver.widgets)
        self.add(heading, note)

        beats = self.story()
        # the first step under the intro: the same for every β (v₁ = g₀)
        first = min(1, steps)
        with self.beat(beats[0][1]):
            for row in rows:  # introduce the racers one by one
                self.play_ticks(fade_in(row), ticks=8)
            # the step takes most of the caption's reading time, then a short pause to finish reading
            intro_ticks = max(first * INTRO_TICKS_PER_STEP, reading_ticks(beats[0][1]) - 8 * len(rows) - 45)
            zoomed = self.play_beat_steps(driver, zoom, track, scale_marks, 0, first, intro_ticks)
        for planned in plan_story(beats[1:], steps, self.ticks_per_step, 2, self.progress):
            start = max(planned.start, first)
            if planned.text is None:
                zoomed = self.play_beat_steps(driver, zoom, track, scale_marks, start, planned.end, planned.ticks, zoomed)
                continue
            with self.beat(planned.text):
                if planned.ticks > 0 and planned.end > start:
                    zoomed = self.play_beat_steps(driver, zoom, track, scale_marks, start, planned.end,
                                                  planned.ticks, zoomed)
        closing = beats[-1][1]
        with self.beat(closing, min_ticks=reading_ticks(closing) + 15):
            if len(self.stable) > 1:
                # the verdict acted out: the race replayed on the loss chart, a ring on whoever leads
                marker = LeadMarker(inset, self.leaders, [r.color for r in self.racers])
                replay = StepDriver([marker])
                self.play_ticks(fade_in(marker), ticks=6)
                self.play_ticks(replay.advance(steps), ticks=max(REPLAY_TICKS, reading_ticks(closing) - 6))

    def play_beat_steps(self, driver: StepDriver, zoom: PlotZoom | None, track: EscapeTrack | None,
                        scale_marks: list, start: int, end: int, ticks: int, zoomed: bool = False) -> bool:
        """Advance ``driver`` to ``end`` in ``ticks``; the zoom follows an escaping run out (the plot's
        tick numbers fade while the view is not the plot's own) and comes back once that run is done,
        as long as some run stays to watch. Returns whether the view is zoomed out afterwards."""
        if ticks <= 0 or end <= start:
            return zoomed
        if zoom is None or track is None:
            self.play_ticks(driver.advance(end), ticks=ticks)
            return False
        if track.moves(start, end):
            fades = [fade_out(m, rate_func=fade_early) for m in scale_marks] if not zoomed else []
            self.play_ticks(driver.advance(end), zoom.tracking(driver, track.view_at), *fades, ticks=ticks)
            return True
        if zoomed and self.stable:  # the escape is over: back to the runs that stay
            self.play_ticks(zoom.reset(), *(fade_in(m) for m in scale_marks), ticks=ZOOM_BACK_TICKS)
            track.restart(end)  # a later escape may pull the view out again
            zoomed = False
        self.play_ticks(driver.advance(end), ticks=ticks)
        return zoomed
