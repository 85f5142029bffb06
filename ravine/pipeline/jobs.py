"""The names scene tests, benchmarks and docs import as ``ravine.pipeline.jobs``, from where they live now.

Nothing is defined here. The job schema is :mod:`ravine.pipeline.job`, the route
:mod:`ravine.pipeline.render` (resolve: :mod:`~ravine.pipeline.resolve`, cache:
:mod:`~ravine.pipeline.cache`, frames: :mod:`~ravine.pipeline.frames`, manifest:
:mod:`~ravine.pipeline.manifest`); new code imports from those.
"""

from __future__ import annotations

from ravine.pipeline.cache import CACHED_SOURCES, cache_dir, cache_key, source_hash, versions
from ravine.pipeline.frames import manim_config, publish_private_cache, seed_private_cache
from ravine.pipeline.job import ASPECTS, QUALITIES, JobError, Quality, RenderJob, RenderResult, frame_size
from ravine.pipeline.render import lookup, render

__all__ = [
    "ASPECTS", "CACHED_SOURCES", "QUALITIES", "JobError", "Quality", "RenderJob", "RenderResult", "cache_dir",
    "cache_key", "frame_size", "lookup", "manim_config", "publish_private_cache", "render", "seed_private_cache",
    "source_hash", "versions",
]
