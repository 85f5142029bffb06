"""ravine: the Click CLI and production pipeline for the SGD-and-momentum lesson videos."""

__version__ = "0.1.0"
