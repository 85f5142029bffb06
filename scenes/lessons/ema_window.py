"""An EMA refresher (lesson beat 4): the weights (1 − β)β^k and the effective window 1/(1 − β).

Part one: a seeded noisy scalar signal x_t and its EMA m_t = β m_{t−1} + (1 − β) x_t (from
m_0 = 0, the engine's "ema" convention run on the signal), with the weights drawn as bars under
the signal, anchored at the current step and reaching back, and the window 1/(1 − β) marked.
It uses the smallest β of ``betas`` (the shortest memory fits the step axis). Part two: every β
of ``betas`` on a logarithmic lag axis, so β = 0.9, 0.99, 0.999 ↔ windows 10, 100, 1000 all fit.
"""

from __future__ import annotations

import math

import numpy as np
from manim import (
    Create,
    DashedLine,
    Dot,
    Rectangle,
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
from scenes.widgets.worked_table import tex_number, typeset_cells
from scenes.widgets.core import PlotFrame, ProgressivePath, StepDriver, label, legend_row, note_lines, stack_in

SIGNAL = style.OPTIMIZER_COLORS["gd"]        # observations (gradients, in the lesson)
AVERAGE = style.OPTIMIZER_COLORS["momentum"]  # the EMA (the velocity, in the lesson)
LENGTH = 80  # observations in part one


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
        part_one, reveal, driver, window_marks = self.build_signal_part()
        self.add(*part_one)

        # Beats: the signal, then its EMA and the weights
        with self.beat(text["intro"]):
            self.play_ticks(reveal.advance(LENGTH), ticks=LENGTH // 2)
        half = LENGTH // 2
        for key, end, span in (("run", half, half), ("weights", LENGTH, LENGTH - half)):
            with self.beat(text[key]):
                self.play_ticks(driver.advance(end), ticks=span * 2)  # then the caption holds a still frame
        with self.beat(text["window"]):
            self.play_ticks(fade_in(window_marks), ticks=12)

        # Beats: several betas on a log axis
        part_two, curves, marks = self.build_log_part()
        with self.beat(text["compare"]):
            self.play_ticks(fade_out(VGroup(*part_one, window_marks)), ticks=10)
            self.play_ticks(fade_in(part_two), ticks=10)
            per_curve = max(12, 45 // len(curves))
            for line, fill in curves:
                self.play_ticks(Create(line), fade_in(fill), ticks=per_curve)
        with self.beat(text["share"], min_ticks=reading_ticks(text["share"]) + 15):
            self.play_ticks(fade_in(marks), ticks=12)

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

    def build_signal_part(self) -> tuple[list, StepDriver, StepDriver, VGroup]:
        """Signal plot, weight bars, panel; drivers of the dots and of the EMA; the window marks (shown later)."""
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

        steps = np.arange(1, LENGTH + 1, dtype=float)
        dots = RevealedDots(series.to_scene(np.stack([steps, self.signal], -1)), SIGNAL)
        ema_points = series.to_scene(np.stack([np.arange(LENGTH + 1, dtype=float), self.ema], -1))
        ema = ProgressivePath(ema_points, AVERAGE).set_z_index(style.Z_BALL)
        weight_bars = WeightBars(self.weights, bars.to_scene, AVERAGE, opacity=0.7)

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
        driver = StepDriver([ema, weight_bars])

        # the window: a bracket over the newest 1/(1−β) bars (a whole number of them) and a band
        # over the same steps
        end = float(LENGTH) + 0.5
        start = end - self.count
        window_tex = self.equations["window"]
        bracket = WindowBracket(bars.to_scene([start, 0])[0], bars.to_scene([end, 0])[0],
                                bars.to_scene([0, w0 * 1.12])[1], window_tex, AVERAGE,
                                clip_left=bars.box.left, clip_right=bars.box.right)
        left = max(bars.to_scene([start, 0])[0], series.box.left)
        right = series.to_scene([end, 0])[0]
        band = Rectangle(width=right - left, height=series.box.height, stroke_width=0,
                         fill_color=AVERAGE, fill_opacity=0.12)
        band.move_to([(left + right) / 2, series.box.y, 0]).set_z_index(style.Z_CONTOUR)
        note = VGroup(*note_lines(f"{newest(self.count)} {style.fmt_percent(self.share)} of the weight",
                                  panel.width, color=AVERAGE))
        stack_in(panel, list(note), y - 0.3, buff=0.06)
        marks = VGroup(band, bracket, note.set_z_index(style.Z_LABEL))
        return [series, bars, *rows, dots, *driver.widgets], reveal, driver, marks

    def build_log_part(self) -> tuple[VGroup, list[tuple[VMobject, VMobject]], VGroup]:
        """Log-lag plot with a legend; per β a curve and the area under it; the window marks."""
        layout = self.layout
        count = len(self.betas)
        label_rows = [1.08 + 0.14 * i for i in range(count)]
        ymax = label_rows[-1] + 0.12
        frame = LogXFrame(0, self.decades, 0.0, ymax, layout.plot, x_label="n-th newest observation (log scale)",
                          y_label="weight ÷ newest weight", y_ticks=(0.0, 0.5, 1.0))
        colors = [style.SERIES_COLORS[i % len(style.SERIES_COLORS)] for i in range(count)]
        curves, marks = [], VGroup()
        floor_left, floor_right = frame.to_scene(1.0, 0.0), frame.to_scene(10.0**self.decades, 0.0)
        for i, (curve, color) in enumerate(zip(self.curves, colors)):
            line = frame.to_scene(self.ages, curve)
            stroke = VMobject(stroke_color=color, stroke_width=3).set_points_as_corners(line)
            area = VMobject(stroke_width=0, fill_color=color, fill_opacity=0.14)
            area.set_points_as_corners(np.vstack([line, floor_right[None], floor_left[None], line[:1]]))
            curves.append((stroke.set_z_index(style.Z_PATH), area.set_z_index(style.Z_CONTOUR)))
            x = frame.to_scene(self.windows[i], 0.0)[0]
            top = frame.to_scene(self.windows[i], label_rows[i])
            marks.add(DashedLine([x, frame.box.bottom, 0], top, dash_length=0.08, stroke_color=color,
                                 stroke_width=2).set_z_index(style.Z_AXES))
            marks.add(Dot(frame.to_scene(self.windows[i], self.at_window[i]), radius=0.07, color=color)
                      .set_stroke(style.BACKGROUND, 1.5).set_z_index(style.Z_BALL))
            tag = label(style.fmt_short(float(self.windows[i])), style.SMALL_SIZE, color)
            tag_x = top[0] + 0.08 + tag.width / 2
            if tag_x + tag.width / 2 > frame.box.right - 0.05:
                tag_x = top[0] - 0.08 - tag.width / 2
            marks.add(tag.move_to([tag_x, top[1], 0]).set_z_index(style.Z_LABEL))

        panel = layout.panel
        rows = [self.equations["relative"], label("window 1/(1 − β):", style.SMALL_SIZE, style.MUTED)]
        for beta, window, color in zip(self.betas, self.windows, colors):
            rows.append(legend_row(color, f"β = {fmt_param(beta)}  →  {style.fmt_short(float(window))}",
                                   style.SMALL_SIZE))
        stack_in(panel, rows, panel.top - 0.05, buff=0.2)
        return VGroup(frame, *rows), curves, marks
