"""The loss as a surface (issue 28): where "heavy ball" gets its meaning, and what a contour map is.

The ravine's loss drawn as a lit 3-D surface with its contour lines on it; plain SGD and SGD with
momentum roll on it from the same start, their trails on the surface, while the camera orbits
slowly; then the camera settles straight above, the shading fades, and what is left is exactly
the contour plot the ravine race draws (same view, same rings). Defaults are the race's:
``seed-ravine`` (A = diag(1, 25)), start (6, 6), SGD η = 0.08, momentum η = 0.02, β = 0.9,
60 steps. Render with ``ravine render surface``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from engine import analysis, claims, get_landscape, run, theory
from engine.verdict import verdict
from scenes.kit import style
from scenes.kit.base import LessonScene, reading_ticks
from scenes.kit.fades import fade_in
from scenes.kit.framing import View, bounded_prefix
from scenes.kit.params import SceneSpec, beta_param, landscape_param, lr_param, start_param, steps_param
from scenes.widgets.contours import contour_levels, landscape_backdrop
from scenes.widgets.core import Ball, ProgressivePath, note_lines, stack_in
from scenes.widgets.race import Racer, axis_name, frame_racers, race_legend
from scenes.widgets.surface import LossSurface, SurfaceCamera, SurfaceRun, blend_cameras

QUADRATICS = ("seed-ravine", "narrow-ravine", "rotated-ravine", "bowl")
OPENING = SurfaceCamera(azimuth=90.0, elevation=28.0)  # looking along the valley's floor
ORBIT = SurfaceCamera(azimuth=62.0, elevation=36.0)    # where the race begins
RACE_END = SurfaceCamera(azimuth=28.0, elevation=46.0)  # where it ends
ABOVE = SurfaceCamera(azimuth=0.0, elevation=90.0, fill=0.0)  # the contour plot: straight down
RACE_TICKS_PER_STEP = 3
SETTLE_TICKS = 75   # the camera's move overhead
HANDOFF_TICKS = 15  # the exact contour plot fading in over the surface's own lines
HEIGHT_SHARE = 0.45  # the surface's highest corner, as a share of the plot box's height


class Surface(LessonScene):
    """The loss as a lit surface, two balls rolling on it, and the camera settling into the contour view."""

    TITLE = "The loss is a surface"
    SPEC = SceneSpec(
        name="surface",
        description="The ravine's loss as a lit 3-D surface: SGD and the heavy ball roll on it, then the camera "
                    "settles overhead into the contour map.",
        params=(
            landscape_param("seed-ravine", QUADRATICS),
            start_param((6.0, 6.0)),
            lr_param("lr_sgd", 0.08, "SGD"),
            lr_param("lr_momentum", 0.02, "momentum"),
            beta_param(0.9),
            steps_param(60, high=200),
        ),
    )

    # -- engine ----------------------------------------------------------------------------
    def compute(self) -> None:
        """Both runs in one batched engine call, the landscape's curvatures and the fitted view."""
        p = self.params
        self.landscape = get_landscape(p["landscape"])
        self.start = np.asarray(p["start"], dtype=float)
        trajectory = run(self.landscape, "momentum", lr=np.array([p["lr_sgd"], p["lr_momentum"]]),
                         beta=np.array([0.0, p["beta"]]), steps=p["steps"], start=self.start)
        self.racers = [
            Racer("gd", "SGD", trajectory.theta[:, 0], trajectory.loss[:, 0], int(trajectory.diverged_at[0])),
            Racer("momentum", "momentum", trajectory.theta[:, 1], trajectory.loss[:, 1], int(trajectory.diverged_at[1])),
        ]
        self.axes = analysis.principal_axes(self.landscape)
        lam = self.axes.eigenvalues
        self.rates = [float(max(theory.heavy_ball_rate(lr, beta, value) for value in lam))
                      for lr, beta in ((p["lr_sgd"], 0.0), (p["lr_momentum"], p["beta"]))]
        self.minimizer = np.asarray(self.landscape.minimizer, dtype=float)
        self.view, self.escaping = frame_racers(self.racers, self.start, self.minimizer, self.rates)
        self.record_constant("lambda_min", float(lam[0]))
        self.record_constant("lambda_max", float(lam[-1]))

    def natural_view(self) -> View:
        """The race's view of these runs (what the surface settles into)."""
        self.compute()
        return self.view

    def default_highlights(self) -> dict[str, str]:
        return {"SGD": style.OPTIMIZER_COLORS["gd"], "momentum": style.OPTIMIZER_COLORS["momentum"]}

    # -- captions (facts from the engine) --------------------------------------------------
    def captions(self) -> dict[str, str]:
        """Every caption of the scene, keyed by beat; qualitative words registered as claims."""
        lam_min, lam_max = (float(v) for v in (self.axes.eigenvalues[0], self.axes.eigenvalues[-1]))
        steps = self.params["steps"]
        if self.axes.round:
            shape = "This bowl curves the same way in every direction."
        else:
            ratio = style.fmt_short(lam_max / lam_min)
            shape = (f"Here the {axis_name(self.axes.steep, 'steep')} curves {ratio} times more than the "
                     f"{axis_name(self.axes.shallow, 'shallow')}.")
        intro = f"Over two weights the loss is a surface; height is loss. {shape}"
        gone, drops = [], []
        for racer, rate in zip(self.racers, self.rates):
            fate = claims.diverges(racer.diverged_at, rate)
            if fate and verdict(rate).diverges:
                self.claim("diverges", racer.name, fate)
                gone.append(racer.name)
            else:
                drops.append(f"{racer.name} {_loss(racer.loss[0])} → {_loss(racer.loss[-1])}")
        race = "Two balls from one start: plain SGD, and momentum's heavy ball, which keeps part of its speed."
        score = f"After {style.count(steps, 'step')}, loss: " + ", ".join(drops) + "." if drops else ""
        if len(gone) == 2:
            score = f"{gone[0]} and {gone[1]} both diverge: their swings grow until they leave the surface."
        elif gone:
            score += f" {gone[0]}'s swings grow: it diverges off the surface."
        settle = "Seen from straight above, the surface becomes the races' contour map: each ring is one height."
        return {"intro": intro, "race": race, "score": score, "settle": settle}

    def narration(self) -> list[str]:
        """Every caption in the order it plays."""
        self.compute()
        text = self.captions()
        return [text["intro"], text["race"], text["score"], text["settle"]]

    # -- drawing ---------------------------------------------------------------------------
    def construct(self) -> None:
        self.compute()
        text = self.captions()
        layout, steps, p = self.layout, self.params["steps"], self.params
        box = (self.view.xmin, self.view.xmax, self.view.ymin, self.view.ymax)
        self.framed_runs = [(r.name, r.theta, box, bool(claims.diverges(r.diverged_at, rate)))
                            for r, rate in zip(self.racers, self.rates)]
        self.title(self.TITLE)
        plot, backdrop = landscape_backdrop(self.landscape, self.view, layout.plot)
        corners = np.array([[self.view.xmin, self.view.ymin], [self.view.xmin, self.view.ymax],
                            [self.view.xmax, self.view.ymin], [self.view.xmax, self.view.ymax]])
        levels = contour_levels(float(np.max(self.landscape.value(corners))))  # the race's rings
        runs = [SurfaceRun(_inside(r.theta, self.view), r.color) for r in self.racers]
        height = HEIGHT_SHARE * plot.box.height
        surface = LossSurface(plot, self.landscape.value, levels, runs, camera=replace(OPENING, height=height))
        opening, orbit, race_end, above = (replace(camera, height=height) for camera in (OPENING, ORBIT, RACE_END, ABOVE))
        surface.set_camera(surface.fitted(opening))
        self.add(surface.set_z_index(style.Z_PATH))

        panel = layout.panel
        legend = race_legend(p, panel.width)
        lam = self.axes.eigenvalues
        notes = note_lines(f"height: the loss L; curvatures λ = {style.fmt_short(float(lam[0]))} and "
                           f"{style.fmt_short(float(lam[-1]))}", panel.width)
        stack_in(panel, [*legend, *notes], panel.top - 0.05)

        with self.beat(text["intro"]):
            self.play_ticks(fade_in(*legend, *notes), surface.glide(opening, orbit, 0.0, 0.0),
                            ticks=reading_ticks(text["intro"]))
        half = steps / 2
        middle = blend_cameras(orbit, race_end, 0.5)
        for key, (camera_from, camera_to), (step_from, step_to) in (
                ("race", (orbit, middle), (0.0, half)), ("score", (middle, race_end), (half, float(steps)))):
            with self.beat(text[key]):
                ticks = max(reading_ticks(text[key]), round(RACE_TICKS_PER_STEP * (step_to - step_from)))
                self.play_ticks(surface.glide(camera_from, camera_to, step_from, step_to), ticks=ticks)
        with self.beat(text["settle"]):
            self.play_ticks(surface.glide(race_end, above, float(steps), float(steps)), ticks=SETTLE_TICKS)
            # the exact rings, the axes and the race's own paths take over from the surface's lines
            finals = []
            for racer, shown in zip(self.racers, runs):
                drawn = plot.to_scene(shown.theta)
                path, ball = ProgressivePath(drawn, racer.color), Ball(drawn, racer.color)
                for widget in (path, ball):
                    widget.set_progress(len(drawn) - 1)
                finals += [path.set_z_index(style.Z_PATH), ball.set_z_index(style.Z_BALL)]
            self.play_ticks(fade_in(*backdrop, *finals), ticks=HANDOFF_TICKS)
            self.remove(surface)


def _loss(value: float) -> str:
    """A loss for a caption: three significant digits."""
    return style.fmt_short(float(f"{float(value):.3g}"))


def _inside(theta: np.ndarray, view: View) -> np.ndarray:
    """``theta`` held at its last position inside ``view`` from the step it leaves (a diverging
    run stops at the edge of the surface)."""
    last = bounded_prefix(theta, view)
    kept = theta.copy()
    kept[last + 1:] = theta[max(last, 0)]
    return kept
