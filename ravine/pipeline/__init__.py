"""Render jobs and how they run: the job, cache and manifest, executors, the lesson, sweeps, clip lists."""
