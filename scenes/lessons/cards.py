"""Title and chapter cards for the assembled lesson."""

from __future__ import annotations

from manim import DOWN, Line, VGroup

from scenes.kit import style
from scenes.kit.base import LessonScene
from scenes.kit.fades import fade_in
from scenes.kit.params import ParamSpec, SceneSpec
from scenes.widgets.core import label, wrapped_label

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
        ),
    )

    def construct(self) -> None:
        p = self.params
        body = self.layout.frame
        room = body.width - 1  # long lines wrap (square and portrait frames) rather than shrink
        heading = wrapped_label(p["heading"], room, style.TITLE_SIZE + 14, style.TEXT, weight="BOLD")
        subtitle = wrapped_label(p["subtitle"], room, style.CAPTION_SIZE, style.MUTED)
        rule = Line([-3, 0, 0], [3, 0, 0], stroke_color=style.OPTIMIZER_COLORS["momentum"], stroke_width=3)
        items = [item for item in p["items"].split("|") if item.strip()]
        parts = VGroup(*[label(f"{i}. {item.strip()}", style.LABEL_SIZE, style.TEXT) for i, item in enumerate(items, 1)])
        if len(parts):
            parts.arrange(DOWN, aligned_edge=[-1, 0, 0], buff=0.18)
        group = VGroup(heading, subtitle, rule, parts) if len(parts) else VGroup(heading, subtitle, rule)
        group.arrange(DOWN, buff=0.35)
        limit_h = body.height - style.CAPTION_HEIGHT - 0.8
        if group.height > limit_h:
            group.scale_to_fit_height(limit_h)
        if group.width > body.width - 1:
            group.scale_to_fit_width(body.width - 1)
        group.move_to([0, (style.CAPTION_HEIGHT / 2), 0])
        parts_word = "part" if len(items) == 1 else "parts"
        text = f"{p['heading']}: a lesson in {len(items)} {parts_word}." if items else p["heading"] + "."
        with self.beat(text, min_ticks=CARD_TICKS + 15):
            self.play_ticks(fade_in(group, shift=0.2 * DOWN), ticks=15)


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
