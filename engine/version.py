"""The engine's version string, recorded in every Trajectory's metadata."""

ENGINE_VERSION = "0.1.0"
