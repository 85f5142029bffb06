"""A quadratic ravine in its eigenbasis: two separate 1-D problems, and momentum's damping in each.

On L(θ) = ½(θ − θ*)ᵀA(θ − θ*) with A = V diag(λ) Vᵀ, the coordinates q = Vᵀ(θ − θ*) along the
eigenvectors decouple: gradient descent multiplies each one by 1 − ηλ per step (a negative factor
flips its sign every step), and heavy ball runs, per direction, the recursion

    q_{t+1} = (1 + β − ηλ) q_t − β q_{t−1}

whose characteristic roots solve z² − (1 + β − ηλ) z + β = 0. It is a damped oscillator:

- over-damped: two distinct real roots (β below the critical β_c = (1 − √(ηλ))²);
- critically damped: one double real root (β = β_c);
- under-damped: complex conjugate roots on |z| = √β (β above β_c), so the coordinate rings
  inside the envelope ±C·β^(t/2) (:func:`envelope_constant`).

The critical β is the same double root as :func:`engine.theory.heavy_ball_rate`'s discriminant
a² − 4β = 0 (a = 1 + β − ηλ) solved for β below 1 (for ηλ < 4). Every function is vectorized over
broadcast arguments unless it says otherwise; numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DAMPINGS", "DAMPING_TOL", "EigenFrame", "eigen_frame", "gd_factor", "critical_beta",
           "discriminant", "damping", "damping_code", "envelope_constant", "envelope", "beta_sweep"]

DAMPINGS = ("over-damped", "critically damped", "under-damped")
"""The three regimes of a direction, indexed by :func:`damping_code` + 1."""
DAMPING_TOL = 1e-9
"""A discriminant a² − 4β within this (absolute; it is of order one) counts as zero: critically
damped. Only a β computed as :func:`critical_beta` lands there."""


@dataclass(frozen=True)
class EigenFrame:
    """The eigenbasis of a quadratic landscape at its minimizer.

    ``eigenvalues`` ascending (shallow first); ``eigenvectors`` as columns in the same order, a
    proper rotation (determinant +1, so turning the picture by −``angle`` maps the shallow vector
    onto +x and the steep one onto +y); ``angle`` (radians) of the shallow vector from the x axis,
    in (−π/2, π/2]; ``origin`` the minimizer."""

    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    angle: float
    origin: np.ndarray

    @property
    def degrees(self) -> float:
        """``angle`` in degrees."""
        return float(np.degrees(self.angle))

    @property
    def round(self) -> bool:
        """Whether both curvatures are alike (a round bowl: no steep or shallow direction)."""
        return bool(self.eigenvalues[-1] <= self.eigenvalues[0] * (1 + 1e-9))

    def coordinates(self, theta: np.ndarray) -> np.ndarray:
        """Eigen-coordinates q = Vᵀ(θ − θ*) of points ``theta`` (..., 2): (..., 2), shallow first."""
        return (np.asarray(theta, dtype=float) - self.origin) @ self.eigenvectors

    def points(self, q: np.ndarray) -> np.ndarray:
        """Points θ = θ* + V q of eigen-coordinates ``q`` (..., 2): the inverse of :meth:`coordinates`."""
        return self.origin + np.asarray(q, dtype=float) @ self.eigenvectors.T


def eigen_frame(landscape) -> EigenFrame:
    """The :class:`EigenFrame` of a 2-D landscape's Hessian at its minimizer.

    The shallow vector is signed to point right (or up, where it is vertical), and the steep one
    to make the pair a proper rotation."""
    origin = np.asarray(landscape.minimizer, dtype=float).reshape(-1)
    if origin.size != 2:
        raise ValueError(f"the eigen view needs a 2-D landscape, got dimension {origin.size}")
    hessian = np.asarray(landscape.hessian(origin), dtype=float)
    values, vectors = np.linalg.eigh(0.5 * (hessian + hessian.T))
    shallow = vectors[:, 0]
    if shallow[0] < 0 or (shallow[0] == 0 and shallow[1] < 0):
        shallow = -shallow
    steep = np.array([-shallow[1], shallow[0]])  # the shallow vector turned by +90°
    basis = np.stack([shallow, steep], axis=1)
    angle = float(np.arctan2(shallow[1], shallow[0]))
    return EigenFrame(eigenvalues=values, eigenvectors=basis, angle=angle, origin=origin)


def _out(value: np.ndarray):
    return float(value) if np.ndim(value) == 0 else value


def gd_factor(lr, lam):
    """Gradient descent's signed factor 1 − ηλ per step along a curvature-λ direction (negative:
    the coordinate flips sign every step; |1 − ηλ| is :func:`engine.theory.gd_contraction`)."""
    return _out(1.0 - np.asarray(lr, dtype=float) * np.asarray(lam, dtype=float))


def critical_beta(lr, lam):
    """The β at which heavy ball's two roots along curvature λ meet: β_c = (1 − √(ηλ))².

    Below it the direction is over-damped, above it under-damped (for 0 < ηλ < 4, where β_c < 1)."""
    return _out((1.0 - np.sqrt(np.asarray(lr, dtype=float) * np.asarray(lam, dtype=float))) ** 2)


def discriminant(lr, beta, lam):
    """a² − 4β of z² − a z + β = 0 with a = 1 + β − ηλ: positive real roots apart, zero a double
    root, negative complex roots."""
    beta = np.asarray(beta, dtype=float)
    a = 1.0 + beta - np.asarray(lr, dtype=float) * np.asarray(lam, dtype=float)
    return _out(a * a - 4.0 * beta)


def damping_code(lr, beta, lam, tol: float = DAMPING_TOL):
    """−1 over-damped, 0 critically damped, +1 under-damped (int array, or an int)."""
    disc = np.asarray(discriminant(lr, beta, lam), dtype=float)
    code = np.where(np.abs(disc) <= tol, 0, np.where(disc > 0, -1, 1)).astype(int)
    return int(code) if code.ndim == 0 else code


def damping(lr, beta, lam, tol: float = DAMPING_TOL) -> str:
    """THE predicate for a direction's regime (scalars): "over-damped", "critically damped" or
    "under-damped" (:data:`DAMPINGS`)."""
    return DAMPINGS[int(damping_code(lr, beta, lam, tol)) + 1]


def envelope_constant(lr, beta, lam, q0):
    """C of the envelope ±C·β^(t/2) that an under-damped coordinate stays inside (NaN elsewhere).

    With complex roots z, z̄ (|z| = √β), q_t = c z^t + c̄ z̄^t = 2|c| β^(t/2) cos(tφ + arg c), where
    q_0 and q_1 = (1 − ηλ) q_0 (the library's first step: the velocity starts at the first
    gradient) fix c = (q_1 − z̄ q_0)/(z − z̄). So |q_t| ≤ C β^(t/2) with C = 2|c|, touched where
    the cosine is ±1."""
    lr, beta, lam, q0 = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (lr, beta, lam, q0)))
    a = 1.0 + beta - lr * lam
    disc = a * a - 4.0 * beta
    under = disc < -DAMPING_TOL
    root = np.sqrt(np.where(under, -disc, 1.0))
    z = (a + 1j * root) / 2.0
    q1 = (1.0 - lr * lam) * q0
    c = (q1 - np.conj(z) * q0) / (z - np.conj(z))
    return _out(np.where(under, 2.0 * np.abs(c), np.nan))


def envelope(lr, beta, lam, q0, steps: int) -> np.ndarray:
    """C·β^(t/2) for t = 0 … steps: shape (steps + 1, ...) (NaN where not under-damped)."""
    t = np.arange(int(steps) + 1, dtype=float).reshape((-1,) + (1,) * np.broadcast(lr, beta, lam, q0).ndim)
    const = np.asarray(envelope_constant(lr, beta, lam, q0), dtype=float)
    return const * np.asarray(beta, dtype=float) ** (t / 2.0)


def beta_sweep(lr: float, lams, beta_end: float, count: int = 121) -> tuple[np.ndarray, list[tuple[float, int]]]:
    """β values for a sweep from 0 to ``beta_end``: ``count`` even steps with every critical β
    (:func:`critical_beta` of each λ in ``lams``) strictly between 0 and ``beta_end`` (or equal to
    it) inserted exactly. Returns (betas ascending, stops) where stops are (β_c, direction index)
    of those critical values, in the order the sweep meets them."""
    beta_end = float(beta_end)
    crit = [(float(critical_beta(lr, lam)), i) for i, lam in enumerate(np.asarray(lams, dtype=float).reshape(-1))]
    stops = sorted((b, i) for b, i in crit if 0.0 < b <= beta_end)
    grid = np.linspace(0.0, beta_end, max(2, int(count)))
    values = np.union1d(grid, [b for b, _ in stops])
    keep = np.ones(values.size, dtype=bool)
    for b, _ in stops:  # drop grid points a hair from a critical value (two frames, one picture)
        near = (np.abs(values - b) < 1e-6) & (values != b)
        keep &= ~near
    return values[keep], stops
