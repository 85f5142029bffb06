"""Reading a trajectory: principal axes, sign flips, overshoots, arrival steps.

Scenes narrate what a run did ("zig-zags across the steep axis", "overshoots at step 7"); the
facts behind those sentences are computed here, from the engine's own arrays, so a scene never
re-derives them and the captions follow the parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PrincipalAxes:
    """Curvature directions of a landscape at a point.

    ``eigenvalues`` ascending (shallow first), ``eigenvectors`` as columns in the same order,
    ``origin`` the point they were taken at (the minimizer, for the lesson's landscapes).
    """

    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    origin: np.ndarray

    @property
    def shallow(self) -> np.ndarray:
        """Unit vector of the lowest-curvature direction."""
        return self.eigenvectors[:, 0]

    @property
    def steep(self) -> np.ndarray:
        """Unit vector of the highest-curvature direction."""
        return self.eigenvectors[:, -1]

    @property
    def round(self) -> bool:
        """Whether every direction curves alike (a bowl, not a ravine): no steep or shallow axis."""
        return bool(self.eigenvalues[-1] <= self.eigenvalues[0] * (1 + 1e-9))

    def coordinates(self, theta: np.ndarray) -> np.ndarray:
        """Coordinates of points ``theta`` (..., d) along the axes, relative to ``origin``: (..., d)."""
        return (np.asarray(theta, dtype=float) - self.origin) @ self.eigenvectors


def principal_axes(landscape) -> PrincipalAxes:
    """Eigen-decomposition of the landscape's Hessian at its minimizer (ascending eigenvalues).

    The eigenvector signs are fixed so that each vector's largest-magnitude component is
    positive, which keeps "the steep axis" pointing the same way from render to render.
    """
    origin = np.asarray(landscape.minimizer, dtype=float)
    hessian = np.asarray(landscape.hessian(origin), dtype=float)
    eigenvalues, eigenvectors = np.linalg.eigh(hessian)
    for column in range(eigenvectors.shape[1]):
        vector = eigenvectors[:, column]
        if vector[np.argmax(np.abs(vector))] < 0:
            eigenvectors[:, column] = -vector
    return PrincipalAxes(eigenvalues=eigenvalues, eigenvectors=eigenvectors, origin=origin)


def sign_flips(series: np.ndarray, start: int = 0, stop: int | None = None, tol: float = 1e-12) -> int:
    """Number of sign changes between consecutive entries of a 1-D ``series`` in [start, stop].

    Entries with magnitude below ``tol`` count as zero and neither start nor end a flip.
    """
    values = np.asarray(series, dtype=float)[start : None if stop is None else stop + 1]
    signs = np.sign(np.where(np.abs(values) < tol, 0.0, values))
    signs = signs[signs != 0]
    return int(np.count_nonzero(signs[1:] != signs[:-1]))


def first_crossing(series: np.ndarray, tol: float = 1e-12) -> int | None:
    """First step at which a 1-D ``series`` has the opposite sign to its first entry, or None.

    Applied to the coordinate along an axis (relative to the minimizer) this is the step at
    which the run overshot the minimum along that axis.
    """
    values = np.asarray(series, dtype=float)
    initial = np.sign(values[0]) if abs(values[0]) >= tol else 0.0
    if initial == 0.0:
        return None
    crossed = np.nonzero(np.sign(values) == -initial)[0]
    crossed = crossed[np.abs(values[crossed]) >= tol]
    return int(crossed[0]) if crossed.size else None


def first_below(series: np.ndarray, threshold: float) -> int | None:
    """First index at which a 1-D ``series`` is at or below ``threshold``, or None."""
    hits = np.nonzero(np.asarray(series, dtype=float) <= threshold)[0]
    return int(hits[0]) if hits.size else None


def per_step_ratio(series: np.ndarray, start: int, stop: int) -> float:
    """Geometric-mean contraction per step of ``|series|`` between indices ``start`` and ``stop``.

    ``(|s[stop]| / |s[start]|) ** (1 / (stop - start))``; NaN when either end is zero or
    ``stop <= start``.
    """
    values = np.abs(np.asarray(series, dtype=float))
    if stop <= start or values[start] == 0 or values[stop] == 0:
        return float("nan")
    return float((values[stop] / values[start]) ** (1.0 / (stop - start)))
