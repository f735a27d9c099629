"""The adaptive questionnaire: which skill to ask about next, vectorised over people and questions.

State: the skills answered so far (levels 0-4, a 0 being an answer) and the years of experience. The
ranking shown is the scorer's for the answers, unanswered skills counting as 0 (what a recommendation for
those answers gives).

What the answers so far say about the rest comes from the training data (`LevelTable`): per role, the
share of people at each level of each skill (the real training split plus the generated profiles with
their training weights, Laplace-smoothed), and the role shares. The belief over roles given the answers
is the naive-Bayes posterior q(r) ∝ prior(r) · Π_answered P(level | r); the chance of each answer to an
unanswered skill j is P(l | answers) = Σ_r q(r) P(l | r, j).

For each unanswered skill j and level l the model's logits move by (l - 0) · W[:, j] / 4 (the model is
linear in the levels), so every hypothetical answer's ranking is one broadcast add: N people × S skills
× 5 levels × R roles. From that: `information_gain`, the expected fall in the entropy of the model's role
probabilities, and `change_chance`, the chance the answer changes the top-three set.

Which question (`criterion`; `careerpath evaluate --questionnaire` measures them and chooses one on a
sample of the training split, never the held-out one): "neighbours" and "agreement" draw `SAMPLES`
completions of the unanswered skills (the same seeded random numbers for everyone, so the same answers
always give the same question) and ask the skill whose answer makes the ranking agree most with the
completed profiles' rankings (top-1 same + top-3 set same, averaged over the samples): a one-step
look-ahead on exactly what the questionnaire is judged by. "neighbours" draws whole training people
like the person (each answer not shared divides a person's weight by 1 / `MISMATCH`), keeping which skills
go together; "agreement" draws from the table (a role from q, then each level independently). "entropy"
asks the skill of largest information gain, "change" the one most likely to change the top three.
The default, "neighbours", is the one the training split chose (top-1 + top-3 agreement at k = 10:
neighbours 1.165, agreement 1.097, change 1.042, entropy 0.578); the held-out figures are in the README.
Unanswered skills count as 0 in the ranking: with them at their expected level under q instead, the
held-out agreement at k = 10 was lower (0.783 / 0.397 against 0.796 / 0.421).
The questionnaire is done when no question left has a `change_chance` of `STOP_CHANCE` or more.

`confidence` is the share of those completions whose top three is the current top three.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np

from services.recommender.model.labels import LabelledData, generate_profiles, load_survey_profiles
from services.recommender.model.training import GENERATED_PER_ROLE, GENERATED_WEIGHT, split
from services.recommender.scoring import Scorer
from shared.catalog import Catalog

__all__ = [
    "CRITERIA",
    "LEVELS",
    "SAMPLES",
    "STOP_CHANCE",
    "Decision",
    "LevelTable",
    "Questionnaire",
    "top_sets",
    "training_table",
]

LEVELS = 5
TOP = 3
STOP_CHANCE = 0.02
SAMPLES = 256
SMOOTHING = 0.5
CRITERIA = ("neighbours", "agreement", "entropy", "change")
# A neighbour's weight is multiplied by this for each answer it does not share. Checked on the training
# sample of `choose_criterion` (top-1 + top-3 agreement at k = 10): 0.005 1.130, 0.02 1.130, 0.05 1.165,
# 0.2 1.123.
MISMATCH = 0.05
CHUNK = 128


@dataclasses.dataclass(frozen=True)
class LevelTable:
    """P(level | role, skill) as log shares (S x 5 x R) and the log role prior (R), from training rows."""

    log_level: np.ndarray
    log_prior: np.ndarray
    # the training people themselves (levels N x S, presence as 0/1 floats, log weights): "neighbours"
    people: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    log_weight: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))

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
        return cls(np.log(shares), np.log(prior / prior.sum()), levels, np.log(np.maximum(w, 1e-300)))

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
class Decision:
    """One person's next question (None when done) and the figures behind it."""

    skill: int | None
    information_gain: float
    change_chance: float
    confidence: float
    # the two roles (indices) whose order the chosen answer moves most; None when done
    contrast: tuple[int, int] | None


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
    """Chooses the next question for partial answers with a scorer and a level table."""

    def __init__(self, scorer: Scorer, table: LevelTable, criterion: str = "neighbours") -> None:
        if criterion not in CRITERIA:
            raise ValueError(f"unknown criterion {criterion!r}")
        self.scorer = scorer
        self.table = table
        self.criterion = criterion
        self.shares = table.shares  # S x 5 x R
        self.level_weights = scorer._level_weights.T  # S x R: logit change per level of each skill

    def matrix(self, answered: np.ndarray, levels: np.ndarray, years: np.ndarray) -> np.ndarray:
        """The raw model input for partial answers (unanswered skills 0)."""
        x = np.zeros((len(levels), levels.shape[1] + 1))
        x[:, :-1] = np.where(answered, levels, 0)
        x[:, -1] = years
        return x

    def decide(
        self, answered: np.ndarray, levels: np.ndarray, years: np.ndarray, *, confidence: bool = True
    ) -> list[Decision]:
        """The next question for each of N people (answered masks, levels N x S; years N)."""
        chosen, gain, chance, contrast, sampled = self.choose(answered, levels, years)
        if not confidence:
            conf = np.full(len(levels), np.nan, dtype=np.float64)
        else:  # the choice's own samples when it drew them (the same ones confidence() would draw)
            conf = sampled if sampled is not None else self.confidence(answered, levels, years)
        return [
            Decision(
                skill=None if chosen[n] < 0 else int(chosen[n]),
                information_gain=float(gain[n]) if chosen[n] >= 0 else 0.0,
                change_chance=float(chance[n]) if chosen[n] >= 0 else 0.0,
                confidence=float(conf[n]),
                contrast=None if chosen[n] < 0 else (int(contrast[n, 0]), int(contrast[n, 1])),
            )
            for n in range(len(levels))
        ]

    def choose(
        self, answered: np.ndarray, levels: np.ndarray, years: np.ndarray, *, stop: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """Per person: the chosen skill (-1 when done), its information gain and top-three change chance,
        the two roles its answer moves furthest apart (N x 2), and the confidence when the criterion drew
        completions for the choice (else None). `stop=False`: a skill whenever one is left."""
        best, gain, chance, contrast, sampled, done = self.scores(answered, levels, years)
        if not stop:
            done = np.asarray(answered.all(axis=1))
        return np.where(done, -1, best), gain, chance, contrast, sampled

    def scores(
        self, answered: np.ndarray, levels: np.ndarray, years: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
        """`choose`'s figures before the stopping rule, and the rule's verdict (N, True: done)."""
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
        gain = _entropy(p0)[:, None] - (pred * _entropy(p)).sum(axis=2)  # N x S
        changed = np.any(top_sets(p) != top_sets(p0)[:, None, None, :], axis=-1)  # N x S x 5
        chance = (pred * changed).sum(axis=2)  # N x S
        sampled: np.ndarray | None = None
        if self.criterion in ("agreement", "neighbours"):
            score, sampled = self.sampled_agreement(answered, levels, years)
        else:
            score = gain if self.criterion == "entropy" else chance
        score = np.where(answered, -np.inf, score)
        best = np.argmax(score, axis=1)
        rows = np.arange(len(x0))
        best_chance = chance[rows, best]
        done = ~np.isfinite(score[rows, best])
        done |= np.where(answered, 0.0, chance).max(axis=1) < STOP_CHANCE
        moved = p[rows, best, LEVELS - 1] - p[rows, best, 0]  # N x R: from "none" to "expert"
        contrast = np.stack([moved.argmax(axis=1), moved.argmin(axis=1)], axis=1)
        return best, gain[rows, best], best_chance, contrast, sampled, done

    def completions(self, answered: np.ndarray, levels: np.ndarray, seed: int = 0) -> np.ndarray:
        """`SAMPLES` completions per person (N x SAMPLES x S) by the criterion's way of drawing them."""
        if self.criterion == "neighbours":
            return self.neighbour_completions(answered, levels, seed)
        return self.table_completions(answered, levels, seed)

    def neighbour_completions(self, answered: np.ndarray, levels: np.ndarray, seed: int = 0) -> np.ndarray:
        """Completions from training people like the person: each drawn with its training weight times
        `MISMATCH` per answer it does not share (skill used or not), its levels filling the unanswered
        skills. Keeps the skills' co-occurrence (TypeScript with JavaScript), which the table does not."""
        rng = np.random.default_rng(seed)
        has = (self.table.people > 0).astype(np.float64)  # P x S
        mine = (levels > 0) & answered
        none = (levels == 0) & answered
        mismatches = mine.astype(np.float64) @ (1.0 - has).T + none.astype(np.float64) @ has.T  # N x P
        log_w = self.table.log_weight[None, :] + mismatches * np.log(MISMATCH)
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

    def sampled_agreement(
        self, answered: np.ndarray, levels: np.ndarray, years: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per person and skill (N x S): the expected agreement (top-1 same + top-3 set same, 0..2) of the
        ranking after answering that skill with the full questionnaire's, over sampled completions; and
        per person (N) the confidence those same completions give (what `confidence` computes)."""
        out = np.empty(levels.shape)
        conf = np.empty(len(levels))
        for start in range(0, len(levels), CHUNK):
            part = slice(start, start + CHUNK)
            out[part], conf[part] = self._sampled_agreement(answered[part], levels[part], years[part])
        return out, conf

    def _sampled_agreement(
        self, answered: np.ndarray, levels: np.ndarray, years: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        n, n_skills = levels.shape
        x0 = self.matrix(answered, levels, years)
        p0 = self.scorer.probabilities(x0)  # N x R
        z0 = np.log(np.maximum(p0, 1e-300))
        done = self.completions(answered, levels)  # N x M x S
        x = np.concatenate([done, np.repeat(years[:, None, None], SAMPLES, axis=1)], axis=2)
        p_final = self.scorer.probabilities(x.reshape(n * SAMPLES, -1)).reshape(n, SAMPLES, -1)
        conf = (top_sets(p_final) == top_sets(p0)[:, None, :]).all(axis=2).mean(axis=1)
        final = np.log(np.maximum(p_final, 1e-300))
        final3, final1 = top_sets(final), final.argmax(axis=2)  # N x M x 3, N x M
        step = (done - x0[:, None, :-1])[..., None]  # N x M x S x 1: the answer's change of level
        z = z0[:, None, None, :] + step * self.level_weights[None, None, :, :]  # N x M x S x R
        same3 = (top_sets(z) == final3[:, :, None, :]).all(axis=3)
        same1 = z.argmax(axis=3) == final1[:, :, None]
        score: np.ndarray = (same3.astype(np.float64) + same1).mean(axis=1)
        return score, conf

    def confidence(self, answered: np.ndarray, levels: np.ndarray, years: np.ndarray) -> np.ndarray:
        """Per person, the sampled chance that the current top three is the full questionnaire's."""
        out = np.empty(len(levels))
        for start in range(0, len(levels), CHUNK):
            part = slice(start, start + CHUNK)
            a, lv, y = answered[part], levels[part], years[part]
            now = top_sets(self.scorer.probabilities(self.matrix(a, lv, y)))
            done = self.completions(a, lv)
            x = np.concatenate([done, np.repeat(y[:, None, None], SAMPLES, axis=1)], axis=2)
            final = top_sets(self.scorer.probabilities(x.reshape(len(lv) * SAMPLES, -1))).reshape(
                len(lv), SAMPLES, -1
            )
            out[part] = (final == now[:, None, :]).all(axis=2).mean(axis=1)
        return out

    def next_for(self, answers: Mapping[str, int], years: float) -> Decision:
        """The decision for one person's answers (skill id -> level)."""
        answered, levels = self.encode([answers])
        return self.decide(answered, levels, np.asarray([years], dtype=np.float64))[0]

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


def training_table(catalog: Catalog, seed: int, leave_out: np.ndarray | None = None) -> LevelTable:
    """The level table of the model's own training rows: the real training split (the split
    `careerpath train` used with `seed`; without the positions `leave_out` of it) plus the generated
    profiles, weighted as in training."""
    real = load_survey_profiles(catalog)
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
