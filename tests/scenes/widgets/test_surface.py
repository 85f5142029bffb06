"""scenes.widgets.surface: the loss surface's projection, depth order, colours and its settle into the 2-D plot."""

from __future__ import annotations

import numpy as np
import pytest
from manim import tempconfig

from engine import get_landscape
from scenes.kit import style
from scenes.kit.framing import View
from scenes.kit.style import Rect
from scenes.render.camera import LessonCamera
from scenes.widgets.contours import contour_levels
from scenes.widgets.core import PlotFrame
from scenes.widgets import surface as surface_module
from scenes.widgets.surface import LossSurface, SurfaceCamera, SurfaceRun, _grown, blend_cameras
from tests.scenes.golden import GOLDEN_SIZE, check_golden_array

RAVINE = get_landscape("seed-ravine")
VIEW = View(-2.5, 7.0, -6.5, 6.5)


def surface(camera: SurfaceCamera = SurfaceCamera(), runs=(), grid: int = 24) -> LossSurface:
    plot = PlotFrame(VIEW, Rect(-2.0, 0.0, 8.0, 6.0))
    corners = np.array([[VIEW.xmin, VIEW.ymin], [VIEW.xmax, VIEW.ymax]])
    return LossSurface(plot, RAVINE.value, contour_levels(float(np.max(RAVINE.value(corners)))), runs,
                       grid=grid, camera=camera)


def frame(*mobjects, size=(320, 180), background: str = style.BACKGROUND) -> np.ndarray:
    with tempconfig({"pixel_width": size[0], "pixel_height": size[1]}):
        camera = LessonCamera(background_color=background)
        camera.reset()
        camera.capture_mobjects(list(mobjects))
        return camera.pixel_array[:, :, :3].copy()


def test_straight_above_every_point_is_where_the_2d_plot_draws_it() -> None:
    shape = surface(SurfaceCamera(azimuth=0.0, elevation=90.0, zoom=1.0))
    data = np.array([[0.0, 0.0], [6.0, 6.0], [-2.5, -6.5], [7.0, 1.0]])
    world = shape.world(shape.to_world_xy(data), RAVINE.value(data))
    screen, _ = shape.project(world)
    assert np.allclose(screen, shape.plot.to_scene(data)[:, :2])
    assert shape.fitted(shape.camera).zoom == pytest.approx(1.0)


def test_a_tilted_camera_is_zoomed_to_keep_the_surface_in_its_box() -> None:
    shape = surface()
    camera = shape.fitted(SurfaceCamera(azimuth=40.0, elevation=35.0, height=3.0))
    assert camera.zoom < 1.0
    screen, _ = shape.project(shape.world(shape.vertex_xy, shape.vertex_loss, camera), camera)
    box = shape.plot.box
    assert screen[..., 0].min() >= box.left - 1e-9 and screen[..., 0].max() <= box.right + 1e-9
    assert screen[..., 1].min() >= box.bottom - 1e-9 and screen[..., 1].max() <= box.top + 1e-9


def test_depth_grows_towards_the_viewer_and_with_height() -> None:
    shape = surface()
    camera = SurfaceCamera(azimuth=0.0, elevation=40.0)
    near, far, high = np.array([[0, -1.0, 0]]), np.array([[0, 1.0, 0]]), np.array([[0, 1.0, 5.0]])
    depth = [shape.project(p, camera)[1][0] for p in (near, far, high)]
    assert depth[0] > depth[1] and depth[2] > depth[1]


def test_colours_reach_the_frame_in_rgb_order() -> None:
    """A run's ball drawn straight above is the run's own colour (Cairo's channels reversed, as Manim's)."""
    theta = np.array([[3.0, 0.0], [3.0, 0.0]])
    shape = surface(SurfaceCamera(elevation=90.0, fill=0.0), runs=[SurfaceRun(theta, style.OPTIMIZER_COLORS["gd"])])
    shape.set_progress(1)
    pixels = frame(shape)
    x, y = shape.plot.to_scene(theta[0])[:2]
    column, row = int(round(160 + x * 320 / 14.222)), int(round(90 - y * 180 / 8.0))
    expected = np.array([int(style.OPTIMIZER_COLORS["gd"][i:i + 2], 16) for i in (1, 3, 5)])
    assert np.abs(pixels[row, column].astype(int) - expected).max() <= 3


def test_a_wall_in_front_hides_what_is_behind_it() -> None:
    """Looking across the valley from low down, the near wall's rim covers the floor, while the
    far wall, which faces the viewer, is seen: a trail along the floor is hidden, one along the
    far wall is drawn."""
    camera = SurfaceCamera(azimuth=0.0, elevation=25.0, height=5.0)
    colour = lambda c: np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)])
    for y, visible in ((0.0, False), (5.5, True)):
        run = SurfaceRun(np.array([[-2.0, y], [6.0, y]]), style.OPTIMIZER_COLORS["gd"])
        shape = surface(camera, runs=[run])
        shape.set_camera(shape.fitted(camera))
        shape.set_progress(0.999)  # the trail, its ball not yet at the end
        with_trail = frame(shape, size=(640, 360)).astype(int)
        shape.runs = []
        without = frame(shape, size=(640, 360)).astype(int)
        trail = (np.abs(with_trail - without).max(axis=2) > 30) & \
            (np.abs(with_trail - colour(run.color)).max(axis=2) <= 40)
        assert (trail.sum() > 200) == visible, (y, trail.sum())


@pytest.mark.parametrize("margin", [surface_module.SEAM_PIXELS, 0.0])
def test_no_background_shows_between_the_quads(monkeypatch, margin: float) -> None:
    """Straight above, the opaque quads tile the plot box: inside it (two pixels in from its edge)
    the picture is the same over a black and a white background, so no seam lets the background
    through. Without the quads' overlap (margin 0) it does, which is what the overlap is for."""
    monkeypatch.setattr(surface_module, "SEAM_PIXELS", margin)
    shape = surface(SurfaceCamera(elevation=90.0, fill=1.0))
    size = (640, 360)
    over_black, over_white = (frame(shape, size=size, background=b).astype(int) for b in ("#000000", "#FFFFFF"))
    box = shape.plot.box
    scale = size[0] / 14.222222
    left, right = int(size[0] / 2 + box.left * scale) + 2, int(size[0] / 2 + box.right * scale) - 2
    top, bottom = int(size[1] / 2 - box.top * scale) + 2, int(size[1] / 2 - box.bottom * scale) - 2
    leaks = np.abs(over_black - over_white)[top:bottom, left:right].max(axis=2) > 2
    assert leaks.any() == (margin == 0.0), int(leaks.sum())


def test_a_grown_quad_keeps_its_edges_parallel_at_the_margin() -> None:
    """Every edge of a grown quad lies ``margin`` outside the original edge, whatever the corner
    angles and the winding; a quad seen edge-on grows no spike."""
    quads = np.array([[[0, 0], [2, 0], [3, 1], [1, 1]], [[0, 0], [0, 1], [1, 1], [1, 0]]], dtype=float)
    grown = _grown(quads, 0.1)
    for quad, bigger in zip(quads, grown):
        centre = quad.mean(axis=0)
        for i in range(4):
            a, b = quad[i], quad[(i + 1) % 4]
            normal = np.array([b[1] - a[1], a[0] - b[0]]) / np.linalg.norm(b - a)
            normal *= np.sign(np.dot(a - centre, normal))  # outward
            for corner in (bigger[i], bigger[(i + 1) % 4]):
                assert np.dot(corner - a, normal) == pytest.approx(0.1)
    needle = _grown(np.array([[[0, 0], [1, 0], [2, 1e-9], [1, 2e-9]]]), 0.1)
    assert np.abs(needle - [[[0, 0], [1, 0], [2, 0], [1, 0]]]).max() <= 0.4 + 1e-6


def test_cameras_blend_number_by_number() -> None:
    start, end = SurfaceCamera(90, 30, 0.5, 1, 2), SurfaceCamera(0, 90, 1.0, 0, 2)
    mid = blend_cameras(start, end, 0.5)
    assert (mid.azimuth, mid.elevation, mid.zoom, mid.fill) == pytest.approx((45, 60, 0.75, 0.5))


def test_golden_orbit_frame(request) -> None:
    """The surface mid-orbit with both default runs half way (look at the PNG before re-recording)."""
    from engine import run

    trajectory = run(RAVINE, "momentum", lr=np.array([0.08, 0.02]), beta=np.array([0.0, 0.9]), steps=60,
                     start=np.array([6.0, 6.0]))
    runs = [SurfaceRun(trajectory.theta[:, 0], style.OPTIMIZER_COLORS["gd"]),
            SurfaceRun(trajectory.theta[:, 1], style.OPTIMIZER_COLORS["momentum"])]
    camera = SurfaceCamera(azimuth=45.0, elevation=40.0, height=2.7)
    shape = surface(camera, runs, grid=36)
    shape.set_camera(shape.fitted(camera))
    shape.set_progress(30.5)
    check_golden_array(request, frame(shape, size=GOLDEN_SIZE), "surface_orbit", "the orbiting surface")
