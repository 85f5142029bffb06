"""Gradient noise: mini-batches from a real, seeded synthetic data set, or Gaussian noise.

Randomness always comes from an explicit ``np.random.Generator`` (``make_rng(seed)``):
the same seed gives the same draws. In a batched run the draws at each step do
not depend on the batch: every configuration sees the same mini-batch indices
(or the same Gaussian noise vector), so optimizers compared side by side see
the same data, and a batch run equals one-at-a-time runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .landscapes import Quadratic

__all__ = ["LeastSquaresData", "GaussianGradientNoise", "make_rng"]


def make_rng(seed: int, stream: int = 0) -> np.random.Generator:
    """A fresh ``np.random.Generator`` (PCG64) for ``seed`` (int >= 0).

    ``stream`` (int >= 0) selects an independent stream of the same seed
    (``SeedSequence(seed, spawn_key=(stream,))``): the data set uses stream 0,
    the per-step draws of ``run`` stream 1, so they are not correlated.
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(stream,)))


def _rowwise_dot(theta: np.ndarray, features: np.ndarray) -> np.ndarray:
    """theta (..., d) · features (m, d)ᵀ -> (..., m), summed coordinate by coordinate.

    Deliberately not a BLAS matmul: the result for one row does not depend on how
    many rows are in the batch, so batched runs equal one-at-a-time runs exactly.
    """
    total = theta[..., 0, None] * features[:, 0]
    for j in range(1, features.shape[1]):
        total = total + theta[..., j, None] * features[:, j]
    return total


@dataclass(frozen=True, eq=False)
class LeastSquaresData:
    """A synthetic least-squares data set whose full-batch loss is a given quadratic.

    Loss (1/2n) |Xθ − y|² over n samples with features X (n, d) and targets y (n,).
    Built (``for_quadratic``) so that XᵀX / n = A (to rounding) and Xᵀy = 0, hence

        (1/2n) |Xθ − y|² = ½ θᵀAθ + |y|² / (2n)

    exactly: same gradient Aθ, same minimizer 0, the loss shifted by the constant
    ``noise_floor`` = |y|²/(2n). Per-sample gradients g_i(θ) = x_i (x_iᵀθ − y_i)
    differ from sample to sample: that spread is the mini-batch noise.

    Attributes:
        X: features, shape (n, d).
        y: targets, shape (n,), orthogonal to the columns of X.
        seed: the seed the data was drawn with.
    """

    X: np.ndarray
    y: np.ndarray
    seed: int = 0

    @classmethod
    def for_quadratic(
        cls, quadratic: Quadratic, n_samples: int = 512, seed: int = 0, target_noise: float = 1.0
    ) -> "LeastSquaresData":
        """Draw a data set whose full-batch loss is ``quadratic`` plus a constant.

        Features: Q = orthonormal columns from the QR of an (n, d) standard normal
        matrix, X = √n · Q A^{1/2} (so XᵀX/n = A^{1/2} QᵀQ A^{1/2} = A). Targets: a
        standard normal vector scaled by ``target_noise``, with its projection
        onto col(X) removed (so Xᵀy = 0 and the minimizer stays at 0).

        Args:
            quadratic: the Quadratic whose A the data reproduces.
            n_samples: n >= d + 1.
            seed: seed of the generator (same seed, same data).
            target_noise: standard deviation of the targets' residual, >= 0.
        """
        if not isinstance(quadratic, Quadratic):
            raise ValueError("LeastSquaresData needs a Quadratic landscape")
        d = quadratic.dim
        if int(n_samples) != n_samples or n_samples < d + 1:
            raise ValueError(f"n_samples must be an integer >= {d + 1}, got {n_samples!r}")
        if not (np.isfinite(target_noise) and target_noise >= 0):
            raise ValueError(f"target_noise must be >= 0 and finite, got {target_noise!r}")
        n = int(n_samples)
        rng = make_rng(seed)
        q, _ = np.linalg.qr(rng.standard_normal((n, d)))
        lam, vecs = np.linalg.eigh(quadratic.A)
        sqrt_a = (vecs * np.sqrt(lam)) @ vecs.T
        X = np.sqrt(n) * (q @ sqrt_a)
        residual = target_noise * rng.standard_normal(n)
        y = residual - q @ (q.T @ residual)
        X.setflags(write=False)
        y.setflags(write=False)
        return cls(X=X, y=y, seed=int(seed))

    @property
    def n_samples(self) -> int:
        """Number of samples n."""
        return self.X.shape[0]

    @property
    def dim(self) -> int:
        """Number of parameters d."""
        return self.X.shape[1]

    @property
    def noise_floor(self) -> float:
        """|y|²/(2n): the data loss at the minimizer (the constant shift from ½θᵀAθ)."""
        return float(self.y @ self.y) / (2 * self.n_samples)

    def loss(self, theta: np.ndarray) -> np.ndarray:
        """Full-batch data loss (1/2n)|Xθ − y|²; theta (..., d) -> (...)."""
        residual = _rowwise_dot(np.asarray(theta, dtype=np.float64), self.X) - self.y
        return 0.5 * np.mean(residual * residual, axis=-1)

    def full_grad(self, theta: np.ndarray) -> np.ndarray:
        """Full-batch gradient (1/n) Xᵀ(Xθ − y) (= Aθ to rounding); theta (..., d) -> (..., d)."""
        return self.minibatch_grad(theta, np.arange(self.n_samples))

    def minibatch_grad(self, theta: np.ndarray, indices: np.ndarray) -> np.ndarray:
        """Mini-batch gradient (1/b) Σ_{i∈batch} x_i (x_iᵀθ − y_i); theta (..., d) -> (..., d).

        ``indices``: shape (b,), sample indices (e.g. from ``sample_indices``); the
        same indices are used for every row of a batched theta.
        """
        theta = np.asarray(theta, dtype=np.float64)
        idx = np.asarray(indices)
        features = self.X[idx]
        residual = _rowwise_dot(theta, features) - self.y[idx]
        out = np.empty(theta.shape, dtype=np.float64)
        for j in range(self.dim):
            out[..., j] = np.mean(residual * features[:, j], axis=-1)
        return out

    def sample_indices(self, rng: np.random.Generator, batch_size: int) -> np.ndarray:
        """Draw ``batch_size`` distinct sample indices (without replacement), shape (b,).

        Without replacement the mini-batch gradient is unbiased with covariance
        Σ/b · (n − b)/(n − 1), where Σ is the per-sample gradient covariance
        (population form, 1/n): the finite-population correction makes b = n exact.
        """
        if int(batch_size) != batch_size or not 1 <= batch_size <= self.n_samples:
            raise ValueError(
                f"batch_size must be an integer in [1, {self.n_samples}] (n_samples), got {batch_size!r}"
            )
        return rng.choice(self.n_samples, size=int(batch_size), replace=False)

    def per_sample_grads(self, theta: np.ndarray) -> np.ndarray:
        """Every sample's gradient x_i (x_iᵀθ − y_i) at one theta of shape (d,) -> (n, d)."""
        theta = np.asarray(theta, dtype=np.float64)
        residual = self.X @ theta - self.y
        return self.X * residual[:, None]


@dataclass(frozen=True)
class GaussianGradientNoise:
    """Additive isotropic Gaussian gradient noise: g̃ = ∇L(θ) + σ ξ, ξ ~ N(0, I_d).

    For landscapes without a data set (Rosenbrock, the bumpy valley). One ξ of
    shape (d,) is drawn per step and added to every row of a batched gradient.

    Attributes:
        sigma: standard deviation σ >= 0, in gradient units.
    """

    sigma: float

    def __post_init__(self) -> None:
        if not (np.isfinite(self.sigma) and self.sigma >= 0):
            raise ValueError(f"sigma (noise) must be >= 0 and finite, got {self.sigma!r}")

    def perturb(self, grad: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """grad (..., d) + σ ξ with one ξ ~ N(0, I_d) drawn from ``rng`` and shared by all rows."""
        grad = np.asarray(grad, dtype=np.float64)
        xi = rng.standard_normal(grad.shape[-1])
        return grad + self.sigma * xi
