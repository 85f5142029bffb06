"""The loss as a lit 3-D surface with contour lines on it, runs rolling on it, and an orbiting camera.

A height field over a plot's :class:`~scenes.kit.framing.View`, drawn by Cairo straight into the
frame (the camera calls :meth:`LossSurface.draw_cairo`): quads sorted back to front (the
painter's algorithm), each filled with its height colour times a fixed Lambert light, the contour
lines and the runs' trails and balls drawn in depth order with them, so a wall in front hides
what is behind it. One Python loop of a few thousand Cairo calls per frame, no Manim mobject per
quad: that keeps a 720p30 frame to tens of milliseconds.

Coordinates. The world is in scene units: X and Y are the plot's own mapping of data (x, y)
(:meth:`PlotFrame.to_scene`, anisotropic scales included) less the box's centre, and Z is the
loss scaled to ``height`` scene units at the highest corner. The camera turns the world by
``azimuth`` about Z, tilts it by ``elevation`` (90°: straight down) and scales it by ``zoom``
about the box's centre, orthographically. At azimuth 0, elevation 90° and zoom 1 every point is
drawn exactly where the 2-D plot draws it, so the surface can settle into the contour view.
"""

from __future__ import annotations

import math
from dataclasses import astuple, dataclass, replace
from typing import Callable, Sequence

import cairo
import numpy as np
from manim import Animation, ManimColor, UpdateFromAlphaFunc, VMobject, interpolate_color, linear, smooth

from scenes.kit import style
from scenes.widgets.contours import marching_squares
from scenes.widgets.core import PlotFrame

# Pixels by which each opaque quad is grown all round, so neighbours overlap: two antialiased
# edges meeting on a pixel let the background through as a faint grid, and a pixel the shared
# edge crosses is covered whole by one of them once each reaches 0.5 px past the edge.
SEAM_PIXELS = 0.6
LIGHT = np.array([-0.35, -0.55, 0.76])  # world direction towards the light (unit length below)
AMBIENT = 0.35  # share of a quad's colour lit whatever its slope


@dataclass(frozen=True)
class SurfaceCamera:
    """Where the camera stands: ``azimuth`` and ``elevation`` in degrees, ``zoom`` (scene units per
    world unit), ``fill`` (the quads' opacity: 0 leaves the contour lines alone), ``height``
    (the highest corner's Z, scene units) and ``shift_x``, ``shift_y`` (scene units the picture is
    moved by after the zoom, to centre it in its box)."""

    azimuth: float = 0.0
    elevation: float = 90.0
    zoom: float = 1.0
    fill: float = 1.0
    height: float = 2.5
    shift_x: float = 0.0
    shift_y: float = 0.0


def blend_cameras(start: SurfaceCamera, end: SurfaceCamera, alpha: float) -> SurfaceCamera:
    """The camera ``alpha`` of the way from ``start`` to ``end`` (each number linearly)."""
    return SurfaceCamera(*(a + alpha * (b - a) for a, b in zip(astuple(start), astuple(end))))


@dataclass(frozen=True)
class SurfaceRun:
    """A run drawn on the surface: its positions θ_0 … θ_n (data units) and its colour."""

    theta: np.ndarray
    color: str


def _rgb(color: str) -> np.ndarray:
    """``color`` as Cairo source channels in the frame's byte order: Manim's pixel array is
    RGBA, which Cairo's ARGB32 reads as BGRA, so the channels go in reversed (as Manim's own
    camera sets them)."""
    return np.asarray(ManimColor(color).to_rgb(), dtype=float)[::-1]


class LossSurface(VMobject):
    """A landscape's loss over ``plot``'s view as a shaded surface with ``levels`` as contour lines.

    ``value`` is the landscape's batched loss (data points (..., 2) → (...)); ``runs`` roll on the
    surface, shown up to :attr:`step` (set by :meth:`set_progress`, fractional between steps).
    The mobject's own points are its box's corners (what layout checks and Manim see); it draws
    nothing through Manim's fill and stroke.
    """

    def __init__(self, plot: PlotFrame, value: Callable[[np.ndarray], np.ndarray], levels: Sequence[float],
                 runs: Sequence[SurfaceRun] = (), grid: int = 36, contour_grid: int = 120,
                 camera: SurfaceCamera = SurfaceCamera()) -> None:
        super().__init__(stroke_width=0, fill_opacity=0)
        self.plot, self.camera, self.runs, self.step, self.grid = plot, camera, list(runs), 0.0, grid
        box = plot.box
        self.center = np.array([box.x, box.y])
        self.set_points_as_corners([[box.left, box.bottom, 0], [box.right, box.bottom, 0],
                                    [box.right, box.top, 0], [box.left, box.top, 0], [box.left, box.bottom, 0]])
        view = plot.view
        self.value = value
        corners = np.array([[view.xmin, view.ymin], [view.xmin, view.ymax], [view.xmax, view.ymin], [view.xmax, view.ymax]])
        self.top = float(np.max(value(corners)))
        self.floor = float(value(np.asarray(_minimum_guess(value, view))))
        # the quads: vertices on a grid over the view, colours lit once (the light is fixed in the world)
        xs = np.linspace(view.xmin, view.xmax, grid + 1)
        ys = np.linspace(view.ymin, view.ymax, grid + 1)
        data = np.stack(np.meshgrid(xs, ys, indexing="xy"), axis=-1)  # (g+1, g+1, 2)
        self.vertex_xy = self.to_world_xy(data)                          # scene units about the centre
        self.vertex_loss = np.asarray(value(data), dtype=float)
        self.quad_colors = self._lit_colors(grid)
        # contour segments on a finer grid, each filed under the quad its midpoint lies in
        cx = np.linspace(view.xmin, view.xmax, contour_grid + 1)
        cy = np.linspace(view.ymin, view.ymax, contour_grid + 1)
        values = np.asarray(value(np.stack(np.meshgrid(cx, cy, indexing="xy"), axis=-1)), dtype=float)
        order = np.argsort(levels)
        self.contours: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (segments (k,2,2) data, loss (k,2), quad (k,))
        self.contour_colors: list[np.ndarray] = []
        for rank, index in enumerate(order):
            segments = marching_squares(cx, cy, values, float(levels[index]))
            if not len(segments):
                continue
            self.contours.append((segments, np.full(segments.shape[:2], float(levels[index])),
                                  self.quad_of(segments.mean(axis=1))))
            fraction = rank / max(1, len(levels) - 1)
            self.contour_colors.append(_rgb(interpolate_color(ManimColor(style.CONTOUR_LOW),
                                                              ManimColor(style.CONTOUR_HIGH), fraction)))
        self._contour_pieces = _ContourPieces.file(self)


    # -- geometry ----------------------------------------------------------------------------
    def to_world_xy(self, data: np.ndarray) -> np.ndarray:
        """World X, Y (scene units about the box's centre) of data points (..., 2)."""
        return self.plot.to_scene(data)[..., :2] - self.center

    def world(self, xy: np.ndarray, loss: np.ndarray, camera: SurfaceCamera | None = None) -> np.ndarray:
        """World points (..., 3) from world X, Y and the loss there."""
        camera = camera or self.camera
        z = camera.height * (np.asarray(loss, dtype=float) - self.floor) / max(self.top - self.floor, 1e-12)
        return np.concatenate([xy, z[..., None]], axis=-1)

    def project(self, points: np.ndarray, camera: SurfaceCamera | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Scene coordinates (..., 2) and depth (...; larger is nearer the viewer) of world points."""
        camera = camera or self.camera
        a, e = math.radians(camera.azimuth), math.radians(camera.elevation)
        x, y, z = points[..., 0], points[..., 1], points[..., 2]
        x1 = x * math.cos(a) - y * math.sin(a)
        y1 = x * math.sin(a) + y * math.cos(a)
        screen_y = y1 * math.sin(e) + z * math.cos(e)
        depth = -y1 * math.cos(e) + z * math.sin(e)
        screen = np.stack([x1, screen_y], axis=-1) * camera.zoom + self.center + (camera.shift_x, camera.shift_y)
        return screen, depth

    def _lit_colors(self, grid: int) -> np.ndarray:
        """Each quad's RGB: its height's colour times ambient + diffuse light (world normals)."""
        world = self.world(self.vertex_xy, self.vertex_loss)
        a, b, c = world[:-1, :-1], world[:-1, 1:], world[1:, :-1]
        normal = np.cross(b - a, c - a)
        normal /= np.linalg.norm(normal, axis=-1, keepdims=True)
        normal *= np.sign(normal[..., 2:3])
        light = LIGHT / np.linalg.norm(LIGHT)
        diffuse = np.clip(normal @ light, 0.0, 1.0)
        height = (world[:-1, :-1, 2] + world[1:, 1:, 2]) / 2 / max(self.camera.height, 1e-12)
        low, high = _rgb(style.SURFACE_LOW), _rgb(style.SURFACE_HIGH)
        base = low + np.sqrt(np.clip(height, 0, 1))[..., None] * (high - low)
        shade = AMBIENT + (1 - AMBIENT) * diffuse
        return (base * shade[..., None]).reshape(grid * grid, 3)

    # -- motion ------------------------------------------------------------------------------
    def set_progress(self, step: float) -> None:
        """Show the runs up to ``step`` (fractional: the balls between two positions)."""
        self.step = float(step)

    def set_camera(self, camera: SurfaceCamera) -> None:
        """Put the camera at ``camera``."""
        self.camera = camera

    def fitted(self, camera: SurfaceCamera) -> SurfaceCamera:
        """``camera`` with the zoom (at most 1) and shift that keep the whole projected surface in
        the box, centred: zoom 1 and no shift straight above, where the surface covers the box."""
        plain = replace(camera, zoom=1.0, shift_x=0.0, shift_y=0.0)
        screen, _ = self.project(self.world(self.vertex_xy, self.vertex_loss, camera), plain)
        low, high = screen.reshape(-1, 2).min(axis=0), screen.reshape(-1, 2).max(axis=0)
        box = self.plot.box
        zoom = float(min(1.0, box.width / max(high[0] - low[0], 1e-9), box.height / max(high[1] - low[1], 1e-9)))
        middle = (low + high) / 2 - self.center  # where the unzoomed picture's middle lies, from the box's
        return replace(camera, zoom=zoom, shift_x=float(-zoom * middle[0]), shift_y=float(-zoom * middle[1]))

    def glide(self, start: SurfaceCamera, end: SurfaceCamera, step_from: float, step_to: float) -> Animation:
        """One animation: the camera from ``start`` to ``end`` (smoothly, the zoom refitted on every
        frame) while the runs go from ``step_from`` to ``step_to`` at constant speed."""

        def update(_mob, alpha: float) -> None:
            self.set_camera(self.fitted(blend_cameras(start, end, smooth(alpha))))
            self.set_progress(step_from + (step_to - step_from) * alpha)

        return UpdateFromAlphaFunc(self, update, rate_func=linear)

    # -- drawing -----------------------------------------------------------------------------
    def draw_cairo(self, ctx: cairo.Context) -> None:
        """Draw the surface, its contours and the runs into ``ctx`` (frame units), back to front."""
        camera = self.camera
        g = self.grid
        world = self.world(self.vertex_xy, self.vertex_loss)
        screen, depth = self.project(world)
        corners = np.stack([screen[:-1, :-1], screen[:-1, 1:], screen[1:, 1:], screen[1:, :-1]], axis=2)
        fill = camera.fill
        opaque = fill > 0.999
        if opaque:  # each quad a hair larger, so the next one drawn covers the seam between them
            matrix = ctx.get_matrix()  # frame units to device pixels
            corners = _grown(corners.reshape(g * g, 4, 2), SEAM_PIXELS / max(math.hypot(matrix.xx, matrix.yx), 1e-9))
        corners = corners.reshape(g * g, 8)
        quad_depth = (depth[:-1, :-1] + depth[:-1, 1:] + depth[1:, 1:] + depth[1:, :-1]).reshape(g * g) / 4
        # what is drawn with each quad, nearest last: its contour segments, then run pieces
        extras = self._contour_pieces.projected(self)
        balls: list[Callable[[], None]] = []
        for run in self.runs:
            balls.extend(self._run_pieces(ctx, run, extras))
        order = np.argsort(quad_depth, kind="stable")
        ctx.save()
        ctx.set_line_join(cairo.LINE_JOIN_ROUND)
        ctx.set_line_cap(cairo.LINE_CAP_ROUND)
        # one Python list per frame and bound methods: a frame is a few thousand Cairo calls
        quads, colors = corners.tolist(), self.quad_colors.tolist()
        new_path, move_to, line_to, close_path = ctx.new_path, ctx.move_to, ctx.line_to, ctx.close_path
        set_source_rgba, fill_path = ctx.set_source_rgba, ctx.fill
        drawing = fill > 0.002
        for q in order.tolist():
            if drawing:
                x0, y0, x1, y1, x2, y2, x3, y3 = quads[q]
                r, gr, b = colors[q]
                new_path()
                move_to(x0, y0)
                line_to(x1, y1)
                line_to(x2, y2)
                line_to(x3, y3)
                close_path()
                set_source_rgba(r, gr, b, fill)
                fill_path()
            pieces = extras.get(q)
            if pieces is not None:
                for segments, rgb, width in pieces:
                    _lines_flat(ctx, segments, rgb, width)
        for draw in balls:  # balls last: a ball is never hidden by the quad in front of its own
            draw()
        ctx.restore()

    def quad_of(self, data: np.ndarray) -> np.ndarray:
        """Index of the quad each data point (..., 2) lies over (clamped to the grid)."""
        view, g = self.plot.view, self.grid
        col = np.clip(((data[..., 0] - view.xmin) / view.width * g).astype(int), 0, g - 1)
        row = np.clip(((data[..., 1] - view.ymin) / view.height * g).astype(int), 0, g - 1)
        return row * g + col

    def _run_pieces(self, ctx: cairo.Context, run: SurfaceRun,
                    extras: dict[int, list[tuple[list, tuple, float]]]) -> list[Callable[[], None]]:
        """File the run's trail (up to the current step) under the quads it crosses, drawn with
        them; return the drawing of its ball (drawn after the whole surface)."""
        step = min(self.step, len(run.theta) - 1)
        whole = int(math.floor(step))
        points = run.theta[: whole + 1]
        if step > whole:
            points = np.vstack([points, run.theta[whole] + (step - whole) * (run.theta[whole + 1] - run.theta[whole])])
        points = points[np.isfinite(points).all(axis=1)]
        if not len(points):
            return []
        # each segment sampled along its length so the trail follows the surface between positions
        samples = 10
        t = np.linspace(0.0, 1.0, samples + 1)[:-1]
        dense = np.vstack([(points[:-1, None, :] + t[None, :, None] * (points[1:, None, :] - points[:-1, None, :])).reshape(-1, 2),
                           points[-1:]])
        world = self.world(self.to_world_xy(dense), np.asarray(self.value(dense), dtype=float))
        world[..., 2] += 0.02  # a hair above the surface
        screen, _ = self.project(world)
        rgb = _rgb(run.color)
        width = style.PATH_WIDTH * 0.01
        segments = np.concatenate([screen[:-1], screen[1:]], axis=1)  # (k, 4): x0, y0, x1, y1
        quads = self.quad_of((dense[:-1] + dense[1:]) / 2)
        color = tuple(rgb.tolist())
        for q, pieces in _by_quad(quads, segments):
            extras.setdefault(q, []).append((pieces, color, width))
        tip = screen[-1]
        radius = style.BALL_RADIUS

        def ball() -> None:
            ctx.new_path()
            ctx.arc(float(tip[0]), float(tip[1]), radius, 0, 2 * math.pi)
            ctx.set_source_rgb(*rgb.tolist())
            ctx.fill_preserve()
            ctx.set_source_rgb(*_rgb(style.BACKGROUND).tolist())
            ctx.set_line_width(0.015)
            ctx.stroke()

        return [ball]


def _grown(quads: np.ndarray, margin: float) -> np.ndarray:
    """Quads (n, 4, 2) with every edge moved ``margin`` outward (scene units): each corner moves
    along the bisector of its two edges by ``margin`` / sin(half its angle), capped at 4 ×
    ``margin`` so a needle-thin quad seen edge-on does not grow a spike. Corners are taken as a
    convex quad's, in either winding order."""
    previous, following = np.roll(quads, 1, axis=1), np.roll(quads, -1, axis=1)
    incoming, outgoing = quads - previous, following - quads
    incoming /= np.maximum(np.linalg.norm(incoming, axis=-1, keepdims=True), 1e-12)
    outgoing /= np.maximum(np.linalg.norm(outgoing, axis=-1, keepdims=True), 1e-12)
    bisector = incoming - outgoing  # points away from the inside at a convex corner
    length = np.linalg.norm(bisector, axis=-1, keepdims=True)
    # |incoming − outgoing| = 2 cos(θ/2) for the corner's inner angle θ
    sin_half = np.sqrt(np.clip(1 - (length / 2) ** 2, 1e-12, 1.0))
    reach = np.minimum(margin / sin_half, 4 * margin)
    return quads + bisector / np.maximum(length, 1e-12) * reach


def _lines_flat(ctx: cairo.Context, segments: list[list[float]], rgb: tuple[float, float, float], width: float) -> None:
    """Stroke line segments ([x0, y0, x1, y1] each, frame units) in one colour, ``width`` frame units wide."""
    ctx.new_path()
    move_to, line_to = ctx.move_to, ctx.line_to
    for x0, y0, x1, y1 in segments:
        move_to(x0, y0)
        line_to(x1, y1)
    ctx.set_source_rgb(*rgb)
    ctx.set_line_width(width)
    ctx.stroke()


def _by_quad(quads: np.ndarray, segments: np.ndarray) -> list[tuple[int, list[list[float]]]]:
    """``segments`` (k, 4) split by the quad each lies over (``quads``, (k,)): one (quad, its
    segments in their order) per quad, quads ascending."""
    if not len(quads):
        return []
    order = np.argsort(quads, kind="stable")
    ranked = quads[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]]).tolist()
    rows = segments[order].tolist()
    ends = starts[1:] + [len(rows)]
    return [(int(ranked[a]), rows[a:b]) for a, b in zip(starts, ends)]


@dataclass
class _ContourPieces:
    """The surface's contour segments, all contours in one array (data fixed: only the camera
    moves them), ordered so each quad's pieces of each contour lie together: per quad, the
    contours in drawing order, each a slice of :attr:`xy` with its colour."""

    xy: np.ndarray    # (k, 2, 2) world X, Y of each segment's ends
    loss: np.ndarray  # (k, 2) the loss there (the contour's level)
    groups: list[tuple[int, int, int, tuple[float, float, float]]]  # (quad, start, end, colour)

    @classmethod
    def file(cls, surface: "LossSurface") -> "_ContourPieces":
        """File ``surface``'s contours under their quads."""
        xy, loss, groups, count = [], [], [], 0
        for (segments, level, quad), color in zip(surface.contours, surface.contour_colors):
            world_xy = surface.to_world_xy(segments)
            for q in np.unique(quad).tolist():
                inside = quad == q
                xy.append(world_xy[inside])
                loss.append(level[inside])
                groups.append((q, count, count + len(xy[-1]), tuple(np.asarray(color).tolist())))
                count += len(xy[-1])
        return cls(np.concatenate(xy) if xy else np.zeros((0, 2, 2)), np.concatenate(loss) if loss else np.zeros((0, 2)),
                   groups)

    def projected(self, surface: "LossSurface") -> dict[int, list[tuple[list, tuple, float]]]:
        """Per quad, its contour pieces through ``surface``'s camera: (segments as [x0, y0, x1, y1]
        frame units, colour, line width)."""
        width = style.CONTOUR_WIDTH * 0.01
        screen, _ = surface.project(surface.world(self.xy, self.loss))
        rows = screen.reshape(-1, 4).tolist()
        extras: dict[int, list[tuple[list, tuple, float]]] = {}
        for q, start, end, color in self.groups:
            extras.setdefault(q, []).append((rows[start:end], color, width))
        return extras


def _minimum_guess(value: Callable[[np.ndarray], np.ndarray], view) -> np.ndarray:
    """The lowest point of a coarse grid over ``view`` (the surface's floor, for its height scale)."""
    xs = np.linspace(view.xmin, view.xmax, 81)
    ys = np.linspace(view.ymin, view.ymax, 81)
    grid = np.stack(np.meshgrid(xs, ys, indexing="xy"), axis=-1)
    values = np.asarray(value(grid), dtype=float)
    i, j = np.unravel_index(int(np.argmin(values)), values.shape)
    return grid[i, j]
