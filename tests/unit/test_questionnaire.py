"""The adaptive questionnaire (services/recommender/questionnaire.py) on the trained model and real profiles:
the next question is an unanswered skill, the figures are in range and repeatable, the batch agrees with
one person at a time, the contract refuses bad answers naming the field, and a small held-out simulation
shows the adaptive order beating the catalogue order at k = 10."""

from __future__ import annotations

from pathlib import Path

import msgspec
import numpy as np
import pytest

from services.recommender.model.artefact import load_latest
from services.recommender.model.labels import load_survey_profiles
from services.recommender.model.questionnaire_eval import KS, simulate
from services.recommender.model.training import split
from services.recommender.questionnaire import CRITERIA, SAMPLES, Questionnaire, training_table
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
    together = questionnaire.choose(answered, levels, years)[0]
    alone = [
        questionnaire.choose(answered[i : i + 1], levels[i : i + 1], years[i : i + 1])[0][0] for i in range(4)
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
        criteria=(questionnaire.criterion,),
    )
    at = KS.index(10)
    curves = report["curves"]
    adaptive, catalogue = curves[f"adaptive ({questionnaire.criterion})"][at], curves["catalogue order"][at]
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
