"""Evaluation metrics and the two baselines, shared by training (metadata) and `careerpath evaluate`."""

from __future__ import annotations

import numpy as np

__all__ = [
    "ECE_BINS",
    "brier",
    "expected_calibration_error",
    "measure",
    "overlap_probabilities",
    "prior_probabilities",
    "requirement_matrix",
    "top_k_accuracy",
]

ECE_BINS = 10


def top_k_accuracy(proba: np.ndarray, y: np.ndarray, k: int) -> float:
    """Share of rows whose true class is among the k most probable (ties broken by class order)."""
    top = np.argsort(-proba, axis=1, kind="stable")[:, :k]
    return float((top == y[:, None]).any(axis=1).mean())


def brier(proba: np.ndarray, y: np.ndarray) -> float:
    """Multi-class Brier score: mean over rows of the squared error summed over classes (0 best, 2 worst)."""
    onehot = np.eye(proba.shape[1])[y]
    return float(((proba - onehot) ** 2).sum(axis=1).mean())


def expected_calibration_error(proba: np.ndarray, y: np.ndarray, bins: int = ECE_BINS) -> float:
    """Top-label ECE: |confidence - accuracy| averaged over equal-width confidence bins, weighted by size."""
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == y
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += abs(confidence[mask].mean() - correct[mask].mean()) * mask.mean()
    return float(total)


def measure(proba: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """top-1, top-3, Brier and ECE of a probability matrix against labels."""
    return {
        "top1": top_k_accuracy(proba, y, 1),
        "top3": top_k_accuracy(proba, y, 3),
        "brier": brier(proba, y),
        "ece": expected_calibration_error(proba, y),
    }


def prior_probabilities(y_train: np.ndarray, n_classes: int, n_rows: int) -> np.ndarray:
    """Most-frequent-role baseline: every row gets the training class frequencies."""
    prior = np.bincount(y_train, minlength=n_classes) / len(y_train)
    return np.tile(prior, (n_rows, 1))


def requirement_matrix(requirements: list[dict[str, int]], skill_ids: tuple[str, ...]) -> np.ndarray:
    """Roles x skills matrix of required levels (0 where a role does not need the skill)."""
    index = {s: i for i, s in enumerate(skill_ids)}
    out = np.zeros((len(requirements), len(skill_ids)))
    for r, needs in enumerate(requirements):
        for skill, level in needs.items():
            out[r, index[skill]] = level
    return out


def overlap_probabilities(levels: np.ndarray, required: np.ndarray) -> np.ndarray:
    """Skill-overlap baseline: share of each role's required levels the profile covers, normalised per row.

    coverage[i, r] = sum_s min(level[i, s], required[r, s]) / sum_s required[r, s]; rows with no overlap
    at all get a uniform distribution.
    """
    covered = np.minimum(levels[:, None, :], required[None, :, :]).sum(axis=2) / required.sum(axis=1)[None, :]
    total = covered.sum(axis=1, keepdims=True)
    uniform = np.full_like(covered, 1.0 / required.shape[0])
    return np.where(total > 0, covered / np.where(total > 0, total, 1.0), uniform)
