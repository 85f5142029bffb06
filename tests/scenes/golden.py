"""Golden-frame checks in the style of Manim's ``@frames_comparison``.

The last frame of a scene (rendered with animations skipped, at half the low resolution) is
compared with control data committed under ``tests/control_data/<test module>/<name>.npz``.
Run ``pytest --set_test`` to (re)write the control data after an intended visual change, then
look at the PNG written beside it before committing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Callable, TypeVar

import numpy as np
import pytest

T = TypeVar("T")

CONTROL_DATA = Path(__file__).resolve().parent.parent / "control_data"
GOLDEN_SIZE = (428, 240)  # pixels (width, height): half of the low quality
MEAN_TOLERANCE = 1.0       # mean absolute difference, 0-255 scale
PIXEL_TOLERANCE = 40       # a pixel "differs" when a channel is off by more than this
DIFFERING_FRACTION = 0.003  # at most this share of pixels may differ


def last_frame(scene_name: str, params: dict[str, Any] | None = None) -> np.ndarray:
    """RGB array (H, W, 3) of the scene's last frame, animations skipped (construct only)."""
    return constructed(scene_name, params, lambda scene: np.array(scene.renderer.get_frame())[..., :3])


def constructed(scene_name: str, params: dict[str, Any] | None, inspect: Callable[[Any], T],
                size: tuple[int, int] = GOLDEN_SIZE, aspect: str = "16:9") -> T:
    """``inspect(scene)`` on the scene at its end, constructed with animations skipped at ``size``
    pixels (given for 16:9; another ``aspect`` as ``ravine.pipeline.job.frame_size`` turns it), with its
    mobjects in their final places and its last frame drawn."""
    from manim import tempconfig

    from ravine.pipeline.job import Quality, frame_size
    from ravine.pipeline.frames import manim_config, publish_private_cache, seed_private_cache
    from scenes.lesson import scene_class

    cls = scene_class(scene_name)
    quality = Quality("golden", *size, 15)
    with tempfile.TemporaryDirectory() as media:
        settings = manim_config(quality, Path(media), scene_name, aspect=aspect)
        settings.update({"write_to_movie": False, "save_last_frame": True})
        pixels = frame_size(quality, aspect)
        seed_private_cache(Path(media), *pixels)
        with tempconfig(settings):
            scene = cls(params=params or {}, skip_animations=True)
            scene.render()
            found = inspect(scene)
        publish_private_cache(Path(media), *pixels)  # its new LaTeX and text renderings, for the next test
        return found


def check_golden_frame(request: pytest.FixtureRequest, scene_name: str, name: str,
                       params: dict[str, Any] | None = None) -> None:
    """Compare the scene's last frame with ``control_data/<module>/<name>.npz`` (or write it with --set_test)."""
    check_golden_array(request, last_frame(scene_name, params), name, scene_name)


def check_golden_array(request: pytest.FixtureRequest, frame: np.ndarray, name: str, what: str = "frame") -> None:
    """Compare an RGB ``frame`` (H, W, 3) with ``control_data/<module>/<name>.npz`` (or write it
    with --set_test); ``what`` names it in the failure."""
    module = Path(request.node.fspath).stem
    target = CONTROL_DATA / module / f"{name}.npz"
    if request.config.getoption("--set_test"):
        target.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(target, frame_data=frame)
        _save_png(frame, target.with_suffix(".png"))
        return
    if not target.exists():
        pytest.fail(f"no control data at {target}; run pytest --set_test to create it")
    expected = np.load(target)["frame_data"]
    assert frame.shape == expected.shape, f"frame shape {frame.shape} != control {expected.shape}"
    diff = np.abs(frame.astype(np.int16) - expected.astype(np.int16))
    mean = float(diff.mean())
    differing = float((diff.max(axis=-1) > PIXEL_TOLERANCE).mean())
    if mean > MEAN_TOLERANCE or differing > DIFFERING_FRACTION:
        out = Path(tempfile.mkdtemp(prefix=f"golden-{name}-"))
        _save_png(frame, out / "actual.png")
        _save_png(expected, out / "expected.png")
        _save_png((diff.max(axis=-1, keepdims=True).repeat(3, axis=-1) * 4).clip(0, 255).astype(np.uint8),
                  out / "diff.png")
        pytest.fail(f"{what} differs from {target.name}: mean {mean:.2f}, "
                    f"{differing:.2%} of pixels; images in {out}")


def _save_png(frame: np.ndarray, path: Path) -> None:
    from PIL import Image

    Image.fromarray(frame.astype(np.uint8)).save(path)
