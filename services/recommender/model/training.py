"""Train the role-fit model: ``careerpath train [--output-dir DIR] [--seed N]``.

Pipeline: `scale_features` (levels / 4, squashed years) -> multinomial LogisticRegression (lbfgs, C=1).
Data: the labelled survey profiles (shared/catalog/so_profiles.csv), split 80/20 stratified by role with
the seed; the model is fitted on the 80 % plus seeded catalogue-generated profiles (`GENERATED_PER_ROLE`
per role, sample weight `GENERATED_WEIGHT` each) and measured on the 20 %, which holds real profiles
only. Deterministic: the same data and seed give the same coefficients.
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
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from threadpoolctl import threadpool_limits

from services.recommender.model.artefact import DEFAULT_MODEL_DIR, PREFIX, ModelArtefact, save_artefact
from services.recommender.model.features import feature_names, scale_features
from services.recommender.model.labels import (
    PROFILES_PATH,
    LabelledData,
    generate_profiles,
    load_survey_profiles,
)
from services.recommender.model.metrics import measure
from shared.catalog import CATALOG_DIR, Catalog, load_catalog

__all__ = [
    "GENERATED_PER_ROLE",
    "GENERATED_WEIGHT",
    "HELD_OUT",
    "build_pipeline",
    "data_version",
    "fit",
    "main",
    "split",
    "train",
]

HELD_OUT = 0.2
GENERATED_PER_ROLE = 300
GENERATED_WEIGHT = 0.2
C = 1.0


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


def build_pipeline() -> Pipeline:
    """The untrained feature + model pipeline."""
    return Pipeline(
        [
            ("features", FunctionTransformer(scale_features)),
            ("model", LogisticRegression(C=C, max_iter=5000, tol=1e-6)),
        ]
    )


def fit(catalog: Catalog, train: LabelledData, seed: int) -> Pipeline:
    """Fit the pipeline on real training rows plus seeded generated profiles."""
    generated = generate_profiles(catalog, GENERATED_PER_ROLE, seed)
    x = np.vstack([train.x, generated.x])
    y = np.concatenate([train.y, generated.y])
    weight = np.concatenate([np.ones(len(train)), np.full(len(generated), GENERATED_WEIGHT)])
    pipeline = build_pipeline()
    # One BLAS thread: the problem is small, and on a busy 2-core box thread oversubscription makes
    # lbfgs many times slower (measured 2 s vs 30 s at load average 6).
    with threadpool_limits(limits=1):
        pipeline.fit(x, y, model__sample_weight=weight)
    return pipeline


def train(output_dir: Path = DEFAULT_MODEL_DIR, seed: int = 7, *, save: bool = True) -> ModelArtefact:
    """Fit, measure on the held-out real profiles, and (by default) save a new versioned artefact."""
    catalog = load_catalog()
    real = load_survey_profiles(catalog)
    train_rows, test_rows = split(real, seed)
    pipeline = fit(catalog, real.subset(train_rows), seed)
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
        f"held-out ({m['held_out_rows']} real profiles): top-1 {m['top1']:.3f}  top-3 {m['top3']:.3f}  "
        f"Brier {m['brier']:.3f}  ECE {m['ece']:.3f}  [{time.perf_counter() - started:.1f}s]"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
