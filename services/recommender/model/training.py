"""Train the role-match model: ``careerpath train [--output-dir DIR] [--seed N]``.

Pipeline: `scale_features` (levels / 4, squashed years) -> multinomial LogisticRegression (lbfgs, C=1).
Data: the labelled survey profiles (shared/catalog/so_profiles.csv), split 80/20 stratified by role with
the seed; the model is fitted on the 80 % plus seeded catalogue-generated profiles (`GENERATED_PER_ROLE`
per role, sample weight `GENERATED_WEIGHT` each) and measured on the 20 %, which holds real profiles
only. Deterministic: the same data and seed give the same coefficients.

Prior correction. Trained as is, the model ranks the two largest roles first for nearly everyone (58 % of
the survey is full-stack, 26 % back-end). Its logits get `-a * log(prior)` added per role (prior = the
weighted class shares of the training data), i.e. the intercepts move; a = 1 would rank as if every role
were equally common, a = 0 is the raw model. `a` is chosen by 5-fold cross-validation *inside the training
split* (the held-out 20 % is never looked at): the a of `PRIOR_GRID` with the best mean-over-roles (macro)
top-3 among those keeping the overall (micro) top-3 at `MICRO_FLOOR` or more. Because the correction only
moves intercepts, the result is still a multinomial logistic model: p = softmax(W phi(x) + b').
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from threadpoolctl import threadpool_limits

from services.recommender.model.artefact import (
    DEFAULT_MODEL_DIR,
    PREFIX,
    ModelArtefact,
    linear_model,
    save_artefact,
)
from services.recommender.model.features import feature_names, scale_features
from services.recommender.model.labels import (
    GENERATED_PER_ROLE,
    GENERATED_WEIGHT,
    PROFILES_PATH,
    LabelledData,
    generate_profiles,
    load_survey_profiles,
)
from services.recommender.model.metrics import macro_top_k, measure, top_k_accuracy
from shared.catalog import CATALOG_DIR, Catalog, load_catalog

__all__ = [
    "GENERATED_PER_ROLE",
    "GENERATED_WEIGHT",
    "HELD_OUT",
    "MICRO_FLOOR",
    "PRIOR_GRID",
    "build_pipeline",
    "choose_prior_correction",
    "fit_uncorrected",
    "data_version",
    "fit",
    "main",
    "split",
    "train",
]

HELD_OUT = 0.2
C = 1.0
PRIOR_GRID = tuple(round(0.1 * i, 1) for i in range(13))
MICRO_FLOOR = 0.87
CV_FOLDS = 5


def data_version(profiles_path: Path = PROFILES_PATH, catalog_dir: Path = CATALOG_DIR) -> str:
    """A short hash of everything the model is trained from (profiles and catalogue files)."""
    digest = hashlib.sha256()
    for path in (profiles_path, catalog_dir / "skills.yaml", catalog_dir / "roles.yaml"):
        digest.update(path.read_bytes())
    return f"so2023-us+catalog-{digest.hexdigest()[:12]}"


def split(data: LabelledData, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train / held-out row indices of the real profiles, stratified by role."""
    rows = np.arange(len(data))
    train_rows, test_rows = train_test_split(rows, test_size=HELD_OUT, stratify=data.y, random_state=seed)
    return np.sort(train_rows), np.sort(test_rows)


def build_pipeline(class_weight: str | None = None) -> Pipeline:
    """The untrained feature + model pipeline (`class_weight="balanced"`: the evaluation's baseline)."""
    return Pipeline(
        [
            ("features", FunctionTransformer(scale_features)),
            ("model", LogisticRegression(C=C, max_iter=5000, tol=1e-6, class_weight=class_weight)),
        ]
    )


def fit_uncorrected(
    train: LabelledData, generated: LabelledData, n_roles: int, class_weight: str | None = None
) -> tuple[Pipeline, np.ndarray]:
    """The pipeline fitted on real plus generated rows, uncorrected, and the weighted class shares it
    was trained on."""
    x = np.vstack([train.x, generated.x])
    y = np.concatenate([train.y, generated.y])
    weight = np.concatenate([np.ones(len(train)), np.full(len(generated), GENERATED_WEIGHT)])
    pipeline = build_pipeline(class_weight)
    # One BLAS thread: the problem is small, and on a busy 2-core box thread oversubscription makes
    # lbfgs many times slower (measured 2 s vs 30 s at load average 6).
    with threadpool_limits(limits=1):
        pipeline.fit(x, y, model__sample_weight=weight)
    prior = np.bincount(y, weights=weight, minlength=n_roles) / weight.sum()
    return pipeline, prior


def choose_prior_correction(
    catalog: Catalog, train: LabelledData, seed: int
) -> tuple[float, dict[str, dict[str, float]]]:
    """The correction strength `a`, by cross-validation within the training rows (see module docstring).

    Returns a and, per a of the grid, the cross-validated micro and macro top-3."""
    n_roles = len(catalog.roles)
    generated = generate_profiles(catalog, GENERATED_PER_ROLE, seed)
    logp = np.zeros((len(train), n_roles))
    priors = np.zeros((len(train), n_roles))
    folds = StratifiedKFold(CV_FOLDS, shuffle=True, random_state=seed)
    for fit_rows, test_rows in folds.split(train.x, train.y):
        pipeline, prior = fit_uncorrected(train.subset(fit_rows), generated, n_roles)
        logp[test_rows] = np.log(np.maximum(_proba(pipeline, train.x[test_rows], n_roles), 1e-300))
        priors[test_rows] = prior
    table = {}
    for a in PRIOR_GRID:
        scores = logp - a * np.log(priors)
        table[f"{a:.1f}"] = {
            "micro_top3": top_k_accuracy(scores, train.y, 3),
            "macro_top3": macro_top_k(scores, train.y, 3),
        }
    allowed = [a for a in PRIOR_GRID if table[f"{a:.1f}"]["micro_top3"] >= MICRO_FLOOR] or [0.0]
    best = max(allowed, key=lambda a: (table[f"{a:.1f}"]["macro_top3"], -a))
    return best, table


def fit(catalog: Catalog, train: LabelledData, seed: int, prior_correction: float = 0.0) -> Pipeline:
    """Fit the pipeline on real training rows plus seeded generated profiles; correct its prior."""
    generated = generate_profiles(catalog, GENERATED_PER_ROLE, seed)
    pipeline, prior = fit_uncorrected(train, generated, len(catalog.roles))
    model = pipeline.named_steps["model"]
    model.intercept_ = model.intercept_ - prior_correction * np.log(prior[model.classes_])
    return pipeline


def train(output_dir: Path = DEFAULT_MODEL_DIR, seed: int = 7, *, save: bool = True) -> ModelArtefact:
    """Fit, measure on the held-out real profiles, and (by default) save a new versioned artefact."""
    catalog = load_catalog()
    real = load_survey_profiles(catalog)
    train_rows, test_rows = split(real, seed)
    prior_correction, cv_table = choose_prior_correction(catalog, real.subset(train_rows), seed)
    pipeline = fit(catalog, real.subset(train_rows), seed, prior_correction)
    held_out = real.subset(test_rows)
    metrics = measure(_proba(pipeline, held_out.x, len(catalog.roles)), held_out.y)
    metrics = {k: round(v, 4) for k, v in metrics.items()} | {
        "held_out_rows": len(test_rows),
        "train_rows": len(train_rows),
    }
    model = pipeline.named_steps["model"]
    digest = hashlib.sha256(model.coef_.tobytes() + model.intercept_.tobytes()).hexdigest()[:8]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    artefact = ModelArtefact(
        pipeline=pipeline,
        linear=linear_model(pipeline),
        train_rows=train_rows,
        version=f"{PREFIX}{now:%Y%m%dT%H%M%SZ}-{digest}",
        data_version=data_version(),
        features=tuple(feature_names(catalog.skill_ids)),
        roles=catalog.role_ids,
        metrics=metrics,
        trained_at=now.isoformat(),
        seed=seed,
        params={
            "model": "LogisticRegression(multinomial, lbfgs)",
            "C": C,
            "held_out": HELD_OUT,
            "generated_per_role": GENERATED_PER_ROLE,
            "generated_weight": GENERATED_WEIGHT,
            "prior_correction": prior_correction,
            "micro_floor": MICRO_FLOOR,
            "cv_top3_by_prior_correction": cv_table,
        },
    )
    if save:
        save_artefact(artefact, output_dir)
    return artefact


def _proba(pipeline: Pipeline, x: np.ndarray, n_roles: int) -> np.ndarray:
    out = np.zeros((len(x), n_roles))
    out[:, pipeline.classes_] = pipeline.predict_proba(x)
    return out


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: train and save; prints the artefact path, version and held-out metrics."""
    parser = argparse.ArgumentParser(prog="careerpath train", description="Train the role-fit model.")
    parser.add_argument("--output-dir", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    artefact = train(args.output_dir, args.seed)
    m = artefact.metrics
    print(f"model {artefact.version} (data {artefact.data_version}) saved in {args.output_dir}")
    print(
        f"prior correction a = {artefact.params['prior_correction']} (chosen by {CV_FOLDS}-fold CV in the "
        f"training split)\nheld-out ({m['held_out_rows']} real profiles): top-1 {m['top1']:.3f}  "
        f"top-3 {m['top3']:.3f}  macro top-3 {m['macro_top3']:.3f}  "
        f"Brier {m['brier']:.3f}  ECE {m['ece']:.3f}  [{time.perf_counter() - started:.1f}s]"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
