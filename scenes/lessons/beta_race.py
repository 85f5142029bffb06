"""What β buys (lesson beat 7): momentum with short and long memory racing on one ravine.

Defaults: ``narrow-ravine`` (A = diag(1, 100)), start (−4, 1.5), one η = 0.006 for every β
(below (2 + 2β)/λmax for the smallest β, so every run is stable), β = 0.5, 0.9 and 0.99,
80 steps. Render with ``ravine render beta-race``.
"""

from __future__ import annotations

import numpy as np

from engine import analysis, claims, get_landscape, run, theory
from engine.compare import leaders, settled_leader
from engine.verdict import verdict as run_verdict  # the story keeps a local named verdict
from scenes.kit import style
from scenes.kit.base import LessonScene, pace, plan_story
from scenes.widgets.contours import landscape_backdrop
from scenes.kit.fades import fade_in
from scenes.kit.params import ParamSpec, SceneSpec, landscape_param, lr_param, start_param, steps_param
from scenes.widgets.race import (
    SeriesRacer,
    axis_name,
    escape_label,
    frame_racers,
    point_text,
    racer_marks,
    view_box,
)
from scenes.widgets.core import LossInset, StepDriver, SwapLabel, label, legend_row, stack_in


def loss_text(value: float) -> str:
    """A loss for a caption: three significant digits (450, 0.454, 1.39×10⁵)."""
    return style.fmt_short(float(f"{float(value):.3g}"))


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
        return pace(text, span, 0, 1 if span > 60 else 2, 10)

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
    def construct(self) -> None:
        self.compute()
        layout, steps = self.layout, self.params["steps"]
        minimizer = np.asarray(self.landscape.minimizer, dtype=float)
        view, _ = frame_racers(self.racers, self.start, minimizer, list(self.rates))
        self.framed_runs = [(r.name, r.theta, view_box(view), bool(claims.diverges(r.diverged_at, float(rate))))
                            for r, rate in zip(self.racers, self.rates)]

        self.title(self.TITLE)
        plot, backdrop = landscape_backdrop(self.landscape, view, layout.plot)
        self.add(*backdrop)
        all_marks = [racer_marks(plot, racer, width=2.4) for racer in self.racers]
        paths = [marks.path.path_points for marks in all_marks]
        moving, escapes = [], []
        for racer, marks in zip(self.racers, all_marks):
            moving += marks.widgets
            if marks.exit_step is not None:
                what = f"diverged (step {racer.diverged_at})" if racer.diverged_at >= 0 else "off the chart"
                # clear of every path; runs leaving near one border point get their labels on separate lines
                escapes.append(escape_label(f"{racer.name}: {what}", marks.exit_step, marks.exit_point,
                                            plot.box, racer.color, clear_of=escapes, avoid=paths))
        moving += escapes

        # Panel: shared η, step counter, one legend row per β with its loss, loss inset
        panel = layout.panel
        heading = label(f"momentum, η = {style.fmt_short(self.params['lr'])}", style.LABEL_SIZE)
        y = stack_in(panel, [heading], panel.top - 0.05)
        counter = SwapLabel(lambda k: f"step {min(k, steps)} / {steps}", [panel.left, y - 0.3, 0])
        rows = [legend_row(r.color, r.name) for r in self.racers]
        texts = [[f"L = {style.fmt(float(loss), 4)}" for loss in r.loss[:steps + 1]] for r in self.racers]
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
        self.add(heading)

        beats = self.story()
        with self.beat(beats[0][1]):
            for row in rows:  # introduce the racers one by one
                self.play_ticks(fade_in(row), ticks=8)
        self.play_story(driver, beats[1:], steps, self.ticks_per_step, tail_ticks=2, progress=self.progress)
