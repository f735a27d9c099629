"""Evaluate the role-fit model on held-out real profiles: ``careerpath evaluate [--model-dir DIR]``.

The held-out split is the one the artefact was trained without (same seed, same data version): 20 % of
the labelled Stack Overflow profiles, stratified by role; generated profiles never enter it. Two
baselines are measured in the same run on the same rows:

- most-frequent role: every profile gets the training split's role frequencies;
- skill overlap: each role scored by the share of its required levels the profile covers
  (`metrics.overlap_probabilities`), normalised to sum to 1.

Metrics: top-1 and top-3 accuracy, multi-class Brier score (lower is better) and top-label expected
calibration error over 10 bins (lower is better; a constant prior is trivially calibrated, so ECE is
reported, not used to compare). Exit status 0 when the model beats both baselines on top-1, top-3 and
Brier, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from services.recommender.model.artefact import DEFAULT_MODEL_DIR, ArtefactError, ModelArtefact, load_latest
from services.recommender.model.labels import load_survey_profiles
from services.recommender.model.metrics import (
    measure,
    overlap_probabilities,
    prior_probabilities,
    requirement_matrix,
)
from services.recommender.model.training import data_version, split, train
from shared.catalog import load_catalog

__all__ = ["beats_baselines", "evaluate", "main"]

COMPARED = ("top1", "top3", "brier")


def evaluate(artefact: ModelArtefact) -> dict[str, Any]:
    """Model and baseline metrics on the artefact's held-out split, plus per-role top-3 recall."""
    if artefact.data_version != data_version():
        raise ArtefactError(
            f"model {artefact.version} was trained on data {artefact.data_version}, the data is now "
            f"{data_version()}: its held-out split is unknown, retrain it"
        )
    catalog = load_catalog()
    artefact.check_compatible(catalog.skill_ids, catalog.role_ids)
    real = load_survey_profiles(catalog)
    train_rows, test_rows = split(real, artefact.seed)
    held_out = real.subset(test_rows)
    n_roles = len(catalog.roles)
    required = requirement_matrix([r.requirements for r in catalog.roles.values()], catalog.skill_ids)
    model_proba = artefact.predict_proba(held_out.x)
    results = {
        "most-frequent role": measure(
            prior_probabilities(real.y[train_rows], n_roles, len(test_rows)), held_out.y
        ),
        "skill overlap": measure(overlap_probabilities(held_out.x[:, :-1], required), held_out.y),
        "model": measure(model_proba, held_out.y),
    }
    top3 = np.argsort(-model_proba, axis=1, kind="stable")[:, :3]
    per_role = {}
    for index, role in enumerate(catalog.role_ids):
        rows = held_out.y == index
        if rows.any():
            per_role[role] = (int(rows.sum()), float((top3[rows] == index).any(axis=1).mean()))
    return {"rows": len(test_rows), "results": results, "per_role_top3": per_role}


def beats_baselines(report: dict[str, Any]) -> bool:
    """True when the model is better than both baselines on top-1, top-3 (higher) and Brier (lower)."""
    res = report["results"]
    model = res["model"]
    for name in ("most-frequent role", "skill overlap"):
        base = res[name]
        if not (
            model["top1"] > base["top1"] and model["top3"] > base["top3"] and model["brier"] < base["brier"]
        ):
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: print the comparison table; exit 1 when the model does not beat both baselines."""
    parser = argparse.ArgumentParser(prog="careerpath evaluate", description="Evaluate the role-fit model.")
    parser.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--seed", type=int, default=7, help="seed for an in-memory model when none is saved")
    args = parser.parse_args(argv)
    try:
        artefact = load_latest(args.model_dir)
        if artefact.data_version != data_version():
            raise ArtefactError("stale")
    except ArtefactError:
        print(f"no current model in {args.model_dir}: training one in memory (seed {args.seed})")
        artefact = train(args.model_dir, args.seed, save=False)
    report = evaluate(artefact)
    print(f"model {artefact.version}  data {artefact.data_version}")
    print(
        f"held-out: {report['rows']} real survey profiles (20 %, stratified by role, seed {artefact.seed}); "
        "generated profiles are never evaluated"
    )
    print(f"{'':22}{'top-1':>8}{'top-3':>8}{'Brier':>8}{'ECE':>8}")
    for name, m in report["results"].items():
        print(f"{name:22}{m['top1']:8.3f}{m['top3']:8.3f}{m['brier']:8.3f}{m['ece']:8.3f}")
    print(
        "per-role top-3 recall: "
        + ", ".join(f"{role} {recall:.2f} (n={n})" for role, (n, recall) in report["per_role_top3"].items())
    )
    ok = beats_baselines(report)
    print(f"model beats both baselines on top-1, top-3 and Brier: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
