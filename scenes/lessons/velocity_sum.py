"""What β does to the velocity (lesson beat 6): a steady gradient piles up, a flipping one cancels.

The velocity v_{t+1} = β v_t + g_t unrolls into g_t + β g_{t−1} + β² g_{t−2} + …; the scene
stacks those terms head to tail. Left: a constant gradient g, whose stack climbs toward
g/(1 − β) (ten times g at β = 0.9). Right: a gradient that flips sign every step, whose terms
cancel and leave |v| → g/(1 + β). Limits from ``engine.theory``, velocities from the engine's
optimizer replaying the two gradient sequences (``engine.sequences``). Gradients are in units of g.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import DOWN, LEFT, DashedLine, Line, SurroundingRectangle, VGroup

from engine import theory
from engine.sequences import (
    alternating_gradients,
    constant_gradients,
    velocity_history,
    velocity_partial_sums,
    velocity_terms,
)
from scenes.kit import style
from scenes.widgets.arrow_stack import ArrowStack
from scenes.kit.base import LessonScene, reading_ticks
from scenes.kit.fades import fade_in
from scenes.kit.param_text import fmt_param
from scenes.kit.framing import ticks
from scenes.kit.params import ParamSpec, SceneSpec, steps_param
from scenes.kit.style import Rect
from scenes.widgets.core import StepDriver, SwapLabel, label
from scenes.widgets.worked_table import typeset_cells

RIGHT_ROOM = 2.35  # scene units right of each stack: total arrow, legend, readouts, limit label
G = 1.0  # the gradient's size: every velocity is shown in units of g
GRADIENT = style.OPTIMIZER_COLORS["gd"]
VELOCITY = style.OPTIMIZER_COLORS["momentum"]


@dataclass(frozen=True)
class Case:
    """One side of the picture: a gradient sequence and what the optimizer made of it."""

    name: str               # "constant" or "alternating"
    grads: np.ndarray       # (n,)
    velocity: np.ndarray    # (n+1,) v_0 = 0 … v_n from the optimizer
    terms: np.ndarray       # (n,) β^k g_{n−1−k}, newest first
    heads: np.ndarray       # (n,) running sums of the terms
    limit: float            # |v| as n → ∞ (engine.theory)


def tex_g(value: float) -> str:
    """A multiple of g for MathTex: ``10\\,g``."""
    return style.fmt_short(value).replace("−", "-") + r"\,g"


class VelocitySum(LessonScene):
    """Stacked β^k g arrows: a constant gradient accumulates to g/(1−β), a flipping one cancels to g/(1+β)."""

    TITLE = "What β does to the velocity"
    SPEC = SceneSpec(
        name="velocity-sum",
        description="The velocity as stacked arrows βᵏg: a steady gradient piles up to g/(1−β), a flipping one cancels to g/(1+β).",
        params=(
            # the shared β name, clamped: beyond 0.99 the steady stack is a sliver under a far limit
            ParamSpec("beta", "float", 0.9, "momentum coefficient β", low=0.0, high=0.99),
            steps_param(30, high=60),
        ),
    )

    # -- engine ----------------------------------------------------------------------------
    def compute(self) -> None:
        """Replay a constant and a sign-flipping gradient through the engine's optimizer."""
        beta, n = self.params["beta"], self.params["steps"]
        self.cases = []
        for name, grads, limit in (
            ("constant", constant_gradients(G, n), theory.velocity_limit_constant(G, beta)),
            ("alternating", alternating_gradients(G, n), theory.velocity_limit_alternating(G, beta)),
        ):
            self.cases.append(Case(name, grads, velocity_history(grads, beta), velocity_terms(grads, beta),
                                   velocity_partial_sums(grads, beta), float(limit)))
        self.multiplier = float(theory.effective_step_multiplier(beta))

    def default_highlights(self) -> dict[str, str]:
        return {"velocity": VELOCITY}

    # -- captions (facts from the engine) --------------------------------------------------
    def captions(self) -> dict[str, str]:
        """Every caption of the scene, keyed by beat."""
        p = self.params
        b, n = fmt_param(p["beta"]), p["steps"]
        const, alt = self.cases
        v_const = abs(float(const.velocity[-1]))
        v_alt = abs(float(alt.velocity[-1]))
        steps = f"{n} step{'s' if n != 1 else ''}"
        out = {
            "intro": f"Unrolled, the velocity is a sum of past gradients, each shrunk by β = {b} per step of age.",
            "constant": (f"A steady gradient: every term points the same way, so they pile up toward "
                         f"g/(1 − β) = {style.fmt_short(const.limit)}g."),
            "alternating": (f"A gradient that flips sign every step: each term points against the one before, "
                            f"so the sum settles at g/(1 + β) = {style.fmt_short(alt.limit)}g."),
        }
        if p["beta"] == 0:
            out["compare"] = (f"With β = 0 nothing is carried over: after {steps} the velocity is just the newest "
                              f"gradient, {style.fmt_short(v_const)}g on both sides.")
        else:
            if v_const >= 0.9 * const.limit:
                steady = (f"After {steps}: v = {style.fmt_short(v_const)}g on a steady slope, steps about "
                          f"{style.fmt_short(self.multiplier)}× plain SGD's,")
            else:
                steady = (f"After {steps}: v = {style.fmt_short(v_const)}g on a steady slope, still climbing "
                          f"toward {style.fmt_short(const.limit)}g,")
            out["compare"] = steady + f" but only {style.fmt_short(v_alt)}g on the zig-zag: momentum damps it."
        out["warning"] = (f"Careful: β = {b} keeps {b} × the velocity and adds the new gradient, not {b} × "
                          f"the last step: the recursion is on v, not θ.")
        return out

    # -- drawing ---------------------------------------------------------------------------
    def construct(self) -> None:
        self.compute()
        self.title(self.TITLE)
        layout = self.layout
        body_top = layout.title.bottom - 0.1
        body_bottom = layout.caption.top + 0.15
        width = layout.frame.width - 2 * style.MARGIN

        headers = [
            (r"\text{constant gradient: } g,\ g,\ g,\ \dots",
             r"g + \beta g + \beta^2 g + \dots \;\to\; \frac{g}{1-\beta}"),
            (r"\text{sign flips every step: } g,\ -g,\ g,\ \dots",
             r"g - \beta g + \beta^2 g - \dots \;\to\; \frac{g}{1+\beta}"),
        ]
        limits = [r"g/(1-\beta) = " + tex_g(self.cases[0].limit), r"g/(1+\beta) = " + tex_g(self.cases[1].limit)]
        # every equation in one LaTeX run
        rule, *panel_tex = typeset_cells(
            [[(r"v_{t+1}", VELOCITY), (r"=", style.TEXT), (r"\beta\, v_t", VELOCITY), (r"+", style.TEXT),
              (r"g_t", GRADIENT), (r"\;=\;", style.TEXT), (r"g_t + \beta\, g_{t-1} + \beta^2 g_{t-2} + \cdots", GRADIENT)]]
            + [[(tex, color)] for (head, series), limit in zip(headers, limits)
               for tex, color in ((head, GRADIENT), (series, style.TEXT), (limit, VELOCITY))],
            scale=style.MATH_SCALE,
        )
        labels = panel_tex[2::3]  # both limits at one size, the wider fitting the room beside the stack
        shrink = min(0.8, (RIGHT_ROOM - 0.1) / max(mob.width for mob in labels))
        for mob in labels:
            mob.scale(shrink)
        if rule.width > width:
            rule.scale_to_fit_width(width)
        rule.move_to([0, body_top - rule.height / 2 - 0.02, 0]).set_z_index(style.Z_LABEL)
        self.add(rule)

        top = rule.get_bottom()[1] - 0.15
        if layout.frame.width >= layout.frame.height:  # side by side
            half = (width - style.MARGIN) / 2
            rects = [Rect(-width / 2 + half / 2, (top + body_bottom) / 2, half, top - body_bottom),
                     Rect(width / 2 - half / 2, (top + body_bottom) / 2, half, top - body_bottom)]
        else:  # a portrait frame: one above the other
            half = (top - body_bottom - style.MARGIN) / 2
            rects = [Rect(0, top - half / 2, width, half), Rect(0, body_bottom + half / 2, width, half)]
        drivers = []
        for i, (case, rect) in enumerate(zip(self.cases, rects)):
            moving, parts = self.panel(case, rect, *panel_tex[3 * i: 3 * i + 3])
            self.add(*parts)
            drivers.append(StepDriver(moving))
        const_driver, alt_driver = drivers
        self.add(*const_driver.widgets, *alt_driver.widgets)

        # Beats
        text = self.captions()
        n = self.params["steps"]
        with self.beat(text["intro"]):
            pass
        for driver, key in ((const_driver, "constant"), (alt_driver, "alternating")):
            with self.beat(text[key]):
                per_step = max(2, min(8, -(-reading_ticks(text[key]) // n)))
                self.play_ticks(driver.advance(n), ticks=n * per_step)
        with self.beat(text["compare"]):
            pass
        box = SurroundingRectangle(VGroup(*rule[:5]), color=style.WARNING, buff=0.08, stroke_width=2.5)
        with self.beat(text["warning"], min_ticks=reading_ticks(text["warning"]) + 15):
            self.play_ticks(fade_in(box.set_z_index(style.Z_LABEL)), ticks=10)

    def panel(self, case: Case, rect: Rect, header: VGroup, series: VGroup, limit_label: VGroup) -> tuple[list, list]:
        """One side: (moving widgets: stack and readouts; static parts: header, axis, dashed limit, legend).

        ``header``, ``series`` and ``limit_label`` are typeset equations (at the lesson's math scale).
        """
        n = len(case.terms)
        header.scale(0.9)
        series.scale(0.9)
        for mob in (header, series):
            if mob.width > rect.width:
                mob.scale_to_fit_width(rect.width)
        header.move_to([rect.x, rect.top - header.height / 2, 0])
        series.next_to(header, DOWN, buff=0.12)
        parts: list = [header.set_z_index(style.Z_LABEL), series.set_z_index(style.Z_LABEL)]

        # plot box: left room for tick labels, right room for the limit label and readout
        left_room, right_room, label_room = 0.7, RIGHT_ROOM, 0.45
        plot_top = series.get_bottom()[1] - 0.2
        base_y = rect.bottom + 0.1
        x0 = rect.left + left_room
        peak = max(case.limit, float(np.max(np.abs(case.heads))))
        unit = (plot_top - label_room - base_y) / peak
        dx = (rect.right - right_room - x0 - 0.15) / max(n, 1)
        axis = Line([x0 - 0.08, base_y, 0], [x0 - 0.08, plot_top, 0], stroke_color=style.AXIS,
                    stroke_width=style.AXIS_WIDTH)
        floor = Line([x0 - 0.08, base_y, 0], [rect.right, base_y, 0], stroke_color=style.GRID, stroke_width=1)
        parts += [axis.set_z_index(style.Z_AXES), floor.set_z_index(style.Z_AXES)]
        for value in ticks(0.0, peak, 3):
            y = base_y + value * unit
            parts.append(Line([x0 - 0.16, y, 0], [x0 - 0.08, y, 0], stroke_color=style.AXIS,
                              stroke_width=style.AXIS_WIDTH).set_z_index(style.Z_AXES))
            text = "0" if value == 0 else f"{style.fmt_short(float(value))}g"
            tick = label(text, style.TICK_SIZE, style.MUTED)
            tick.move_to([x0 - 0.22 - tick.width / 2, y, 0])
            parts.append(tick.set_z_index(style.Z_AXES))

        # the limit: dashed line in the velocity colour, its value at the right end
        limit_y = base_y + case.limit * unit
        dashed = DashedLine([x0 - 0.08, limit_y, 0], [rect.right, limit_y, 0], dash_length=0.12,
                            stroke_color=VELOCITY, stroke_width=2, stroke_opacity=0.8)
        limit_label.move_to([rect.right - limit_label.width / 2, limit_y + 0.08 + limit_label.height / 2, 0])
        parts += [dashed.set_z_index(style.Z_AXES), limit_label.set_z_index(style.Z_LABEL)]

        # drawn with the newest gradient pointing up (the flipping case ends on either sign)
        heads = case.heads * np.sign(case.terms[0])
        stack = ArrowStack(heads, np.array([x0, base_y, 0.0]), unit, dx, GRADIENT, VELOCITY)
        velocity = case.velocity
        readout_x = rect.right - right_room + 0.25
        legend = VGroup(
            label("terms βᵏg", style.SMALL_SIZE, GRADIENT),
            label("sum: velocity", style.SMALL_SIZE, VELOCITY),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        legend.move_to([readout_x + legend.width / 2, base_y + 1.0 + legend.height / 2, 0])
        parts.append(legend.set_z_index(style.Z_LABEL))
        moving = [
            stack,
            SwapLabel(lambda k: f"step {min(k, n)}", np.array([readout_x, base_y + 0.62, 0.0]),
                      size=style.SMALL_SIZE, color=style.MUTED),
            SwapLabel(lambda k: f"|v| = {style.fmt_short(abs(float(velocity[min(k, n)])))}g",
                      np.array([readout_x, base_y + 0.25, 0.0]), size=style.SMALL_SIZE, color=VELOCITY),
        ]
        return moving, parts
