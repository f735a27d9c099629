"""Evaluation metrics and the most-frequent baseline, for training (metadata) and `careerpath evaluate`."""

from __future__ import annotations

import numpy as np

__all__ = [
    "ECE_BINS",
    "brier",
    "expected_calibration_error",
    "macro_top_k",
    "mean_reciprocal_rank",
    "per_class_top_k",
    "measure",
    "prior_probabilities",
    "top_k_accuracy",
]

ECE_BINS = 10


def top_k_accuracy(proba: np.ndarray, y: np.ndarray, k: int) -> float:
    """Share of rows whose true class is among the k most probable (ties broken by class order)."""
    top = np.argsort(-proba, axis=1, kind="stable")[:, :k]
    return float((top == y[:, None]).any(axis=1).mean())


def per_class_top_k(proba: np.ndarray, y: np.ndarray, k: int) -> dict[int, float]:
    """For each class present in y: the share of its rows whose class is among the k highest scores."""
    top = np.argsort(-proba, axis=1, kind="stable")[:, :k]
    hit = (top == y[:, None]).any(axis=1)
    return {int(c): float(hit[y == c].mean()) for c in np.unique(y)}


def macro_top_k(proba: np.ndarray, y: np.ndarray, k: int) -> float:
    """Top-k accuracy averaged over the classes present in y (each role counts the same)."""
    return float(np.mean(list(per_class_top_k(proba, y, k).values())))


def mean_reciprocal_rank(proba: np.ndarray, y: np.ndarray) -> float:
    """Mean of 1 / (rank of the true class), ranks from 1 (ties broken by class order)."""
    order = np.argsort(-proba, axis=1, kind="stable")
    rank = np.argmax(order == y[:, None], axis=1) + 1
    return float((1.0 / rank).mean())


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
    """Micro (over rows) and macro (over roles) top-1 / top-3, MRR, Brier and ECE against labels."""
    return {
        "top1": top_k_accuracy(proba, y, 1),
        "top3": top_k_accuracy(proba, y, 3),
        "macro_top1": macro_top_k(proba, y, 1),
        "macro_top3": macro_top_k(proba, y, 3),
        "mrr": mean_reciprocal_rank(proba, y),
        "brier": brier(proba, y),
        "ece": expected_calibration_error(proba, y),
    }


def prior_probabilities(y_train: np.ndarray, n_classes: int, n_rows: int) -> np.ndarray:
    """Most-frequent-role baseline: every row gets the training class frequencies."""
    prior = np.bincount(y_train, minlength=n_classes) / len(y_train)
    return np.tile(prior, (n_rows, 1))
