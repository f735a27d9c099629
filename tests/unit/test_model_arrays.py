"""The model's plain arrays (issue 18): training writes them beside the .joblib, the recommender serves
from them without importing scikit-learn, SciPy or joblib, and answers exactly as the pipeline did;
artefacts without them still load (from the .joblib)."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import joblib
import msgspec
import numpy as np
import pytest
import scipy.sparse

from services.recommender.model.artefact import ModelArtefact, load_artefact, load_latest
from services.recommender.model.features import vectorise
from services.recommender.model.labels import load_survey_profiles
from services.recommender.model.training import split
from services.recommender.questionnaire import Questionnaire, label_sums, training_table
from services.recommender.scoring import Scorer
from shared.catalog import load_catalog

CATALOG = load_catalog()
PROFILES = 300


@pytest.fixture(scope="module")
def arrays(model_dir: Path) -> ModelArtefact:
    return load_latest(model_dir)


@pytest.fixture(scope="module")
def joblib_only(model_dir: Path) -> ModelArtefact:
    """The same artefact as the scikit-learn pipeline alone (what the recommender served before)."""
    path = sorted(model_dir.glob("rolefit-*.joblib"))[-1]
    return dataclasses.replace(load_artefact(path, pipeline=True), linear=None, train_rows=None)


def _profiles(seed: int) -> list[tuple[dict[str, int], float]]:
    rng = random.Random(seed)
    return [
        (
            {s: rng.randint(0, 4) for s in rng.sample(CATALOG.skill_ids, k=rng.randint(0, 15))},
            rng.choice([0.0, 0.5, 2.0, 7.5, 15.0, 40.0, 60.0]),
        )
        for _ in range(PROFILES)
    ]


def test_training_writes_the_arrays_the_sidecar_names(model_dir: Path, joblib_only: ModelArtefact) -> None:
    sidecar = sorted(model_dir.glob("rolefit-*.json"))[-1]
    meta = json.loads(sidecar.read_text())
    assert meta["arrays"] == sidecar.with_suffix(".npz").name
    # the .joblib's own metadata does not name them: code from before the arrays loads it as it was
    assert joblib.load(sidecar.with_suffix(".joblib"))["metadata"] == {
        k: v for k, v in meta.items() if k != "arrays"
    }
    with np.load(model_dir / meta["arrays"], allow_pickle=False) as npz:
        assert sorted(npz.files) == ["classes", "coef", "intercept", "train_rows"]
        model = joblib_only.pipeline.named_steps["model"]
        assert np.array_equal(npz["coef"], model.coef_)
        assert np.array_equal(npz["intercept"], model.intercept_)
        assert np.array_equal(npz["classes"], model.classes_)
        real = load_survey_profiles(CATALOG)
        assert np.array_equal(npz["train_rows"], split(real, meta["seed"])[0])


def test_load_latest_reads_the_arrays_not_the_pipeline(
    arrays: ModelArtefact, joblib_only: ModelArtefact
) -> None:
    assert arrays.pipeline is None and arrays.linear is not None
    assert arrays.metadata() == joblib_only.metadata()


def test_arrays_give_the_pipelines_logits_and_answers_to_the_bit(
    arrays: ModelArtefact, joblib_only: ModelArtefact
) -> None:
    new, old = Scorer(CATALOG, arrays), Scorer(CATALOG, joblib_only)
    assert new._model is arrays.linear and old._model is joblib_only.pipeline
    candidates = _profiles(seed=18)
    raw = vectorise(candidates, CATALOG.skill_ids)
    assert np.array_equal(new._logits(raw), old._logits(raw))
    assert np.array_equal(new.probabilities(raw), old.probabilities(raw))
    for got, want in zip(new.explain(raw, top=3), old.explain(raw, top=3), strict=True):
        assert np.array_equal(got, want)
    enc = msgspec.json.encode
    assert enc(new.rank_batch(candidates, top=12)) == enc(old.rank_batch(candidates, top=12))
    assert enc(new.rank_batch(candidates, explain=False)) == enc(old.rank_batch(candidates, explain=False))
    for skills, years in candidates[:40]:
        assert enc(new.rank_overview(skills, years, 3)) == enc(old.rank_overview(skills, years, 3))


def test_questionnaire_from_the_arrays_asks_and_predicts_the_same(
    arrays: ModelArtefact, joblib_only: ModelArtefact
) -> None:
    stored = training_table(CATALOG, arrays.seed, train_rows=arrays.train_rows)
    split_again = training_table(CATALOG, joblib_only.seed)
    assert np.array_equal(stored.people, split_again.people)
    new = Questionnaire(Scorer(CATALOG, arrays), stored)
    old = Questionnaire(Scorer(CATALOG, joblib_only), split_again)
    rng = np.random.default_rng(5)
    n = len(CATALOG.skill_ids)
    for _ in range(30):
        answered = rng.random(n) < rng.uniform(0.0, 0.3)
        levels = np.where(answered, rng.integers(0, 5, n), 0)
        years = float(rng.choice([0.0, 3.0, 12.0]))
        a, b = new.assess(answered, levels, years), old.assess(answered, levels, years)
        assert a.prediction == b.prediction
        for field in ("value", "change", "gain", "contrast", "category_value"):
            assert np.array_equal(getattr(a, field), getattr(b, field))


def test_label_sums_are_the_sparse_product_to_the_bit(arrays: ModelArtefact) -> None:
    table = training_table(CATALOG, arrays.seed, train_rows=arrays.train_rows)
    has = Questionnaire(Scorer(CATALOG, arrays), table).has
    rng = np.random.default_rng(11)
    for _ in range(20):
        kept = np.flatnonzero(rng.random(len(has)) < rng.uniform(0.01, 1.0))  # ascending, as assess keeps
        w = rng.dirichlet(np.ones(len(kept)))
        n_sets, n_roles = int(rng.integers(1, 40)), len(CATALOG.role_ids)
        labels = np.stack([rng.integers(0, n_sets, len(kept)), n_sets + rng.integers(0, n_roles, len(kept))])
        entries = (labels.ravel(), np.concatenate([kept, kept]))  # what assess gave SciPy
        shape = (n_sets + n_roles, len(has))
        want = scipy.sparse.csr_matrix((np.concatenate([w, w]), entries), shape=shape) @ has.astype(
            np.float64
        )
        assert np.array_equal(label_sums(n_sets + n_roles, labels, kept, w, has), want)


def test_artefact_without_arrays_loads_its_pipeline(
    model_dir: Path, tmp_path: Path, joblib_only: ModelArtefact, caplog: pytest.LogCaptureFixture
) -> None:
    path = sorted(model_dir.glob("rolefit-*.joblib"))[-1]
    shutil.copy(path, tmp_path / path.name)  # an artefact from before the arrays: .joblib and .json only
    meta = json.loads(path.with_suffix(".json").read_text())
    del meta["arrays"]
    (tmp_path / path.with_suffix(".json").name).write_text(json.dumps(meta))
    with caplog.at_level(logging.INFO, logger="careerpath.recommender"):
        old = load_latest(tmp_path)
    assert "has no arrays" in caplog.text
    assert old.pipeline is not None and old.linear is not None and old.train_rows is None
    candidates = _profiles(seed=19)[:50]
    enc = msgspec.json.encode
    assert enc(Scorer(CATALOG, old).rank_batch(candidates)) == enc(
        Scorer(CATALOG, joblib_only).rank_batch(candidates)
    )


def test_the_recommender_serves_without_scikit_learn_scipy_or_joblib(model_dir: Path) -> None:
    code = (
        "import sys\n"
        "from services.recommender.app import create_app\n"
        "create_app()\n"
        "print(sorted(m for m in ('sklearn', 'scipy', 'joblib') if m in sys.modules))\n"
    )
    env = {**os.environ, "CAREERPATH_MODEL_DIR": str(model_dir)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
