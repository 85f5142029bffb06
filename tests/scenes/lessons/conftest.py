"""The ``clip`` fixture: the short low-quality render of the module's ``SCENE`` (declared in
``test_conformance.SHORT_CLIPS``), rendered once per test run and shared with the conformance tests."""

from __future__ import annotations

import pytest

from tests.scenes.render_helpers import render_low


@pytest.fixture(scope="module")
def clip(request, tmp_path_factory):
    from tests.scenes.lessons.test_conformance import short_params

    scene = request.module.SCENE
    return render_low(scene, short_params(scene), tmp_path_factory)
