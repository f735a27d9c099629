"""Simulate the adaptive questionnaire on held-out real profiles: ``careerpath evaluate --questionnaire``.

Each held-out person (the same 20 % split the model evaluation uses; the level table behind the questions
is built from the training split only) answers every question from their own profile. After k answers
(k = 1..20) the ranking for the answers so far (unanswered skills 0, as the API answers) is compared with
the ranking of the full profile: the share whose top-1 is the same, and whose top-3 set is the same.
Strategies in the same run on the same people:

- adaptive (the API's criterion, `Questionnaire.criterion`), and the other criterion of `CRITERIA`;
- catalogue order: the skills in the order of the catalogue;
- random order: a random permutation per person (seeded).

Also measured: the adaptive path's ranking with the unanswered skills at their expected level under the
answers (instead of 0), to see which agrees better with the full ranking; where the stopping rule
(`STOP_CHANCE`) ends the questionnaire and the agreement there; and the mean `confidence` beside the
actual top-3 agreement at a few k. The criterion is chosen on the training split (the people the model
and the table were fitted on), never on the held-out one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from services.recommender.model.artefact import ModelArtefact
from services.recommender.model.labels import LabelledData, load_survey_profiles
from services.recommender.model.training import split
from services.recommender.questionnaire import CRITERIA, Questionnaire, top_sets, training_table
from services.recommender.scoring import Scorer
from shared.catalog import load_catalog

__all__ = ["KS", "agreement", "choose_criterion", "print_report", "run", "simulate", "simulate_order"]

KS = tuple(range(1, 21))
RANDOM_SEED = 2026
CONFIDENCE_AT = (5, 10, 15)
MAX_QUESTIONS = 20


def agreement(
    qn: Questionnaire, answered: np.ndarray, full: np.ndarray, years: np.ndarray
) -> tuple[float, float]:
    """Top-1 and top-3-set agreement of the partial answers' ranking with the full profiles' ranking."""
    x_full = qn.matrix(np.ones_like(answered), full, years)
    p_full = qn.scorer.probabilities(x_full)
    p = qn.scorer.probabilities(qn.matrix(answered, full, years))
    return _agree(p, p_full)


def _agree(p: np.ndarray, p_full: np.ndarray) -> tuple[float, float]:
    top1 = float((p.argmax(axis=1) == p_full.argmax(axis=1)).mean())
    top3 = float((top_sets(p) == top_sets(p_full)).all(axis=1).mean())
    return top1, top3


def _imputed(qn: Questionnaire, answered: np.ndarray, levels: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Role probabilities with the unanswered skills at their expected level under the answers so far."""
    q = qn.table.posterior(answered, levels)
    expected = np.einsum("nr,jlr,l->nj", q, qn.shares, np.arange(qn.shares.shape[1], dtype=np.float64))
    x = qn.matrix(answered, levels, years)
    x[:, :-1] = np.where(answered, levels, expected)
    return qn.scorer.probabilities(x)


def simulate_order(
    qn: Questionnaire, full: np.ndarray, years: np.ndarray, order: Callable[[np.ndarray], np.ndarray]
) -> list[tuple[float, float]]:
    """The agreement curve for a question order: `order(answered)` gives each person's next skill."""
    answered = np.zeros_like(full, dtype=bool)
    curve = []
    rows = np.arange(len(full))
    for _ in KS:
        answered[rows, order(answered)] = True
        curve.append(agreement(qn, answered, full, years))
    return curve


def simulate(
    qn: Questionnaire,
    full: np.ndarray,
    years: np.ndarray,
    *,
    extras: bool = True,
    criteria: tuple[str, ...] = CRITERIA,
) -> dict[str, Any]:
    """Every strategy's k-curve (and, with `extras`, the stopping rule and confidence figures)."""
    n, n_skills = full.shape
    rng = np.random.default_rng(RANDOM_SEED)
    permutations = np.argsort(rng.random((n, n_skills)), axis=1)

    def catalogue(answered: np.ndarray) -> np.ndarray:
        return np.asarray(np.argmin(answered, axis=1))  # the first unanswered skill

    def random(answered: np.ndarray) -> np.ndarray:
        ranked = np.take_along_axis(answered, permutations, axis=1)
        return np.asarray(permutations[np.arange(n), np.argmin(ranked, axis=1)])

    def adaptive(criterion: str) -> Callable[[np.ndarray], np.ndarray]:
        other = Questionnaire(qn.scorer, qn.table, criterion)

        def order(answered: np.ndarray) -> np.ndarray:
            return other.choose(answered, full, years, stop=False)[0]

        return order

    curves = {f"adaptive ({c})": simulate_order(qn, full, years, adaptive(c)) for c in criteria}
    curves["catalogue order"] = simulate_order(qn, full, years, catalogue)
    curves["random order"] = simulate_order(qn, full, years, random)
    report: dict[str, Any] = {"rows": n, "curves": curves, "criterion": qn.criterion}
    if extras:
        report |= _extras(qn, full, years)
    return report


def _extras(qn: Questionnaire, full: np.ndarray, years: np.ndarray) -> dict[str, Any]:
    """Along the API's adaptive path: 0-fill vs imputed agreement per k, confidence, and the stop rule."""
    n = len(full)
    rows = np.arange(n)
    p_full = qn.scorer.probabilities(qn.matrix(np.ones_like(full, dtype=bool), full, years))
    answered = np.zeros_like(full, dtype=bool)
    imputed, confidence = [], {}
    stopped_at = np.full(n, -1)
    stop_agree = np.zeros((n, 2), dtype=bool)
    for k in range(1, MAX_QUESTIONS + 1):
        chosen, *_, would_stop = qn.scores(answered, full, years)
        fresh = would_stop & (stopped_at < 0)
        if fresh.any():
            p = qn.scorer.probabilities(qn.matrix(answered, full, years))
            stopped_at[fresh] = k - 1
            stop_agree[fresh, 0] = (p.argmax(axis=1) == p_full.argmax(axis=1))[fresh]
            stop_agree[fresh, 1] = (top_sets(p) == top_sets(p_full)).all(axis=1)[fresh]
        answered[rows, chosen] = True
        if k in KS:
            imputed.append(_agree(_imputed(qn, answered, full, years), p_full))
        if k in CONFIDENCE_AT:
            conf = qn.confidence(answered, full, years)
            confidence[k] = (float(conf.mean()), agreement(qn, answered, full, years)[1])
    done = stopped_at >= 0
    return {
        "imputed": imputed,
        "confidence": confidence,
        "stop": {
            "share_stopped": float(done.mean()),
            "max_questions": MAX_QUESTIONS,
            "mean_questions": float(stopped_at[done].mean()) if done.any() else float("nan"),
            "median_questions": float(np.median(stopped_at[done])) if done.any() else float("nan"),
            "top1": float(stop_agree[done, 0].mean()) if done.any() else float("nan"),
            "top3": float(stop_agree[done, 1].mean()) if done.any() else float("nan"),
        },
    }


def print_report(report: dict[str, Any], chosen_on: dict[str, float]) -> None:
    """The k-curve table and the extras."""
    names = list(report["curves"])
    print(
        f"questionnaire simulation: {report['rows']} held-out real profiles answer from their profile; "
        "agreement with the full-profile ranking (top-1 same / top-3 set same)"
    )
    print(
        "criterion used by the API: "
        + report["criterion"]
        + " (chosen on a sample of the training split: top-1 + top-3 agreement at k=10 "
        + ", ".join(f"{c} {v:.3f}" for c, v in chosen_on.items())
        + ")"
    )
    print(f"{'k':>3}" + "".join(f"{name:>26}" for name in names) + f"{'API criterion, imputed':>30}")
    imputed = report.get("imputed") or [(float("nan"), float("nan"))] * len(KS)
    for i, k in enumerate(KS):
        cells = "".join(
            f"{report['curves'][name][i][0]:12.3f} / {report['curves'][name][i][1]:.3f}" for name in names
        )
        print(f"{k:3d}" + cells + f"{imputed[i][0]:16.3f} / {imputed[i][1]:.3f}")
    if "stop" in report:
        s = report["stop"]
        print(
            f"stopping rule (no answer left changes the top three with chance >= STOP_CHANCE): "
            f"{s['share_stopped']:.1%} stopped within {s['max_questions']} questions, after "
            f"{s['mean_questions']:.1f} on average (median {s['median_questions']:.0f}); agreement there "
            f"top-1 {s['top1']:.3f}, top-3 {s['top3']:.3f}"
        )
        for k, (conf, actual) in report["confidence"].items():
            print(f"k={k}: mean confidence {conf:.3f}, actual top-3 agreement {actual:.3f}")


CHOICE_ROWS = 400
CHOICE_K = 10
TARGETS = {"top1": 0.90, "top3": 0.80}


def choose_criterion(scorer: Scorer, train: LabelledData, seed: int) -> tuple[str, dict[str, float]]:
    """The criterion with the best top-1 + top-3 agreement at k = `CHOICE_K` on `CHOICE_ROWS` people of
    the training split (seeded sample), asked with a table built from the rest of the training split (a
    person is never their own neighbour): the held-out split is never looked at."""
    rows = np.sort(
        np.random.default_rng(seed).choice(len(train), min(CHOICE_ROWS, len(train)), replace=False)
    )
    table = training_table(scorer.catalog, seed, leave_out=rows)
    full, years = train.x[rows, :-1].astype(np.int64), train.x[rows, -1]
    scores = {}
    for criterion in CRITERIA:
        qn = Questionnaire(scorer, table, criterion)
        answered = np.zeros_like(full, dtype=bool)
        for _ in range(CHOICE_K):
            answered[np.arange(len(full)), qn.choose(answered, full, years, stop=False)[0]] = True
        scores[criterion] = sum(agreement(qn, answered, full, years))
    return max(scores, key=lambda c: scores[c]), scores


def run(artefact: ModelArtefact) -> int:
    """`careerpath evaluate --questionnaire`: print the k-curves; exit 1 unless the adaptive order beats
    both baselines on top-1 and top-3 agreement at k = 10."""
    catalog = load_catalog()
    scorer = Scorer(catalog, artefact)
    real = load_survey_profiles(catalog)
    train_rows, test_rows = split(real, artefact.seed)
    table = training_table(catalog, artefact.seed)
    criterion, chosen_on = choose_criterion(scorer, real.subset(train_rows), artefact.seed)
    qn = Questionnaire(scorer, table, criterion)
    held_out = real.subset(test_rows)
    full, years = held_out.x[:, :-1].astype(np.int64), held_out.x[:, -1]
    report = simulate(qn, full, years, criteria=tuple(dict.fromkeys((criterion, "agreement", "change"))))
    print(f"model {artefact.version}  data {artefact.data_version}  seed {artefact.seed}")
    print_report(report, chosen_on)
    at = KS.index(CHOICE_K)
    adaptive = report["curves"][f"adaptive ({criterion})"][at]
    for i, (name, target) in enumerate(TARGETS.items()):
        print(
            f"target at k=10: {name} agreement >= {target}: {'met' if adaptive[i] >= target else 'MISSED'} "
            f"({adaptive[i]:.3f})"
        )
    baselines = [report["curves"][b][at] for b in ("catalogue order", "random order")]
    ok = all(adaptive[i] > b[i] for b in baselines for i in (0, 1))
    print(f"adaptive beats catalogue and random order at k=10 (top-1 and top-3): {'yes' if ok else 'NO'}")
    return 0 if ok else 1
