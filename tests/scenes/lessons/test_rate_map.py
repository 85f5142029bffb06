"""Rate map scene: a real low-quality render of a small grid, its captions, numbers and layout."""

from __future__ import annotations

import numpy as np
import pytest

from tests.scenes.lessons.test_conformance import short_params
from tests.scenes.render_helpers import computed, srt_cues

pytestmark = [pytest.mark.render, pytest.mark.slow]

SCENE = "rate-map"
SHORT = short_params(SCENE)


def scene_for(params: dict):
    return computed("rate-map", params)


def test_captions_of_the_short_clip(clip):
    cues = srt_cues(clip)
    assert "400 runs" in cues[0].text
    assert "diverges at step" in cues[-1].text


def test_sweep_and_overlay_agree_with_theory():
    from engine import theory

    scene = scene_for({})
    sweep = scene.sweep
    assert sweep.runs == 60 * 60
    tuned = theory.optimal_heavy_ball(1.0, 100.0)
    lr, beta, _ = sweep.fastest
    assert abs(lr - tuned.lr) < 4 * (scene.lrs[1] - scene.lrs[0])
    assert abs(beta - tuned.beta) < 4 * (scene.betas[1] - scene.betas[0])
    # the probe stops: GD's best, the optimum (fast), long memory (slower), past the ceiling (diverges)
    gd, opt, long, past = (int(k) for k in scene.stops)
    assert scene.probes.settle[opt] < scene.probes.settle[gd]
    assert scene.probes.settle[opt] < scene.probes.settle[long]
    assert scene.probes.diverged_at[past] > 0
    # the inset's eigenvalues: GD's best balances |1 − ηλ| at both ends, the optimum puts both pairs
    # on the circle √β*, long memory stays just inside the unit circle, past the ceiling leaves it
    from engine.rates import best_gd_lr
    from scenes.lessons.rate_map import EIGEN_SAMPLES

    radius = scene.path_radius
    assert radius[gd * EIGEN_SAMPLES] == pytest.approx(best_gd_lr(1.0, 100.0)[1])
    assert np.abs(scene.path_mu[opt * EIGEN_SAMPLES]) == pytest.approx(np.full((2, 2), tuned.rate), abs=1e-6)
    assert radius[opt * EIGEN_SAMPLES] < radius[long * EIGEN_SAMPLES] < 1 < radius[past * EIGEN_SAMPLES]
    assert scene.reach > radius.max()
    text = scene.captions()
    assert not np.isfinite(scene.probes.settle[gd]) and "does not settle within 400 steps" in text["gd"]
    assert f"diverges at step {int(scene.probes.diverged_at[past])}" in text["past"]


def test_parameters_change_the_numbers():
    default = scene_for({"grid": 20, "steps": 150})
    other = scene_for({"grid": 20, "steps": 150, "landscape": "seed-ravine"})
    assert default.captions()["ceiling"] != other.captions()["ceiling"]
    assert default.captions()["optimum"] != other.captions()["optimum"]
    finer = scene_for({"grid": 30, "steps": 150})
    assert "900 runs" in finer.captions()["intro"]
    assert not np.array_equal(default.sweep.settle, other.sweep.settle)


def test_layout_holds_at_range_edges():
    from tests.scenes.layout_check import layout_problems

    assert layout_problems("rate-map", {"landscape": "bowl", "grid": 16, "steps": 100}) == []


def test_golden_last_frame(request):
    from tests.scenes.golden import check_golden_frame

    check_golden_frame(request, "rate-map", "rate_map_default")


@pytest.mark.parametrize("params", [{}, {"landscape": "bowl", "grid": 120, "steps": 800},
                                    {"landscape": "seed-ravine", "grid": 16, "steps": 100}])
def test_boxed_labels_and_the_resting_probe_do_not_overlap(params):
    """The labels on the heat map (ceiling, GD row, optimum) stand clear of each other and of the
    probe ring where it rests at the end, at the defaults and at the parameters' edges (where the
    optimum can sit on the GD row's left end, or next to the probe)."""
    from manim import BackgroundRectangle

    from scenes.widgets.heatmap import ProbeMarker
    from tests.scenes.golden import constructed
    from tests.scenes.layout_check import overlapping

    def boxes(scene):
        members = scene.get_mobject_family_members()
        return ([mob for mob in members if isinstance(mob, BackgroundRectangle)]
                + [mob for mob in members if isinstance(mob, ProbeMarker)])

    found = constructed("rate-map", params, boxes, size=(854, 480))
    assert len(found) == 4 and overlapping(found) == []


def test_renders_with_plain_manim_and_its_animation_caching(tmp_path):
    """`manim -ql scenes/lessons/rate_map.py RateMap` works (README). Plain Manim hashes every play, the
    camera included; the camera's weak-keyed caches once broke that mid-scene ("dictionary
    changed size during iteration"), so they are kept out of the hash."""
    import subprocess
    import sys
    from pathlib import Path

    source = Path(__file__).resolve().parents[3] / "scenes" / "lessons" / "rate_map.py"
    result = subprocess.run([sys.executable, "-m", "manim", "-ql", "--media_dir", str(tmp_path), str(source),
                             "RateMap"], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert list(tmp_path.rglob("RateMap.mp4"))
