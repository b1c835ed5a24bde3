"""Training the linear models without scikit-learn: a support vector machine and naive Bayes.

Importing scikit-learn costs about a second at a first start, more than training itself,
and the bot uses it only to train. These trainers reach the same models with numpy and
scipy.sparse alone:

- `train_svm`/`train_one_vs_rest`: the optimum of scikit-learn's `LinearSVC` defaults
  (liblinear): the L2-regularised squared hinge loss, the intercept learned as the weight
  of an extra feature of value 1 that is regularised like the others, per-sample weights
  multiplying C, one model per class against the rest. That objective is strictly convex,
  so any solver that reaches its optimum learns the same model; liblinear walks the dual
  one sample at a time in C, which numpy cannot do fast, so this one takes Newton steps in
  the primal, each solved by conjugate gradients over the active samples (those inside the
  margin; the step's weights are a combination of their rows, so the system has one unknown
  per active sample rather than one per n-gram, and the previous solution warms it up).
  It needs about four times liblinear's CPU for the router's 44 classes (about a second
  more in all), roughly what importing scikit-learn cost.
- `train_naive_bayes`: scikit-learn's `MultinomialNB` (Lidstone-smoothed feature counts
  per class, class priors from the class frequencies).

tests/test_linear.py trains both ways on the content and compares the results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

# The objective is 1-strongly convex, so weights whose gradient is shorter than this lie at
# most this far from the optimum, and no score (rows of unit length plus the intercept's 1,
# so |x| <= √2) moves by more than 0.0071 from the exact model's.
GRADIENT_TOLERANCE = 5e-3
CG_TOLERANCE = 0.03  # each Newton system is solved until its residual is this share of the gradient
MAX_NEWTON_STEPS = 200
MAX_CG_STEPS = 1000


@dataclass(frozen=True)
class LinearModel:
    """One linear score per class: `features @ coef + intercept` (coef is features × classes)."""

    classes: list
    coef: np.ndarray
    intercept: np.ndarray


def train_svm(
    features: csr_matrix, positive: Sequence[bool], c: float, weights: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """A two-class model, weights and intercept: its score is above zero for the positive class."""
    signs = np.where(np.asarray(positive, dtype=bool), 1.0, -1.0)
    if len(np.unique(signs)) < 2:
        raise ValueError("training a classifier needs examples of both classes")
    costs = c * (np.ones(len(signs)) if weights is None else np.asarray(weights, dtype=float))
    with_bias = _with_bias(features)
    solution = _squared_hinge(with_bias, signs, costs)
    return solution[:-1], float(solution[-1])


def train_one_vs_rest(
    features: csr_matrix, labels: Sequence, c: float, weights: np.ndarray | None = None
) -> LinearModel:
    """One score per class (sorted as `np.unique` sorts them), each class against all others.

    With two classes the second score is the first negated, the same verdict scikit-learn's
    single two-class model gives.
    """
    labels = np.asarray(labels)
    classes = np.unique(labels)
    if len(classes) < 2:
        raise ValueError("training a classifier needs at least two classes")
    costs = c * (np.ones(len(labels)) if weights is None else np.asarray(weights, dtype=float))
    with_bias = _with_bias(features)
    if len(classes) == 2:
        solution = _squared_hinge(with_bias, np.where(labels == classes[1], 1.0, -1.0), costs)
        solutions = np.column_stack([-solution, solution])
    else:
        solutions = np.column_stack(
            [_squared_hinge(with_bias, np.where(labels == label, 1.0, -1.0), costs) for label in classes]
        )
    return LinearModel(classes.tolist(), solutions[:-1], solutions[-1])


def train_naive_bayes(features: csr_matrix, labels: Sequence, alpha: float) -> tuple[list, np.ndarray, np.ndarray]:
    """Classes, log P(feature | class) as features × classes, and log P(class)."""
    labels = np.asarray(labels)
    classes, which = np.unique(labels, return_inverse=True)
    members = np.zeros((len(classes), len(labels)))
    members[which, np.arange(len(labels))] = 1.0
    counts = np.asarray(features.T @ members.T) + alpha  # features × classes
    log_probability = np.log(counts) - np.log(counts.sum(axis=0))
    class_counts = members.sum(axis=1)
    return classes.tolist(), log_probability, np.log(class_counts) - np.log(class_counts.sum())


def _with_bias(features: csr_matrix) -> csr_matrix:
    from scipy.sparse import csr_matrix, hstack

    return csr_matrix(hstack([features, np.ones((features.shape[0], 1))], format="csr"))


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    # einsum rather than `@`: numpy's BLAS spreads dot products of long vectors over threads,
    # which on a busy machine costs far more than the arithmetic.
    return float(np.einsum("i,i", a, b))


def _squared_hinge(rows: csr_matrix, signs: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """argmin_w ½|w|² + Σ costs·max(0, 1 − signs·(rows @ w))², by Newton steps in the primal.

    With the active set I (samples inside the margin) held fixed the objective is quadratic,
    and its minimum is w = rows_I.T @ a with (rows_I rows_I.T + diag(1 / 2costs_I)) a = signs_I:
    conjugate gradients solve that, starting from the a that the current margins imply. An exact
    line search towards the new w keeps every step a descent.
    """
    # Start with every score at -1 (the intercept's weight): the other side sits on its margin,
    # so the first step learns from the positive examples alone; from zero, every example is
    # active at first and the solver needs about a third more work.
    weights = np.zeros(rows.shape[1])
    weights[-1] = -1.0
    scores = np.full(rows.shape[0], -1.0)
    for _ in range(MAX_NEWTON_STEPS):
        margins = 1 - signs * scores
        active = np.flatnonzero((margins > 0) & (costs > 0))  # an example of weight 0 teaches nothing
        active_rows = rows[active]
        doubled = 2 * costs[active]
        combination = doubled * signs[active] * margins[active]
        combined = active_rows.T @ combination
        gradient = weights - combined
        gradient_norm = np.sqrt(_dot(gradient, gradient))
        if gradient_norm <= GRADIENT_TOLERANCE:
            break
        system = (active_rows, 1 / doubled, signs[active])
        target = CG_TOLERANCE * gradient_norm
        combination, combined = _conjugate_gradients(*system, combination, combined, target)
        direction = combined - weights
        while _dot(gradient, direction) >= 0 and target > 1e-12:  # the solve was too rough to descend
            target /= 100
            combination, combined = _conjugate_gradients(*system, combination, combined, target)
            direction = combined - weights
        change = rows @ direction
        step = _line_search(weights, direction, margins, signs * change, costs)
        weights += step * direction
        scores += step * change
    return weights


def _conjugate_gradients(
    rows: csr_matrix, diagonal: np.ndarray, right: np.ndarray, start: np.ndarray, combined: np.ndarray, target: float
) -> tuple[np.ndarray, np.ndarray]:
    """Solve (rows rows.T + diag(diagonal)) x = right from `start` (`combined` is rows.T @ start)
    until |residual| <= target; returns x and rows.T @ x."""
    solution, combined = start.copy(), combined.copy()
    residual = right - (rows @ combined + diagonal * solution)
    squared = _dot(residual, residual)
    direction = residual.copy()
    for _ in range(MAX_CG_STEPS):
        if squared <= target * target:
            break
        spread = rows.T @ direction
        product = rows @ spread + diagonal * direction
        length = squared / _dot(direction, product)
        solution += length * direction
        combined += length * spread
        residual -= length * product
        previous, squared = squared, _dot(residual, residual)
        direction = residual + (squared / previous) * direction
    return solution, combined


def _line_search(
    weights: np.ndarray, direction: np.ndarray, margins: np.ndarray, shrink: np.ndarray, costs: np.ndarray
) -> float:
    """The step t minimising the objective along `direction`: a convex piecewise quadratic in t
    (each margin falls by t·shrink), minimised by safeguarded Newton steps inside a bracket."""
    along, length = _dot(weights, direction), _dot(direction, direction)
    low, high, step = 0.0, np.inf, 1.0
    for _ in range(60):
        remaining = margins - step * shrink
        inside = remaining > 0
        pull = (costs * shrink)[inside]
        slope = along + step * length - 2 * _dot(pull, remaining[inside])
        curvature = length + 2 * _dot(pull, shrink[inside])
        if abs(slope) <= 1e-12 * max(1.0, length):
            break
        if slope > 0:
            high = step
        else:
            low = step
        guess = step - slope / curvature
        step = guess if low < guess < high else (low + high) / 2 if np.isfinite(high) else 2 * step
        if high - low <= 1e-12 * max(1.0, step):
            break
    return step
