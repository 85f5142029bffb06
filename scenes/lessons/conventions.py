"""Two ways to write momentum (lesson beat 5): the library form v = βv + g and the EMA form
v = βv + (1 − β)g trace the same path once η is rescaled by 1/(1 − β); with the same η their
first steps differ by the factor 1 − β, and torch's dampening τ = β is different again. The EMA
rule is grown out of the library rule, and the EMA step −η_EMA v_EMA is turned into the library
step −η v on screen: v_EMA = (1 − β) v and η_EMA = η/(1 − β) fly in and the two (1 − β) cancel.

Defaults: ``seed-ravine``, start (6, 6), library η = 0.02, β = 0.9, 40 steps. Render with
``ravine render conventions``.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DL,
    DOWN,
    LEFT,
    RIGHT,
    UR,
    Arrow,
    Circle,
    Create,
    GrowArrow,
    GrowFromEdge,
    Line,
    MathTex,
    Rectangle,
    ReplacementTransform,
    Transform,
    TransformFromCopy,
    VGroup,
)

from engine import analysis, claims, get_landscape, run, theory
from engine.compare import path_gap, step_lengths
from engine.verdict import verdict
from scenes.kit import style
from scenes.kit.morphs import MatchingTex
from scenes.kit.base import LessonScene
from scenes.widgets.contours import landscape_backdrop
from scenes.kit.fades import fade_in, fade_out
from scenes.kit.framing import fit_view
from scenes.kit.params import SceneSpec, beta_param, landscape_param, lr_param, start_param, steps_param
from scenes.widgets.race import (
    HollowTrail,
    Racer,
    SeriesRacer,
    frame_racers,
    point_text,
    racer_marks,
    view_box,
)
from scenes.widgets.core import StepDriver, SwapLabel, label, legend_row, note_lines, stack_in, wrapped_label

LIBRARY = style.OPTIMIZER_COLORS["momentum"]
EMA = style.OPTIMIZER_COLORS["ema"]
TORCH_DAMPED = style.SERIES_COLORS[1]


def math(tex: str, color: str = style.TEXT) -> MathTex:
    """An equation in the lesson's math size."""
    return MathTex(tex, color=color).scale(style.MATH_SCALE)


def math_parts(*parts: str, color: str = style.TEXT) -> MathTex:
    """An equation in the lesson's math size, each part its own submobject (for matched transforms)."""
    return MathTex(*parts, color=color).scale(style.MATH_SCALE)


def ring_row(color: str, text: str) -> VGroup:
    """A legend row for a series drawn as hollow rings."""
    ring = Circle(radius=style.BALL_RADIUS * 0.75, stroke_color=color, stroke_width=2.5)
    spacer = Line(LEFT * 0.22, RIGHT * 0.22, stroke_opacity=0.0)  # as wide as legend_row's swatch
    words = label(text, style.LABEL_SIZE)
    return VGroup(VGroup(spacer, ring), words).arrange(RIGHT, buff=0.18)


class Conventions(LessonScene):
    """Library vs EMA momentum: one path after rescaling η; different first steps at the same η."""

    TITLE = "Two ways to write momentum"
    ASPECTS = ('16:9', '1:1', '9:16')
    SPEC = SceneSpec(
        name="conventions",
        description="v = βv + g and v = βv + (1 − β)g trace the same path once η is scaled by 1/(1 − β).",
        params=(
            landscape_param("seed-ravine"),
            start_param((6.0, 6.0)),
            lr_param("lr", 0.02, "the library form (the EMA form gets η / (1 − β))"),
            beta_param(0.9),
            steps_param(40, high=120),
        ),
    )

    # -- engine ----------------------------------------------------------------------------
    def compute(self) -> None:
        """Library run at η, EMA run at η/(1 − β), and one step of each form at the same η."""
        p = self.params
        self.landscape = get_landscape(p["landscape"])
        self.start = np.asarray(p["start"], dtype=float)
        lr, beta, steps = p["lr"], p["beta"], p["steps"]
        self.lr_ema = float(theory.library_to_ema_lr(lr, beta))
        library = run(self.landscape, "momentum", lr=lr, beta=beta, steps=steps, start=self.start)
        ema = run(self.landscape, "ema", lr=self.lr_ema, beta=beta, steps=steps, start=self.start)
        self.library = Racer("momentum", "library", library.theta[:, 0], library.loss[:, 0],
                             int(library.diverged_at[0]))
        self.ema = SeriesRacer("ema", "EMA", ema.theta[:, 0], ema.loss[:, 0], int(ema.diverged_at[0]))
        self.gap = path_gap(library.theta[:, 0], ema.theta[:, 0])
        # the first step of each form at the same η (torch's dampening τ = β as the third), however
        # long: a step past the usual divergence bound would be frozen at the start, length 0
        one_step = {"lr": lr, "beta": beta, "steps": 1, "start": self.start, "divergence_bound": np.finfo(float).max}
        first = run(self.landscape, "momentum", **one_step)
        first_ema = run(self.landscape, "ema", **one_step)
        first_damped = run(self.landscape, "momentum", dampening=beta, **one_step)
        self.first_points = {
            "library": first.theta[:, 0], "ema": first_ema.theta[:, 0], "damped": first_damped.theta[:, 0],
        }
        self.first_steps = {key: float(step_lengths(theta)[0]) for key, theta in self.first_points.items()}
        self.axes = analysis.principal_axes(self.landscape)

    @property
    def compared(self) -> int:
        """How many points of the two paths (the start included) are both in bounds."""
        ends = [r.diverged_at for r in (self.library, self.ema) if r.diverged_at >= 0]
        return min(ends) if ends else len(self.gap)

    @property
    def gap_max(self) -> float:
        """Largest distance between the two paths while both are in bounds."""
        return float(np.max(self.gap[:self.compared]))

    def default_highlights(self) -> dict[str, str]:
        return {"library": LIBRARY, "EMA": EMA, "torch": TORCH_DAMPED}

    # -- captions (facts from the engine) --------------------------------------------------
    def story(self) -> dict[str, str]:
        """Every caption of the scene, keyed by beat."""
        p = self.params
        lr, beta, steps = p["lr"], p["beta"], p["steps"]
        eta, b = style.fmt_short(lr), style.fmt_short(beta)
        factor = style.fmt_short(float(theory.ema_to_library_lr(1.0, beta)))
        window = style.fmt_short(float(theory.library_to_ema_lr(1.0, beta)))
        lam_max = float(self.axes.eigenvalues[-1])
        out = {
            "intro": "Two ways to write momentum: libraries add the raw gradient, the EMA form averages it.",
        }
        rate = float(max(theory.heavy_ball_rate(lr, beta, lam) for lam in self.axes.eigenvalues))
        if verdict(self.library, rate=theory.heavy_ball_rate(lr, beta, lam_max)).diverges:
            self.claim("diverges", "this run", claims.diverges(self.library.diverged_at, rate))
            bound = style.fmt_short(float(theory.heavy_ball_stability_bound(lam_max, beta)))
            out["library"] = (f"Library form: η = {eta}, β = {b}, from {point_text(self.start)}. η is above "
                              f"(2 + 2β)/λmax = {bound}, so this run diverges.")
        else:
            out["library"] = f"Library form: η = {eta}, β = {b}, {style.count(steps, 'step')} from {point_text(self.start)}."
        out["ema"] = (f"EMA form with η = {eta} / (1 − {b}) = {style.fmt_short(self.lr_ema)}: "
                      f"each ring lands on a point of the library path.")
        if self.compared <= 1:
            first = [r for r in (self.library, self.ema) if 0 <= r.diverged_at <= 1]
            who = "Both runs diverge" if len(first) == 2 else f"The {first[0].name} run diverges"
            self.claim("diverges", who.rsplit(" ", 1)[0], claims.Finding(
                bool(first) and all(claims.diverges(r.diverged_at) for r in first)))
            out["gap"] = (f"{who} in the first step: no path to compare. Still, η scaled by "
                          f"1/(1 − β) = {window} cancels the EMA's factor (1 − β).")
        else:
            out["gap"] = (f"The EMA velocity is (1 − β) times the library's; η/(1 − β) cancels that factor. "
                          f"Largest gap: {style.fmt(self.gap_max)}, rounding error.")
        lib_step, ema_step = self.first_steps["library"], self.first_steps["ema"]
        damped = self.first_steps["damped"]
        if beta == 0.0:
            out["first"] = (f"With β = 0 there is no memory: both forms are plain gradient descent, and "
                            f"both first steps are {style.fmt_reading(lib_step)} at η = {eta}.")
            out["torch"] = (f"torch's dampening τ = β is then 0 as well: its first step is also "
                            f"{style.fmt_reading(damped)}.")
        else:
            out["first"] = (f"With the same η = {eta} the first steps differ: {style.fmt_reading(lib_step)} "
                            f"for the library, {style.fmt_reading(ema_step)} for the EMA form, "
                            f"(1 − β) = {factor} times as far.")
            same = "like the library's" if np.isclose(damped, lib_step, rtol=1e-12) else "unlike either"
            out["torch"] = (f"torch's dampening τ = β is a third form: b₁ = g₁ is undamped, so its first step "
                            f"is {style.fmt_reading(damped)}, {same}.")
        out["close"] = "Every convention works, as long as η is scaled to match it."
        return out

    def narration(self) -> list[str]:
        """Every caption in the order it plays."""
        self.compute()
        text = self.story()
        return [text[key] for key in ("intro", "library", "ema", "gap", "first", "torch", "close")]

    # -- drawing ---------------------------------------------------------------------------
    def construct(self) -> None:
        self.compute()
        layout, steps = self.layout, self.params["steps"]
        captions = self.story()
        minimizer = np.asarray(self.landscape.minimizer, dtype=float)
        extra = [self.first_points["library"][1], self.first_points["ema"][1]]
        rate = float(max(theory.heavy_ball_rate(self.params["lr"], self.params["beta"], lam)
                         for lam in self.axes.eigenvalues))
        view, _ = frame_racers([self.library, self.ema], self.start, minimizer, [rate, rate])
        if not view.contains(np.asarray(extra)).all():
            bounded = [self.library.theta] if self.library.diverged_at < 0 else []
            view = fit_view(bounded, include=[self.start, minimizer, *extra], square_within=4.0)
        self.framed_runs = [(r.name, r.theta, view_box(view), bool(claims.diverges(r.diverged_at, rate)))
                            for r in (self.library, self.ema)]

        # Setting: title, plot with contours
        self.title(self.TITLE)
        plot, backdrop = landscape_backdrop(self.landscape, view, layout.plot)
        self.add(*backdrop)
        lib_marks = racer_marks(plot, self.library)
        ema_marks = racer_marks(plot, self.ema)
        inside = steps if ema_marks.exit_step is None else ema_marks.exit_step - 1
        trail = HollowTrail(plot.to_scene(self.ema.theta[: inside + 1]), EMA)
        ema_ball = ema_marks.ball.set_fill(opacity=0.0).set_stroke(color=EMA, width=2.5)

        # Panel: the two update rules and their learning rates
        panel = layout.panel
        p = self.params
        lib_row = legend_row(LIBRARY, f"library   η = {style.fmt_short(p['lr'])}")
        lib_rule = math_parts(r"v_{t+1}", "=", r"\beta\, v_t", "+", r"g_t")
        ema_row = ring_row(EMA, f"EMA form   η = {style.fmt_short(self.lr_ema)}")
        ema_rule = math_parts(r"v_{t+1}", "=", r"\beta\, v_t", "+", r"(1-\beta)\,", r"g_t")
        step_rule = math_parts(r"\theta_{t+1}", "=", r"\theta_t", "-", r"\eta", r"\, v_{t+1}")
        rescale = math_parts(r"\eta_{\mathrm{EMA}}", "=", r"\frac{\eta}{1-\beta}")
        rules = [lib_row, lib_rule, ema_row, ema_rule, step_rule, rescale]
        formulas = (lib_rule, ema_rule, step_rule, rescale)
        indent = 0.3  # formulas sit indented under their legend rows
        y = stack_in(style.Rect(panel.x - indent / 2, panel.y, panel.width - indent, panel.height), rules,
                     panel.top - 0.05, buff=0.14)
        for rule in formulas:
            rule.shift(RIGHT * indent)
        rules_group = VGroup(*rules).set_z_index(style.Z_LIVE_LABEL)  # it moves: above the cached plot
        # the step counter and the gap readouts go under the rules, or beside them where the panel
        # is wide but short (portrait frames), clear of the widest rule
        left = panel.left
        if y - 1.9 < panel.bottom and panel.width >= 6.0:
            left, y = max(panel.x + 0.3, rules_group.get_right()[0] + 0.4), panel.top - 0.05
        room = panel.right - left
        counter = SwapLabel(lambda k: f"step {min(k, steps)} / {steps}", [left, y - 0.3, 0])
        gap_lines = note_lines("gap between the paths, this step", room)  # two lines in narrow panels
        title_bottom = stack_in(style.Rect(left + room / 2, panel.y, room, panel.height), gap_lines,
                                y - 0.62, buff=0.06)
        gap_title = VGroup(*gap_lines)
        gap_value = SwapLabel(lambda k: f"{style.fmt(float(self.gap[min(k, steps)]))}",
                              [left + 0.15, title_bottom - 0.28, 0], size=style.SMALL_SIZE, color=EMA)

        gap_peak = label(f"largest: {style.fmt(self.gap_max)}", style.SMALL_SIZE, EMA, font=style.MONO_FONT)
        if gap_peak.width > room - 0.15:
            gap_peak.scale_to_fit_width(room - 0.15)
        gap_peak.move_to([left + 0.15 + gap_peak.width / 2, title_bottom - 0.73, 0])
        driver_lib = StepDriver([*lib_marks.widgets, counter])
        driver_ema = StepDriver([trail, ema_ball, gap_value])
        self.add(*lib_marks.widgets)

        # The derivation, under the rules where the step counter was: the EMA form's step
        # Δθ = −η_EMA v_EMA, with v_EMA = (1 − β) v and η_EMA = η/(1 − β), is the library's −η v
        fact = math_parts(r"v^{\mathrm{EMA}}", "=", r"(1-\beta)", r"\, v")
        chain = [
            math_parts(r"\Delta\theta", "=", "-", r"\eta_{\mathrm{EMA}}", r"\, v^{\mathrm{EMA}}"),
            math_parts(r"\Delta\theta", "=", "-", r"\eta_{\mathrm{EMA}}", r"\,(1-\beta)", r"\, v"),
            math_parts(r"\Delta\theta", "=", "-", r"\frac{\eta}{1-\beta}", r"\,(1-\beta)", r"\, v"),
            math_parts(r"\Delta\theta", "=", "-", r"\eta", r"\, v"),
        ]
        for eq in (fact, *chain):
            eq.set_z_index(style.Z_LIVE_LABEL)
        for part in (fact[0], fact[2], chain[0][4], chain[1][4], chain[2][4]):
            part.set_color(EMA)
        for part in (fact[3], chain[1][5], chain[2][5], chain[3][4]):
            part.set_color(LIBRARY)
        derivation_left = left + 0.15
        fit = min(1.0, (panel.right - derivation_left) / max(eq.width for eq in (fact, *chain)))
        fact.scale(fit)
        fact.move_to([derivation_left + fact.width / 2, y - 0.1 - fact.height / 2, 0])
        tallest = max(eq.height for eq in chain) * fit
        chain_y = fact.get_bottom()[1] - 0.2 - tallest / 2
        for eq in chain:
            eq.scale(fit)
            eq.move_to([derivation_left + eq.width / 2, chain_y, 0])
        gap_peak.move_to([left + 0.15 + gap_peak.width / 2, chain_y - tallest / 2 - 0.25, 0])

        # Beats
        with self.beat(captions["intro"]):  # the library rule, then the EMA rule grown out of it
            self.play_ticks(fade_in(lib_row, lib_rule, shift=DOWN * 0.1), ticks=15)
            self.play_ticks(fade_in(ema_row), MatchingTex(lib_rule.copy(), ema_rule), ticks=20)
            self.play_ticks(fade_in(step_rule), ticks=12)
            self.play_ticks(fade_in(rescale), fade_in(counter), ticks=12)
            self.regroup(rules_group)
        per_step = int(np.clip(round(120 / steps), 1, 6))
        with self.beat(captions["library"]):
            self.play_ticks(driver_lib.advance(steps), ticks=steps * per_step)
        with self.beat(captions["ema"]):
            self.add(*driver_ema.widgets)
            self.play_ticks(fade_in(gap_title), ticks=5)
            self.play_ticks(driver_ema.advance(steps), ticks=steps * max(1, 2 * per_step // 3))
        with self.beat(captions["gap"]):
            self.play_ticks(fade_out(counter, gap_title, gap_value), ticks=8)
            self.play_ticks(fade_in(fact, shift=DOWN * 0.1), ticks=12)
            derived = self.derive(fact, rescale, chain)
            self.derived, self.chain = derived, chain
            self.play_ticks(fade_in(gap_peak), ticks=8)

        # First steps at the same η
        start_scene = plot.to_scene(self.start)
        arrows = []
        for key, color, width in (("library", LIBRARY, 4), ("ema", EMA, 9), ("damped", TORCH_DAMPED, 2.5)):
            end = plot.to_scene(self.first_points[key][1])  # the short one thick, the torch one thin on top
            arrow = Arrow(start_scene, end, buff=0, color=color, stroke_width=width,
                          max_tip_length_to_length_ratio=0.3, max_stroke_width_to_length_ratio=100)
            arrows.append(arrow.set_z_index(style.Z_LABEL))
        firsts = self.first_step_panel(panel)
        bars = [group[1][0] for group in firsts]
        values = [group[1][1] for group in firsts]
        with self.beat(captions["first"]):
            self.play_ticks(fade_out(rules_group), fade_out(trail), fade_out(ema_ball), fade_out(lib_marks.ball),
                            fade_out(gap_peak), fade_out(fact, *derived),
                            lib_marks.path.animate.set_stroke(opacity=0.3), ticks=10)
            self.play_ticks(fade_in(firsts[0][0], firsts[0][2]), GrowFromEdge(bars[0], LEFT), GrowArrow(arrows[0]),
                            ticks=30)
            self.play_ticks(fade_in(values[0], firsts[1][0]), ticks=10)
            # the EMA form's step: the library's, shrunk by the factor (1 − β)
            shrinking = bars[0].copy().set_fill(EMA).move_to(bars[1], aligned_edge=LEFT)
            shortening = arrows[0].copy().set_stroke(EMA, width=9).set_fill(EMA)
            self.play_ticks(ReplacementTransform(shrinking, bars[1]), ReplacementTransform(shortening, arrows[1]),
                            ticks=40)
            self.play_ticks(fade_in(values[1]), ticks=6)
        with self.beat(captions["torch"]):
            self.play_ticks(fade_in(firsts[2][0]), ticks=10)
            self.play_ticks(GrowFromEdge(bars[2], LEFT), GrowArrow(arrows[2]), ticks=30)
            self.play_ticks(fade_in(values[2]), ticks=8)
            # the library's bar laid over it: the same length (or not)
            ghost = bars[0].copy().set_fill(opacity=0.0).set_stroke(LIBRARY, width=2.5)
            self.play_ticks(ghost.animate.move_to(bars[2], aligned_edge=LEFT), ticks=20)
            self.play_ticks(fade_out(ghost), ticks=8)
        for group in firsts:
            self.regroup(group)
        with self.beat(captions["close"]):
            pass

    def regroup(self, group: VGroup) -> None:
        """Draw ``group`` as one: its members added to the scene on their own (by fades and
        transforms) are taken back into it."""
        members = set(group.get_family())
        self.remove(*[mob for mob in self.mobjects if mob is not group and set(mob.get_family()) <= members])
        self.add(group)

    def derive(self, fact: MathTex, rescale: MathTex, chain: list[MathTex]) -> list:
        """The EMA form's step, its factors substituted from ``fact`` (v_EMA = (1 − β) v) and from
        ``rescale`` (η_EMA = η/(1 − β)), the two (1 − β) cancelling: the library's step. ``chain``
        holds the four stages, built once; returns the pieces left on screen."""
        ema_step, with_factor, with_rate, library_step = chain
        # Δθ = −η_EMA v_EMA: the rate and the velocity fly in from where they are defined
        self.play_ticks(fade_in(*ema_step[:3]), TransformFromCopy(rescale[0], ema_step[3]),
                        TransformFromCopy(fact[0], ema_step[4]), ticks=18)
        pieces = list(ema_step)
        # v_EMA = (1 − β) v: the factor and v come from the fact
        self.play_ticks(*[Transform(a, b) for a, b in zip(pieces[:4], with_factor[:4])],
                        TransformFromCopy(fact[2], with_factor[4]), ReplacementTransform(pieces[4], with_factor[5]),
                        ticks=18)
        pieces = pieces[:4] + [with_factor[4], with_factor[5]]
        # η_EMA = η/(1 − β): the rate comes from the rescale rule
        self.play_ticks(*[Transform(a, b) for a, b in zip(pieces[:3], with_rate[:3])],
                        fade_out(pieces[3]), TransformFromCopy(rescale[2], with_rate[3]),
                        Transform(pieces[4], with_rate[4]), Transform(pieces[5], with_rate[5]), ticks=18)
        pieces = pieces[:3] + [with_rate[3]] + pieces[4:]
        # the two factors (1 − β) cancel: the denominator and the factor struck out
        fraction, factor = pieces[3], pieces[4]
        low = [fraction.get_corner(DL) + [0, 0.02, 0], [fraction.get_right()[0], fraction.get_y() - 0.04, 0]]
        strikes = VGroup(Line(*low, stroke_color=style.TEXT, stroke_width=2.5),
                         Line(factor.get_corner(DL), factor.get_corner(UR), stroke_color=style.TEXT, stroke_width=2.5))
        self.play_ticks(Create(strikes.set_z_index(style.Z_LIVE_LABEL)), ticks=14)
        self.play_ticks(*[Transform(a, b) for a, b in zip(pieces[:4], library_step[:4])],
                        Transform(pieces[5], library_step[4]), fade_out(factor, strikes), ticks=18)
        return pieces[:4] + [pieces[5]]

    def first_step_panel(self, panel: style.Rect) -> list[VGroup]:
        """Three blocks: each form's first velocity, and a bar as long as its first step at the same η."""
        eta = style.fmt_short(self.params["lr"])
        heading = wrapped_label(f"first step at the same η = {eta}", panel.width, style.LABEL_SIZE, style.MUTED)
        heading.arrange(DOWN, buff=0.08, aligned_edge=LEFT)
        blocks = [
            (LIBRARY, "library", r"v_1 = g_1", "library"),
            (EMA, "EMA form", r"v_1 = (1-\beta)\, g_1", "ema"),
            (TORCH_DAMPED, "torch, τ = β", r"b_1 = g_1", "damped"),
        ]
        longest = max(self.first_steps.values())
        values = [label(style.fmt_reading(self.first_steps[key]), style.SMALL_SIZE) for *_, key in blocks]
        room = panel.width - 0.3 - max(v.width for v in values) - 0.15
        rows, groups = [heading], []
        titles = [VGroup(legend_row(color, name, size=style.SMALL_SIZE), math(tex)).arrange(RIGHT, buff=0.3)
                  for color, name, tex, _ in blocks]
        if max(title.width for title in titles) * style.LEAST_SHRINK > panel.width:  # narrow: formulas under names
            for title in titles:
                title[1].next_to(title[0][1], DOWN, buff=0.1, aligned_edge=LEFT)
        for (color, name, tex, key), value, title in zip(blocks, values, titles):
            length = max(0.04, room * self.first_steps[key] / longest) if longest > 0 else 0.04
            bar = Rectangle(width=length, height=0.16, stroke_width=0, fill_color=color, fill_opacity=0.85)
            value.next_to(bar, RIGHT, buff=0.12)
            rows += [title, VGroup(bar, value)]
            groups.append(VGroup(title, rows[-1]))
        stack_in(panel, rows, panel.top - 0.05, buff=0.16)
        for group in groups:
            group[1].shift(RIGHT * 0.3)
        groups[0].add(heading)
        for group in groups:
            group.set_z_index(style.Z_LIVE_LABEL)  # bars grow and shrink: above the cached plot
        return groups
