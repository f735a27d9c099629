"""The adaptive questionnaire: the predicted full-questionnaire ranking and which skill to ask about next.

State: the skills answered so far (levels 0-4, a 0 being an answer) and the years of experience.

Completions. What the answers so far say about the rest comes from the training people
(`LevelTable.people`: the real training split plus the generated profiles, with their training weights and
years). Each is a possible completion of the person: the answered skills as answered, the unanswered ones at
that training person's levels. Its weight is its training weight, times `MISMATCH` for each answer it does
not share (skill used or not), times exp(-|log(1 + years) - log(1 + its years)| / `YEARS_SCALE`) (people
with as much experience level their skills alike); the log weights are then scaled down as little as needed
for an effective number of completions of at least `EFFECTIVE` (a handful of training people who match
every answer would otherwise decide alone and overstate the confidence), and those below `PRUNE` of the
largest are dropped. Every completion is scored by the model exactly (the model is linear in the levels: a
training person's logits are precomputed and the answered skills' part swapped for the answers'). That is a
distribution over what the full questionnaire would rank: its top-1 role and its top-3 set.

The prediction (`Prediction`, what the API shows) aims at what the questionnaire is judged by (the same
top-1 and the same top-3 set as the full questionnaire): the top three are the three roles most likely to
be in the full top three, led by the one most likely to be first; the other roles follow by that chance
(then by expected full match). Per role it gives the chance of being the full top-1, of being in the full
top three, and the expected full match; `confidence` is the chance of the shown top-3 set. (The Bayes
decision for "same top-3 set" is the most probable set; on the training sample the three most likely
roles are that set 97-99 % of the time and as often right, and their chances read in order on the page.)
The role items the API answers keep the figures of the answers alone (unanswered skills 0: what a
recommendation for those answers gives, and what a saved profile with those answers shows); only their
order and selection are the prediction's. On held-out people it agrees with the full ranking more often
than the answers-alone ranking on the same answers (`careerpath evaluate --questionnaire` prints both).

Which question (`criterion`; `careerpath evaluate --questionnaire` measures them and chooses one on a
sample of the training split, never the held-out one). "lookahead" asks the skill whose answer is expected
to make the prediction right most often: for each unanswered skill and each answer ("used" or "none") the
completions are re-weighted as the answer would (`MISMATCH` for those that disagree), and the weight of
the then most probable top-3 set plus that of the most probable top-1 is averaged over the two answers,
weighted by their chance; `TIE` times the expected entropy of the top-3 set breaks ties (when no single
answer changes the decision). A completion's labels are kept for the hypothetical answer (one that
disagrees with it is down-weighted, not re-scored). The older criteria choose with the ranking of the
answers alone (the previous API's): "neighbours" and "agreement" draw `SAMPLES` completions (seeded) and
ask the skill whose answer makes the answers-alone ranking agree most with the completed profiles'
rankings ("neighbours" draws training people weighted by `MISMATCH` per answer not shared, "agreement"
draws from the level table: a role from the naive-Bayes posterior, then each level independently);
"entropy" asks the skill of largest expected fall in the entropy of the answers-alone role probabilities,
"change" the one most likely to change their top three.

Checked on a training-split sample of 800 people (left out of the completions), top-1 / top-3 agreement
of the prediction at k = 10 after the "lookahead" questions: `MISMATCH` 0.05 0.801 / 0.430, 0.1 0.812 /
0.448, 0.2 0.815 / 0.429; with 0.1, a used skill at another level than answered counted as 0.3 of a
mismatch 0.821 / 0.436, the person's usual answered level for the completions' used skills 0.819 / 0.448,
`YEARS_SCALE` 0.5 with `EFFECTIVE` 300 0.825 / 0.439 (with `EFFECTIVE` 100 0.818 / 0.439); the previous
API (neighbours, `MISMATCH` 0.05, answers alone) 0.803 / 0.426. The differences are within the sample's
noise (about 0.02); the kept setting is the one whose confidence is honest: mean 0.449 against 0.439
actual at k = 10 and 0.585 against 0.609 at k = 20 (without `YEARS_SCALE` and `EFFECTIVE`: 0.481 against
0.448, 0.720 against 0.611). A two-step look-ahead (the best six skills, each answer followed by the best
second question) gave 0.801 / 0.436 against 0.801 / 0.432 for one step at `MISMATCH` 0.05, for 4.6 times
the CPU: not kept.

The question's figures come from the same look-ahead: `change_chance`, the chance its answer changes the
three roles shown on top; `information_gain`, the expected fall in the entropy of the full top-3 set, in bits;
`contrast`, the two roles whose chance of being in the full top three its answer moves furthest apart. The
questionnaire is done when the shown top three is the full questionnaire's with a chance of 1 -
`STOP_CHANCE` or more (or nothing is left to ask).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np
from threadpoolctl import ThreadpoolController

from services.recommender.model.labels import (
    GENERATED_PER_ROLE,
    GENERATED_WEIGHT,
    LabelledData,
    generate_profiles,
    load_survey_profiles,
)
from services.recommender.scoring import Scorer
from shared.catalog import Catalog

__all__ = [
    "CRITERIA",
    "LEVELS",
    "SAMPLES",
    "STOP_CHANCE",
    "Decision",
    "LevelTable",
    "Prediction",
    "Questionnaire",
    "label_sums",
    "top_sets",
    "training_table",
]

LEVELS = 5
TOP = 3
STOP_CHANCE = 0.05
SAMPLES = 256
SMOOTHING = 0.5
CRITERIA = ("lookahead", "neighbours", "agreement", "entropy", "change")
# A completion's weight: times MISMATCH per answer not shared, a years kernel of scale YEARS_SCALE (log(1 +
# years); None: none), flattened to an effective size of EFFECTIVE completions (see the module docstring
# for the training-sample check).
MISMATCH = 0.1
YEARS_SCALE: float | None = 0.5
EFFECTIVE = 300.0
PRUNE = 1e-7  # completions lighter than this share of the heaviest are left out (they change nothing)
TIE = 1e-3
CHUNK = 128
# A category question's look-ahead: the answers ("which of these do you use?", one pattern of ticks) that
# the kept completions give, most probable first, until they cover PATTERN_MASS of the weight or number
# PATTERNS (the rest change the expectation by less than that mass).
PATTERNS = 64
PATTERN_MASS = 0.995


@dataclasses.dataclass(frozen=True)
class LevelTable:
    """P(level | role, skill) as log shares (S x 5 x R) and the log role prior (R), from training rows."""

    log_level: np.ndarray
    log_prior: np.ndarray
    # the training people themselves (levels P x S), their log training weights and years: the completions
    people: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    log_weight: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))
    years: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))

    @classmethod
    def fit(cls, data: LabelledData, n_roles: int, weights: np.ndarray | None = None) -> LevelTable:
        """Count weighted levels per role and skill; Laplace smoothing keeps every level possible."""
        w = np.ones(len(data)) if weights is None else np.asarray(weights, dtype=np.float64)
        levels = np.clip(data.x[:, :-1], 0, LEVELS - 1).astype(np.int64)
        n_skills = levels.shape[1]
        counts = np.zeros((n_skills, LEVELS, n_roles))
        for lvl in range(LEVELS):
            # counts[s, lvl, r] = weighted rows of role r at level lvl of skill s
            onehot = np.zeros((len(data), n_roles))
            onehot[np.arange(len(data)), data.y] = w
            counts[:, lvl, :] = (levels == lvl).T.astype(np.float64) @ onehot
        counts += SMOOTHING
        shares = counts / counts.sum(axis=1, keepdims=True)
        prior = np.bincount(data.y, weights=w, minlength=n_roles) + SMOOTHING
        return cls(
            np.log(shares),
            np.log(prior / prior.sum()),
            levels,
            np.log(np.maximum(w, 1e-300)),
            np.asarray(data.x[:, -1], dtype=np.float64),
        )

    @property
    def shares(self) -> np.ndarray:
        """P(level | role, skill), S x 5 x R."""
        out: np.ndarray = np.exp(self.log_level)
        return out

    def posterior(self, answered: np.ndarray, levels: np.ndarray) -> np.ndarray:
        """q(role | answers), N x R, for answered masks and levels (N x S)."""
        n_skills = answered.shape[1]
        picked = self.log_level[np.arange(n_skills)[None, :], levels]  # N x S x R
        log_q = self.log_prior + (picked * answered[:, :, None]).sum(axis=1)
        return _softmax(log_q)


@dataclasses.dataclass(frozen=True)
class Prediction:
    """What the full questionnaire is predicted to rank, for one person's answers so far."""

    # every role (index), the predicted full ranking, best first: the three roles most likely to be in the
    # full top three led by the one most likely to be first, then the rest by that chance
    order: tuple[int, ...]
    # per role (catalogue order): the chance of being the full top-1, of being in the full top three, and
    # the expected match after the full questionnaire
    top1_chance: tuple[float, ...]
    top3_chance: tuple[float, ...]
    expected_match: tuple[float, ...]
    # the chance that order[:3] is the full questionnaire's top-3 set
    confidence: float


@dataclasses.dataclass(frozen=True)
class Decision:
    """One person's next question (None when done), the figures behind it, and the predicted ranking."""

    skill: int | None
    information_gain: float
    change_chance: float
    confidence: float
    # the two roles (indices) whose chance of being in the full top three the answer moves most apart
    contrast: tuple[int, int] | None
    prediction: Prediction | None = None
    # the category to ask "which of these do you use?" about next (index into `Questionnaire.categories`;
    # None when done or every category's skills are answered), with its figures
    category: int | None = None
    category_gain: float = 0.0
    category_change: float = 0.0


@dataclasses.dataclass(frozen=True)
class _Assessment:
    """The look-ahead for one person: the prediction, and per skill (S; answered skills -inf / 0) the
    criterion's value, the chance of changing the shown top three, the information gain, the contrast."""

    prediction: Prediction
    value: np.ndarray
    change: np.ndarray
    gain: np.ndarray
    contrast: np.ndarray  # S x 2
    # per category (C; categories with every skill answered -inf / 0): the same three figures
    category_value: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))
    category_change: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))
    category_gain: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))


_THREADPOOLS: ThreadpoolController | None = None


def one_blas_thread() -> contextlib.AbstractContextManager[object]:
    """BLAS limited to one thread: a person's products are small (thousands of training people by a few
    dozen skills), and BLAS threads only add contention (on a busy two-core box they cost ten times the
    CPU of the arithmetic)."""
    global _THREADPOOLS
    if _THREADPOOLS is None:
        _THREADPOOLS = ThreadpoolController()
    limited: contextlib.AbstractContextManager[object] = _THREADPOOLS.limit(limits=1, user_api="blas")
    return limited


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    out: np.ndarray = e / e.sum(axis=-1, keepdims=True)
    return out


def _entropy(p: np.ndarray) -> np.ndarray:
    out: np.ndarray = -(p * np.log2(np.maximum(p, 1e-300))).sum(axis=-1)
    return out


def top_sets(p: np.ndarray, k: int = TOP) -> np.ndarray:
    """The k highest-scoring role indices per row, sorted (so equal sets compare equal), ... x k."""
    out: np.ndarray = np.sort(np.argsort(-p, axis=-1, kind="stable")[..., :k], axis=-1)
    return out


class Questionnaire:
    """Predicts the full ranking and chooses the next question for partial answers."""

    def __init__(
        self,
        scorer: Scorer,
        table: LevelTable,
        criterion: str = "lookahead",
        *,
        mismatch: float = MISMATCH,
        years_scale: float | None = YEARS_SCALE,
        effective: float = EFFECTIVE,
    ) -> None:
        if criterion not in CRITERIA:
            raise ValueError(f"unknown criterion {criterion!r}")
        self.scorer = scorer
        self.table = table
        self.criterion = criterion
        self.mismatch = mismatch
        self.years_scale = years_scale
        self.effective = effective
        self.log_years = np.log1p(np.maximum(table.years, 0.0))
        self.shares = table.shares  # S x 5 x R
        self.level_weights = scorer._level_weights.T  # S x R: logit change per level of each skill
        self.n_roles = self.level_weights.shape[1]
        # the completions: training people, whether they use each skill, and their levels' logit part
        self.has = table.people > 0
        self.has_f = self.has.astype(np.float64)
        self.people_logits = table.people @ self.level_weights  # P x R
        # role membership of every sorted triple's code (a * R^2 + b * R + c): R^3 x R
        r = self.n_roles
        codes = np.arange(r**3)
        self.members = np.zeros((r**3, r), dtype=bool)
        for digit in (codes // (r * r), (codes // r) % r, codes % r):
            self.members[codes, digit] = True
        # the catalogue's categories and each skill's (index), for "which of these do you use?" questions
        catalog = scorer.catalog
        self.categories: tuple[str, ...] = tuple(catalog.categories)
        self.skill_category = np.asarray(
            [self.categories.index(catalog.skills[s].category) for s in scorer.skill_ids], dtype=np.int64
        )
        widest = int(np.bincount(self.skill_category).max())
        self._bits = np.asarray([bin(v).count("1") for v in range(1 << widest)], dtype=np.int64)
        self._mismatch_power = mismatch ** np.arange(widest + 1, dtype=np.float64)

    # --- the shared input ---------------------------------------------------------------------------

    def matrix(self, answered: np.ndarray, levels: np.ndarray, years: np.ndarray) -> np.ndarray:
        """The raw model input for partial answers (unanswered skills 0)."""
        x = np.zeros((len(levels), levels.shape[1] + 1))
        x[:, :-1] = np.where(answered, levels, 0)
        x[:, -1] = years
        return x

    def encode(self, people: Sequence[Mapping[str, int]]) -> tuple[np.ndarray, np.ndarray]:
        """Answered masks and levels (N x S) for skill id -> level maps; unknown ids are ignored."""
        index = self.scorer.skill_index
        answered = np.zeros((len(people), len(index)), dtype=bool)
        levels = np.zeros((len(people), len(index)), dtype=np.int64)
        for n, answers in enumerate(people):
            for skill, level in answers.items():
                j = index.get(skill)
                if j is not None:
                    answered[n, j] = True
                    levels[n, j] = min(max(int(level), 0), LEVELS - 1)
        return answered, levels

    # --- the prediction and the look-ahead (one person at a time) --------------------------------------

    def _completions(
        self, answered: np.ndarray, levels: np.ndarray, years: float, logits: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For one person (answered mask, levels: S; `logits`: the model's for the answers alone, R): the
        kept completions (indices into the training people), their weights (summing to 1) and logits."""
        used = answered & (levels > 0)
        none = answered & (levels == 0)
        # answered "used" where the training person does not use it, or "none" where it does
        mismatches = used.sum() + self.has_f @ (none.astype(np.float64) - used)
        log_w = self.table.log_weight + mismatches * np.log(self.mismatch)
        if self.years_scale is not None:
            log_w = log_w - np.abs(self.log_years - np.log1p(max(years, 0.0))) / self.years_scale
        log_w = self._tempered(log_w - log_w.max())
        kept = np.flatnonzero(log_w >= np.log(PRUNE))
        w = np.exp(log_w[kept])
        w /= w.sum()
        # a completion's logits: the answers' logits, plus the training person's part for the skills not
        # answered (its whole part minus the answered skills' part)
        z = (
            logits[None, :]
            + self.people_logits[kept]
            - self.table.people[np.ix_(kept, answered)] @ self.level_weights[answered]
        )
        return kept, w, z

    def _tempered(self, log_w: np.ndarray) -> np.ndarray:
        """The log weights (largest 0) flattened as little as needed for an effective number of completions
        (sum w)^2 / sum w^2 of at least `effective`: log_w times the largest power t in (0, 1] that gives
        it (bisection), so that a handful of training people matching every answer do not decide alone."""

        def size(t: float) -> float:
            w = np.exp(t * log_w)
            return float(w.sum() ** 2 / (w * w).sum())

        if self.effective <= 1 or size(1.0) >= self.effective:
            return log_w
        low, high = 0.0, 1.0
        for _ in range(12):
            mid = (low + high) / 2
            low, high = (mid, high) if size(mid) >= self.effective else (low, mid)
        out: np.ndarray = low * log_w
        return out

    def _after(self, total: np.ndarray, used: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per skill: the chance of answering "used" (S), and the label distributions after answering
        "used" and after "none" (U x S each), re-weighted by `mismatch` as the answer would."""
        unused = total[:, None] - used
        p_used = used.sum(axis=0)
        after_used = used + self.mismatch * unused
        after_none = unused + self.mismatch * used
        after_used = after_used / np.maximum(after_used.sum(axis=0, keepdims=True), 1e-300)
        after_none = after_none / np.maximum(after_none.sum(axis=0, keepdims=True), 1e-300)
        return np.clip(p_used, 0.0, 1.0), after_used, after_none

    def assess(
        self,
        answered: np.ndarray,
        levels: np.ndarray,
        years: float,
        *,
        lookahead: bool = True,
        categories: bool = True,
    ) -> _Assessment:
        """The prediction and (unless `lookahead` is False: zeros) the look-ahead for one person (answered
        mask and levels: S), with the categories' look-ahead unless `categories` is False (then -inf / 0:
        no category is chosen; a caller choosing skills only saves its ~8 ms). Call it with BLAS limited to
        one thread (`one_blas_thread`)."""
        x = self.matrix(answered[None, :], levels[None, :], np.asarray([years], dtype=np.float64))
        logits = self.scorer._logits(x)[0]
        kept, w, z = self._completions(answered, levels, years, logits)
        r, rows = self.n_roles, np.arange(len(kept))
        # each completion's top-1 and top-3 set (as a code a * R^2 + b * R + c of the sorted triple)
        first = z.argmax(axis=1)
        rest = z.copy()
        rest[rows, first] = -np.inf
        second = rest.argmax(axis=1)
        rest[rows, second] = -np.inf
        triple = np.sort(np.stack([first, second, rest.argmax(axis=1)], axis=1), axis=1)
        code = (triple[:, 0] * r + triple[:, 1]) * r + triple[:, 2]
        sets, inverse = np.unique(code, return_inverse=True)

        # the prediction: the three roles most likely to be in the full top three (the same set as the most
        # probable top-3 set 97-99 % of the time on the training sample, as often right, and its chances
        # read in order), led by the one most likely to be first; then the rest by that chance
        set_total = np.bincount(inverse, weights=w, minlength=len(sets))
        top1 = np.bincount(first, weights=w, minlength=r)
        top3 = np.minimum(set_total @ self.members[sets], 1.0)
        expected = w @ _softmax(z)
        ranked = np.lexsort((-expected, -top3))
        shown = ranked[:TOP]
        lead = int(shown[np.argmax(top1[shown])])
        shown_code = int(np.sort(shown) @ (r ** np.arange(TOP - 1, -1, -1)))
        at = int(np.searchsorted(sets, shown_code))
        prediction = Prediction(
            order=(lead, *(int(m) for m in ranked if m != lead)),
            top1_chance=tuple(float(v) for v in top1),
            top3_chance=tuple(float(v) for v in top3),
            expected_match=tuple(float(v) for v in expected),
            confidence=float(set_total[at]) if at < len(sets) and sets[at] == shown_code else 0.0,
        )
        if not lookahead:
            zeros = np.zeros(len(answered))
            return _Assessment(prediction, zeros, zeros, zeros, np.zeros((len(answered), 2), dtype=np.int64))

        # the look-ahead: per unanswered skill, how right the prediction is expected to be after its answer.
        # Per label (each top-3 set, then each top-1 role) and skill, the weight of the completions with
        # that label that use the skill (the same sums to the last bit as the SciPy sparse product it was).
        used = label_sums(len(sets) + r, np.stack([inverse, len(sets) + first]), kept, w, self.has)
        p_used, set_if_used, set_if_none = self._after(set_total, used[: len(sets)])
        _, first_if_used, first_if_none = self._after(top1, used[len(sets) :])
        p_none = 1.0 - p_used
        value = p_used * set_if_used.max(axis=0) + p_none * set_if_none.max(axis=0)
        value += p_used * first_if_used.max(axis=0) + p_none * first_if_none.max(axis=0)
        spread = p_used * _entropy(set_if_used.T) + p_none * _entropy(set_if_none.T)
        value -= TIE * spread
        gain = np.maximum(_entropy(set_total) - spread, 0.0)
        # the chance that the three roles shown change: per skill and answer, the roles' chances of being in
        # the full top three afterwards (S x R), and whether their three largest are still the three shown
        in_top_if_used = set_if_used.T @ self.members[sets]
        in_top_if_none = set_if_none.T @ self.members[sets]
        change = p_used * self._moved(in_top_if_used, shown) + p_none * self._moved(in_top_if_none, shown)
        moved = in_top_if_used - in_top_if_none  # S x R: "used" minus "none"
        contrast = np.stack([moved.argmax(axis=1), moved.argmin(axis=1)], axis=1)
        if categories:
            category_value, category_change, category_gain = self._category_lookahead(
                answered, kept, w, inverse, first, set_total, sets, shown
            )
        else:
            n_categories = len(self.categories)
            category_value = np.full(n_categories, -np.inf)
            category_change, category_gain = np.zeros(n_categories), np.zeros(n_categories)
        return _Assessment(
            prediction=prediction,
            value=np.where(answered, -np.inf, value),
            change=np.where(answered, 0.0, change),
            gain=np.where(answered, 0.0, gain),
            contrast=contrast,
            category_value=category_value,
            category_change=category_change,
            category_gain=category_gain,
        )

    def _category_lookahead(
        self,
        answered: np.ndarray,
        kept: np.ndarray,
        w: np.ndarray,
        set_of: np.ndarray,
        first: np.ndarray,
        set_total: np.ndarray,
        sets: np.ndarray,
        shown: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per category (C): the value, the chance of changing the three roles shown, and the information
        gain of asking "which of these do you use?" about its unanswered skills; -inf / 0 / 0 for a category
        with none left. The answer is one pattern of ticks; its chance is the weight of the completions
        with that pattern (the `PATTERNS` most probable, up to `PATTERN_MASS`), and after it every completion
        is re-weighted by `mismatch` per tick it does not share, as a skill's answer re-weights them. The
        value is the skill look-ahead's (most probable top-3 set plus most probable top-1, expected over the
        answers): the two are comparable, but a category's answer tells more than any of its skills alone.
        `set_of` and `first` are each completion's top-3 set (index into `sets`) and top-1 role."""
        n_categories, n_sets = len(self.categories), len(sets)
        value = np.full(n_categories, -np.inf)
        change, gain = np.zeros(n_categories), np.zeros(n_categories)
        before = _entropy(set_total)
        has = self.has[kept]
        for c in range(n_categories):
            skills = np.flatnonzero((self.skill_category == c) & ~answered)
            if not len(skills):
                continue
            # a completion's pattern of ticks as one integer (bit b: the category's b-th unanswered skill)
            code = has[:, skills] @ (1 << np.arange(len(skills), dtype=np.int64))
            unique, which = np.unique(code, return_inverse=True)
            weight = np.bincount(which, weights=w, minlength=len(unique))  # per pattern
            # the completions' weight per pattern and label (patterns x labels): completions with the same
            # pattern are re-weighted alike, so the look-ahead works on patterns, not completions
            n_labels = n_sets + self.n_roles
            by_pattern = (
                np.bincount(which * n_labels + set_of, weights=w, minlength=len(unique) * n_labels)
                + np.bincount(which * n_labels + n_sets + first, weights=w, minlength=len(unique) * n_labels)
            ).reshape(len(unique), n_labels)
            likely = np.argsort(-weight, kind="stable")
            covered = int(np.searchsorted(np.cumsum(weight[likely]), PATTERN_MASS)) + 1
            likely = likely[: max(1, min(PATTERNS, covered))]
            answers, chance = unique[likely], weight[likely] / weight[likely].sum()
            # answers x patterns: `mismatch` to the power of the ticks not shared
            factor = self._mismatch_power[self._bits[answers[:, None] ^ unique[None, :]]]
            summed = factor @ by_pattern  # answers x labels
            summed /= (factor @ weight)[:, None]
            by_set, by_first = summed[:, :n_sets], summed[:, n_sets:]
            spread = float(chance @ _entropy(by_set))
            value[c] = float(chance @ (by_set.max(axis=1) + by_first.max(axis=1))) - TIE * spread
            gain[c] = max(float(before) - spread, 0.0)
            change[c] = float(chance @ self._moved(by_set @ self.members[sets], shown))
        return value, change, gain

    def assess_all(
        self,
        answered: np.ndarray,
        levels: np.ndarray,
        years: np.ndarray,
        *,
        lookahead: bool = True,
        categories: bool = True,
    ) -> list[_Assessment]:
        """`assess` for each of N people (answered masks, levels N x S; years N)."""
        with one_blas_thread():
            return [
                self.assess(
                    answered[n], levels[n], float(years[n]), lookahead=lookahead, categories=categories
                )
                for n in range(len(levels))
            ]

    @staticmethod
    def _moved(in_top: np.ndarray, shown: np.ndarray) -> np.ndarray:
        """Per row (S x R chances of being in the top three): whether its three largest differ from `shown`
        (ties broken as the prediction breaks them only by chance: a tie counts as unchanged)."""
        third = np.sort(in_top, axis=1)[:, -TOP]
        out: np.ndarray = np.asarray((in_top[:, shown] < third[:, None]).any(axis=1))
        return out

    def predict(self, answered: np.ndarray, levels: np.ndarray, years: np.ndarray) -> list[Prediction]:
        """The predicted full ranking for each of N people (answered masks, levels N x S; years N)."""
        return [a.prediction for a in self.assess_all(answered, levels, years, lookahead=False)]

    # --- the choice ----------------------------------------------------------------------------------

    def decide(self, answered: np.ndarray, levels: np.ndarray, years: np.ndarray) -> list[Decision]:
        """The next question for each of N people (answered masks, levels N x S; years N)."""
        assessed = self.assess_all(answered, levels, years)
        chosen = self.pick(answered, levels, years, assessed, stop=True)
        # no category either when the questionnaire is done
        category = np.where(chosen >= 0, self.choose_category(answered, assessed), -1)
        out = []
        for n, a in enumerate(assessed):
            j, c = int(chosen[n]), int(category[n])
            out.append(
                Decision(
                    skill=None if j < 0 else j,
                    information_gain=float(a.gain[j]) if j >= 0 else 0.0,
                    change_chance=float(a.change[j]) if j >= 0 else 0.0,
                    confidence=a.prediction.confidence,
                    contrast=None if j < 0 else (int(a.contrast[j, 0]), int(a.contrast[j, 1])),
                    prediction=a.prediction,
                    category=None if c < 0 else c,
                    category_gain=float(a.category_gain[c]) if c >= 0 else 0.0,
                    category_change=float(a.category_change[c]) if c >= 0 else 0.0,
                )
            )
        return out

    def level_question(
        self, answered: np.ndarray, levels: np.ndarray, years: np.ndarray, assumed: np.ndarray
    ) -> np.ndarray:
        """Per person (N x S masks and levels; `assumed`: the ticked skills whose level is assumed) the
        ticked skill whose level is worth asking next, -1 when none: the one whose level one step below and
        one above the assumed one (within 1..4) changes the model's top three set and its first role for the
        answers most often (0..4 changes over the two steps), ties to the larger change of logits; -1 when
        no single step changes either. The model is linear in the levels, so each step is exact: the
        answers' logits plus the step times the skill's weights."""
        z = self.scorer._logits(self.matrix(answered, levels, years))  # N x R
        shown = top_sets(z)
        out = np.full(len(levels), -1)
        for n in range(len(levels)):
            skills = np.flatnonzero(assumed[n] & answered[n] & (levels[n] > 0))
            if not len(skills):
                continue
            changes, size = np.zeros(len(skills)), np.zeros(len(skills))
            for step in (-1, 1):
                moved = np.clip(levels[n, skills] + step, 1, LEVELS - 1) - levels[n, skills]  # skills
                delta = moved[:, None] * self.level_weights[skills]  # skills x R
                after = z[n][None, :] + delta
                changes += (top_sets(after) != shown[n]).any(axis=1)
                changes += after.argmax(axis=1) != z[n].argmax()
                size += np.abs(delta).max(axis=1)
            best = int(np.lexsort((-size, -changes))[0])
            if changes[best] > 0:
                out[n] = skills[best]
        return out

    def choose_category(self, answered: np.ndarray, assessed: list[_Assessment]) -> np.ndarray:
        """Per person the category to ask "which of these do you use?" about (the best look-ahead value),
        -1 when every skill is answered."""
        value = np.stack([a.category_value for a in assessed])
        chosen = np.argmax(value, axis=1)
        return np.where(np.isfinite(value[np.arange(len(value)), chosen]), chosen, -1)

    def choose(
        self, answered: np.ndarray, levels: np.ndarray, years: np.ndarray, *, stop: bool = True
    ) -> np.ndarray:
        """Per person the chosen skill, -1 when done; `stop=False`: a skill whenever one is left."""
        assessed = None
        if stop or self.criterion == "lookahead":
            assessed = self.assess_all(answered, levels, years, categories=False)
        return self.pick(answered, levels, years, assessed, stop=stop)

    def pick(
        self,
        answered: np.ndarray,
        levels: np.ndarray,
        years: np.ndarray,
        assessed: list[_Assessment] | None,
        *,
        stop: bool,
    ) -> np.ndarray:
        if self.criterion == "lookahead":
            assert assessed is not None
            score = np.stack([a.value for a in assessed])
        else:
            score = np.where(answered, -np.inf, self.legacy_scores(answered, levels, years))
        chosen = np.argmax(score, axis=1)
        done = np.asarray(answered.all(axis=1))
        if stop:
            assert assessed is not None
            done |= np.asarray([a.prediction.confidence >= 1.0 - STOP_CHANCE for a in assessed])
        return np.where(done, -1, chosen)

    def next_for(self, answers: Mapping[str, int], years: float) -> Decision:
        """The decision for one person's answers (skill id -> level)."""
        answered, levels = self.encode([answers])
        return self.decide(answered, levels, np.asarray([years], dtype=np.float64))[0]

    def confidence(self, answered: np.ndarray, levels: np.ndarray, years: np.ndarray) -> np.ndarray:
        """Per person, the chance that the predicted top three is the full questionnaire's."""
        return np.asarray([p.confidence for p in self.predict(answered, levels, years)])

    # --- the older criteria (they choose with the ranking of the answers alone) ----------------------

    def legacy_scores(self, answered: np.ndarray, levels: np.ndarray, years: np.ndarray) -> np.ndarray:
        """The older criteria's score per person and skill (N x S, higher is better)."""
        if self.criterion in ("agreement", "neighbours"):
            out = np.empty(levels.shape)
            with one_blas_thread():
                for start in range(0, len(levels), CHUNK):
                    part = slice(start, start + CHUNK)
                    out[part] = self._sampled_agreement(answered[part], levels[part], years[part])
            return out
        x0 = self.matrix(answered, levels, years)
        p0 = self.scorer.probabilities(x0)  # N x R
        q = self.table.posterior(answered, levels)  # N x R
        pred = np.einsum("nr,jlr->njl", q, self.shares)  # N x S x 5: chance of each answer
        steps = np.arange(LEVELS)[None, None, :] - x0[:, :-1, None]  # level change from the current 0
        z = (
            np.log(np.maximum(p0, 1e-300))[:, None, None, :]
            + steps[..., None] * self.level_weights[None, :, None, :]
        )
        p = _softmax(z)  # N x S x 5 x R
        if self.criterion == "entropy":
            out_gain: np.ndarray = _entropy(p0)[:, None] - (pred * _entropy(p)).sum(axis=2)
            return out_gain
        changed = np.any(top_sets(p) != top_sets(p0)[:, None, None, :], axis=-1)  # N x S x 5
        out_change: np.ndarray = (pred * changed).sum(axis=2)
        return out_change

    def completions(self, answered: np.ndarray, levels: np.ndarray, seed: int = 0) -> np.ndarray:
        """`SAMPLES` drawn completions per person (N x SAMPLES x S): "agreement" draws from the level
        table, the others draw training people."""
        if self.criterion == "agreement":
            return self.table_completions(answered, levels, seed)
        return self.neighbour_completions(answered, levels, seed)

    def neighbour_completions(self, answered: np.ndarray, levels: np.ndarray, seed: int = 0) -> np.ndarray:
        """Completions drawn from training people like the person: each with its training weight times
        `MISMATCH` per answer it does not share (skill used or not), its levels filling the unanswered
        skills. Keeps the skills' co-occurrence (TypeScript with JavaScript), which the table does not."""
        rng = np.random.default_rng(seed)
        has = self.has_f  # P x S
        mine = (levels > 0) & answered
        none = (levels == 0) & answered
        mismatches = mine.astype(np.float64) @ (1.0 - has).T + none.astype(np.float64) @ has.T  # N x P
        log_w = self.table.log_weight[None, :] + mismatches * np.log(self.mismatch)
        w = np.exp(log_w - log_w.max(axis=1, keepdims=True))
        cum = np.cumsum(w, axis=1)
        u = np.sort(rng.random(SAMPLES))[None, :] * cum[:, -1:]  # the same numbers for everyone
        picked = np.minimum(
            np.vstack([np.searchsorted(cum[i], u[i]) for i in range(len(levels))]), cum.shape[1] - 1
        )
        drawn = self.table.people[picked]  # N x SAMPLES x S
        out: np.ndarray = np.where(answered[:, None, :], levels[:, None, :], drawn)
        return out

    def table_completions(self, answered: np.ndarray, levels: np.ndarray, seed: int = 0) -> np.ndarray:
        """`SAMPLES` completions per person (N x SAMPLES x S): answered levels kept, each unanswered level
        drawn from the table (a role from the posterior q, then each level from that role's shares)."""
        rng = np.random.default_rng(seed)
        n_skills = levels.shape[1]
        q = self.table.posterior(answered, levels)
        # the same random numbers for every person (a person's figures do not depend on who else is in
        # the batch)
        roles = np.minimum(
            (rng.random((1, SAMPLES, 1)) > np.cumsum(q, axis=1)[:, None, :]).sum(axis=2), q.shape[1] - 1
        )
        cum = np.cumsum(self.shares, axis=1).transpose(2, 0, 1)[roles]  # N x SAMPLES x S x 5
        u = rng.random((1, SAMPLES, n_skills, 1))
        drawn = np.minimum((u > cum).sum(axis=3), LEVELS - 1)
        out: np.ndarray = np.where(answered[:, None, :], levels[:, None, :], drawn)
        return out

    def _sampled_agreement(self, answered: np.ndarray, levels: np.ndarray, years: np.ndarray) -> np.ndarray:
        """Per person and skill (N x S): the expected agreement (top-1 same + top-3 set same, 0..2) of the
        answers-alone ranking after answering that skill with the full questionnaire's, over drawn
        completions."""
        n = len(levels)
        x0 = self.matrix(answered, levels, years)
        z0 = self.scorer._logits(x0)  # N x R
        done = self.completions(answered, levels)  # N x M x S
        x = np.concatenate([done, np.repeat(years[:, None, None], SAMPLES, axis=1)], axis=2)
        final = self.scorer._logits(x.reshape(n * SAMPLES, -1)).reshape(n, SAMPLES, -1)
        final3, final1 = top_sets(final), final.argmax(axis=2)  # N x M x 3, N x M
        step = (done - x0[:, None, :-1])[..., None]  # N x M x S x 1: the answer's change of level
        z = z0[:, None, None, :] + step * self.level_weights[None, None, :, :]  # N x M x S x R
        same3 = (top_sets(z) == final3[:, :, None, :]).all(axis=3)
        same1 = z.argmax(axis=3) == final1[:, :, None]
        score: np.ndarray = (same3.astype(np.float64) + same1).mean(axis=1)
        return score


def label_sums(
    n_labels: int, labels: np.ndarray, people: np.ndarray, weights: np.ndarray, has: np.ndarray
) -> np.ndarray:
    """Per label, the weights of the people with it summed per skill they have: labels x skills.

    `labels` (K x N) gives each of the N people (`people`: rows of `has`, people x skills, boolean) K
    labels, `weights` (N) their weights. One `np.bincount` over the (label, skill) of every pair where the
    person has the skill, person by person in order: with `people` ascending and the K labellings' labels
    apart, those are the sums SciPy's CSR times dense product made (row by row in column order, adding
    weight x 0 or 1), to the last bit, without SciPy. On the look-ahead's 8,288 people x 59 skills:
    ~2 ms against SciPy's ~1 ms (`np.add.at` on the dense rows: ~10 ms)."""
    width = has.shape[1]
    cell = np.flatnonzero(has[people])  # (person, skill) pairs, row-major
    person = cell // width
    skill = cell - person * width
    codes = (labels[:, person] * width + skill).ravel()
    sums = np.bincount(codes, weights=np.tile(weights[person], len(labels)), minlength=n_labels * width)
    return sums.reshape(n_labels, width)


def training_table(
    catalog: Catalog, seed: int, leave_out: np.ndarray | None = None, train_rows: np.ndarray | None = None
) -> LevelTable:
    """The level table of the model's own training rows: the real training split (`train_rows`, the
    artefact's; without them the split `careerpath train` used with `seed`, which imports scikit-learn;
    without the positions `leave_out` of it) plus the generated profiles, weighted as in training."""
    real = load_survey_profiles(catalog)
    if train_rows is None:
        from services.recommender.model.training import split

        train_rows, _ = split(real, seed)
    if leave_out is not None:
        train_rows = np.delete(train_rows, leave_out)
    generated = generate_profiles(catalog, GENERATED_PER_ROLE, seed)
    data = LabelledData(
        np.vstack([real.x[train_rows], generated.x]),
        np.concatenate([real.y[train_rows], generated.y]),
        [],
    )
    weights = np.concatenate([np.ones(len(train_rows)), np.full(len(generated), GENERATED_WEIGHT)])
    return LevelTable.fit(data, len(catalog.roles), weights)
