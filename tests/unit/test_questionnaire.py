"""The adaptive questionnaire (services/recommender/questionnaire.py) on the trained model and real profiles:
the next question is an unanswered skill, the figures are in range and repeatable, the batch agrees with
one person at a time, the predicted ranking is a distribution over the exactly scored completions (and the
model's own ranking once everything is answered), the look-ahead is what re-weighting the completions
gives, the contract refuses bad answers naming the field, and a small held-out simulation shows the
adaptive order with the predicted ranking beating the catalogue order at k = 10."""

from __future__ import annotations

from pathlib import Path

import msgspec
import numpy as np
import pytest

from services.recommender.model.artefact import load_latest
from services.recommender.model.labels import load_survey_profiles
from services.recommender.model.questionnaire_eval import KS, ceilings, print_report, simulate
from services.recommender.model.training import split
from services.recommender.questionnaire import (
    CRITERIA,
    MISMATCH,
    SAMPLES,
    TIE,
    Questionnaire,
    training_table,
)
from services.recommender.scoring import Scorer
from shared.catalog import load_catalog
from shared.contracts.questionnaire import QuestionnaireRequest

CATALOG = load_catalog()


@pytest.fixture(scope="module")
def questionnaire(model_dir: Path) -> Questionnaire:
    artefact = load_latest(model_dir)  # the model the suite trains (a clean clone has no var/models)
    return Questionnaire(Scorer(CATALOG, artefact), training_table(CATALOG, artefact.seed))


def test_next_question_is_unanswered_and_its_figures_are_in_range(questionnaire: Questionnaire) -> None:
    answers = {"python": 3, "sql": 2, "kubernetes": 0}
    decision = questionnaire.next_for(answers, 4.0)
    assert decision.skill is not None
    assert CATALOG.skill_ids[decision.skill] not in answers
    assert 0 <= decision.change_chance <= 1 and 0 <= decision.confidence <= 1
    assert decision.contrast is not None and decision.contrast[0] != decision.contrast[1]
    assert questionnaire.next_for(answers, 4.0) == decision  # seeded: the same answers, the same figures


def test_every_skill_answered_means_done(questionnaire: Questionnaire) -> None:
    decision = questionnaire.next_for(dict.fromkeys(CATALOG.skill_ids, 1), 2.0)
    assert decision.skill is None and decision.contrast is None


def test_a_batch_chooses_what_each_person_alone_gets(questionnaire: Questionnaire) -> None:
    people = [{}, {"java": 3}, {"python": 2, "aws": 2, "terraform": 3}, {"php": 3, "mysql": 0}]
    answered, levels = questionnaire.encode(people)
    years = np.asarray([0.0, 3.0, 8.0, 1.5])
    together = questionnaire.choose(answered, levels, years, stop=False)
    alone = [
        questionnaire.choose(answered[i : i + 1], levels[i : i + 1], years[i : i + 1], stop=False)[0]
        for i in range(4)
    ]
    assert together.tolist() == alone


def test_more_answers_that_agree_raise_confidence(questionnaire: Questionnaire) -> None:
    few = questionnaire.next_for({"python": 3}, 5.0).confidence
    answered = dict.fromkeys(CATALOG.skill_ids, 0) | {"python": 3, "sql": 3, "aws": 2}
    del answered["docker"]  # one question left
    many = questionnaire.next_for(answered, 5.0).confidence
    assert many > few


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answers": {"cobol-on-mars": 2}}, "answers"),
        ({"answers": {"python": 5}}, "answers"),
        ({"answers": {"python": -1}}, "answers"),
        ({"answers": {}, "years_experience": 61}, "years_experience"),
        ({"answers": {}, "years_experience": -0.5}, "years_experience"),
        ({"answers": {}, "extra": 1}, "extra"),
    ],
)
def test_the_contract_refuses_bad_answers_naming_the_field(body: dict, field: str) -> None:
    with pytest.raises(msgspec.ValidationError, match=field):
        msgspec.convert(body, QuestionnaireRequest)


def test_adaptive_order_beats_catalogue_order_at_ten_on_held_out_profiles(
    questionnaire: Questionnaire,
) -> None:
    """A small version of `careerpath evaluate --questionnaire`: 150 held-out people, two strategies."""
    real = load_survey_profiles(CATALOG)
    _, test_rows = split(real, questionnaire.scorer.artefact.seed)
    rows = test_rows[:: max(1, len(test_rows) // 150)]
    held_out = real.subset(rows)
    report = simulate(
        questionnaire,
        held_out.x[:, :-1].astype(np.int64),
        held_out.x[:, -1],
        extras=False,
        previous=False,
        baselines=("catalogue order",),
        ks=KS[:10],
    )
    curves = report["curves"]
    adaptive = curves[f"adaptive ({questionnaire.criterion})"]["predicted"][-1]
    for catalogue in (
        curves["catalogue order"]["predicted"][-1],
        curves["catalogue order"]["answers alone"][-1],
    ):
        assert adaptive[0] > catalogue[0] and adaptive[1] > catalogue[1], curves


@pytest.mark.parametrize("criterion", CRITERIA)
def test_completions_keep_the_answers_and_draw_levels_for_the_rest(
    questionnaire: Questionnaire, criterion: str
) -> None:
    other = Questionnaire(questionnaire.scorer, questionnaire.table, criterion)
    answered, levels = other.encode([{"python": 3, "java": 0}, {}])
    drawn = other.completions(answered, levels)
    assert drawn.shape == (2, SAMPLES, len(CATALOG.skill_ids))
    assert (drawn[0, :, answered[0]] == levels[0, answered[0]][:, None]).all()
    assert drawn.min() >= 0 and drawn.max() <= 4 and drawn[1].any()


def test_a_decisions_confidence_is_what_confidence_computes(questionnaire: Questionnaire) -> None:
    """The API's confidence comes from the completions the choice already drew: the same figure."""
    answered, levels = questionnaire.encode([{"python": 3, "sql": 2}, {"go": 3, "kubernetes": 2}, {}])
    years = np.asarray([4.0, 2.0, 0.0])
    decided = [d.confidence for d in questionnaire.decide(answered, levels, years)]
    assert decided == questionnaire.confidence(answered, levels, years).tolist()


def test_everything_answered_predicts_the_models_own_ranking(questionnaire: Questionnaire) -> None:
    real = load_survey_profiles(CATALOG)
    full, years = real.x[:5, :-1].astype(np.int64), real.x[:5, -1]
    answered = np.ones_like(full, dtype=bool)
    own = questionnaire.scorer.probabilities(questionnaire.matrix(answered, full, years))
    for n, prediction in enumerate(questionnaire.predict(answered, full, years)):
        assert prediction.confidence == pytest.approx(1.0)
        assert list(prediction.order) == np.argsort(-own[n], kind="stable").tolist()
        assert prediction.expected_match == pytest.approx(tuple(own[n]))


def test_the_prediction_is_a_distribution_over_the_completions(questionnaire: Questionnaire) -> None:
    prediction = questionnaire.next_for({"python": 3, "aws": 0, "react": 2}, 6.0).prediction
    assert prediction is not None
    assert sorted(prediction.order) == list(range(len(CATALOG.roles)))
    assert sum(prediction.top1_chance) == pytest.approx(1.0)
    assert sum(prediction.top3_chance) == pytest.approx(3.0)
    assert sum(prediction.expected_match) == pytest.approx(1.0)
    lead, *_ = prediction.order
    top3 = set(prediction.order[:3])
    # the three roles most likely to be in the full top three, led by the one most likely to be first, then
    # the rest by that chance; the shown set is one the completions give (at most as often as each role)
    chances = [prediction.top3_chance[r] for r in prediction.order]
    assert min(chances[:3]) >= max(chances[3:]) and chances[3:] == sorted(chances[3:], reverse=True)
    assert prediction.top1_chance[lead] == max(prediction.top1_chance[r] for r in top3)
    assert 0 < prediction.confidence <= min(prediction.top3_chance[r] for r in top3) + 1e-9


def test_completion_logits_are_the_models_for_the_completed_profiles(questionnaire: Questionnaire) -> None:
    """The shortcut (the answers' logits plus a training person's part for the rest) is the model's own
    answer for the completed profile."""
    answered, levels = questionnaire.encode([{"python": 3, "docker": 0, "go": 2}])
    logits = questionnaire.scorer._logits(questionnaire.matrix(answered, levels, np.asarray([7.0])))[0]
    kept, w, z = questionnaire._completions(answered[0], levels[0], 7.0, logits)
    assert w.sum() == pytest.approx(1.0) and len(kept) == len(z)
    some = kept[:: max(1, len(kept) // 25)]
    completed = np.where(answered, levels, questionnaire.table.people[some])
    x = np.column_stack([completed, np.full(len(some), 7.0)])
    assert np.allclose(z[:: max(1, len(kept) // 25)], questionnaire.scorer._logits(x), atol=1e-9)


def test_the_look_ahead_is_what_re_weighting_the_completions_gives(questionnaire: Questionnaire) -> None:
    """A skill's value: over its two answers, the chance of the answer times the weight of the most
    probable top-3 set and top-1 once the completions that disagree are multiplied by MISMATCH."""
    answered, levels = questionnaire.encode([{"javascript": 3, "php": 0}])
    assessed = questionnaire.assess(answered[0], levels[0], 2.0)
    logits = questionnaire.scorer._logits(questionnaire.matrix(answered, levels, np.asarray([2.0])))[0]
    kept, w, z = questionnaire._completions(answered[0], levels[0], 2.0, logits)
    first, sets = z.argmax(axis=1), [tuple(sorted(np.argsort(-row)[:3])) for row in z]
    for j in (CATALOG.skill_ids.index("typescript"), CATALOG.skill_ids.index("kubernetes")):
        uses = questionnaire.has[kept, j]
        value, spread = 0.0, 0.0
        for answer in (True, False):
            chance = w[uses == answer].sum()
            after = w * np.where(uses == answer, 1.0, MISMATCH)
            after /= after.sum()
            by_set: dict[tuple[int, ...], float] = {}
            for s, weight in zip(sets, after, strict=True):
                by_set[s] = by_set.get(s, 0.0) + weight
            shares = np.asarray(list(by_set.values()))
            spread += chance * -(shares * np.log2(np.maximum(shares, 1e-300))).sum()
            value += chance * (max(by_set.values()) + np.bincount(first, weights=after).max())
        assert assessed.value[j] == pytest.approx(value - TIE * spread, abs=1e-9)
    assert np.isneginf(assessed.value[answered[0]]).all()


def test_the_nearest_training_person_of_a_training_person_is_an_exact_oracle(
    questionnaire: Questionnaire,
) -> None:
    """The ceiling's oracle: a training person (in the table) is their own nearest training person, so its
    ranking is theirs; forgetting one used skill changes some rankings."""
    real = load_survey_profiles(CATALOG)
    train_rows, _ = split(real, questionnaire.scorer.artefact.seed)
    rows = train_rows[:40]
    found = ceilings(questionnaire, real.x[rows, :-1].astype(np.int64), real.x[rows, -1])
    assert found["nearest training person"] == (1.0, 1.0)
    assert 0 < found["one used skill forgotten"][1] < 1


def test_the_report_prints_every_curve_and_the_extras(
    questionnaire: Questionnaire, capsys: pytest.CaptureFixture[str]
) -> None:
    real = load_survey_profiles(CATALOG)
    _, test_rows = split(real, questionnaire.scorer.artefact.seed)
    held_out = real.subset(test_rows[:12])
    report = simulate(questionnaire, held_out.x[:, :-1].astype(np.int64), held_out.x[:, -1], ks=KS[:3])
    print_report(report, {"lookahead": 1.0})
    out = capsys.readouterr().out
    for name in ("adaptive (lookahead)", "previous API", "catalogue order", "random order"):
        assert name in out
    assert out.count("predicted") >= 3 and "answers alone" in out
    assert "stopping rule" in out and "nearest training person" in out
