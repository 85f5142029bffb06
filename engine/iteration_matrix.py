"""The heavy-ball iteration matrix's eigenvalues in the complex plane (beat 8's picture).

Along a curvature-λ direction heavy ball is x_{t+1} = M x_t on (x_t, x_{t−1}) with
M = [[1 + β − ηλ, −β], [1, 0]] (:func:`engine.theory.heavy_ball_matrix`). Its two eigenvalues
μ solve μ² − aμ + β = 0, a = 1 + β − ηλ (trace a, determinant β):

- real (a² ≥ 4β): μ = (a ± √(a² − 4β)) / 2;
- complex conjugates (a² < 4β): μ = a/2 ± i√(4β − a²)/2, both on the circle |μ| = √β
  (their product is det M = β).

The pair is complex exactly when (1 − √β)² < ηλ < (1 + √β)² (:func:`complex_window`): the
two real roots meet at β = (1 − √(ηλ))² (``engine.eigen.critical_beta``) and leave the real axis.
Polyak's tuning puts λ_min on the window's left edge and λ_max on its right edge:
√(ηλ_min) = 1 − √β and √(ηλ_max) = 1 + √β, whence η* = (2/(√λ_max + √λ_min))² and
√β* = (√κ − 1)/(√κ + 1) (:func:`engine.theory.optimal_heavy_ball`).

Every function is vectorized over broadcast arguments.
"""

from __future__ import annotations

import numpy as np

__all__ = ["eigenvalues", "radius", "complex_window", "sweep_eigenvalues"]


def eigenvalues(lr, beta, lam) -> np.ndarray:
    """The two eigenvalues of [[1 + β − ηλ, −β], [1, 0]]: complex array of shape (..., 2).

    Real pairs come larger first ((a + √d)/2, (a − √d)/2 with d = a² − 4β); complex pairs with
    the positive imaginary part first.
    """
    lr, beta, lam = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (lr, beta, lam)))
    a = 1.0 + beta - lr * lam
    root = np.sqrt((a * a - 4.0 * beta).astype(np.complex128))  # d < 0 gives i√(−d)
    return np.stack([(a + root) / 2.0, (a - root) / 2.0], axis=-1)


def radius(lr, beta, lam) -> float | np.ndarray:
    """max |μ| over the two eigenvalues (λ's heavy-ball rate; :func:`engine.theory.heavy_ball_rate`).

    With several curvatures, take the max over them: the whole run's spectral radius."""
    out = np.max(np.abs(eigenvalues(lr, beta, lam)), axis=-1)
    return float(out) if out.ndim == 0 else out


def complex_window(beta) -> tuple[float | np.ndarray, float | np.ndarray]:
    """The ηλ interval ((1 − √β)², (1 + √β)²) where M's eigenvalues are complex, on |μ| = √β."""
    s = np.sqrt(np.asarray(beta, dtype=np.float64))
    lo, hi = (1.0 - s) ** 2, (1.0 + s) ** 2
    return (float(lo), float(hi)) if lo.ndim == 0 else (lo, hi)


def sweep_eigenvalues(lr, beta, lams) -> np.ndarray:
    """Eigenvalues along a path of (η, β): ``lr`` and ``beta`` arrays of shape (K,) (or scalars
    broadcast to them), ``lams`` (m,): complex (K, m, 2)."""
    lr, beta = np.broadcast_arrays(np.atleast_1d(np.asarray(lr, dtype=np.float64)),
                                   np.atleast_1d(np.asarray(beta, dtype=np.float64)))
    lams = np.asarray(lams, dtype=np.float64).reshape(-1)
    return eigenvalues(lr[:, None], beta[:, None], lams[None, :])
