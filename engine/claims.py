"""Claims about a run: the one place where a qualitative word a caption uses is decided.

A learner takes every word of a caption as a fact. When a caption says SGD "zig-zags", momentum
"glides", a ball "settles", the word is the verdict of one predicate here, computed from the
run's own arrays (its path θ_t, its loss, the landscape's principal axes and minimizer), and a
scene picks another sentence when the predicate is false. Each predicate returns a
:class:`Finding` (true or false, with the numbers that decided it); a scene registers what its
captions say as a :class:`Claim` (word, subject, what the predicate found, what the caption
says) so a test can check every claim against its predicate.

The words and their exact definitions (the thresholds are named once, below):

- :func:`zigzags` — a coordinate changes side on (nearly) every step of a window.
- :func:`crawls` — a coordinate creeps towards the minimum from one side and much of it is left.
- :func:`overshoots` — a coordinate goes past the minimum to the other side, visibly.
- :func:`glides` — a run gets and stays close to the minimum, beats the other run's loss, and
  does not diverge.
- :func:`settle_step` / :func:`settles` — THE definition of settled: the first step from which
  the error stays at or below a tolerance for good (to the end of the run).
- :func:`stalls` — the loss stops falling while the run is still far from the minimum.
- :func:`diverges`, :func:`converges` — :func:`engine.verdict.verdict` of the run and its rate.
- :func:`leaves_view` — some point of the path lies outside a plot's box
  (:class:`engine.verdict.Reach`).
- :func:`leads` — a run has the lowest loss of a race, at a step or from a step to the end.

Numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from .compare import leaders, overshoot
from .verdict import Reach, verdict

__all__ = [
    "SETTLE_TOL", "REST_TOL", "ZIGZAG_SHARE", "ZERO_SHARE", "CRAWL_LEFT", "OVERSHOOT_SHARE",
    "GLIDE_NEAR", "GLIDE_TAIL", "STALL_TAIL", "STALL_DROP", "STALL_FAR", "WORDS",
    "Finding", "Claim", "distance", "zigzags", "crawls", "overshoots", "glides", "settle_step",
    "settles", "stalls", "diverges", "converges", "leaves_view", "leads",
]

# -- thresholds, named once ----------------------------------------------------------------------
SETTLE_TOL = 1e-6
"""Settled: the distance ‖θ_t − θ*‖ to the minimum (parameter units) stays at or below this for
good. Every scene that counts steps to settle uses it (convergence's target line, the rate map)."""
REST_TOL = 0.05
"""A ball in the 1-D side view rests at a minimum once it stays within this distance of it for
good (a fraction of the ball's own size on screen): :func:`settle_step` with this tolerance."""
ZIGZAG_SHARE = 0.8
"""Zig-zag: the coordinate changes side on at least this share of the window's steps."""
ZERO_SHARE = 1e-9
"""A coordinate within this share of the window's largest magnitude counts as on neither side."""
CRAWL_LEFT = 0.05
"""Crawl: at the end at least this share of the start's distance along the axis is still left."""
OVERSHOOT_SHARE = 0.01
"""Overshoot: the excursion past the minimum is at least this share of the start's distance."""
GLIDE_NEAR = 0.1
"""Glide: the distance to the minimum is at most this share of the start's ..."""
GLIDE_TAIL = 0.25
"""... at every step of this last share of the run (its last step at least)."""
STALL_TAIL = 0.25
"""Stall: over this last share of the run (its last step at least) ..."""
STALL_DROP = 0.01
"""... the lowest loss improves on the lowest before it by less than this share of its gap ..."""
STALL_FAR = 0.01
"""... while the gap to the minimum's loss is still at least this share of the start's gap."""

WORDS = ("zigzags", "crawls", "overshoots", "glides", "settles", "stalls", "diverges", "converges",
         "leaves the view", "leads")
"""The claim words a caption may use about a run, each backed by the predicate of that name."""


@dataclass(frozen=True)
class Finding:
    """What a predicate found: ``holds`` and the ``evidence`` (named numbers) that decided it.
    A finding is truthy exactly when it holds."""

    holds: bool
    evidence: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.holds)

    def get(self, name: str, default: Any = None) -> Any:
        return self.evidence.get(name, default)


@dataclass(frozen=True)
class Claim:
    """A caption's claim about a run: ``subject`` (as the caption names it) ``word`` (one of
    :data:`WORDS`), or with ``says`` False that it does not; ``holds`` is the predicate's verdict
    and ``evidence`` its numbers. The caption is true where :attr:`true`."""

    word: str
    subject: str
    holds: bool
    evidence: dict[str, Any] = field(default_factory=dict)
    says: bool = True

    def __post_init__(self) -> None:
        if self.word not in WORDS:
            raise ValueError(f"unknown claim word {self.word!r}; known: {', '.join(WORDS)}")

    @property
    def true(self) -> bool:
        """Whether the caption says what the predicate found."""
        return bool(self.holds) == bool(self.says)

    @classmethod
    def of(cls, word: str, subject: str, finding: Finding | bool, says: bool = True) -> "Claim":
        """The claim that ``subject`` ``word`` (or not, with ``says`` False), backed by ``finding``."""
        if isinstance(finding, Finding):
            return cls(word, subject, bool(finding.holds), dict(finding.evidence), says)
        return cls(word, subject, bool(finding), {}, says)


class _Run(NamedTuple):
    diverged_at: int
    theta: Any


# -- helpers ---------------------------------------------------------------------------------------
def distance(theta: np.ndarray, minimizer: np.ndarray) -> np.ndarray:
    """‖θ − θ*‖ of points ``theta`` (..., d) to ``minimizer`` (d,): shape (...)."""
    diff = np.asarray(theta, dtype=np.float64) - np.asarray(minimizer, dtype=np.float64)
    return np.sqrt(np.sum(diff * diff, axis=-1))


def _window(series: np.ndarray, start: int, stop: int | None) -> np.ndarray:
    values = np.asarray(series, dtype=np.float64).reshape(-1)
    return values[start: None if stop is None else stop + 1]


def _tail_start(length: int, share: float) -> int:
    """Index where the last ``share`` of a run of ``length`` entries (steps 0 … length − 1)
    begins; at least the final step is in the tail."""
    steps = length - 1
    return int(min(max(0, steps - max(1, int(np.ceil(share * steps)))), max(steps - 1, 0)))


# -- the predicates -----------------------------------------------------------------------------------
def zigzags(coord: np.ndarray, start: int = 0, stop: int | None = None) -> Finding:
    """Whether a coordinate (along an axis, relative to the minimizer) zig-zags over steps
    ``start`` … ``stop``: it changes side between consecutive steps on at least
    :data:`ZIGZAG_SHARE` of them. A value within :data:`ZERO_SHARE` of the window's largest
    magnitude is on neither side (a change needs both ends on a side). Evidence: ``flips``,
    ``steps``, ``amplitude`` (the last |value|)."""
    values = _window(coord, start, stop)
    steps = len(values) - 1
    scale = float(np.max(np.abs(values))) if values.size else 0.0
    if steps < 1 or not np.isfinite(scale) or scale == 0.0:
        return Finding(False, {"flips": 0, "steps": max(steps, 0), "amplitude": 0.0})
    signs = np.sign(np.where(np.abs(values) <= ZERO_SHARE * scale, 0.0, values))
    flips = int(np.count_nonzero(signs[1:] * signs[:-1] < 0))
    return Finding(flips >= ZIGZAG_SHARE * steps, {"flips": flips, "steps": steps,
                                                   "amplitude": float(abs(values[-1]))})


def crawls(coord: np.ndarray, start: int = 0, stop: int | None = None) -> Finding:
    """Whether a coordinate (along an axis, relative to the minimizer) crawls towards the minimum
    over steps ``start`` … ``stop``: it never changes side, ends nearer than it began, and still
    has at least :data:`CRAWL_LEFT` of its starting distance left. Evidence: ``left`` (the share
    left), ``per_step`` (the mean shrink factor per step)."""
    values = _window(coord, start, stop)
    steps = len(values) - 1
    first = float(abs(values[0])) if values.size else 0.0
    if steps < 1 or first == 0.0 or not np.all(np.isfinite(values)):
        return Finding(False, {"left": float("nan"), "per_step": float("nan")})
    last = float(abs(values[-1]))
    one_side = bool(np.all(np.sign(values) * np.sign(values[0]) >= 0))
    left = last / first
    per_step = left ** (1.0 / steps)
    return Finding(one_side and left < 1.0 and left >= CRAWL_LEFT, {"left": left, "per_step": per_step})


def overshoots(coord: np.ndarray, start: int = 0, stop: int | None = None) -> Finding:
    """Whether a coordinate (along an axis, relative to the minimizer) overshoots within steps
    ``start`` … ``stop``: it reaches the other side of the minimum from where the window began,
    at least :data:`OVERSHOOT_SHARE` of the starting distance past it. Evidence: ``step`` (the
    first step on the far side, counted from 0 of the series), ``peak`` (signed), ``peak_step``,
    ``swing`` (the farthest past, ≥ 0)."""
    values = _window(coord, start, stop)
    first = float(abs(values[0])) if values.size else 0.0
    shot = overshoot(values) if values.size else None
    if shot is None or first == 0.0:
        return Finding(False, {"step": None, "peak": 0.0, "peak_step": None, "swing": 0.0})
    side = np.sign(values[0])
    swing = float(max(0.0, np.max(-side * values)))
    return Finding(swing >= OVERSHOOT_SHARE * first,
                   {"step": start + shot.step, "peak": shot.peak, "peak_step": start + shot.peak_step,
                    "swing": swing})


def settle_step(error: np.ndarray, tol: float) -> float | np.ndarray:
    """THE definition of settled: the first index from which ``error`` (T+1, ...) stays at or
    below ``tol`` to the end of the run.

    Computed along axis 0 for every trailing position; ``inf`` where the last entry is still
    above ``tol`` (not settled within the run); NaN counts as above. A dip below ``tol`` that is
    followed by a rise does not count. Returns float (...,) (a float for 1-D input).
    """
    values = np.asarray(error, dtype=np.float64)
    above = ~(values <= tol)
    n = values.shape[0]
    any_above = above.any(axis=0)
    last_above = n - 1 - np.argmax(above[::-1], axis=0)
    out = np.where(any_above, last_above + 1, 0).astype(np.float64)
    out = np.where(above[-1], np.inf, out)
    return float(out) if out.ndim == 0 else out


def settles(error: np.ndarray, tol: float = SETTLE_TOL, diverged_at: int = -1) -> Finding:
    """Whether a run settles: :func:`settle_step` of its ``error`` (T+1,) at ``tol`` is a step of
    the run (and the engine did not mark it diverged). Evidence: ``step`` (inf if never),
    ``tol``, ``error`` (the last one)."""
    values = np.asarray(error, dtype=np.float64).reshape(-1)
    step = float(settle_step(values, tol))
    if int(diverged_at) >= 0:
        step = float("inf")
    return Finding(bool(np.isfinite(step)), {"step": step, "tol": float(tol), "error": float(values[-1])})


def stalls(loss: np.ndarray, floor: float = 0.0, diverged_at: int = -1) -> Finding:
    """Whether a run stalls: its loss stops falling while it is still far from the minimum.

    Over the last :data:`STALL_TAIL` of the run, the lowest loss improves on the lowest before
    it by less than :data:`STALL_DROP` of that one's gap to ``floor`` (the minimum's loss), the
    gap is still at least :data:`STALL_FAR` of the start's, the loss has not grown past its
    start and the run did not diverge. Evidence: ``drop`` (the tail's improvement, a share of
    the gap), ``gap`` (the end's gap as a share of the start's), ``loss`` (the tail's lowest).
    """
    values = np.asarray(loss, dtype=np.float64).reshape(-1) - float(floor)
    if values.size < 2 or values[0] <= 0 or not np.all(np.isfinite(values)):
        return Finding(False, {"drop": float("nan"), "gap": float("nan"), "loss": float("nan")})
    tail = _tail_start(values.size, STALL_TAIL)
    before, after = float(np.min(values[: tail + 1])), float(np.min(values[tail + 1:]))
    drop = (before - after) / before if before > 0 else 0.0
    gap = after / float(values[0])
    holds = (int(diverged_at) < 0 and drop < STALL_DROP and gap >= STALL_FAR
             and float(values[-1]) <= float(values[0]))
    return Finding(holds, {"drop": drop, "gap": gap, "loss": after + float(floor)})


def diverges(diverged_at: int = -1, rate: float | None = None) -> Finding:
    """Whether a run diverges: :func:`engine.verdict.verdict` of the engine's ``diverged_at`` and
    the per-step ``rate`` (theory) says so. Evidence: ``diverged_at``, ``rate``."""
    found = verdict(_Run(int(diverged_at), None), rate=rate)
    return Finding(found.diverges, {"diverged_at": int(diverged_at), "rate": rate})


def converges(diverged_at: int = -1, rate: float | None = None) -> Finding:
    """Whether a run converges: the per-step ``rate`` is below 1 and the engine did not mark it
    diverged (:func:`engine.verdict.verdict`). Evidence: ``diverged_at``, ``rate``."""
    if rate is None:
        return Finding(False, {"diverged_at": int(diverged_at), "rate": None})
    found = verdict(_Run(int(diverged_at), None), rate=rate)
    return Finding(found.converges, {"diverged_at": int(diverged_at), "rate": rate})


def leaves_view(theta: np.ndarray, box: tuple[float, float, float, float], upto: int | None = None) -> Finding:
    """Whether a 2-D path ``theta`` (T+1, 2) leaves the plot box (xmin, xmax, ymin, ymax) by step
    ``upto`` (the end if None): some point lies outside it (on the border is inside), as an
    :class:`engine.verdict.Reach` of the box scaled to a unit square sees it. Evidence: ``step``
    (the first point outside, None if none)."""
    xmin, xmax, ymin, ymax = (float(v) for v in box)
    points = np.asarray(theta, dtype=np.float64)[: None if upto is None else upto + 1]
    centre = np.array([(xmin + xmax) / 2, (ymin + ymax) / 2])
    half = np.maximum(np.array([(xmax - xmin) / 2, (ymax - ymin) / 2]), np.finfo(float).tiny)
    scaled = (points - centre) / half
    unit = Reach(np.zeros(2), 1.0)
    if not unit.leaves(scaled):
        return Finding(False, {"step": None})
    outside = np.max(np.abs(scaled), axis=-1) > 1.0
    return Finding(True, {"step": int(np.argmax(outside))})


def leads(loss: np.ndarray, index: int, at: int | None = None, since: int | None = None) -> Finding:
    """Whether run ``index`` of a race (loss (T+1, B)) leads: has the lowest loss (ties to the
    lower index, :func:`engine.compare.leaders`) at step ``at``, or at every step from ``since``
    to the end (the final step if neither is given). Evidence: ``at``/``since``, ``leader``
    (who leads at ``at``, or at the end)."""
    lead = leaders(np.asarray(loss, dtype=np.float64))
    if since is not None:
        since = int(min(max(since, 0), len(lead) - 1))
        holds = bool(np.all(lead[since:] == index))
        return Finding(holds, {"since": since, "leader": int(lead[-1])})
    at = len(lead) - 1 if at is None else int(min(max(at, 0), len(lead) - 1))
    return Finding(bool(lead[at] == index), {"at": at, "leader": int(lead[at])})


def glides(theta: np.ndarray, loss: np.ndarray, other_loss: np.ndarray, minimizer: np.ndarray,
           diverged_at: int = -1, rate: float | None = None) -> Finding:
    """Whether a run glides to the minimum: it does not diverge (:func:`diverges`), its distance
    to the minimum is at most :data:`GLIDE_NEAR` of the start's at every step of the last
    :data:`GLIDE_TAIL` of the run, and it ends with a lower loss than the other run
    (``other_loss``, (T+1,)). Evidence: ``near`` (the largest distance over that tail as a share
    of the start's), ``loss``, ``other_loss`` (final losses)."""
    gaps = distance(theta, minimizer)
    own, other = float(np.asarray(loss).reshape(-1)[-1]), float(np.asarray(other_loss).reshape(-1)[-1])
    evidence: dict[str, Any] = {"near": float("nan"), "loss": own, "other_loss": other}
    if gaps.size < 2 or gaps[0] == 0.0 or diverges(diverged_at, rate):
        return Finding(False, evidence)
    tail = _tail_start(gaps.size, GLIDE_TAIL)
    near = float(np.max(gaps[tail + 1:]) / gaps[0])
    evidence["near"] = near
    return Finding(near <= GLIDE_NEAR and own < other, evidence)
