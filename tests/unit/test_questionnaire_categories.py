"""'Which of these have you used?' questions (services/recommender/questionnaire.py, issue 15): a category's
look-ahead is what re-weighting the completions by each answer pattern gives (checked by brute force over
the completions), categories with nothing left are never chosen, a ticked skill's level question names a
skill whose one-step change moves the ranking, the contract refuses bad `used` naming the field, and a small
held-out simulation shows the adaptive category order ahead of the catalogue and random orders."""

from __future__ import annotations

from pathlib import Path

import msgspec
import numpy as np
import pytest

from services.recommender.model.artefact import load_latest
from services.recommender.model.labels import load_survey_profiles
from services.recommender.model.questionnaire_eval import (
    category_area,
    print_category_report,
    simulate_categories,
)
from services.recommender.model.training import split
from services.recommender.questionnaire import (
    MISMATCH,
    PATTERN_MASS,
    PATTERNS,
    TIE,
    Questionnaire,
    top_sets,
    training_table,
)
from services.recommender.scoring import Scorer
from shared.catalog import load_catalog
from shared.contracts.questionnaire import QuestionnaireRequest

CATALOG = load_catalog()


@pytest.fixture(scope="module")
def questionnaire(model_dir: Path) -> Questionnaire:
    artefact = load_latest(model_dir)
    return Questionnaire(Scorer(CATALOG, artefact), training_table(CATALOG, artefact.seed))


def _brute_force(
    qn: Questionnaire, answers: dict[str, int], years: float, category: str
) -> tuple[float, float, float]:
    """Value, information gain and the most likely answer's chance for one category, completion by
    completion: every answer pattern the completions give, its chance, and the completions re-weighted by
    MISMATCH per tick not shared."""
    answered, levels = qn.encode([answers])
    logits = qn.scorer._logits(qn.matrix(answered, levels, np.asarray([years])))[0]
    kept, w, z = qn._completions(answered[0], levels[0], years, logits)
    skills = [
        CATALOG.skill_ids.index(s)
        for s in CATALOG.skill_ids
        if CATALOG.skills[s].category == category and s not in answers
    ]
    patterns = [tuple(row) for row in qn.has[np.ix_(kept, skills)]]
    sets = [tuple(sorted(np.argsort(-row)[:3])) for row in z]
    first = z.argmax(axis=1)
    chance: dict[tuple[bool, ...], float] = {}
    for p, weight in zip(patterns, w, strict=True):
        chance[p] = chance.get(p, 0.0) + weight
    total = sum(chance.values())
    # the most likely answers covering PATTERN_MASS of the weight, at most PATTERNS (as the code keeps)
    likely, covered = [], 0.0
    for answer, p_answer in sorted(chance.items(), key=lambda item: (-item[1], item[0])):
        if len(likely) == PATTERNS or covered >= PATTERN_MASS * total:
            break
        likely.append(answer)
        covered += p_answer
    value, spread = 0.0, 0.0
    for answer in likely:
        p_answer = chance[answer]
        differ = np.asarray([sum(a != b for a, b in zip(answer, p, strict=True)) for p in patterns])
        after = w * MISMATCH**differ
        after /= after.sum()
        by_set: dict[tuple[int, ...], float] = {}
        for s, weight in zip(sets, after, strict=True):
            by_set[s] = by_set.get(s, 0.0) + weight
        shares = np.asarray(list(by_set.values()))
        p = p_answer / covered
        spread += p * -(shares * np.log2(np.maximum(shares, 1e-300))).sum()
        value += p * (max(by_set.values()) + np.bincount(first, weights=after).max())
    by_set0: dict[tuple[int, ...], float] = {}
    for s, weight in zip(sets, w, strict=True):
        by_set0[s] = by_set0.get(s, 0.0) + weight
    before = np.asarray(list(by_set0.values()))
    gain = -(before * np.log2(np.maximum(before, 1e-300))).sum() - spread
    return value - TIE * spread, gain, max(chance.values()) / total


@pytest.mark.parametrize(
    ("answers", "category"),
    [({"javascript": 3, "php": 0}, "databases"), ({"python": 2, "docker": 2, "kubernetes": 0}, "apis")],
)
def test_a_categorys_look_ahead_is_what_re_weighting_by_answer_pattern_gives(
    questionnaire: Questionnaire, answers: dict[str, int], category: str
) -> None:
    answered, levels = questionnaire.encode([answers])
    assessed = questionnaire.assess(answered[0], levels[0], 3.0)
    c = questionnaire.categories.index(category)
    value, gain, _ = _brute_force(questionnaire, answers, 3.0, category)
    assert assessed.category_value[c] == pytest.approx(value, abs=1e-9)
    assert assessed.category_gain[c] == pytest.approx(max(gain, 0.0), abs=1e-9)
    assert 0.0 <= assessed.category_change[c] <= 1.0


def test_a_category_with_every_skill_answered_is_never_chosen(questionnaire: Questionnaire) -> None:
    languages = {s: 0 for s in CATALOG.skill_ids if CATALOG.skills[s].category == "languages"}
    answered, levels = questionnaire.encode([languages | {"python": 3}])
    assessed = questionnaire.assess(answered[0], levels[0], 6.0)
    assert np.isneginf(assessed.category_value[questionnaire.categories.index("languages")])
    chosen = questionnaire.choose_category(answered, [assessed])[0]
    assert chosen >= 0 and questionnaire.categories[chosen] != "languages"
    everything, _ = questionnaire.encode([dict.fromkeys(CATALOG.skill_ids, 0)])
    done = questionnaire.assess(everything[0], np.zeros(len(CATALOG.skill_ids), dtype=np.int64), 6.0)
    assert questionnaire.choose_category(everything, [done])[0] == -1
    decision = questionnaire.next_for(dict.fromkeys(CATALOG.skill_ids, 0), 6.0)
    assert decision.category is None and decision.skill is None


def test_a_level_question_names_a_ticked_skill_whose_step_moves_the_ranking(
    questionnaire: Questionnaire,
) -> None:
    real = load_survey_profiles(CATALOG)
    train_rows, _ = split(real, questionnaire.scorer.artefact.seed)
    people = real.x[train_rows[:60], :-1].astype(np.int64)
    years = real.x[train_rows[:60], -1]
    everything = np.ones_like(people, dtype=bool)
    assumed = people > 0
    chosen = questionnaire.level_question(everything, people, years, assumed)
    z = questionnaire.scorer._logits(questionnaire.matrix(everything, people, years))
    asked = 0
    for n, j in enumerate(chosen):
        if j < 0:
            continue
        asked += 1
        assert assumed[n, j]
        moved = []
        for step in (-1, 1):
            other = people[n].copy()
            other[j] = np.clip(other[j] + step, 1, 4)
            z2 = questionnaire.scorer._logits(
                questionnaire.matrix(everything[:1], other[None, :], years[n : n + 1])
            )
            moved.append(
                bool((top_sets(z2)[0] != top_sets(z[n : n + 1])[0]).any()) or z2[0].argmax() != z[n].argmax()
            )
        assert any(moved), (n, j)
    assert asked > 0
    nothing = questionnaire.level_question(everything, people, years, np.zeros_like(assumed))
    assert (nothing == -1).all()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"used": ["cobol"]}, "used"),
        ({"used": "python"}, "used"),
        ({"used": ["python"] * 201}, "used"),
        ({"used": [3]}, "used"),
    ],
)
def test_the_contract_refuses_bad_ticks_naming_the_field(body: dict, field: str) -> None:
    with pytest.raises(msgspec.ValidationError, match=field):
        msgspec.convert(body, QuestionnaireRequest)


def test_adaptive_category_order_beats_catalogue_and_random_order_on_held_out_profiles(
    questionnaire: Questionnaire, capsys: pytest.CaptureFixture[str]
) -> None:
    """A small `careerpath evaluate --questionnaire` of the category path: 80 held-out people."""
    real = load_survey_profiles(CATALOG)
    _, test_rows = split(real, questionnaire.scorer.artefact.seed)
    held_out = real.subset(test_rows[:: max(1, len(test_rows) // 80)])
    report = simulate_categories(questionnaire, held_out.x[:, :-1].astype(np.int64), held_out.x[:, -1])
    curves = report["curves"]
    assert all(len(c) == len(questionnaire.categories) for c in curves.values())
    # every category answered: the whole profile is known (the survey records only which skills are used)
    assert all(c[-1][:2] == (1.0, 1.0) for c in curves.values())
    assert category_area(curves["adaptive"]) > category_area(curves["catalogue order"])
    assert category_area(curves["adaptive"]) > category_area(curves["random order"])
    for name, levels in report["level questions"].items():
        assert len(levels) == 10 and all(0 <= a <= 1 and 0 <= b <= 1 for a, b in levels), name
    # the page's path (categories, then ticked skills' levels): levels that differ from the assumed ones
    # are harder to get right in ten questions than the survey's own
    assert set(report["page path"]) == {"survey levels", "levels differ"}
    assert report["page path"]["survey levels"][1] >= report["page path"]["levels differ"][1]
    print_category_report(report)
    out = capsys.readouterr().out
    assert "stopping rule on this path" in out and "assumed levels" in out and "random order" in out
    assert "the page's path" in out
