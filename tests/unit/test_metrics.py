"""The evaluation metrics where scikit-learn's choices could move the figures: ties and the prior baseline."""

from __future__ import annotations

import numpy as np
import pytest

from services.recommender.model.metrics import (
    brier,
    mean_reciprocal_rank,
    per_class_top_k,
    prior_probabilities,
    top_k_accuracy,
)


def test_ties_rank_the_lower_class_index_first() -> None:
    proba = np.array([[0.4, 0.4, 0.2], [0.2, 0.4, 0.4], [1 / 3, 1 / 3, 1 / 3]])
    assert top_k_accuracy(proba, np.array([0, 1, 0]), 1) == 1.0
    assert top_k_accuracy(proba, np.array([1, 2, 2]), 1) == 0.0
    assert top_k_accuracy(proba, np.array([1, 2, 1]), 2) == 1.0
    assert per_class_top_k(proba, np.array([0, 1, 2]), 1) == {0: 1.0, 1: 1.0, 2: 0.0}
    assert mean_reciprocal_rank(proba, np.array([1, 2, 2])) == pytest.approx((1 / 2 + 1 / 2 + 1 / 3) / 3)


def test_brier_sums_over_classes_without_halving() -> None:
    assert brier(np.array([[0.0, 1.0, 0.0]]), np.array([0])) == pytest.approx(2.0)
    assert brier(np.array([[0.5, 0.5]]), np.array([0])) == pytest.approx(0.5)


def test_prior_baseline_gives_every_row_the_training_frequencies() -> None:
    proba = prior_probabilities(np.array([0, 0, 2, 2, 2, 0, 0, 0]), 4, 3)
    assert proba.shape == (3, 4)
    assert proba.tolist() == [[5 / 8, 0.0, 3 / 8, 0.0]] * 3
