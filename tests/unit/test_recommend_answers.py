"""Answers stay the same: the recommender's answer (the `top` roles explained, the target chosen from every
role's standing) against the reference path it replaced (every role explained, then cut to `top`), on
seeded random profiles; the options that drop work (`learning_plan`, the batch's `explain`) change only
what they say they drop; and each shortcut gives what it replaces: the batch's fits written as bytes
(fit_bytes) are msgspec's encoding of Scorer.rank_batch's structs, the batch answer's bytes are the
BatchResponse's encoding, readiness coverage of many rows is the small-batch path's, and vectorise places
what the loop it replaced placed."""

from __future__ import annotations

import gc
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import msgspec
import numpy as np
import pytest
from litestar.serialization import encode_json

from services.recommender.fit_bytes import (
    FitFragments,
    batch_json,
    figures_batch_json,
    float_bytes,
    fragments,
)
from services.recommender.market import Market, MarketSource, derive
from services.recommender.model.artefact import load_latest
from services.recommender.model.features import vectorise
from services.recommender.readiness import ReadinessModel
from services.recommender.routes import _answer_batch, answer, choose_target
from services.recommender.scoring import Scorer, along
from shared.batch import read_batch
from shared.catalog import load_catalog, load_snapshot
from shared.contracts.common import ErrorDetail
from shared.contracts.market_document import MarketDocument
from shared.contracts.recommendations import (
    BatchCandidate,
    BatchItemError,
    BatchResponse,
    BatchResult,
    MarketInfo,
    RecommendationRequest,
    RoleFit,
    RoleMarketSummary,
)

CATALOG = load_catalog()
PROFILES = 300


@pytest.fixture(scope="module")
def scorer(model_dir: Path) -> Scorer:
    return Scorer(CATALOG, load_latest(model_dir))


@pytest.fixture(scope="module")
def market() -> Market:
    doc = msgspec.convert(load_snapshot(), MarketDocument)
    return MarketSource._market(None, derive(doc), stale=False)  # type: ignore[arg-type]


def _requests(seed: int) -> list[RecommendationRequest]:
    """Profiles from empty to a dozen skills at levels 0-4, any years, any `top`, a target or not."""
    rng = random.Random(seed)
    out = []
    for _ in range(PROFILES):
        skills = {s: rng.randint(0, 4) for s in rng.sample(CATALOG.skill_ids, k=rng.randint(0, 12))}
        out.append(
            RecommendationRequest(
                skills=skills,
                years_experience=rng.choice([0.0, 1.0, 3.0, 7.5, 15.0, 40.0]),
                target_role=rng.choice([None, None, *CATALOG.role_ids]),
                top=rng.randint(1, 14),
            )
        )
    return out


def _reference(
    scorer: Scorer, market: Market, data: RecommendationRequest
) -> tuple[list[RoleFit], str, list[str], bytes]:
    """The path the answer took before: every role explained, the target chosen from them, then `top`."""
    roles = scorer.rank(data.skills, data.years_experience, top=len(scorer.role_ids), markets=market.roles)
    target, stretch = choose_target(roles, data.target_role)
    steps = scorer.learning_steps(data.skills, data.years_experience, target, market.demand)
    return roles[: data.top], target, stretch, msgspec.json.encode(steps)


def test_answers_match_the_reference_path_on_random_profiles(scorer: Scorer, market: Market) -> None:
    targets = set()
    for data in _requests(seed=18):
        roles, target, stretch, steps = _reference(scorer, market, data)
        got = answer(scorer, market, data)
        assert msgspec.json.encode(got.roles) == msgspec.json.encode(roles)
        assert (got.target_role, got.stretch_roles) == (target, stretch)
        assert msgspec.json.encode(got.learning_steps) == steps
        targets.add(got.target_role)
    assert len(targets) > 5  # the profiles reach many targets, chosen and asked for


def test_without_learning_plan_only_the_steps_go(scorer: Scorer, market: Market) -> None:
    planned = 0
    for data in _requests(seed=19)[:100]:
        full = answer(scorer, market, data)
        lean = answer(scorer, market, msgspec.structs.replace(data, learning_plan=False))
        assert lean.learning_steps == []
        planned += bool(full.learning_steps)
        assert msgspec.structs.replace(lean, learning_steps=full.learning_steps) == full
    assert planned > 50


def test_batch_without_explanations_keeps_every_figure(scorer: Scorer, market: Market) -> None:
    expert = ({s: 4 for s in CATALOG.skill_ids}, 10.0)  # meets every role
    candidates = [(r.skills, r.years_experience) for r in _requests(seed=20)] + [expert]
    for role in (None, CATALOG.role_ids[3]):
        full = scorer.rank_batch(candidates, top=4, role=role, markets=market.roles)
        lean = scorer.rank_batch(candidates, top=4, role=role, markets=market.roles, explain=False)
        assert len(lean) == len(full)
        for fits, figures in zip(full, lean, strict=True):
            assert [f.role for f in figures] == [f.role for f in fits]
            for fit, figure in zip(fits, figures, strict=True):
                assert figure.matched == figure.missing == []
                assert figure.contributions == figure.readiness_contributions == []
                bare = msgspec.structs.replace(
                    fit, matched=[], missing=[], contributions=[], readiness_contributions=[]
                )
                assert figure == bare
    met = [f.meets for fits in scorer.rank_batch(candidates, top=12, explain=False) for f in fits]
    assert any(met) and not all(met)  # both verdicts are exercised


def test_the_shortcuts_give_what_they_replace(scorer: Scorer) -> None:
    """`along` is np.take_along_axis's gather; the role plans are what the catalogue's roles say; the
    column index passed to `vectorise` is the one it would build."""
    rng = np.random.default_rng(18)
    flat, deep = rng.random((5, 12)), rng.random((5, 16, 12))
    idx = np.argsort(-flat, axis=1)[:, :4]
    assert np.array_equal(along(flat, idx), np.take_along_axis(flat, idx, axis=1))
    assert np.array_equal(along(deep, idx[:, None, :]), np.take_along_axis(deep, idx[:, None, :], axis=2))
    for role in CATALOG.roles.values():
        plan = scorer.role_plans[role.id]
        assert plan.items == tuple((r.skills, r.level) for r in role.items)
        assert (plan.requirements, plan.levels) == (role.requirements, role.levels)
        for g in role.alternatives:
            for s in g.skills:
                assert plan.choices[s] == next(h.label for h in role.alternatives if s in h.skills)
    profiles = [(r.skills, r.years_experience) for r in _requests(seed=21)]
    assert np.array_equal(
        vectorise(profiles, scorer.skill_ids, scorer.skill_index), vectorise(profiles, scorer.skill_ids)
    )


def _candidates(seed: int, n: int) -> list[tuple[dict[str, int], float]]:
    rng = random.Random(seed)
    return [
        (
            {s: rng.randint(0, 4) for s in rng.sample(CATALOG.skill_ids, k=rng.randint(0, 20))},
            rng.choice([0.0, 0.5, 3.0, 7.5, 15.0, 40.0, 60.0]),
        )
        for _ in range(n)
    ]


@pytest.mark.parametrize("explain", [False, True])
def test_fits_as_bytes_are_msgspecs_encoding_of_the_fits(
    scorer: Scorer, market: Market, explain: bool
) -> None:
    expert = ({s: 4 for s in CATALOG.skill_ids}, 10.0)  # meets every role
    rng = random.Random(7)
    for size in (1, 5, 15, 16, 40, 400):  # either side of readiness's many-rows path
        candidates = [*_candidates(seed=size, n=size - 1), expert]
        rng.shuffle(candidates)
        for top, role in ((3, None), (1, None), (12, None), (20, None), (3, rng.choice(CATALOG.role_ids))):
            for markets in (market.roles, None):
                want = scorer.rank_batch(candidates, top, role, markets, explain=explain)
                got = scorer.rank_batch_json(candidates, top, role, markets, explain=explain)
                assert got == [msgspec.json.encode(fits) for fits in want], (size, top, role)
    assert scorer.rank_batch_json([], explain=explain) == []
    with pytest.raises(ValueError, match="unknown role"):
        scorer.rank_batch_json([({}, 0.0)], role="astronaut", explain=explain)


def test_fragments_are_made_once_per_market_version(scorer: Scorer, market: Market) -> None:
    cache: dict[int, FitFragments] = {}
    made: list[Mapping[str, RoleMarketSummary]] = []

    def make(markets: Mapping[str, RoleMarketSummary]) -> FitFragments:
        made.append(markets)
        return FitFragments([], [], markets)

    first = fragments(cache, make, market.roles)
    assert fragments(cache, make, market.roles) is first and made == [market.roles]
    other = dict(market.roles)
    assert fragments(cache, make, other).markets is other and len(made) == 2
    for _ in range(5):  # a bounded cache: old versions leave
        fragments(cache, make, dict(market.roles))
    assert len(cache) <= 4


def test_numbers_are_written_as_msgspec_writes_them() -> None:
    rng = np.random.default_rng(3)
    values = np.concatenate(
        [rng.normal(size=500) * 10.0 ** rng.integers(-30, 30, 500), [0.0, -0.0, 1.0, 1e-5]]
    )
    assert float_bytes(values) == [msgspec.json.encode(v) for v in values.tolist()]
    assert float_bytes(values.reshape(4, -1)) == float_bytes(values)
    assert float_bytes(np.empty((0, 3))) == []


def test_the_answer_bytes_are_the_batch_responses_encoding(scorer: Scorer, market: Market) -> None:
    odd_ids = ["c0", 'quote " and \\ backslash', "tab\tnew\nline\x01", "naïve ✓ 𝄞", "</script>"]
    candidates = [
        BatchCandidate(id=odd_ids[i % len(odd_ids)] + str(i), skills=skills, years_experience=years)
        for i, (skills, years) in enumerate(_candidates(seed=31, n=60))
    ]
    error = BatchItemError(
        status=422,
        code="validation_error",
        detail="this candidate is not valid: candidates[3].skills: bad",
        errors=[ErrorDetail(field="candidates[3].skills", pointer="/candidates/3/skills", message="bad")],
    )
    items: list[BatchCandidate | BatchResult] = list(candidates)
    for at in (0, 3, 59):
        items[at] = BatchResult(id=None if at == 0 else f"bad{at}", index=at, error=error)
    good = [c for c in items if isinstance(c, BatchCandidate)]
    info = MarketInfo(version="v1", source="test", as_of="2024-05-31")
    for explain in (False, True):
        profiles: Sequence[tuple[Mapping[str, int], float]] = [(c.skills, c.years_experience) for c in good]
        fits = iter(scorer.rank_batch(profiles, 3, None, market.roles, explain=explain))
        results = [
            BatchResult(id=c.id, index=i, roles=next(fits)) if isinstance(c, BatchCandidate) else c
            for i, c in enumerate(items)
        ]
        envelope = BatchResponse(
            results=[], succeeded=len(good), failed=3, model_version="m", market=info, attribution=["a"]
        )
        written = scorer.rank_batch_json(profiles, 3, None, market.roles, explain=explain)
        got = batch_json(items, written, envelope)
        assert got == encode_json(msgspec.structs.replace(envelope, results=results))
    with pytest.raises(ValueError, match="give it none"):
        batch_json([], [], msgspec.structs.replace(envelope, results=results))


def test_a_read_batch_is_answered_with_the_same_bytes(scorer: Scorer, market: Market) -> None:
    body = msgspec.json.encode(
        {
            "candidates": [
                {"id": f"c{i}", "skills": skills, "years_experience": years}
                for i, (skills, years) in enumerate(_candidates(seed=32, n=50))
            ],
            "top": 4,
        }
    )
    options, items = read_batch(body)
    good = [c for c in items if isinstance(c, BatchCandidate)]
    profiles = [(c.skills, c.years_experience) for c in good]
    fits = scorer.rank_batch(profiles, options.top, options.target, market.roles)
    results = [
        BatchResult(id=c.id, index=i, roles=f) for i, (c, f) in enumerate(zip(good, fits, strict=True))
    ]
    envelope = BatchResponse(results=[], succeeded=50, model_version="m", market=market.info)
    written = scorer.rank_batch_json(profiles, options.top, options.target, market.roles)
    assert batch_json(items, written, envelope) == encode_json(
        msgspec.structs.replace(envelope, results=results)
    )


def test_coverage_of_many_rows_is_the_small_batch_paths() -> None:
    model = ReadinessModel(CATALOG)
    rng = np.random.default_rng(8)
    levels = rng.integers(0, 5, (300, len(CATALOG.skill_ids))).astype(np.float64)
    levels[rng.random(levels.shape) < 0.6] = 0.0
    levels[:3] = np.asarray([0.0, 4.0, 2.0])[:, None]  # empty, every skill, every skill at one level
    one_by_one = [model.coverage(row[None, :]) for row in levels]  # one row: the small path
    cover, slots = model.coverage(levels)  # many rows: coverage_of_many
    assert np.array_equal(cover, np.vstack([c for c, _ in one_by_one]))
    assert np.array_equal(slots, np.vstack([s for _, s in one_by_one]))
    assert slots.any()  # a later alternative is chosen somewhere
    figures, none = model.coverage_of_many(levels.astype(np.int8), slots=False)
    assert none is None and np.array_equal(figures, cover)
    # levels that are not whole numbers 0..4 take the general path, which answers for them
    for odd in (levels + 0.5, levels - 1.0, levels * 2.0):
        got, got_slots = model.coverage(odd)
        rows = [model.coverage(row[None, :]) for row in odd]
        assert np.array_equal(got, np.vstack([c for c, _ in rows]))
        assert np.array_equal(got_slots, np.vstack([s for _, s in rows]))


def _vectorise_loop(
    profiles: Sequence[tuple[Mapping[str, int], float]], skill_ids: Sequence[str]
) -> np.ndarray:
    """vectorise as it was: a Python loop over every profile's skills."""
    index = {s: i for i, s in enumerate(skill_ids)}
    out = np.zeros((len(profiles), len(skill_ids) + 1), dtype=np.float64)
    rows, cols, values, years_col = [], [], [], []
    for row, (skills, years) in enumerate(profiles):
        for skill, level in skills.items():
            col = index.get(skill)
            if col is not None:
                rows.append(row)
                cols.append(col)
                values.append(level)
        years_col.append(years)
    out[rows, cols] = values
    np.clip(out, 0.0, 4.0, out=out)
    np.floor(out, out=out)
    out[:, -1] = np.maximum(np.asarray(years_col, dtype=np.float64), 0.0)
    return out


def test_vectorise_places_what_the_loop_placed() -> None:
    rng = random.Random(9)
    names = [*CATALOG.skill_ids, "cobol", "not-a-skill"]
    profiles: list[tuple[Mapping[str, int], float]] = [
        (
            {s: rng.choice([-2, 0, 1, 2, 3, 4, 9]) for s in rng.sample(names, k=rng.randint(0, 25))},
            rng.uniform(-5, 70),
        )
        for _ in range(400)
    ]
    profiles += [({}, 1.0), ({"cobol": 3}, 2.0), ({"python": 2.7, "sql": 3.0}, 0.0)]  # type: ignore[dict-item]
    # levels of other types (bool, float, numpy ints, out of range), negative zero and NaN years
    profiles += [
        ({"python": True, "sql": np.int64(7), "go": -0.5, "rust": 4.9}, -0.0),  # type: ignore[dict-item]
        ({"python": 3, "sql": -0.0}, float("nan")),  # type: ignore[dict-item]
        ({"python": 3, "sql": 9}, -3),
    ]
    want = _vectorise_loop(profiles, CATALOG.skill_ids)
    assert np.array_equal(vectorise(profiles, CATALOG.skill_ids), want, equal_nan=True)
    for i, profile in enumerate(profiles):  # one profile at a time: vectorise's one-row path
        one = vectorise([profile], CATALOG.skill_ids)
        assert np.array_equal(one, want[i : i + 1], equal_nan=True)
        assert np.array_equal(np.signbit(one), np.signbit(want[i : i + 1]))  # no -0.0 where it had 0.0
    assert vectorise([], CATALOG.skill_ids).shape == (0, len(CATALOG.skill_ids) + 1)


def test_readiness_for_one_role_is_that_roles_column_of_readiness() -> None:
    model = ReadinessModel(CATALOG)
    rng = np.random.default_rng(12)
    for rows in (1, 2, 9, 30):
        levels = rng.integers(0, 5, (rows, len(CATALOG.skill_ids))).astype(np.float64)
        levels[rng.random(levels.shape) < 0.5] = 0.0
        every = model.readiness(levels)
        for role in range(len(CATALOG.role_ids)):
            assert np.array_equal(model.readiness_for(levels, role), every[:, role])
    assert (every > 0).any() and (every < 1).any()


def test_demand_shares_are_clipped_and_kept_per_demand_map(scorer: Scorer, market: Market) -> None:
    demand = {"python": 1.7, "sql": -0.2, "docker": 0.25}
    shares = scorer.demand_shares(demand)
    assert shares == {"python": 1.0, "sql": 0.0, "docker": 0.25}
    assert scorer.demand_shares(demand) is shares  # the same map: kept
    assert scorer.demand_shares(dict(demand)) == shares and scorer.demand_shares(demand) is not shares
    for data in _requests(seed=22)[:60]:  # a plan from a kept map is a plan from a fresh one
        target = data.target_role or CATALOG.role_ids[0]
        kept = scorer.learning_steps(data.skills, data.years_experience, target, market.demand)
        fresh = scorer.learning_steps(data.skills, data.years_experience, target, dict(market.demand))
        assert msgspec.json.encode(kept) == msgspec.json.encode(fresh)


def test_standing_says_which_roles_are_met_as_the_explained_fits_do(scorer: Scorer, market: Market) -> None:
    """Profiles that meet roles (each role's requirements at their level, the first alternative of a
    choice), then the same with one requirement a level short: every role's standing (order, readiness,
    meets) is what explaining every role says."""
    rng = random.Random(23)
    met = unmet = 0
    for role in CATALOG.roles.values():
        full = {skills[0]: level for skills, level in ((r.skills, r.level) for r in role.items)}
        short = dict(full)
        lowered = rng.choice(sorted(short))
        short[lowered] -= 1
        for skills in (full, short, {**full, **{s: 4 for s in rng.sample(CATALOG.skill_ids, k=3)}}):
            fits = scorer.rank(skills, 5.0, top=len(scorer.role_ids), markets=market.roles)
            _, standing = scorer.rank_overview(skills, 5.0, 3, market.roles)
            assert [(s.role, s.readiness, s.meets) for s in standing] == [
                (f.role, f.readiness, f.meets) for f in fits
            ]
            met += sum(s.meets for s in standing)
            unmet += sum(not s.meets for s in standing)
    assert met > len(CATALOG.roles) and unmet > len(CATALOG.roles)


# A figures-only batch's whole answer written in one join (Scorer.batch_figures_json, fit_bytes.
# figures_batch_json): the BatchResponse of rank_batch's fits encoded, and what batch_json wrote from
# rank_batch_json before, for random batches (every size, top, target, market; refused candidates
# anywhere; ids needing escapes), and the route's answer.

_ODD = ["c", 'quote " and \\ backslash', "tab\tnew\nline\x01", "naïve ✓ 𝄞", "</script>", ","]
_ERROR = BatchItemError(
    status=422,
    code="validation_error",
    detail="this candidate is not valid",
    errors=[ErrorDetail(field="candidates[0].skills", pointer="/candidates/0/skills", message="bad")],
)


def _batch_items(rng: random.Random, n: int, refused: float) -> list[BatchCandidate | BatchResult]:
    out: list[BatchCandidate | BatchResult] = []
    for i in range(n):
        if rng.random() < refused:
            out.append(BatchResult(id=rng.choice([None, f"bad{i}"]), index=i, error=_ERROR))
            continue
        skills = {s: rng.randint(0, 4) for s in rng.sample(CATALOG.skill_ids, k=rng.randint(0, 20))}
        years = rng.choice([0.0, 0.5, 3.0, 7.5, 15.0, 40.0, 60.0])
        out.append(BatchCandidate(id=rng.choice(_ODD) + str(i), skills=skills, years_experience=years))
    return out


def _figures_reference(
    scorer: Scorer,
    items: list[BatchCandidate | BatchResult],
    envelope: BatchResponse,
    top: int,
    role: str | None,
    markets: Any,
) -> bytes:
    """The BatchResponse of rank_batch's fits (no explanations), encoded as Litestar encodes it."""
    good = [(c.skills, c.years_experience) for c in items if isinstance(c, BatchCandidate)]
    fits = iter(scorer.rank_batch(good, top, role, markets, explain=False))
    results = [
        BatchResult(id=c.id, index=i, roles=next(fits)) if isinstance(c, BatchCandidate) else c
        for i, c in enumerate(items)
    ]
    return encode_json(msgspec.structs.replace(envelope, results=results))


def _figures_envelope(items: list[BatchCandidate | BatchResult]) -> BatchResponse:
    good = sum(isinstance(c, BatchCandidate) for c in items)
    info = MarketInfo(version="v1", source="test", as_of="2024-05-31")
    return BatchResponse(
        results=[],
        succeeded=good,
        failed=len(items) - good,
        model_version="m",
        market=info,
        attribution=["a"],
    )


def test_the_figures_answer_is_the_batch_responses_encoding(scorer: Scorer, market: Market) -> None:
    rng = random.Random(18)
    shapes = set()
    for case in range(60):
        # sizes on both sides of readiness's many-rows path (16), a few all good, a few all refused
        n = rng.choice([1, 2, 5, 15, 16, 17, 40, 120])
        refused = rng.choice([0.0, 0.0, 0.1, 0.5, 1.0])
        items = _batch_items(rng, n, refused)
        top = rng.randint(1, 14)
        role = rng.choice([None, None, *CATALOG.role_ids])
        markets = rng.choice([market.roles, market.roles, None])
        envelope = _figures_envelope(items)
        got = scorer.batch_figures_json(items, envelope, top, role, markets)
        assert got == _figures_reference(scorer, items, envelope, top, role, markets), case
        good = [(c.skills, c.years_experience) for c in items if isinstance(c, BatchCandidate)]
        before = batch_json(items, scorer.rank_batch_json(good, top, role, markets, explain=False), envelope)
        assert got == before, case
        shapes.add((isinstance(items[0], BatchCandidate), isinstance(items[-1], BatchCandidate), bool(good)))
    assert len(shapes) >= 5  # first and last refused or not; no candidate at all


def test_the_route_answers_a_read_batch_with_the_same_bytes(scorer: Scorer, market: Market) -> None:
    rng = random.Random(19)
    candidates: list[Any] = []
    for i in range(70):
        skills = {s: rng.randint(0, 4) for s in rng.sample(CATALOG.skill_ids, k=rng.randint(0, 12))}
        candidates.append({"id": f"c{i}", "skills": skills, "years_experience": i % 15})
    candidates[0]["skills"] = {"python": "3"}  # refused: not a level
    candidates[33]["years_experience"] = -1
    for explain in (False, True):
        body = msgspec.json.encode({"candidates": candidates, "top": 3, "explain": explain})
        options, items = read_batch(body)
        assert sum(isinstance(c, BatchResult) for c in items) == 2
        enabled = gc.isenabled()
        answer = _answer_batch(scorer, market, options, items)
        assert gc.isenabled() == enabled
        good = [(c.skills, c.years_experience) for c in items if isinstance(c, BatchCandidate)]
        fits = iter(scorer.rank_batch(good, 3, None, market.roles, explain=explain))
        results = [
            BatchResult(id=c.id, index=i, roles=next(fits)) if isinstance(c, BatchCandidate) else c
            for i, c in enumerate(items)
        ]
        envelope = BatchResponse(
            results=results,
            succeeded=68,
            failed=2,
            model_version=scorer.model_version,
            market=market.info,
            attribution=list(market.document.attribution),
        )
        assert cast("bytes", answer.content) == encode_json(envelope)


def test_figures_batch_json_refuses_what_it_cannot_write(scorer: Scorer, market: Market) -> None:
    items = _batch_items(random.Random(20), 4, 0.0)
    envelope = _figures_envelope(items)
    parts = fragments(scorer._fragments, scorer._make_fragments, market.roles)
    good = [(c.skills, c.years_experience) for c in items if isinstance(c, BatchCandidate)]
    ranked = scorer._ranked(scorer._batch_input(good, None), 3, None, False)
    chosen = np.asarray(ranked.chosen_list, dtype=np.intp)
    met = scorer._met(ranked)
    figures = (ranked.p_sel, ranked.b_sel, ranked.ready_sel, met)
    assert figures_batch_json(items, envelope, parts, chosen, *figures) == _figures_reference(
        scorer, items, envelope, 3, None, market.roles
    )
    full = msgspec.structs.replace(envelope, results=[BatchResult(id="x", index=0, error=_ERROR)])
    with pytest.raises(ValueError, match="give it none"):
        figures_batch_json(items, full, parts, chosen, *figures)
    with pytest.raises(ValueError, match="rows of fits"):
        figures_batch_json(items[:3], envelope, parts, chosen, *figures)
