"""Title and chapter cards for the assembled lesson."""

from __future__ import annotations

import numpy as np
from manim import DOWN, Line, VGroup

from scenes.kit import style
from scenes.kit.base import LessonScene
from scenes.kit.fades import fade_in
from scenes.kit.params import RACE, ParamSpec, SceneSpec
from scenes.kit.framing import View
from scenes.kit.style import Rect
from scenes.widgets.contours import contour_levels
from scenes.widgets.core import PlotFrame, label, wrapped_label
from scenes.widgets.surface import LossSurface, SurfaceCamera, SurfaceRun

CARD_TICKS = 45  # a card's minimum length: 3 s


def _text_param(name: str, default: str, help_text: str) -> ParamSpec:
    return ParamSpec(name, "text", default, help_text, high=300)


class TitleCard(LessonScene):
    """The lesson's opening card: title, subtitle and the parts to come."""

    SPEC = SceneSpec(
        name="title-card",
        description="Opening card of the lesson: title, subtitle and the list of parts.",
        params=(
            _text_param("heading", "SGD and momentum", "title"),
            _text_param("subtitle", "Why plain SGD struggles, and how a little memory fixes it", "subtitle"),
            _text_param("items", "", "parts, separated by '|'"),
            ParamSpec("picture", "bool", True, "draw the lesson's picture (the loss surface) beside the title"),
        ),
    )

    def beat_prefix(self) -> str:
        """Beat ids ``title-01``, ...: one title card per lesson."""
        return "title"

    def construct(self) -> None:
        p = self.params
        text_room, picture_room = self.regions()
        room = text_room.width - 0.3  # long lines wrap (narrow rooms) rather than shrink
        heading = wrapped_label(p["heading"], room, style.TITLE_SIZE + 14, style.TEXT, weight="BOLD")
        subtitle = wrapped_label(p["subtitle"], room, style.CAPTION_SIZE, style.MUTED)
        rule = Line([-3, 0, 0], [3, 0, 0], stroke_color=style.OPTIMIZER_COLORS["momentum"], stroke_width=3)
        items = [item for item in p["items"].split("|") if item.strip()]
        parts = VGroup(*[label(f"{i}. {item.strip()}", style.LABEL_SIZE, style.TEXT) for i, item in enumerate(items, 1)])
        if len(parts):
            parts.arrange(DOWN, aligned_edge=[-1, 0, 0], buff=0.18)
        group = VGroup(heading, subtitle, rule, parts) if len(parts) else VGroup(heading, subtitle, rule)
        group.arrange(DOWN, buff=0.35)
        for fit, room_side in ((group.scale_to_fit_height, text_room.height - 0.3), (group.scale_to_fit_width, text_room.width - 0.3)):
            if (group.height if fit == group.scale_to_fit_height else group.width) > room_side:
                fit(room_side)
        group.move_to([text_room.x, text_room.y, 0])
        if p["picture"]:
            self.add(self.picture(picture_room))
        parts_word = "part" if len(items) == 1 else "parts"
        text = f"{p['heading']}: a lesson in {len(items)} {parts_word}." if items else p["heading"] + "."
        with self.beat(text, min_ticks=CARD_TICKS + 15):
            self.play_ticks(fade_in(group, shift=0.2 * DOWN), ticks=15)

    def regions(self) -> tuple[Rect, Rect]:
        """(the text's room, the picture's room): side by side in a wide frame, the text above the
        picture in a square or tall one (the caption band below both)."""
        body = self.layout.frame
        top, bottom = body.top - 0.3, body.bottom + style.CAPTION_HEIGHT + 0.2
        if not self.params["picture"]:
            return Rect(0.0, (top + bottom) / 2, body.width - 1, top - bottom), Rect(0.0, 0.0, 0.0, 0.0)
        if body.width > 1.2 * body.height:
            split = body.left + 0.48 * body.width
            return (Rect((body.left + 0.3 + split) / 2, (top + bottom) / 2, split - body.left - 0.3, top - bottom),
                    Rect((split + body.right - 0.3) / 2, (top + bottom) / 2, body.right - 0.3 - split, top - bottom))
        split = bottom + 0.45 * (top - bottom)
        return (Rect(0.0, (split + top) / 2, body.width - 1, top - split),
                Rect(0.0, (bottom + split) / 2, body.width - 1, split - bottom))

    def picture(self, room: Rect) -> LossSurface:
        """The lesson's picture: the ravine race's loss as a surface, both default runs rolled out on it."""
        from engine import get_landscape, run

        landscape = get_landscape(RACE.landscape)
        start = np.array(RACE.start)
        trajectory = run(landscape, "momentum", lr=np.array([RACE.lr_sgd, RACE.lr_momentum]),
                         beta=np.array([0.0, RACE.beta]), steps=RACE.steps, start=start)
        view = View(-2.5, 7.0, -6.6, 6.6)
        plot = PlotFrame(view, room)
        corners = np.array([[view.xmin, view.ymin], [view.xmax, view.ymax]])
        runs = [SurfaceRun(trajectory.theta[:, i], style.OPTIMIZER_COLORS[name]) for i, name in enumerate(("gd", "momentum"))]
        camera = SurfaceCamera(azimuth=52.0, elevation=38.0, height=0.5 * plot.box.height)
        surface = LossSurface(plot, landscape.value, contour_levels(float(np.max(landscape.value(corners)))), runs,
                              camera=camera)
        surface.set_camera(surface.fitted(camera))
        surface.set_progress(RACE.steps)
        return surface.set_z_index(style.Z_BACKGROUND)


class ChapterCard(LessonScene):
    """A chapter card: part number, chapter title and the scenes in it."""

    SPEC = SceneSpec(
        name="chapter-card",
        description="Chapter card: part number, title and the scenes it contains.",
        params=(
            ParamSpec("number", "int", 1, "part number", low=1, high=99),
            _text_param("heading", "Chapter", "chapter title"),
            _text_param("items", "", "scene titles, separated by '|'"),
        ),
    )

    def beat_prefix(self) -> str:
        """Beat ids ``chapter-<number>-01``, ...: unique across the lesson's chapter cards."""
        return f"chapter-{self.params['number']}"

    def construct(self) -> None:
        p = self.params
        body = self.layout.frame
        room = body.width - 1
        kicker = label(f"Part {p['number']}", style.LABEL_SIZE, style.OPTIMIZER_COLORS["momentum"])
        heading = wrapped_label(p["heading"], room, style.TITLE_SIZE + 6, style.TEXT, weight="BOLD")
        items = [item.strip() for item in p["items"].split("|") if item.strip()]
        listing = VGroup(*[label(item, style.LABEL_SIZE, style.MUTED) for item in items])
        group = VGroup(kicker, heading)
        if len(listing):
            listing.arrange(DOWN, buff=0.14)
            if listing.width > room:  # one title a line: the list shrinks as a whole
                listing.scale_to_fit_width(room)
            group.add(listing)
        group.arrange(DOWN, buff=0.3)
        if group.width > body.width - 1:
            group.scale_to_fit_width(body.width - 1)
        if group.height > body.height - style.CAPTION_HEIGHT - 0.8:
            group.scale_to_fit_height(body.height - style.CAPTION_HEIGHT - 0.8)
        group.move_to([0, style.CAPTION_HEIGHT / 2, 0])
        with self.beat(f"Part {p['number']}: {p['heading']}.", min_ticks=CARD_TICKS):
            self.play_ticks(fade_in(group, shift=0.2 * DOWN), ticks=12)
