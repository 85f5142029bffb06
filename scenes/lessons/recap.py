"""Recap (end of the lesson): the three ideas as the pictures that taught them, then the update rule.

Three small panels, each rebuilt from objects the viewer has already seen, appear in turn while
their caption is read: noise (a fan of mini-batch gradients scattering around the full gradient,
drawn from the engine's seeded data set as in ``minibatch-noise``), memory (the EMA weights
(1 − β)βᵏ as bars sliding along a step axis, with the window 1/(1 − β) as in ``ema-window``), and
acceleration and damping (a steady gradient's velocity stack piling up toward g/(1 − β) beside a
flipping one's cancelling toward g/(1 + β), as in ``velocity-sum``). Then the update lines
v ← βv + g and θ ← θ − ηv are assembled term by term, each term growing out of the picture it
came from (g from the fan, βv from the bars, v from the steady stack's total), and the step line
turns into its per-parameter form for the teaser of the next lesson (Adam). Render with
``ravine render recap``.
"""

from __future__ import annotations

import math

import numpy as np
from manim import LEFT, DashedLine, Line, ReplacementTransform, Rectangle, TransformFromCopy, VGroup

from engine import get_landscape, theory
from engine.minibatch import dataset, gradient_draws, minibatch_spread
from engine.sequences import alternating_gradients, constant_gradients, velocity_history, velocity_partial_sums, \
    velocity_terms
from scenes.kit import style
from scenes.kit.base import LessonScene, reading_ticks
from scenes.kit.fades import fade_in
from scenes.kit.param_text import fmt_param
from scenes.kit.params import ParamSpec, SceneSpec, seed_param, steps_param
from scenes.kit.style import Rect
from scenes.widgets.arrow_stack import ArrowStack
from scenes.widgets.arrows import RidingArrows
from scenes.widgets.core import StepDriver, label, wrapped_label
from scenes.widgets.weight_bars import WeightBars, WindowBracket, rectangles
from scenes.widgets.worked_table import typeset_cells

GRADIENT = style.OPTIMIZER_COLORS["sgd"]      # gradients (the mini-batch draws, g)
VELOCITY = style.OPTIMIZER_COLORS["momentum"]  # the velocity (v) and its memory
LANDSCAPE = "bowl"                              # minibatch-noise's default problem and start
START = (6.0, 4.0)
N_SAMPLES = 512
DRAWS = 8
DRAWS_WORD = "Eight"
G = 1.0
WIDE = 0.9  # frames at least this wide (w/h: 16:9, 1:1) set the panels side by side; portrait ones stack them
TEASER = "Next: Adam = momentum + per-parameter step sizes (RMSProp)."


class SlidingBars(WeightBars):
    """The EMA weight bars moving smoothly between steps: over a fraction f of a step every bar slides
    f steps back and shrinks by β^f (its weight one step older), while the newest bar grows in."""

    def __init__(self, weights, to_scene, color: str, beta: float, **kw) -> None:
        self.beta = float(beta)
        super().__init__(weights, to_scene, color, **kw)

    def set_progress(self, step: float) -> None:
        t = int(math.floor(step + 1e-9))
        f = step - t if step - t > 1e-6 else 0.0
        key = (t, round(f, 6))
        if key == self._shown:
            return
        self._shown = key
        count = max(0, min(len(self.weights), t - self.first_step + 1))
        k = np.arange(count)
        steps = (t - k + f).astype(float)
        heights = self.weights[:count] * self.beta ** f
        if f and t + 1 >= self.first_step:  # the newest bar grows in
            steps = np.concatenate([[t + 1.0], steps])
            heights = np.concatenate([[f * self.weights[0]], heights])
        if len(steps) == 0:
            anchor = self.to_scene(np.array([float(self.first_step), 0.0]))
            self.set_points(np.repeat(anchor[None, :], 4, axis=0))
            return
        half = self.bar_width / 2
        lo = self.to_scene(np.stack([steps - half, np.zeros(len(steps))], -1))
        hi = self.to_scene(np.stack([steps + half, heights], -1))
        self.set_points(rectangles(lo[:, 0], hi[:, 0], lo[:, 1], hi[:, 1]))


class Recap(LessonScene):
    """The lesson's three ideas as their pictures, the update rule built from them, and what comes next."""

    TITLE = "Recap: noise, memory, acceleration"
    ASPECTS = ('16:9', '1:1', '9:16')
    SPEC = SceneSpec(
        name="recap",
        description="The three ideas (noise, memory, acceleration and damping) as the pictures that showed them; "
                    "the update lines built term by term from them; Adam next.",
        params=(
            # the shared β name, clamped like velocity-sum's: beyond 0.99 the steady stack is a sliver
            ParamSpec("beta", "float", 0.9, "momentum coefficient β", low=0.0, high=0.99),
            ParamSpec("batch_size", "int", 8, f"mini-batch size b from the seeded data set of {N_SAMPLES} samples",
                      low=1, high=N_SAMPLES // 2),
            steps_param(20, high=60),
            seed_param(0),
        ),
    )

    # -- engine ----------------------------------------------------------------------------
    def compute(self) -> None:
        """Mini-batch draws and their spread; EMA weights and window; the two velocity stacks."""
        p = self.params
        beta, b, seed, n = p["beta"], p["batch_size"], p["seed"], p["steps"]
        landscape = get_landscape(LANDSCAPE)
        start = np.asarray(START, dtype=float)
        self.draws = gradient_draws(landscape, start, b, DRAWS, seed, N_SAMPLES)          # (DRAWS, 2)
        self.true_grad = dataset(landscape, N_SAMPLES, seed).full_grad(start[None])[0]    # (2,)
        self.spread = float(minibatch_spread(landscape, start, b, seed, N_SAMPLES).relative)
        self.window = float(theory.ema_window(beta))
        self.bar_count = int(np.clip(math.ceil(2.5 * self.window), 6, 100))
        self.weights = np.atleast_1d(theory.ema_weights(beta, np.arange(self.bar_count)))
        self.limits = (float(theory.velocity_limit_constant(G, beta)),
                       float(theory.velocity_limit_alternating(G, beta)))
        self.stacks = []
        for grads in (constant_gradients(G, n), alternating_gradients(G, n)):
            terms = velocity_terms(grads, beta)
            heads = velocity_partial_sums(grads, beta) * np.sign(terms[0])  # the newest gradient drawn pointing up
            self.stacks.append((heads, velocity_history(grads, beta)))
        self.record_constant("spread", self.spread)
        self.record_constant("ema_window", self.window)

    def default_highlights(self) -> dict[str, str]:
        return {"velocity": VELOCITY, "white": style.TEXT}

    # -- captions (facts from the engine) --------------------------------------------------
    def captions(self) -> dict[str, str]:
        """Every caption, keyed by beat, in play order."""
        p = self.params
        beta, b = fmt_param(p["beta"]), p["batch_size"]
        f = style.fmt_short
        steady, flipping = self.limits
        out = {"noise": (f"Noise: a mini-batch of {b} only estimates the gradient; {DRAWS_WORD.lower()} draws "
                         f"scatter ±{style.fmt_percent(self.spread)} around the true one (white).")}
        if p["beta"] == 0:
            out["memory"] = "Memory: with β = 0 the velocity is just the newest gradient; nothing older counts."
            out["stacks"] = ("With β = 0 there is no speed-up and no damping: a steady and a flipping gradient "
                             "both give v = g.")
        else:
            out["memory"] = (f"Memory: old gradients fade by β per step; "
                             f"with β = {beta} about 1/(1 − β) = {f(self.window)} steps count.")
            out["stacks"] = (f"Acceleration: a steady gradient piles up to g/(1 − β) = {f(steady)}g. "
                             f"Damping: a flipping one cancels to g/(1 + β) = {f(flipping)}g.")
        out["rule"] = "The update lines: g is the noisy estimate, βv the memory, and θ steps along v, not g."
        out["next"] = TEASER
        return out

    def narration(self) -> list[str]:
        """The captions in play order, from ``compute()`` alone."""
        self.compute()
        return list(self.captions().values())

    # -- layout ----------------------------------------------------------------------------
    def regions(self, eq_h: float) -> tuple[list[Rect], Rect]:
        """Three panel rectangles (side by side on wide frames, stacked on narrow ones) and the
        equations' rectangle (``eq_h`` high) under them."""
        layout = self.layout
        top, bottom = layout.title.bottom - 0.1, layout.caption.top + 0.15
        width = layout.frame.width - 2 * style.MARGIN
        wide = layout.frame.width / layout.frame.height >= WIDE
        panels_bottom = bottom + eq_h
        gap = 0.2
        if wide:
            w = (width - 2 * gap) / 3
            h = top - panels_bottom
            panels = [Rect(-width / 2 + w / 2 + k * (w + gap), panels_bottom + h / 2, w, h) for k in range(3)]
        else:
            h = (top - panels_bottom - 2 * gap) / 3
            panels = [Rect(0.0, top - h / 2 - k * (h + gap), width, h) for k in range(3)]
        return panels, Rect(0.0, bottom + eq_h / 2, width, eq_h)

    def panel(self, rect: Rect, heading: str) -> tuple[Rectangle, Rect, VGroup]:
        """A panel's frame, the rectangle left for its picture and its heading."""
        frame = Rectangle(width=rect.width, height=rect.height, stroke_color=style.GRID, stroke_width=2)
        frame.move_to([rect.x, rect.y, 0]).set_z_index(style.Z_AXES)
        head = wrapped_label(heading, rect.width - 0.3, style.SMALL_SIZE, style.TEXT, line_buff=0.06)
        for line in head:
            line.align_to(head, LEFT)
        head.set_z_index(style.Z_LABEL)
        head.move_to([rect.left + 0.12 + head.width / 2, rect.top - 0.08 - head.height / 2, 0])
        inner_top = head.get_bottom()[1] - 0.1
        inner = Rect(rect.x, (inner_top + rect.bottom + 0.1) / 2, rect.width - 0.24, inner_top - rect.bottom - 0.1)
        return frame, inner, head

    # -- the three pictures ----------------------------------------------------------------
    def noise_picture(self, box: Rect) -> dict:
        """The fan of mini-batch descent directions at one point (revealed one by one) around the true one."""
        vectors = np.zeros((DRAWS, 3))
        vectors[:, :2] = -self.draws
        true = np.zeros(3)
        true[:2] = -self.true_grad
        longest = max(float(np.max(np.linalg.norm(vectors, axis=1))), float(np.linalg.norm(true)), 1e-12)
        scale = 0.85 * min(box.width, box.height) / longest
        vectors *= scale
        true *= scale
        tail = np.array([box.x, box.y, 0.0]) - 0.5 * true  # the fan centred in its box
        reveal = np.zeros((DRAWS + 1, DRAWS, 3))
        for k in range(1, DRAWS + 1):
            reveal[k, :k] = vectors[:k]
        fan = RidingArrows(np.repeat(tail[None], DRAWS + 1, axis=0), reveal, GRADIENT, opacity=0.55, ride=False,
                           glide=True, clip=box)  # each draw grows out of the point
        white = RidingArrows(tail[None], true[None], style.TEXT, width=4.5, clip=box, z_index=style.Z_BALL + 1)
        return {"fan": fan, "true": white, "driver": StepDriver([fan])}

    def memory_picture(self, box: Rect) -> dict:
        """The EMA weights as bars sliding along a step axis, and the window 1/(1 − β) over the newest."""
        count = self.bar_count
        text = label(f"1/(1 − β) = {style.fmt_short(self.window)}", style.TICK_SIZE, VELOCITY)
        room = text.height + 0.25
        base_y = box.bottom + 0.05
        top_y = box.top - room
        peak = float(self.weights[0]) if self.weights[0] > 0 else 1.0

        def to_scene(points: np.ndarray) -> np.ndarray:
            pts = np.asarray(points, dtype=float)
            x = box.left + (pts[..., 0] - 0.5) / count * box.width
            y = base_y + pts[..., 1] / peak * (top_y - base_y)
            return np.stack([x, y, np.zeros_like(x)], axis=-1)

        bars = SlidingBars(self.weights, to_scene, VELOCITY, self.params["beta"], first_step=1)
        axis = Line([box.left, base_y, 0], [box.right, base_y, 0], stroke_color=style.AXIS,
                    stroke_width=style.AXIS_WIDTH).set_z_index(style.Z_AXES)
        end_x = float(to_scene(np.array([count + 0.5, 0.0]))[0])
        start_x = float(to_scene(np.array([count + 0.5 - self.window, 0.0]))[0])
        bracket = WindowBracket(start_x, end_x, top_y + 0.08, text, VELOCITY, clip_left=box.left, clip_right=box.right)
        return {"bars": bars, "axis": axis, "bracket": bracket, "driver": StepDriver([bars])}

    def stacks_picture(self, box: Rect) -> dict:
        """The steady and the flipping gradient's velocity stacks on one scale, with their limits."""
        n = self.params["steps"]
        tags = [label("steady g", style.TICK_SIZE, GRADIENT), label("flipping ±g", style.TICK_SIZE, GRADIENT)]
        tag_h = max(t.height for t in tags)
        base_y = box.bottom + tag_h + 0.12
        top_y = box.top - 0.3
        peak = max(self.limits[0], float(np.max(np.abs(self.stacks[0][0]))), self.limits[1], 1e-12)
        unit = (top_y - base_y) / peak
        gap = 0.25
        region = (box.width - gap) / 2
        floor = Line([box.left, base_y, 0], [box.right, base_y, 0], stroke_color=style.AXIS,
                     stroke_width=style.AXIS_WIDTH).set_z_index(style.Z_AXES)
        stacks, limits, static = [], [], [floor]
        for k, ((heads, _), limit, tag) in enumerate(zip(self.stacks, self.limits, tags)):
            left = box.left + k * (region + gap)
            dx = min((region - 0.55) / max(n, 1), 0.4)
            stack = ArrowStack(heads, np.array([left + 0.05, base_y, 0.0]), unit, dx, GRADIENT, VELOCITY,
                               gap=0.12, width=2.5, total_width=4.0)
            stacks.append(stack)
            tag.move_to([left + tag.width / 2, box.bottom + tag.height / 2 + 0.02, 0]).set_z_index(style.Z_LABEL)
            static.append(tag)
            y = base_y + limit * unit
            dashed = DashedLine([left, y, 0], [left + region, y, 0], dash_length=0.08, stroke_color=VELOCITY,
                                stroke_width=2, stroke_opacity=0.8).set_z_index(style.Z_AXES)
            value = label(f"{style.fmt_short(limit)}g", style.TICK_SIZE, VELOCITY).set_z_index(style.Z_LABEL)
            value.move_to([left + region - value.width / 2, y + 0.05 + value.height / 2, 0])
            limits.append(VGroup(dashed, value))
        return {"stacks": stacks, "limits": limits, "static": static, "driver": StepDriver(stacks)}

    # -- the equations ---------------------------------------------------------------------
    def equations(self) -> tuple[VGroup, VGroup, VGroup, VGroup, float]:
        """v ← βv + g, θ ← θ − ηv and its per-parameter form (one LaTeX run), the teaser line, and the
        height they need (lines side by side on wide frames, stacked on portrait ones)."""
        T = style.TEXT
        rule, step, own = typeset_cells([
            [("v", VELOCITY), (r"\leftarrow", T), (r"\beta v", VELOCITY), ("+", T), ("g", GRADIENT)],
            [(r"\theta", T), (r"\leftarrow", T), (r"\theta", T), ("-", T), (r"\eta", T), ("v", VELOCITY)],
            [(r"\theta_i", T), (r"\leftarrow", T), (r"\theta_i", T), ("-", T), (r"\eta_i", T), ("v_i", VELOCITY)],
        ], scale=style.MATH_SCALE * 1.5)
        width = self.layout.frame.width - 2 * style.MARGIN
        teaser = wrapped_label(TEASER, width, style.LABEL_SIZE, style.TEXT)
        wide = self.layout.frame.width / self.layout.frame.height >= WIDE
        lines = max(rule.height, own.height) if wide else rule.height + 0.2 + own.height
        return rule, step, own, teaser, 0.1 + lines + 0.25 + teaser.height + 0.05

    def place_equations(self, rect: Rect, rule: VGroup, step: VGroup, own: VGroup, teaser: VGroup) -> None:
        """The update lines at the top of ``rect`` and the teaser at its bottom."""
        wide = self.layout.frame.width / self.layout.frame.height >= WIDE
        teaser.move_to([rect.x, rect.bottom + teaser.height / 2 + 0.05, 0])
        row_top = rect.top - 0.05
        if wide:  # the two lines side by side
            y = row_top - max(rule.height, own.height) / 2
            rule.move_to([rect.x - rect.width / 4, y, 0])
            step.move_to([rect.x + rect.width / 4, y, 0])
        else:
            rule.move_to([rect.x, row_top - rule.height / 2, 0])
            step.move_to([rect.x, rule.get_bottom()[1] - 0.2 - step.height / 2, 0])
        own.move_to(step.get_center())
        for mob in (rule, step, own, teaser):
            mob.set_z_index(style.Z_LABEL)

    # -- drawing ---------------------------------------------------------------------------
    def construct(self) -> None:
        self.compute()
        self.title(self.TITLE)
        text = self.captions()
        n = self.params["steps"]
        rule, step, own, teaser, eq_h = self.equations()
        rects, eq_rect = self.regions(eq_h)
        self.place_equations(eq_rect, rule, step, own, teaser)
        headings = ["1 · noise", "2 · memory", "3 · acceleration and damping"]
        frames, inners, heads = zip(*(self.panel(r, h) for r, h in zip(rects, headings)))
        noise = self.noise_picture(inners[0])
        memory = self.memory_picture(inners[1])
        stacks = self.stacks_picture(inners[2])
        self.add(*frames, heads[0], noise["true"])

        # 1. noise: the mini-batch draws fan out one by one around the true gradient
        with self.beat(text["noise"]):
            self.add(noise["fan"])
            fill = reading_ticks(text["noise"]) - 6
            self.play_ticks(noise["driver"].advance(DRAWS), ticks=max(30, fill))
        # 2. memory: the weights (1 − β)βᵏ slide along behind the newest step; the window over the newest
        with self.beat(text["memory"]):
            self.play_ticks(fade_in(heads[1], memory["axis"]), ticks=8)
            self.add(memory["bars"])
            fill = reading_ticks(text["memory"]) - 26
            self.play_ticks(memory["driver"].advance(self.bar_count), ticks=max(30, fill))
            self.play_ticks(fade_in(memory["bracket"]), ticks=10)
        # 3. the stacks grow: the steady one piles up, the flipping one cancels
        with self.beat(text["stacks"]):
            self.play_ticks(fade_in(heads[2], *stacks["static"]), ticks=8)
            self.add(*stacks["stacks"])
            fill = reading_ticks(text["stacks"]) - 30
            self.play_ticks(stacks["driver"].advance(n), ticks=max(30, fill))
            self.play_ticks(*(fade_in(limit) for limit in stacks["limits"]), ticks=12)
        # the update lines, each term grown out of the picture it came from
        lit, unlit = dict(width=4), dict(color=style.GRID, width=2)
        with self.beat(text["rule"]):
            self.play_ticks(fade_in(*rule[:2], *step[:5]), ticks=10)
            self.play_ticks(frames[0].animate.set_stroke(GRADIENT, **lit), TransformFromCopy(noise["fan"], rule[4]),
                            ticks=22)
            self.play_ticks(frames[0].animate.set_stroke(**unlit), frames[1].animate.set_stroke(VELOCITY, **lit),
                            TransformFromCopy(memory["bars"], rule[2]), fade_in(rule[3]), ticks=22)
            total = stacks["stacks"][0].total_arrow(n)
            self.grown = {"g": (noise["fan"], rule[4]), "βv": (memory["bars"], rule[2]), "v": (total, step[5])}
            self.play_ticks(frames[1].animate.set_stroke(**unlit), frames[2].animate.set_stroke(VELOCITY, **lit),
                            TransformFromCopy(total, step[5]), ticks=22)
            self.play_ticks(frames[2].animate.set_stroke(**unlit), ticks=10)
        # next: one step size per parameter (Adam)
        with self.beat(text["next"]):
            self.play_ticks(*(ReplacementTransform(a, b) for a, b in zip(step, own)), ticks=20)
            self.play_ticks(fade_in(teaser), ticks=15)
        self.lines = (rule, own, teaser)
        self.hold(15)

