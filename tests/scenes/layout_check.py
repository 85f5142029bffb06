"""Layout checks for scene tests: after every animation, nothing outside the frame or in the caption band.

``layout_problems(scene_name, params)`` constructs the scene with animations skipped (at the low
quality's 854×480: Manim lays Text out for the pixel width, so a tiny frame wraps long lines; no
movie; the camera draws only the last picture, ``sketch_camera``) and, after each
``play_ticks``/``hold``, measures every drawn piece except the caption (``picture_problems``): a non-finite point, any point outside the frame, or below the top of the
caption band, is reported, and so are two words drawn over each other (``text_overlaps``). With ``regions=True`` a piece must also stay inside one of the title /
plot / panel regions (a plot label running into the panel, a panel row running into the plot),
the plot and the panel reaching down to the caption band. A test asserts the list is empty at a
parameter range's edges.

After the scene has played, two more checks on the whole clip: no caption stays on screen longer
than ``scenes.kit.base.MAX_CAPTION_SECONDS`` (``caption_time_problems``, from the recorded cues),
and every run a scene draws in a plot (``scene.framed_runs``: name, path, view box, whether it
diverges) stays in its view unless it diverges (``view_problems``): a run that merely swings wide
must be fitted, not pinned at the border.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from scenes.render.view_map import drawn_bounds

TOLERANCE = 0.02  # scene units
TEXT_OVERLAP = 0.03  # scene units two words' boxes may share (a descender over the next line's cap)
TEXT_GAP = 0.15  # the least space between two words side by side on one line, scene units
TEXT_FLOOR = 14  # the least font size a drawn word may be scaled to (captions aside)
CAPTION_FLOOR = 20  # the least font size a caption may be scaled to
WIDOW = 0.35  # a caption's last line is at least this share of its longest line


def layout_problems(scene_name: str, params: dict[str, Any] | None = None, *, regions: bool = False,
                    aspect: str = "16:9") -> list[str]:
    """Descriptions of drawn pieces that leave the frame or enter the caption band (or, with
    ``regions``, straddle the title / plot / panel regions) at any point of the scene; empty: fine."""
    from manim import tempconfig

    from ravine.pipeline.job import Quality, frame_size
    from ravine.pipeline.frames import manim_config, publish_private_cache, seed_private_cache
    from scenes.lesson import scene_class

    cls = scene_class(scene_name)
    problems: list[str] = []

    class Probe(cls):  # type: ignore[misc, valid-type]
        def _check(self) -> None:
            found = picture_problems(self, regions) + text_overlaps(self) + small_text(self) + readout_overlaps(self)
            problems.extend(f"{problem} at tick {self.ticks}" for problem in found)

        def caption_mobject(self, text: str, highlights: dict[str, str] | None = None):
            band = super().caption_mobject(text, highlights)
            problems.extend(f"{problem} at tick {self.ticks}" for problem in caption_problems(band))
            return band

        def play_ticks(self, *args, **kwargs) -> None:
            super().play_ticks(*args, **kwargs)
            self._check()

        def hold(self, ticks: int) -> None:
            super().hold(ticks)
            self._check()

    quality = Quality("layout", 854, 480, 15)
    with tempfile.TemporaryDirectory() as media:
        settings = manim_config(quality, Path(media), scene_name, aspect=aspect)
        settings.update({"write_to_movie": False, "save_last_frame": False})
        pixels = frame_size(quality, aspect)
        seed_private_cache(Path(media), *pixels)
        with tempconfig(settings):
            scene = Probe(params=params or {}, skip_animations=True, camera_class=sketch_camera())
            scene.render()
            # the checks read positions, not pixels: the camera draws only the last picture, so a
            # picture this frame shape cannot draw still fails here
            scene.renderer.camera.drawing = True
            scene.renderer.update_frame(scene)
        publish_private_cache(Path(media), *pixels)  # its new text and LaTeX renderings, for the next check
    problems.extend(caption_time_problems(scene.cues) + view_problems(scene))
    # one line per distinct problem
    return list(dict.fromkeys(problems))


def sketch_camera() -> type:
    """The lesson camera, drawing nothing until its ``drawing`` is set.

    Drawing each play's pictures (Cairo paths, layers, the still background) is about a third of
    a layout pass, and no layout check reads a pixel; :func:`layout_problems` sets ``drawing``
    after the scene has played and draws its last picture for real.
    """
    from scenes.render.camera import LessonCamera

    class SketchCamera(LessonCamera):
        drawing = False

        def capture_mobjects(self, mobjects, **kwargs) -> None:
            if self.drawing:
                super().capture_mobjects(mobjects, **kwargs)

    return SketchCamera


def caption_time_problems(cues, limit: float | None = None) -> list[str]:
    """Captions (recorded cues) on screen longer than ``limit`` seconds (default: the scene kit's
    ``MAX_CAPTION_SECONDS``)."""
    from scenes.kit.base import MAX_CAPTION_SECONDS

    limit = MAX_CAPTION_SECONDS if limit is None else limit
    return [f"caption on screen {cue.end - cue.start:.1f} s (over {limit:g} s): {cue.text!r}"
            for cue in cues if cue.end - cue.start > limit + 1e-3]


def readout_overlaps(scene, steps: int | None = None) -> list[str]:
    """Live readouts (``SwapLabel``s, the caption aside) that run into a word at some step of the
    run, not only at the step the scene stands on: each label is set to every step 0 … ``steps``
    (default: the scene's ``steps`` parameter) and compared with the other labels at the same step
    and with the fixed words wherever it reaches; then set back."""
    from manim import MarkupText, Paragraph, SingleStringMathTex, Text

    from scenes.widgets.core import SwapLabel

    caption = getattr(scene, "_caption", None)
    skip = set(caption.get_family()) if caption is not None else set()
    labels = [mob for top in scene.mobjects for mob in top.get_family()
              if isinstance(mob, SwapLabel) and mob not in skip and mob.get_fill_opacity() > 0.01]
    if not labels:
        return []
    words = drawn_words(scene, (Text, MarkupText, Paragraph, SingleStringMathTex))
    steps = int(scene.params.get("steps") or 0) if steps is None else steps

    def box(label, text: str):
        points = label.outline(text)
        return points[:, 0].min(), points[:, 0].max(), points[:, 1].min(), points[:, 1].max()

    def meet(a, b) -> bool:
        pad = TEXT_OVERLAP
        return a[0] + pad < b[1] and b[0] + pad < a[1] and a[2] + pad < b[3] and b[2] + pad < a[3]

    texts = [[label.text_for(k) for k in range(steps + 1)] for label in labels]
    boxes = [[box(label, text) if text else None for text in series] for label, series in zip(labels, texts)]
    fixed_boxes = [plain_box(word) for word in words]
    found = []
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            clash = next((k for k in range(steps + 1)
                          if boxes[i][k] and boxes[j][k] and meet(boxes[i][k], boxes[j][k])), None)
            if clash is not None:
                found.append(f"readouts collide at step {clash}: {texts[i][clash]!r} and {texts[j][clash]!r}")
        for word, fixed in zip(words, fixed_boxes):
            clash = next((k for k in range(steps + 1) if boxes[i][k] and meet(boxes[i][k], fixed)), None)
            if clash is not None:
                name = getattr(word, "text", None) or getattr(word, "tex_string", "")
                found.append(f"readout runs into a word at step {clash}: {texts[i][clash]!r} and {name!r}")
    return found


def view_problems(scene) -> list[str]:
    """Runs drawn in a plot (``scene.framed_runs``: (name, path (T+1, 2), view box (xmin, xmax,
    ymin, ymax), diverges)) that leave their view though they do not diverge."""
    from engine import claims

    problems = []
    for name, theta, box, diverging in getattr(scene, "framed_runs", ()):
        gone = claims.leaves_view(theta, box)
        if gone and not diverging:
            problems.append(f"run leaves the view without diverging: {name} at step {gone.get('step')}")
    return problems


def text_overlaps(scene) -> list[str]:
    """Pairs of drawn words (Text, TeX, live labels; the caption aside) whose boxes overlap by more
    than ``TEXT_OVERLAP`` scene units each way."""
    from manim import MarkupText, Paragraph, SingleStringMathTex, Text

    from scenes.widgets.core import SwapLabel

    words = drawn_words(scene, (Text, MarkupText, Paragraph, SingleStringMathTex, SwapLabel))

    def name(mob) -> str:
        return getattr(mob, "text", None) or getattr(mob, "tex_string", None) or getattr(mob, "_shown", "")

    over = overlapping(words, pad=-TEXT_OVERLAP)
    close = [pair for pair in side_by_side(words, TEXT_GAP) if pair not in over]
    return [f"text overlaps: {name(words[i])!r} and {name(words[j])!r}" for i, j in over] + \
        [f"text too close beside: {name(words[i])!r} and {name(words[j])!r}" for i, j in close]


def drawn_words(scene, kinds: tuple[type, ...]) -> list:
    """The scene's drawn mobjects of ``kinds`` (outermost first; the caption aside) that are
    wider than nothing and not fully transparent."""
    caption = getattr(scene, "_caption", None)
    skip = set(caption.get_family()) if caption is not None else set()
    words = []

    def walk(mob) -> None:
        if mob in skip:
            return
        if isinstance(mob, kinds):
            if mob.width > 1e-3 and any(_visible(part) for part in mob.family_members_with_points()):
                words.append(mob)
            return
        for child in mob.submobjects:
            walk(child)

    for top in scene.mobjects:
        walk(top)
    return words


def small_text(scene, floor: float = TEXT_FLOOR) -> list[str]:
    """Drawn words (Text, the caption aside) scaled below ``floor``: shrunk to fit rather than
    wrapped, too small to read on a phone. Sizes are ``Text.font_size``, after any scaling."""
    from manim import MarkupText, Text

    return [f"text too small: {mob.text!r} at size {mob.font_size:.1f} (floor {floor})"
            for mob in drawn_words(scene, (Text, MarkupText)) if mob.font_size < floor - 0.05]


def caption_problems(band, floor: float = CAPTION_FLOOR, widow: float = WIDOW) -> list[str]:
    """Problems of a caption band (``LessonScene.caption_mobject``): its text shrunk below
    ``floor``, or a last line shorter than ``widow`` times the longest."""
    words = band.submobjects[-1]
    lines = words.original_text.split("\n")
    problems = []
    size = words.font_size
    if size < floor - 0.05:
        problems.append(f"caption too small: size {size:.1f} (floor {floor}): {words.original_text!r}")
    if len(lines) > 1 and len(lines[-1]) < widow * max(map(len, lines)):
        problems.append(f"caption's last line is a widow: {words.original_text!r}")
    return problems


def side_by_side(mobjects, gap: float) -> list[tuple[int, int]]:
    """Index pairs on one line (their heights overlap by at least half the shorter one) whose
    boxes are less than ``gap`` apart horizontally, or overlap."""
    boxes = [word_box(m) for m in mobjects]
    pairs = []
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            (l1, r1, b1, t1), (l2, r2, b2, t2) = boxes[i], boxes[j]
            shared = min(t1, t2) - max(b1, b2)
            apart = max(l2 - r1, l1 - r2)
            if shared >= 0.5 * min(t1 - b1, t2 - b2) and apart < gap:
                pairs.append((i, j))
    return pairs


def picture_problems(scene, regions: bool = False) -> list[str]:
    """Problems of the scene's current picture: drawn leaf mobjects (the caption aside) with
    non-finite points, outside the frame, in the caption band or, with ``regions``, across regions."""
    layout = scene.layout
    caption = getattr(scene, "_caption", None)
    skip = set(caption.get_family()) if caption is not None else set()
    frame, band = layout.frame, layout.caption
    # the plot and the panel may use the gap down to the caption band (e.g. an inset's axis label)
    boxes = [(r.left, r.right, min(r.bottom, band.top), r.top) for r in (layout.plot, layout.panel)]
    boxes.append((layout.title.left, layout.title.right, layout.title.bottom, layout.title.top))
    problems = []
    for top in scene.mobjects:
        for mob in top.family_members_with_points():
            if mob in skip or not _visible(mob):
                continue
            if not np.all(np.isfinite(mob.points)):
                problems.append(f"non-finite points: {type(mob).__name__}")
                continue
            drawn = drawn_bounds(mob)  # through a zoom's view and clip, if the piece has one
            if drawn is None:
                continue
            left, bottom, right, top_y = drawn
            where = f"{type(mob).__name__}: x {left:.2f}..{right:.2f}, y {bottom:.2f}..{top_y:.2f}"
            if left < frame.left - TOLERANCE or right > frame.right + TOLERANCE or \
                    bottom < frame.bottom - TOLERANCE or top_y > frame.top + TOLERANCE:
                problems.append(f"off frame: {where}")
            if bottom < band.top - TOLERANCE:
                problems.append(f"in caption band: {where}")
            if regions and not any(left >= x0 - TOLERANCE and right <= x1 + TOLERANCE and
                                   bottom >= y0 - TOLERANCE and top_y <= y1 + TOLERANCE
                                   for x0, x1, y0, y1 in boxes):
                problems.append(f"straddles the title / plot / panel regions: {where}")
    return problems


def word_box(mob) -> tuple[float, float, float, float]:
    """(left, right, bottom, top) of what ``mob``'s family draws, through a zoom's view if the
    words follow one (:mod:`scenes.render.view_map`), else its plain bounding box."""
    if getattr(mob, "view_map", None) is None:
        return plain_box(mob)
    bounds = [b for part in mob.family_members_with_points() if (b := drawn_bounds(part)) is not None]
    if not bounds:
        return 0.0, 0.0, 0.0, 0.0
    lefts, bottoms, rights, tops = zip(*bounds)
    return min(lefts), max(rights), min(bottoms), max(tops)


def plain_box(mob) -> tuple[float, float, float, float]:
    """(left, right, bottom, top) of ``mob``'s bounding box: what ``get_left()[0]``,
    ``get_right()[0]``, ``get_bottom()[1]`` and ``get_top()[1]`` give (all zero for a mobject with
    no points), from one pass over its boundary points instead of four."""
    points = mob.get_points_defining_boundary()
    if len(points) == 0:
        return 0.0, 0.0, 0.0, 0.0
    points = np.asarray(points)
    return points[:, 0].min(), points[:, 0].max(), points[:, 1].min(), points[:, 1].max()


def _visible(mob) -> bool:
    """Whether ``mob`` draws anything: a stroke of some width, or a fill, more than 1% opaque
    (an image or other non-vector piece counts as drawn)."""
    from manim import VMobject

    if not isinstance(mob, VMobject):
        return True
    stroke = float(mob.get_stroke_opacity()) if mob.get_stroke_width() > 0 else 0.0
    return max(stroke, float(mob.get_fill_opacity())) > 0.01


def caption_lines(text: str) -> float:
    """Lines ``text`` takes in a 16:9 frame's caption band (which holds two at full size), or
    infinity if it must be shrunk (more than 2%) to fit even so."""
    from scenes.kit import style
    from scenes.kit.base import fit_caption

    fit = fit_caption(text, *style.caption_room(style.layout_for(16 * 8 / 9, 8.0).caption))
    return len(fit.lines) if fit.scale >= 0.98 else float("inf")


__all__ = ["layout_problems", "sketch_camera", "picture_problems", "text_overlaps", "drawn_words", "small_text",
           "caption_problems", "caption_lines", "overlapping", "caption_time_problems", "view_problems", "readout_overlaps"]


def overlapping(mobjects, pad: float = 0.0) -> list[tuple[int, int]]:
    """Index pairs of ``mobjects`` whose bounding boxes (grown by ``pad`` scene units) overlap."""
    boxes = [(left - pad, right + pad, bottom - pad, top + pad) for left, right, bottom, top in map(word_box, mobjects)]
    return [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
            if boxes[i][0] < boxes[j][1] and boxes[j][0] < boxes[i][1]
            and boxes[i][2] < boxes[j][3] and boxes[j][2] < boxes[i][3]]
