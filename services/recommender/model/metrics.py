"""Evaluation metrics and the most-frequent baseline, for training (metadata) and `careerpath evaluate`.

Top-k accuracy and the Brier score are scikit-learn's (``top_k_accuracy_score``, ``brier_score_loss``);
the baseline is ``DummyClassifier(strategy="prior")``. scikit-learn has no per-class top-k, mean
reciprocal rank with one true class, or top-label ECE, so those stay here. Where scores tie (the
skill-overlap and readiness baselines tie often), every figure ranks the lower class index first, as
the catalogue order does; ``top_k_accuracy_score`` ranks the higher one first, so it is given the
classes in reverse order (with it as it comes, those baselines' top-k figures drop by up to 0.003).
"""

from __future__ import annotations

import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.metrics import brier_score_loss, top_k_accuracy_score

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
    """Share of rows whose true class is among the k most probable (ties: the lower class index first)."""
    n = proba.shape[1]
    return float(top_k_accuracy_score(n - 1 - y, proba[:, ::-1], k=k, labels=np.arange(n)))


def per_class_top_k(proba: np.ndarray, y: np.ndarray, k: int) -> dict[int, float]:
    """For each class present in y: the share of its rows whose class is among the k highest scores."""
    return {int(c): top_k_accuracy(proba[y == c], y[y == c], k) for c in np.unique(y)}


def macro_top_k(proba: np.ndarray, y: np.ndarray, k: int) -> float:
    """Top-k accuracy averaged over the classes present in y (each role counts the same)."""
    return float(np.mean(list(per_class_top_k(proba, y, k).values())))


def mean_reciprocal_rank(proba: np.ndarray, y: np.ndarray) -> float:
    """Mean of 1 / (rank of the true class), ranks from 1 (ties: the lower class index first)."""
    order = np.argsort(-proba, axis=1, kind="stable")
    rank = np.argmax(order == y[:, None], axis=1) + 1
    return float((1.0 / rank).mean())


def brier(proba: np.ndarray, y: np.ndarray) -> float:
    """Multi-class Brier score: mean over rows of the squared error summed over classes (0 best, 2 worst)."""
    return float(brier_score_loss(y, proba, labels=np.arange(proba.shape[1]), scale_by_half=False))


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
    """Most-frequent-role baseline: every row gets the training class frequencies (``strategy="prior"``)."""
    dummy = DummyClassifier(strategy="prior").fit(np.zeros((len(y_train), 1)), y_train)
    proba = np.zeros((n_rows, n_classes))
    proba[:, dummy.classes_] = dummy.predict_proba(np.zeros((n_rows, 1)))
    return proba
