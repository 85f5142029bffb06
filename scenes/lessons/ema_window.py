"""An EMA refresher (lesson beat 4): the weights (1 − β)β^k and the effective window 1/(1 − β).

Part one: a seeded noisy scalar signal x_t and its EMA m_t = β m_{t−1} + (1 − β) x_t (from
m_0 = 0, the engine's "ema" convention run on the signal). As the EMA steps along, every
observation's dot is dimmed by its weight (1 − β)β^k (the newest bright, older ones fading
geometrically; those not read yet are rings), the weights are drawn as bars under the signal,
anchored at the current step and reaching back, and a band over the newest 1/(1 − β)
observations slides with the step. At the end the window is counted out bar by bar with the
running share of the weight it holds. It uses the smallest β of ``betas`` (the shortest memory
fits the step axis). Part two: every β of ``betas`` on a logarithmic lag axis, each curve drawn in
turn with the window marker travelling on to its window (β = 0.9, 0.99, 0.999 ↔ 10, 100, 1000),
then the share of the weight inside each window."""

from __future__ import annotations

import math

import numpy as np
from manim import (
    Create,
    DashedLine,
    Dot,
    ReplacementTransform,
    TransformFromCopy,
    VGroup,
    VMobject,
)

from engine import theory
from engine.sequences import ema_history, noisy_signal, relative_ema_weights, window_share
from scenes.kit import style
from scenes.kit.base import LessonScene, reading_ticks
from scenes.kit.fades import fade_in, fade_out
from scenes.kit.param_text import fmt_param
from scenes.kit.framing import View, nice_step
from scenes.kit.params import ParamSpec, SceneSpec, seed_param
from scenes.widgets.series_plot import LogXFrame, RevealedDots
from scenes.kit.style import Rect
from scenes.widgets.weight_bars import WeightBars, WindowBracket
from scenes.widgets.weighted_dots import SpanSweep, StepCursor, WeightedDots, WindowBand
from scenes.widgets.worked_table import tex_number, typeset_cells
from scenes.widgets.core import (Ball, PlotFrame, ProgressivePath, StepDriver, SwapLabel, label, legend_row, note_lines,
                                 stack_in)

SIGNAL = style.OPTIMIZER_COLORS["gd"]        # observations (gradients, in the lesson)
AVERAGE = style.OPTIMIZER_COLORS["momentum"]  # the EMA (the velocity, in the lesson)
LENGTH = 80  # observations in part one
FIRST_STEPS = 8  # EMA steps shown slowly while the recursion is read


def observations(count: float) -> str:
    """"1 observation", "10 observations", "33.33 observations"."""
    return f"{style.fmt_short(count)} observation{'' if abs(count - 1) < 1e-9 else 's'}"


def newest(count: int) -> str:
    """"the newest observation carries", "the newest 10 carry": the subject of a weight share."""
    return "the newest observation carries" if count == 1 else f"the newest {count} carry"


class EmaWindow(LessonScene):
    """A noisy signal, its EMA, the decaying weights (1 − β)βᵏ and the window 1/(1 − β) for several β."""

    TITLE = "Exponential moving average: how far back it looks"
    ASPECTS = ('16:9', '1:1', '9:16')
    SPEC = SceneSpec(
        name="ema-window",
        description="A noisy signal and its EMA; the weights (1−β)βᵏ as bars and the window 1/(1−β): β = 0.9, 0.99, 0.999 ↔ 10, 100, 1000.",
        params=(
            ParamSpec("betas", "floats", (0.9, 0.99, 0.999), "EMA coefficients β to compare (the smallest is animated)",
                      low=0.0, high=1.0, high_open=True, length=(1, 4)),
            seed_param(0),
        ),
    )

    # -- engine ----------------------------------------------------------------------------
    def compute(self) -> None:
        """Signal, EMA, weights and windows from the engine."""
        p = self.params
        self.betas = np.asarray(p["betas"], dtype=float)
        self.beta = float(np.min(self.betas))
        self.signal = noisy_signal(LENGTH, seed=p["seed"])              # x_1 … x_L
        self.ema = ema_history(self.signal, self.beta)                   # m_0 = 0 … m_L
        self.weights = theory.ema_weights(self.beta, np.arange(LENGTH))  # w_0 … w_{L−1}
        self.relative = np.atleast_1d(relative_ema_weights(self.beta, np.arange(LENGTH)))  # w_k / w_0: dot opacity
        self.window = float(theory.ema_window(self.beta))
        self.count = int(theory.ema_window_count(self.beta))             # the window in whole observations
        self.share = float(window_share(self.beta, self.count))
        self.covered = float(window_share(self.beta, LENGTH))            # weight on x_1 … x_L at step L
        self.windows = np.atleast_1d(theory.ema_window(self.betas))
        self.shares = np.atleast_1d(window_share(self.betas, theory.ema_window_count(self.betas)))
        self.decades = max(2, math.ceil(math.log10(5 * float(np.max(self.windows)))))
        self.ages = np.geomspace(1.0, 10.0**self.decades, 480)           # n-th newest, n = k + 1
        self.curves = [np.atleast_1d(relative_ema_weights(b, self.ages - 1)) for b in self.betas]
        self.at_window = np.atleast_1d(relative_ema_weights(self.betas, self.windows - 1))

    def default_highlights(self) -> dict[str, str]:
        return {"EMA": AVERAGE}

    # -- captions (facts from the engine) --------------------------------------------------
    def captions(self) -> dict[str, str]:
        """Every caption, keyed by beat; β = 0 (no memory) and long windows get their own wording."""
        f = style.fmt_short
        b, w = fmt_param(self.beta), f(self.window)
        out = {"intro": ("An exponential moving average keeps one running number: each step, β of the old "
                         "average plus 1 − β of the new observation.")}
        if self.beta == 0:
            out["run"] = "β = 0: the EMA is just the newest observation, mₜ = xₜ: no memory, no smoothing."
            out["weights"] = "Unrolled, the observation k steps back counts (1 − β)βᵏ: with β = 0 only the newest counts."
            out["window"] = "The window 1/(1 − β) is 1: the newest observation carries all of the weight."
        else:
            covered = self.covered
            if covered >= 0.95:
                settle = "From m₀ = 0 the EMA climbs to the data, then smooths its noise."
            else:
                settle = (f"After {LENGTH} steps the data hold only {style.fmt_percent(covered)} of the weight; the rest "
                          f"still sits on m₀ = 0.")
            out["run"] = f"β = {b}: each observation enters with weight {f(1 - self.beta)}. {settle}"
            out["weights"] = (f"Unrolled, the observation k steps back counts (1 − β)βᵏ: each bar is {b} times "
                              f"the next newer one.")
            out["window"] = (f"The weights never reach zero, but about 1/(1 − β) = {w} observations matter: "
                             f"{newest(self.count)} {style.fmt_percent(self.share)} of the weight.")
        order = np.argsort(self.windows)
        pairs = [(fmt_param(self.betas[i]), float(self.windows[i])) for i in order]
        if len(pairs) == 1:
            out["compare"] = f"On a logarithmic axis: β = {pairs[0][0]} remembers about {observations(pairs[0][1])}."
        else:
            listed = ", ".join(f"{beta} → {f(window)}" for beta, window in pairs[1:])
            out["compare"] = (f"Raise β and memory grows: β = {pairs[0][0]} → about {observations(pairs[0][1])}, "
                              f"{listed} (log axis).")
        shares = ", ".join(style.fmt_percent(float(self.shares[i])) for i in order)
        oldest, longest = pairs[-1]
        inside = "Share of the weight inside the window" + ("s" if len(pairs) > 1 else "")
        if longest > 1.5:
            tail = f"β = {oldest} still hears observations {f(longest)} steps old."
        else:
            tail = f"β = {oldest} hears only the newest observation."
        out["share"] = f"{inside}: {shares}. {tail}"
        return out

    # -- drawing ---------------------------------------------------------------------------
    def construct(self) -> None:
        self.compute()
        self.title(self.TITLE)
        text = self.captions()
        self.typeset()
        one = self.build_signal_part()
        self.add(*one["static"], one["dots"])
        driver = one["driver"]

        # The signal arrives; then the EMA starts to read it, one observation per step: the dot it
        # has just read lights up, older ones dim by their weight, rings are still to come
        with self.beat(text["intro"]):
            self.play_ticks(one["reveal"].advance(LENGTH), ticks=LENGTH // 2)
            self.play_ticks(fade_out(one["dots"]), fade_in(one["weighted"]), ticks=8)
            self.add(*driver.widgets)
            self.play_ticks(driver.advance(FIRST_STEPS), ticks=FIRST_STEPS * 4)
        half = LENGTH // 2
        with self.beat(text["run"]):
            self.play_ticks(driver.advance(half), ticks=int((half - FIRST_STEPS) * 3.5))
        # the window 1/(1 − β) slides with the newest step while the weights trail behind it
        with self.beat(text["weights"]):
            band = one["band"]
            band.set_progress(half)
            self.play_ticks(fade_in(band), ticks=8)
            self.add(one["weighted"])  # the dots over the band (same layer, drawn later)
            self.play_ticks(driver.advance(LENGTH), one["band_driver"].advance(LENGTH), ticks=(LENGTH - half) * 5 // 2)
        # count the window out: the newest bars one by one, their running share of the weight
        with self.beat(text["window"]):
            self.play_ticks(fade_in(one["bracket"]), ticks=12)
            swept = min(self.count, LENGTH)
            self.add(*one["sweep_driver"].widgets)
            self.play_ticks(one["sweep_driver"].advance(swept), ticks=int(np.clip(6 * swept, 30, 60)))
            if one["note"] is not None:
                self.play_ticks(fade_in(one["note"]), ticks=10)

        # Several betas on a log axis: each curve drawn in turn, the window marker travelling on
        part_one = VGroup(*one["static"], *driver.widgets, band, one["bracket"],
                          *one["sweep_driver"].widgets, *([one["note"]] if one["note"] is not None else []))
        part_two, curves, markers, insides, tags = self.build_log_part()
        with self.beat(text["compare"]):
            self.play_ticks(fade_out(part_one), ticks=10)
            self.play_ticks(fade_in(part_two), ticks=10)
            per_curve = max(10, 45 // len(curves))
            for i, ((line, fill), marker) in enumerate(zip(curves, markers)):
                self.play_ticks(Create(line), fade_in(fill), ticks=per_curve)
                if i == 0:
                    self.play_ticks(fade_in(marker), ticks=10)
                else:
                    self.play_ticks(TransformFromCopy(markers[i - 1], marker), ticks=max(8, 36 // len(curves)))
        # the share of the weight that lies inside each window, one β at a time
        with self.beat(text["share"], min_ticks=reading_ticks(text["share"]) + 15):
            for inside, (tag, full) in zip(insides, tags):
                self.play_ticks(fade_in(inside), ReplacementTransform(tag, full), ticks=max(8, 45 // len(tags)))

    def typeset(self) -> None:
        """Every equation of the scene in one LaTeX run, as ``self.equations[name]``."""
        sources = {
            "recursion": (r"m_t = \beta\, m_{t-1} + (1-\beta)\, x_t", style.TEXT, 1.0),
            "weights": (r"w_k = (1-\beta)\,\beta^{k}", AVERAGE, 1.0),
            "window": (r"\tfrac{1}{1-\beta} = " + tex_number(self.window), AVERAGE, 0.93),
            "relative": (r"\frac{w_k}{w_0} = \beta^{k}", style.TEXT, 1.0),
        }
        cells = typeset_cells([[(source, color)] for source, color, _ in sources.values()])
        self.equations = {}
        for (name, (_, _, scale)), mob in zip(sources.items(), cells):
            self.equations[name] = mob.scale(scale).set_z_index(style.Z_LABEL)

    def build_signal_part(self) -> dict:
        """Signal plot, weight bars, panel; the drivers of the dots, the EMA and the window; the
        window's bracket, its counted-out sweep and note (shown later)."""
        layout = self.layout
        plot = layout.plot
        if layout.panel.top <= layout.plot.bottom:
            # stacked (portrait) layout: the plot spans the frame, so leave room on its right for
            # the bars' "step" axis label (beside a panel there is the gap to the panel for it)
            room = label("step", style.SMALL_SIZE).width + 0.08 - 0.25 + 0.05
            plot = Rect(plot.x - room / 2, plot.y, plot.width - room, plot.height)
        series_rect = Rect(plot.x, plot.top - 3.25 / 2, plot.width, 3.25)
        bars_rect = Rect(plot.x, plot.bottom + (plot.height - 3.25) / 2, plot.width, plot.height - 3.25)
        values = np.concatenate([self.signal, self.ema])
        step = nice_step(float(values.max() - min(values.min(), 0.0)), 4)
        low = math.floor(min(values.min(), 0.0) / step) * step
        high = math.ceil(values.max() / step) * step
        series = PlotFrame(View(0.0, LENGTH + 1.0, low, high), series_rect, x_label="", y_label="")
        w0 = float(self.weights[0])
        bars_view = View(0.0, LENGTH + 1.0, 0.0, w0 * 1.6)
        bars = PlotFrame(bars_view, bars_rect, x_label="step", y_label="weight")

        def series_x(t: float) -> float:
            return float(series.to_scene(np.array([t, 0.0]))[0])

        def bars_x(t: float) -> float:
            return float(bars.to_scene(np.array([t, 0.0]))[0])

        steps = np.arange(1, LENGTH + 1, dtype=float)
        points = series.to_scene(np.stack([steps, self.signal], -1))
        dots = RevealedDots(points, SIGNAL)
        weighted = WeightedDots(points, self.relative, SIGNAL)
        ema_points = series.to_scene(np.stack([np.arange(LENGTH + 1, dtype=float), self.ema], -1))
        ema = ProgressivePath(ema_points, AVERAGE).set_z_index(style.Z_BALL)
        head = Ball(ema_points, AVERAGE, radius=0.07)
        weight_bars = WeightBars(self.weights, bars.to_scene, AVERAGE, opacity=0.7)
        cursors = [StepCursor(series_x, series.box.bottom, series.box.top, style.MUTED),
                   StepCursor(bars_x, bars.box.bottom, bars.box.top, style.MUTED)]

        # panel: the recursion, legend, weights formula
        panel = layout.panel
        rows = [
            self.equations["recursion"],
            legend_row(SIGNAL, "observations xₜ", style.SMALL_SIZE),
            legend_row(AVERAGE, f"EMA mₜ, β = {fmt_param(self.beta)}", style.SMALL_SIZE),
            self.equations["weights"],
        ]
        y = stack_in(panel, rows, panel.top - 0.05, buff=0.22)
        reveal = StepDriver([dots])
        driver = StepDriver([ema, head, weight_bars, weighted, *cursors])

        # the window: a band over the newest 1/(1−β) observations (a whole number of them) that
        # slides with the step, and at the end a bracket over the same bars
        band = WindowBand(series_x, self.count, series.box.bottom, series.box.top, series.box.left, AVERAGE)
        band_driver = StepDriver([band])
        band_driver.set_progress(LENGTH // 2)
        end = float(LENGTH) + 0.5
        start = end - self.count
        window_tex = self.equations["window"]
        bracket = WindowBracket(bars.to_scene([start, 0])[0], bars.to_scene([end, 0])[0],
                                bars.to_scene([0, w0 * 1.12])[1], window_tex, AVERAGE,
                                clip_left=bars.box.left, clip_right=bars.box.right)
        sweep = SpanSweep(bars_x, LENGTH, bars.box.bottom, bars.to_scene([0, w0 * 1.05])[1], bars.box.left, AVERAGE)

        def counted(k: int) -> str:
            k = min(k, self.count, LENGTH)
            return "" if k <= 0 else f"newest {k}: {style.fmt_percent(float(window_share(self.beta, k)))}"

        tally = SwapLabel(counted, [panel.left, y - 0.3, 0], size=style.SMALL_SIZE, color=AVERAGE)
        sweep_driver = StepDriver([sweep, tally])
        note = None
        if self.count > LENGTH:  # the bars end before the window does: say what the window holds
            note = VGroup(*note_lines(f"{newest(self.count)} {style.fmt_percent(self.share)} of the weight",
                                      panel.width, color=AVERAGE))
            stack_in(panel, list(note), y - 0.3 - style.SMALL_LINE_STEP, buff=0.06)
            note.set_z_index(style.Z_LABEL)
        return {"static": [series, bars, *rows], "dots": dots, "reveal": reveal, "weighted": weighted,
                "driver": driver, "band": band, "band_driver": band_driver, "bracket": bracket,
                "sweep_driver": sweep_driver, "note": note}

    def build_log_part(self) -> tuple[VGroup, list[tuple[VMobject, VMobject]], list[VGroup], list[VMobject],
                                      list[tuple[VMobject, VMobject]]]:
        """Log-lag plot with a legend; per β a curve and the area under it, its window marker (dashed
        line, dot, tag), the area inside its window and the tag with the window's share of the weight."""
        layout = self.layout
        count = len(self.betas)
        label_rows = [1.08 + 0.14 * i for i in range(count)]
        ymax = label_rows[-1] + 0.12
        frame = LogXFrame(0, self.decades, 0.0, ymax, layout.plot, x_label="n-th newest observation (log scale)",
                          y_label="weight ÷ newest weight", y_ticks=(0.0, 0.5, 1.0))
        colors = [style.SERIES_COLORS[i % len(style.SERIES_COLORS)] for i in range(count)]
        curves, markers, insides, tags = [], [], [], []
        floor_left, floor_right = frame.to_scene(1.0, 0.0), frame.to_scene(10.0**self.decades, 0.0)
        for i, (curve, color) in enumerate(zip(self.curves, colors)):
            line = frame.to_scene(self.ages, curve)
            stroke = VMobject(stroke_color=color, stroke_width=3).set_points_as_corners(line)
            area = VMobject(stroke_width=0, fill_color=color, fill_opacity=0.14)
            area.set_points_as_corners(np.vstack([line, floor_right[None], floor_left[None], line[:1]]))
            curves.append((stroke.set_z_index(style.Z_PATH), area.set_z_index(style.Z_CONTOUR)))
            window = float(self.windows[i])
            x = frame.to_scene(window, 0.0)[0]
            top = frame.to_scene(window, label_rows[i])
            # the curve inside the window (the newest 1/(1 − β) observations) traced thick
            within = self.ages <= window
            edge = frame.to_scene(window, self.at_window[i])
            inside = VMobject(stroke_color=color, stroke_width=9, stroke_opacity=0.45)
            inside.set_points_as_corners(np.vstack([line[within], edge[None]]))
            insides.append(inside.set_z_index(style.Z_PATH))
            marker = VGroup(
                DashedLine([x, frame.box.bottom, 0], top, dash_length=0.08, stroke_color=color,
                           stroke_width=2).set_z_index(style.Z_AXES),
                Dot(edge, radius=0.07, color=color).set_stroke(style.BACKGROUND, 1.5).set_z_index(style.Z_BALL),
            )
            short = label(style.fmt_short(window), style.SMALL_SIZE, color)
            full = label(f"{style.fmt_short(window)}: {style.fmt_percent(float(self.shares[i]))}", style.SMALL_SIZE,
                         color)
            for tag in (short, full):
                tag_x = top[0] + 0.08 + tag.width / 2
                if tag_x + tag.width / 2 > frame.box.right - 0.05:
                    tag_x = top[0] - 0.08 - tag.width / 2
                tag.move_to([tag_x, top[1], 0]).set_z_index(style.Z_LABEL)
            marker.add(short)
            markers.append(marker)
            tags.append((short, full))

        panel = layout.panel
        rows = [self.equations["relative"], label("window 1/(1 − β):", style.SMALL_SIZE, style.MUTED)]
        for beta, window, color in zip(self.betas, self.windows, colors):
            rows.append(legend_row(color, f"β = {fmt_param(beta)}  →  {style.fmt_short(float(window))}",
                                   style.SMALL_SIZE))
        stack_in(panel, rows, panel.top - 0.05, buff=0.2)
        return VGroup(frame, *rows), curves, markers, insides, tags
