"""Manim's Cairo camera with a cheaper path emitter (the same pixels, less Python per frame).

Every frame, Manim hands each moving VMobject's Bézier curves to Cairo one ``curve_to`` at a
time, indexing a NumPy array per coordinate (each index makes a NumPy scalar). A growing
trajectory has hundreds of curves, so that loop was a large share of a frame's drawing.
:class:`LessonCamera` converts each sub-path's control points to Python floats in one call and
emits the same ``move_to``/``curve_to``/``close_path`` sequence.
"""

from __future__ import annotations

import cairo
from manim import Camera
from manim.mobject.types.vectorized_mobject import VMobject


class LessonCamera(Camera):
    """A :class:`manim.Camera` whose :meth:`set_cairo_context_path` builds paths in bulk."""

    def set_cairo_context_path(self, ctx: cairo.Context, vmobject: VMobject) -> "LessonCamera":
        """Set ``ctx``'s path to ``vmobject``'s sub-paths (pixel space via the context's matrix)."""
        points = self.transform_points_pre_display(vmobject, vmobject.points)
        if len(points) == 0:
            return self
        per_curve = vmobject.n_points_per_cubic_curve
        ctx.new_path()
        splits = vmobject.get_subpath_split_indices_from_points(points, n_dims=2)
        if len(splits) == 0:
            return self
        move_to, curve_to = ctx.move_to, ctx.curve_to
        for start, end in splits.tolist():
            if end - start < per_curve:
                continue
            ctx.new_sub_path()
            curves = points[start:start + (end - start) // per_curve * per_curve, :2].reshape(-1, per_curve, 2)
            move_to(*curves[0, 0].tolist())
            for x1, y1, x2, y2, x3, y3 in curves[:, 1:, :].reshape(-1, 6).tolist():
                curve_to(x1, y1, x2, y2, x3, y3)
            if vmobject.consider_points_equals_2d(points[start], points[end - 1]):
                ctx.close_path()
        return self
