"""The role-fit model: features, labelled data, training determinism, artefact I/O, evaluation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.recommender.model.artefact import ArtefactError, ModelArtefact, load_latest
from services.recommender.model.evaluate import beats_baselines, evaluate
from services.recommender.model.features import feature_names, scale_features, vectorise
from services.recommender.model.labels import generate_profiles, inferred_level, load_survey_profiles
from services.recommender.model.metrics import (
    brier,
    expected_calibration_error,
    overlap_probabilities,
    requirement_matrix,
    top_k_accuracy,
)
from services.recommender.model.training import GENERATED_PER_ROLE, data_version, fit, split
from shared.catalog import load_catalog

CATALOG = load_catalog()


@pytest.fixture(scope="module")
def artefact(model_dir: Path) -> ModelArtefact:
    return load_latest(model_dir)


def test_vectorise_orders_clips_and_ignores_unknown_skills() -> None:
    ids = ("python", "sql", "docker")
    x = vectorise([({"sql": 3, "python": 9, "cobol": 2}, 4.5), ({"docker": -1}, -2.0)], ids)
    assert x.tolist() == [[4.0, 3.0, 0.0, 4.5], [0.0, 0.0, 0.0, 0.0]]
    assert feature_names(ids) == ["python", "sql", "docker", "years"]
    scaled = scale_features(np.array([[4.0, 2.0, 0.0, 40.0], [0.0, 0.0, 0.0, 100.0]]))
    assert scaled[0].tolist() == [1.0, 0.5, 0.0, 1.0] and scaled[1, -1] == 1.0


def test_survey_profiles_are_labelled_with_inferred_levels() -> None:
    real = load_survey_profiles(CATALOG)
    assert len(real) > 5000
    assert set(np.unique(real.x[:, :-1])) <= {0.0, 2.0, 3.0}
    assert inferred_level(1.0) == 2 and inferred_level(12.0) == 3
    counts = np.bincount(real.y, minlength=len(CATALOG.roles))
    labelled = {CATALOG.role_ids[i] for i in np.flatnonzero(counts)}
    assert (
        "solutions-architect" not in labelled and {"backend-developer", "database-administrator"} <= labelled
    )


def test_generated_profiles_are_seeded_and_near_requirements() -> None:
    a, b, c = (generate_profiles(CATALOG, 50, seed) for seed in (7, 7, 8))
    assert np.array_equal(a.x, b.x) and not np.array_equal(a.x, c.x)
    assert len(a) == 50 * len(CATALOG.roles) and set(a.devtypes) == {"<generated>"}
    required = requirement_matrix([r.requirements for r in CATALOG.roles.values()], CATALOG.skill_ids)
    mean_levels = np.stack([a.x[a.y == r, :-1].mean(axis=0) for r in range(len(CATALOG.roles))])
    # generated profiles sit closer to their own role's requirements than to any other role's
    distance = ((mean_levels[:, None, :] - required[None, :, :]) ** 2).sum(axis=2)
    assert (distance.argmin(axis=1) == np.arange(len(CATALOG.roles))).all()


def test_held_out_split_is_real_profiles_only_and_disjoint() -> None:
    real = load_survey_profiles(CATALOG)
    train_rows, test_rows = split(real, 7)
    assert not set(train_rows) & set(test_rows)
    assert len(train_rows) + len(test_rows) == len(real)
    assert 0.19 < len(test_rows) / len(real) < 0.21
    assert np.array_equal(split(real, 7)[1], test_rows)


def test_training_is_deterministic() -> None:
    real = load_survey_profiles(CATALOG)
    train_rows, _ = split(real, 7)
    subset = real.subset(train_rows[:1500])
    first = fit(CATALOG, subset, 7).named_steps["model"].coef_
    second = fit(CATALOG, subset, 7).named_steps["model"].coef_
    assert np.array_equal(first, second)


def test_artefact_round_trip(artefact: ModelArtefact) -> None:
    assert artefact.version.startswith("rolefit-")
    assert artefact.data_version == data_version()
    assert list(artefact.features) == [*CATALOG.skill_ids, "years"]
    assert artefact.roles == CATALOG.role_ids
    assert artefact.params["generated_per_role"] == GENERATED_PER_ROLE
    assert {"top1", "top3", "brier", "ece", "held_out_rows"} <= set(artefact.metrics)
    # the saved pipeline scores exactly like a freshly fitted one (training is deterministic)
    real = load_survey_profiles(CATALOG)
    train_rows, test_rows = split(real, artefact.seed)
    fresh = fit(CATALOG, real.subset(train_rows), artefact.seed)
    x = real.x[test_rows[:200]]
    assert np.allclose(fresh.predict_proba(x), artefact.predict_proba(x), atol=1e-12)
    assert artefact.metadata()["format"] == 1


def test_load_latest_without_artefact_names_the_folder() -> None:
    missing = Path(__file__).parent / "no-such-model-dir"
    with pytest.raises(ArtefactError, match="no model artefact in .*no-such-model-dir.*careerpath train"):
        load_latest(missing)


def test_artefact_refuses_another_catalogue(artefact: ModelArtefact) -> None:
    with pytest.raises(ArtefactError, match="another catalogue"):
        artefact.check_compatible(CATALOG.skill_ids[:-1], CATALOG.role_ids)


def test_metrics_on_known_cases() -> None:
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.5, 0.4, 0.1]])
    y = np.array([0, 1, 1])
    assert top_k_accuracy(proba, y, 1) == pytest.approx(1 / 3)
    assert top_k_accuracy(proba, y, 2) == pytest.approx(1.0)
    assert brier(np.eye(3)[y], y) == 0.0 and brier(proba, y) > 0
    assert expected_calibration_error(np.eye(3)[y], y) == 0.0
    assert expected_calibration_error(np.array([[0.9, 0.1]] * 10), np.array([1] * 10)) == pytest.approx(0.9)


def test_overlap_baseline_prefers_the_role_whose_requirements_are_met() -> None:
    required = requirement_matrix([r.requirements for r in CATALOG.roles.values()], CATALOG.skill_ids)
    proba = overlap_probabilities(required, required)
    assert (proba.argmax(axis=1) == np.arange(len(CATALOG.roles))).all()
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert np.allclose(overlap_probabilities(np.zeros((1, required.shape[1])), required), 1 / len(required))


def test_model_beats_both_baselines_on_held_out_data(artefact: ModelArtefact) -> None:
    report = evaluate(artefact)
    assert report["rows"] == artefact.metrics["held_out_rows"]
    assert beats_baselines(report), report["results"]
    model = report["results"]["model"]
    assert model["ece"] < 0.1
    assert model["top1"] == pytest.approx(artefact.metrics["top1"], abs=1e-4)
