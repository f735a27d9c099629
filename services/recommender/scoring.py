"""Role match and readiness with explanations, for one profile or a vectorised batch.

Two figures per role, kept apart (see shared.contracts.recommendations.MEANINGS):

- `match` (also `score`): the prior-corrected model's probability of the role given the profile (the 12
  of a profile sum to 1); roles are ranked by it. Explained by `contributions` below.
- `readiness`: the absolute share of the role's weighted requirements the profile covers
  (services/recommender/readiness.py), explained by `readiness_contributions`, which add up to it.

Contributions. `baseline` is the model's probability of the role for an *empty* profile with the same
years of experience, so years never appear as a contribution. Each skill the profile has contributes its
integrated gradient (Aumann-Shapley value) along the straight line from the empty profile to the
profile: for a multinomial logistic model with logits z = W phi(x) + b and p = softmax(z),

    contribution[c, j] = dphi_j * sum_k W[k, j] * G[c, k],   G[c, k] = int_0^1 p_c(a) (delta_ck - p_k(a)) da

where dphi_j is the skill's scaled level and p(a) = softmax(z_empty + a (z_profile - z_empty)). The
integral is computed with 16-point Gauss-Legendre quadrature, so sum_j contribution[c, j] equals
score - baseline up to ~1e-9; the tiny remainder is spread over the skills in proportion to |contribution|,
making the identity exact to float precision. Skills at level 0 contribute 0.

One model call per batch: the model's `decision_function` is called once on the stacked profiles and
their empty counterparts; probabilities and path integrals are numpy on those logits. The model is the
artefact's plain arrays (model.artefact.LinearModel: numpy only, no scikit-learn import) or, for an
artefact older than the arrays whose pipeline is not scale_features then a linear model, its pipeline.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import operator
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
from threadpoolctl import ThreadpoolController

from services.recommender.fit_bytes import (
    GAP_STRIDE,
    FitFragments,
    Pieces,
    batch_json,
    figures_batch_json,
    figures_fit,
    float_bytes,
    fragments,
)
from services.recommender.learning_path import ShareTerms, plan_steps, role_plans, share_terms
from services.recommender.model.artefact import ArtefactError, ModelArtefact
from services.recommender.model.features import vectorise
from services.recommender.readiness import _MANY_ROWS, ReadinessModel, _whole_levels
from shared.catalog import Catalog, prerequisite_closure
from shared.contracts.recommendations import (
    BatchCandidate,
    BatchResponse,
    BatchResult,
    LearningStep,
    RoleFit,
    RoleMarketSummary,
    SkillContribution,
    SkillGap,
)

__all__ = ["QUADRATURE_POINTS", "Scorer", "Standing", "along", "gc_paused"]

QUADRATURE_POINTS = 16
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(QUADRATURE_POINTS)
_NODES, _WEIGHTS = (_NODES + 1.0) / 2.0, _WEIGHTS / 2.0  # mapped from [-1, 1] to [0, 1]


_THREADPOOLS: ThreadpoolController | None = None
_BLAS_LIMIT_ROWS = 64


def _one_blas_thread(rows: int) -> contextlib.AbstractContextManager[object]:
    """Small matrices: BLAS threads only add contention (halves batch latency on a busy box).

    Below `_BLAS_LIMIT_ROWS` rows no BLAS call is big enough to start threads, and setting and restoring
    the limit would cost more than the scoring of one profile: nothing to do then.
    """
    global _THREADPOOLS
    if rows < _BLAS_LIMIT_ROWS:
        return contextlib.nullcontext()
    if _THREADPOOLS is None:
        _THREADPOOLS = ThreadpoolController()
    limited: contextlib.AbstractContextManager[object] = _THREADPOOLS.limit(limits=1, user_api="blas")
    return limited


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic collector off for the block (a block making many short-lived objects), then as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Standing(NamedTuple):
    """Where a profile stands on one role: enough to choose a target role without explaining it."""

    role: str
    readiness: float
    meets: bool


_NONE = np.empty(0)


class Ranked(NamedTuple):
    """What the fits of a matrix of profiles (N rows) are made of, for its K chosen roles each.

    Every row's probabilities (N x R), item coverage (N x I) and readiness (N x R); the chosen roles and,
    for them, the match, baseline and readiness (N x K) and their items' coverage (N x K x M). Explained
    only: the levels, the skill count, the skills' contribution order and contributions in that order,
    and per item the weighted coverage, covering slot and that skill's level (N x K x M)."""

    proba: np.ndarray
    cover: np.ndarray
    readiness: np.ndarray
    chosen_list: list[list[int]]
    chosen: np.ndarray  # the same roles, the N x K index array they were listed from
    p_sel: np.ndarray
    b_sel: np.ndarray
    ready_sel: np.ndarray
    cover_sel: np.ndarray
    levels: np.ndarray = _NONE
    counts: list[int] = []  # noqa: RUF012 - never changed
    order: np.ndarray = _NONE
    ordered: np.ndarray = _NONE
    weighted_sel: np.ndarray = _NONE
    slot_sel: np.ndarray = _NONE
    level_sel: np.ndarray = _NONE
    best_first: list[list[int]] = []  # noqa: RUF012 - never changed; every role by match (with `keep` only)


@functools.lru_cache(maxsize=64)
def _positions(n: int, axes: int, axis: int) -> np.ndarray:
    """``np.arange(n)`` shaped to index axis `axis` of `axes` (the others of length 1), made once: the same
    index values as made per call (read-only, shared). A recommendation's scoring made ten of them."""
    shape = [1] * axes
    shape[axis] = n
    out = np.arange(n).reshape(shape)
    out.flags.writeable = False
    return out


def along(a: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``np.take_along_axis(a, idx, axis=-1)`` for a 2-D or 3-D ``a``: the same gather (the same index
    arrays, so the same values and layout) without numpy's per-call checks, which cost more than the
    gather on the small arrays of one profile (7 calls, about a tenth of its scoring)."""
    n = a.shape[0]
    if a.ndim == 2:
        out: np.ndarray = a[_positions(n, 2, 0), idx]
    else:
        out = a[_positions(n, 3, 0), _positions(a.shape[1], 3, 1), idx]
    return out


_CONTRIBUTION = operator.attrgetter("contribution")


_max, _sum = np.maximum.reduce, np.add.reduce


def _softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax. The reductions are the ufuncs' own (what ndarray.max and .sum call, the same
    numbers) without the Python wrappers around them: ~1 us less a call on one profile's arrays."""
    e = np.exp(z - _max(z, axis=-1, keepdims=True))
    p: np.ndarray = e / _sum(e, axis=-1, keepdims=True)  # numpy types keepdims reductions as Any
    return p


class Scorer:
    """Ranks roles for skill profiles with a trained artefact; explains every score."""

    def __init__(self, catalog: Catalog, artefact: ModelArtefact) -> None:
        artefact.check_compatible(catalog.skill_ids, catalog.role_ids)
        self.catalog = catalog
        self.artefact = artefact
        self.model_version = artefact.version
        self.skill_ids = catalog.skill_ids
        self.skill_index = {s: i for i, s in enumerate(self.skill_ids)}
        self.role_ids = catalog.role_ids
        # skill -> its direct and indirect prerequisites in topological order (learning_path asks often)
        self.prerequisites = {s: tuple(prerequisite_closure(catalog, s)) for s in self.skill_ids}
        self.prerequisite_sets = {s: frozenset(p) for s, p in self.prerequisites.items()}  # for `in` and &
        self.role_plans = role_plans(catalog)  # what learning_path reads of each role
        # the arrays (numpy: scikit-learn's per-call input checks cost more than the arithmetic for one
        # profile), or the pipeline of an old artefact without usable arrays
        self._model: Any = artefact.linear if artefact.linear is not None else artefact.pipeline
        classes: Any
        if artefact.linear is not None:
            classes, coef = artefact.linear.classes, artefact.linear.coef
        else:
            model = artefact.pipeline.steps[-1][1]
            classes, coef = getattr(model, "classes_", []), model.coef_
        if list(classes) != list(range(len(self.role_ids))):
            raise ArtefactError(f"model {artefact.version} does not cover every role of the catalogue")
        # Weights on the raw level scale: phi_j = level_j / 4 for skills (see features.scale_features).
        self._level_weights = np.asarray(coef)[:, : len(self.skill_ids)] / 4.0
        if artefact.pipeline is not None:
            self._check_arrays(artefact.pipeline)
            self._check_softmax(artefact.pipeline)
        self._roles = list(catalog.roles.values())
        self.readiness = ReadinessModel(catalog)
        # _role_rows[role]: id, name, occupation code and, per requirement item, (item index, the SkillGap
        # for each alternative slot and level 0..4): what each RoleFit of the role is built from
        self._fragments: dict[int, FitFragments] = {}  # per market version: fit_bytes.fragments
        self._shares: tuple[Mapping[str, float], dict[str, float]] | None = None  # demand_shares
        self._terms: tuple[Mapping[str, float], dict[str, ShareTerms]] | None = None  # demand_terms
        self._role_rows = [
            (r.id, r.name, r.occupation_code, [self._gaps(i) for i in rows])
            for r, rows in zip(self._roles, self.readiness.role_items, strict=True)
        ]
        # For gathering, per row, only the chosen roles' requirement items (not all ~190): role -> its items
        # (padded; the columns of each item's alternatives and its weight are the readiness model's).
        width = max(len(rows) for rows in self.readiness.role_items)
        self._role_item_idx = np.zeros((len(self._roles), width), dtype=np.int64)
        self._role_item_mask = np.zeros((len(self._roles), width), dtype=bool)  # True: a real item
        for r, rows in enumerate(self.readiness.role_items):
            self._role_item_idx[r, : len(rows)] = rows
            self._role_item_mask[r, : len(rows)] = True
        self._role_item_padding = ~self._role_item_mask

    def _gaps(self, item: int) -> list[list[SkillGap]]:
        """The (immutable, shared) SkillGaps of one requirement item: [alternative slot][level]."""
        it = self.readiness.items[item]
        alternatives = list(it.skills) if len(it.skills) > 1 else []
        return [
            [
                SkillGap(
                    skill=s,
                    name=self.catalog.skills[s].name,
                    level=lvl,
                    required_level=it.level,
                    weight=round(it.weight, 4),
                    alternatives=alternatives,
                    label=it.label,
                )
                for lvl in range(5)
            ]
            for s in it.skills
        ]

    def _check_softmax(self, pipeline: Any) -> None:
        probe = np.zeros((2, len(self.skill_ids) + 1))
        probe[1, :-1], probe[1, -1] = 2.0, 5.0
        if not np.allclose(_softmax(self._logits(probe)), pipeline.predict_proba(probe), atol=1e-9):
            raise ArtefactError(
                "the model's probabilities are not softmax(decision_function): unsupported model"
            )

    def _check_arrays(self, pipeline: Any) -> None:
        """With a pipeline loaded too, use the arrays only where they give the pipeline's own answers."""
        if self._model is pipeline:
            return
        probe = np.zeros((3, len(self.skill_ids) + 1))
        probe[1, :-1], probe[1, -1] = 2.0, 5.0
        probe[2, ::3], probe[2, -1] = 4.0, 40.0
        expected = np.asarray(pipeline.decision_function(probe), dtype=np.float64)
        got = self._logits(probe)
        if got.shape != expected.shape or not np.allclose(got, expected, rtol=0, atol=1e-12):
            self._model = pipeline

    def _logits(self, x: np.ndarray) -> np.ndarray:
        """The single model call: logits of every role for every row of the raw input matrix."""
        return np.asarray(self._model.decision_function(x), dtype=np.float64)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Role probabilities for a raw input matrix (one model call)."""
        with _one_blas_thread(len(x)):
            return _softmax(self._logits(x))

    def explain(
        self, x: np.ndarray, top: int | None = None, role: int | None = None, contributions: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Explain a raw input matrix in one model call.

        Returns probabilities (N x R), baselines (N x R), the selected roles (N x K: the `top` most
        probable, best first, or just `role`, or every role in catalogue order) and their per-skill
        contributions (N x K x S; zeros without `contributions`, which skips the path integrals).
        """
        with _one_blas_thread(2 * len(x)):
            return self._explain(x, top, role, contributions)

    def _explain(
        self, x: np.ndarray, top: int | None, role: int | None, contributions: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The body of `explain`."""
        n, n_roles = len(x), len(self.role_ids)
        # the profiles, then each one's empty profile (its years only), in one matrix and one model call;
        # one softmax over both (row by row: the same numbers as two)
        stacked = np.zeros((2 * n, x.shape[1]))
        stacked[:n] = x
        stacked[n:, -1] = x[:, -1]
        logits = self._logits(stacked)
        z1, z0 = logits[:n], logits[n:]
        both = _softmax(logits)
        proba, base = both[:n], both[n:]
        if role is not None:
            roles = np.full((n, 1), role)
        elif top is not None:
            roles = (-proba).argsort(axis=1, kind="stable")[:, : max(1, min(top, n_roles))]
        else:
            roles = np.broadcast_to(np.arange(n_roles), (n, n_roles))
        if not contributions:
            return proba, base, roles, np.zeros((n, roles.shape[1], x.shape[1] - 1))
        # p along the path at each quadrature node (N x T x R), weighted by the quadrature weights
        path = _softmax(z0[:, None, :] + _NODES[None, :, None] * (z1 - z0)[:, None, :])
        weighted = along(path, roles[:, None, :]) * _WEIGHTS[None, :, None]  # N x T x K
        # G[n, c, k] = sum_t w_t p_c (delta_ck - p_k), for the selected roles c only: N x K x R
        g = -np.matmul(weighted.transpose(0, 2, 1), path)
        rows = _positions(n, 2, 0)
        slots = _positions(roles.shape[1], 2, 1)
        g[rows, slots, roles] += _sum(weighted, axis=1)
        contrib = np.matmul(g, self._level_weights) * x[:, None, :-1]  # N x K x S
        # Spread the quadrature remainder so contributions add up to score - baseline exactly.
        gap = along(proba - base, roles)
        remainder = gap - _sum(contrib, axis=2)
        size = np.abs(contrib)
        total = _sum(size, axis=2, keepdims=True)
        share = np.divide(size, total, out=np.zeros(size.shape), where=total > 0)
        contrib += remainder[:, :, None] * share
        return proba, base, roles, contrib

    def rank_batch(
        self,
        candidates: Sequence[tuple[Mapping[str, int], float]],
        top: int = 3,
        role: str | None = None,
        markets: Mapping[str, RoleMarketSummary] | None = None,
        explain: bool = True,
    ) -> list[list[RoleFit]]:
        """Per candidate, the `top` best-matching roles (or just `role`), explained; one model call in all.

        `markets` (role id -> pay, openings, growth) is attached to each role's fit when given. Without
        `explain`, each fit has its figures but empty `matched`, `missing`, `contributions` and
        `readiness_contributions` (their figures are the same as with it)."""
        if not candidates:
            return []
        x = self._batch_input(candidates, role)
        # every BLAS call of the batch on one thread, the readiness product too: with two threads it was
        # the idle one's spinning that cost most (1,000 candidates without explanations: 40 -> 21 ms CPU)
        with _one_blas_thread(2 * len(x)):
            return self._rank_rows(x, top, role, markets, explain)[0]

    def _batch_input(
        self, candidates: Sequence[tuple[Mapping[str, int], float]], role: str | None
    ) -> np.ndarray:
        """The raw input matrix of a batch, its target role checked."""
        if role is not None and role not in self.catalog.roles:
            raise ValueError(f"unknown role {role!r}")
        return vectorise(candidates, self.skill_ids, self.skill_index)

    def rank_batch_json(
        self,
        candidates: Sequence[tuple[Mapping[str, int], float]],
        top: int = 3,
        role: str | None = None,
        markets: Mapping[str, RoleMarketSummary] | None = None,
        explain: bool = True,
    ) -> list[bytes]:
        """Per candidate, the JSON of :meth:`rank_batch`'s fits (``[fit, ...]``), byte for byte what
        msgspec writes for them, written from fixed fragments without building the structs
        (services/recommender/fit_bytes.py)."""
        if not candidates:
            return []
        x = self._batch_input(candidates, role)
        parts = fragments(self._fragments, self._make_fragments, markets or {})
        with _one_blas_thread(2 * len(x)):
            ranked = self._ranked(x, top, role, explain)
        if not explain:
            return _figures_json(parts, ranked, self._met(ranked))
        with gc_paused():
            return self._explained_json(parts, ranked)

    def batch_figures_json(
        self,
        items: Sequence[BatchCandidate | BatchResult],
        envelope: BatchResponse,
        top: int = 3,
        role: str | None = None,
        markets: Mapping[str, RoleMarketSummary] | None = None,
    ) -> bytes:
        """The whole answer to a figures-only batch: ``batch_json(items, rank_batch_json(...), envelope)``
        (the candidates of `items` ranked), the same bytes, joined once (fit_bytes.figures_batch_json)."""
        candidates = [(c.skills, c.years_experience) for c in items if isinstance(c, BatchCandidate)]
        if not candidates:
            return batch_json(items, [], envelope)
        x = self._batch_input(candidates, role)
        parts = fragments(self._fragments, self._make_fragments, markets or {})
        with _one_blas_thread(2 * len(x)):
            ranked = self._ranked(x, top, role, False)
        chosen = ranked.chosen
        met = self._met(ranked)
        return figures_batch_json(
            items, envelope, parts, chosen, ranked.p_sel, ranked.b_sel, ranked.ready_sel, met
        )

    def _make_fragments(self, markets: Mapping[str, RoleMarketSummary]) -> FitFragments:
        return FitFragments(self._role_rows, self.skill_ids, markets)

    def rank_overview(
        self,
        skills: Mapping[str, int],
        years: float,
        top: int,
        markets: Mapping[str, RoleMarketSummary] | None = None,
    ) -> tuple[list[RoleFit], list[Standing]]:
        """The `top` best-matching roles explained (as :meth:`rank` answers them), and every role's
        standing (id, readiness, meets), best match first: what choosing a target role needs, without
        explaining the roles not answered."""
        x = vectorise([(skills, years)], self.skill_ids, self.skill_index)
        # every role's contributions computed, as rank(top=12) does (the same sums, to the last bit), but
        # only the `top` fits built
        fits, ranked = self._rank_rows(x, len(self.role_ids), None, markets, True, keep=top)
        ready = ranked.readiness[0].tolist()
        # met: every item of the role covered (padding counts as covered), reduced as np.all reduces
        covered = (ranked.cover[0][self._role_item_idx] >= 1.0) | self._role_item_padding
        met: list[bool] = np.logical_and.reduce(covered, axis=1).tolist()
        ids = self.role_ids
        # every role best match first: the stable argsort of -proba that chose the explained roles
        return fits[0], [Standing(ids[r], ready[r], met[r]) for r in ranked.best_first[0]]

    def _rank_rows(
        self,
        x: np.ndarray,
        top: int,
        role: str | None,
        markets: Mapping[str, RoleMarketSummary] | None,
        explain: bool,
        keep: int | None = None,
    ) -> tuple[list[list[RoleFit]], Ranked]:
        """The fits of each row of `x` (the first `keep` of the `top` explained, default all), and what
        they were made of (:class:`Ranked`: the probabilities, coverage and readiness of every role)."""
        ranked = self._ranked(x, top, role, explain, keep)
        out: list[list[RoleFit]] = []
        with gc_paused():  # ~50k small acyclic objects: skip the collector passes they would trigger
            if explain:
                self._build(out, ranked, markets or {})
            else:
                self._build_figures(out, ranked, markets or {})
        return out, ranked

    def _ranked(
        self, x: np.ndarray, top: int, role: str | None, explain: bool, keep: int | None = None
    ) -> Ranked:
        """What the fits of each row of `x` are made of (see :class:`Ranked`)."""
        if role is None:
            proba, base, chosen, contrib = self._explain(x, top, None, explain)
        else:
            proba, base, chosen, contrib = self._explain(x, None, self.role_ids.index(role), explain)
        best_first: list[list[int]] = []
        if keep is not None:
            best_first = chosen.tolist()
            chosen, contrib = chosen[:, :keep], contrib[:, :keep]
        chosen_list = chosen.tolist()
        p_sel, b_sel = along(proba, chosen), along(base, chosen)
        small = _whole_levels(x[:, :-1]) if len(x) >= _MANY_ROWS and not explain else None
        if small is not None:  # figures only: the covering slots are not needed
            cover = self.readiness.coverage_of_many(small, slots=False)[0]
            slots = None
        else:
            cover, slots = self.readiness.coverage(x[:, :-1])
        readiness = self.readiness.from_coverage(cover)
        ready_sel = along(readiness, chosen)
        # the chosen roles' requirement items only (N x K x M): coverage, covering slot, its level, weight
        idx = self._role_item_idx[chosen]
        rows = _positions(len(x), 3, 0)
        cover_sel = cover[rows, idx]
        common = (proba, cover, readiness, chosen_list, chosen, p_sel, b_sel, ready_sel, cover_sel)
        if not explain:
            return Ranked(*common, best_first=best_first)
        assert slots is not None
        levels = x[:, :-1].astype(np.int64)  # explained fits only: figures never read the levels
        # Each fit lists the profile's skills by |contribution|, largest first (level-0 skills sort last).
        # (the held skills' mask made once; argsort and sum as the methods and ufunc the wrappers call)
        held = levels > 0
        key = np.where(held[:, None, :], -np.abs(contrib), np.inf)
        order = key.argsort(axis=2, kind="stable")
        ordered = along(contrib, order)
        counts = _sum(held, axis=1).tolist()
        slot_sel = slots[rows, idx]
        level_sel = levels[rows, self.readiness.alt_cols[idx, slot_sel]]
        weighted_sel = cover_sel * self.readiness.item_weights[idx]
        return Ranked(
            *common,
            levels=levels,
            counts=counts,
            order=order,
            ordered=ordered,
            weighted_sel=weighted_sel,
            slot_sel=slot_sel,
            level_sel=level_sel,
            best_first=best_first,
        )

    def _build_figures(
        self, out: list[list[RoleFit]], ranked: Ranked, markets: Mapping[str, RoleMarketSummary]
    ) -> None:
        """Fits with their figures only (no per-skill lists)."""
        chosen_list = ranked.chosen_list
        p_list, b_list, ready = ranked.p_sel.tolist(), ranked.b_sel.tolist(), ranked.ready_sel.tolist()
        met_list: list[list[bool]] = self._met(ranked).tolist()
        roles = self._role_rows
        for i, chosen in enumerate(chosen_list):
            fits = []
            for slot, r in enumerate(chosen):
                role_id, name, code, _ = roles[r]
                market = markets.get(role_id)
                fits.append(
                    figures_fit(
                        role_id,
                        name,
                        code,
                        market,
                        p_list[i][slot],
                        b_list[i][slot],
                        ready[i][slot],
                        met_list[i][slot],
                    )
                )
            out.append(fits)

    def _met(self, ranked: Ranked) -> np.ndarray:
        """N x K: every requirement item of the chosen role covered (padding slots count as met)."""
        mask = self._role_item_mask[ranked.chosen]
        covered: np.ndarray = np.where(mask, ranked.cover_sel >= 1.0, True)
        met: np.ndarray = np.all(covered, axis=2)
        return met

    def _build(
        self, out: list[list[RoleFit]], ranked: Ranked, markets: Mapping[str, RoleMarketSummary]
    ) -> None:
        """Fits with their explanations."""
        levels, counts, chosen_list = ranked.levels, ranked.counts, ranked.chosen_list
        order, ordered = ranked.order, ranked.ordered
        p_list, b_list, ready = ranked.p_sel.tolist(), ranked.b_sel.tolist(), ranked.ready_sel.tolist()
        weighted, cover = ranked.weighted_sel.tolist(), ranked.cover_sel.tolist()
        slots, held = ranked.slot_sel.tolist(), ranked.level_sel.tolist()
        # Whole arrays to Python lists once (not three small numpy calls per fit: most of a batch's time).
        width = max(counts, default=0)
        order_rows = order[:, :, :width].tolist()
        ordered_rows = ordered[:, :, :width].tolist()
        ids, roles = self.skill_ids, self._role_rows
        for i, row in enumerate(levels.tolist()):
            m = counts[i]
            fits = []
            for slot, r in enumerate(chosen_list[i]):
                role_id, name, code, requirements = roles[r]
                matched: list[SkillGap] = []
                missing: list[SkillGap] = []
                parts: list[SkillContribution] = []
                # the role's items (the per-item rows are padded past them: zip stops at the items)
                for gaps, alt, level, covered, part in zip(
                    requirements,
                    slots[i][slot],
                    held[i][slot],
                    cover[i][slot],
                    weighted[i][slot],
                    strict=False,
                ):
                    gap = gaps[alt][level]
                    (matched if covered >= 1.0 else missing).append(gap)
                    if level:
                        parts.append(SkillContribution(skill=gap.skill, level=level, contribution=part))
                parts.sort(key=_CONTRIBUTION, reverse=True)  # largest first; stable, as -c was
                contributions = [  # the profile's skills in contribution order
                    SkillContribution(skill=ids[j], level=row[j], contribution=v)
                    for j, v in zip(order_rows[i][slot][:m], ordered_rows[i][slot][:m], strict=True)
                ]
                fits.append(
                    RoleFit(
                        role=role_id,
                        name=name,
                        score=p_list[i][slot],
                        occupation_code=code,
                        matched=matched,
                        missing=missing,
                        contributions=contributions,
                        baseline=b_list[i][slot],
                        match=p_list[i][slot],
                        readiness=ready[i][slot],
                        readiness_contributions=parts,
                        meets=not missing,
                        market=markets.get(role_id),
                    )
                )
            out.append(fits)

    def _explained_json(self, parts: FitFragments, ranked: Ranked) -> list[bytes]:
        """`_build`'s fits as JSON (fit_bytes), one ``[fit, ...]`` per row.

        Which requirement items are matched or missing, the readiness contributions in their order and
        the skills' contributions are chosen in numpy over the whole batch (the same choices and orders
        `_build` makes item by item: the items in the role's order, readiness contributions largest first
        and stable, contributions in `_ranked`'s order); every piece of the answer is then put in its
        place in one object array (fit_bytes.Pieces) and each row's pieces joined once."""
        n, k = len(ranked.chosen_list), len(ranked.chosen_list[0])
        chosen = np.asarray(ranked.chosen_list, dtype=np.intp)
        real = self._role_item_mask[chosen]  # N x K x M: the role's own items (not the padding)
        idx, slot, level = self._role_item_idx[chosen], ranked.slot_sel, ranked.level_sel
        gap = idx * GAP_STRIDE + slot * 5 + level
        met = (ranked.cover_sel >= 1.0) & real
        unmet = (ranked.cover_sel < 1.0) & real
        # readiness contributions: the items covered by a skill held, largest share first (stable)
        held = (level > 0) & real
        by_share = np.argsort(np.where(held, -ranked.weighted_sel, np.inf), axis=2, kind="stable")
        held_sorted = along(held, by_share)
        opening = along(self.readiness.alt_cols[idx, slot] * 5 + level, by_share)[held_sorted]
        # the skills' contributions: each row's first `count` in the contribution order
        width = max(ranked.counts, default=0)
        order = ranked.order[:, :, :width]
        counts = np.asarray(ranked.counts, dtype=np.intp)
        firsts = np.broadcast_to(np.arange(width)[None, None, :] < counts[:, None, None], order.shape)
        their_level = ranked.levels[np.arange(n)[:, None, None], order]
        pieces = Pieces(parts, chosen.ravel(), unmet.sum(axis=2).ravel() == 0)
        pieces.figures(ranked.p_sel, ranked.b_sel, ranked.ready_sel)
        pieces.gaps(0, gap[met], met.sum(axis=2).ravel())
        pieces.gaps(1, gap[unmet], unmet.sum(axis=2).ravel())
        pieces.contributions(
            2,
            (order * 5 + their_level)[firsts],
            ranked.ordered[:, :, :width][firsts],
            np.repeat(counts, k),
        )
        weighted = along(ranked.weighted_sel, by_share)[held_sorted]
        pieces.contributions(3, opening, weighted, held.sum(axis=2).ravel())
        return pieces.rows(k)

    def rank(
        self,
        skills: Mapping[str, int],
        years: float,
        top: int = 12,
        markets: Mapping[str, RoleMarketSummary] | None = None,
    ) -> list[RoleFit]:
        """The `top` best-matching roles for one profile, best first."""
        return self.rank_batch([(skills, years)], top=top, markets=markets)[0]

    def demand_shares(self, demand: Mapping[str, float]) -> dict[str, float]:
        """Each skill's market demand clipped to 0..1 (what a learning plan reads), made once per market
        version: `demand` is the version's derived map, never changed, so the last one's shares are kept
        by identity (the 59-skill comprehension was ~3 % of the recommender's samples under load)."""
        kept = self._shares
        if kept is None or kept[0] is not demand:
            kept = self._shares = (demand, {s: min(max(float(v), 0.0), 1.0) for s, v in demand.items()})
        return kept[1]

    def demand_terms(self, demand: Mapping[str, float]) -> dict[str, ShareTerms]:
        """Per skill, what a learning step writes of its demand share (learning_path.ShareTerms), made once
        per market version as `demand_shares` is (kept by the identity of `demand`)."""
        kept = self._terms
        if kept is None or kept[0] is not demand:
            terms = {s: share_terms(v) for s, v in self.demand_shares(demand).items()}
            kept = self._terms = (demand, terms)
        return kept[1]

    def learning_steps(
        self, skills: Mapping[str, int], years: float, target_role: str, demand: Mapping[str, float]
    ) -> list[LearningStep]:
        """Ordered steps towards `target_role` (see learning_path.plan_steps)."""
        return plan_steps(self, skills, years, target_role, demand)


def _figures_json(parts: FitFragments, ranked: Ranked, met: np.ndarray) -> list[bytes]:
    """`Scorer._build_figures`'s fits as JSON (fit_bytes), one ``[fit, ...]`` per row."""
    p_bytes, b_bytes = float_bytes(ranked.p_sel), float_bytes(ranked.b_sel)
    r_bytes = float_bytes(ranked.ready_sel)
    meets = [b"true" if m else b"false" for m in met.ravel().tolist()]
    frames = parts.figures
    out = []
    k = 0
    for chosen in ranked.chosen_list:
        fits = []
        for r in chosen:
            f = frames[r]
            score = p_bytes[k]
            fits.append(
                b"".join((f[0], score, f[1], b_bytes[k], f[2], score, f[3], r_bytes[k], f[4], meets[k], f[5]))
            )
            k += 1
        out.append(b"[" + b",".join(fits) + b"]")
    return out
