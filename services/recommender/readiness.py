"""Readiness for a role: how much of what the role asks for a profile already has (0..1, absolute).

A role's requirements (`shared/catalog/roles.yaml`) are items: one skill at a level, or a choice met by
any one of several skills at a level ("a server-side language": Python, Java, Go, ...). An item's
coverage is min(level, required) / required, for a choice the best of its alternatives. Readiness is the
weighted mean of the coverages:

    readiness(role) = sum_i weight_i * coverage_i,   sum_i weight_i = 1 over the role's items

Weights come from evidence that can be shown (`weight_of`): an item's raw weight is its required level
times (0.5 + e), where e in 0..1 is the strongest of

- the survey: the share of the role's Stack Overflow DevType who worked with the skill (any alternative of
  a choice), scaled so that 60 % or more counts fully; used when the DevType has >= 30 respondents;
- O*NET Technology Skills of the role's occupation: In Demand 1, Hot Technology 2/3, listed 1/3;

and, where neither source says anything, e = 0.5 with the written rationale of
`requirement_rationale.csv` as its basis. So a requirement weighs between 0.5x and 1.5x its level.

Properties (tested): every coverage is non-decreasing in every skill level and weights are positive, so
readiness never falls when a skill rises; an empty profile has readiness 0 for every role; a profile with
every requirement met has 1. The per-skill contributions (the item's weighted coverage, credited to the
skill that covers it) add up to readiness exactly.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec
import numpy as np

from services.recommender.model.features import vectorise
from shared.catalog import Catalog, Requirement
from shared.catalog.evidence import SkillEvidence, load_evidence, load_rationale

__all__ = ["MIN_SURVEY_RESPONDENTS", "RATIONALE_EVIDENCE", "Item", "ReadinessModel", "weight_of"]

MIN_SURVEY_RESPONDENTS = 30
# from this many rows coverage takes coverage_of_many's int8 path (for one profile it costs more: 16 -> 36 us)
_MANY_ROWS = 16
FULL_SHARE = 0.6
RATIONALE_EVIDENCE = 0.5
_ONET_WORDS = {3: "O*NET In Demand", 2: "O*NET Hot Technology", 1: "listed by O*NET"}


class Item(msgspec.Struct, kw_only=True, frozen=True):
    """One requirement of one role, with its normalised weight and the evidence behind it."""

    role: str
    skills: tuple[str, ...]
    level: int
    label: str | None
    weight: float
    basis: str


def weight_of(
    role_name: str,
    requirement: Requirement,
    evidence: list[SkillEvidence],
    rationale: str | None,
) -> tuple[float, str]:
    """The raw weight of a requirement and the evidence it rests on, in words."""
    survey = [e.share for e in evidence if e.share is not None and e.respondents >= MIN_SURVEY_RESPONDENTS]
    share = max(survey) if survey else None
    flag = max((e.onet_flag for e in evidence), default=0)
    scores, words = [], []
    if share is not None:
        scores.append(min(share / FULL_SHARE, 1.0))
        who = "its most used alternative is used" if len(requirement.skills) > 1 else "used"
        words.append(f"{who} by {share:.0%} of {role_name.lower()}s surveyed (Stack Overflow 2023)")
    if flag:
        scores.append(flag / 3)
        words.append(_ONET_WORDS[flag])
    if not scores:
        if not rationale:
            raise ValueError(f"{role_name}: no evidence and no written rationale for {requirement}")
        scores.append(RATIONALE_EVIDENCE)
        words.append(rationale)
    return requirement.level * (0.5 + max(scores)), "; ".join(words)


def _whole_levels(levels: np.ndarray) -> np.ndarray | None:
    """The levels as int8 when each is a whole number 0..4 (as vectorise gives them), else None."""
    small = levels.astype(np.int8)
    if small.size and (small.min() < 0 or small.max() > 4 or not np.array_equal(small, levels)):
        return None
    return small


class ReadinessModel:
    """Readiness of skill vectors for every role, vectorised, with its explanation."""

    def __init__(self, catalog: Catalog) -> None:
        evidence, rationale = load_evidence(), load_rationale()
        self.skill_ids = catalog.skill_ids
        self.role_ids = catalog.role_ids
        column = {s: i for i, s in enumerate(self.skill_ids)}
        items: list[Item] = []
        self.role_items: list[list[int]] = []
        for role in catalog.roles.values():
            raw = []
            for req in role.items:
                key = req.label or req.skills[0]
                ev = [evidence[(role.id, s)] for s in req.skills]
                raw.append((req, *weight_of(role.name, req, ev, rationale.get((role.id, key)))))
            total = sum(w for _, w, _ in raw)
            self.role_items.append(list(range(len(items), len(items) + len(raw))))
            items += [
                Item(role=role.id, skills=r.skills, level=r.level, label=r.label, weight=w / total, basis=b)
                for r, w, b in raw
            ]
        self.items = items
        self.item_weights = np.asarray([it.weight for it in items])
        # alt_cols[item, slot]: the skill column of each alternative, padded by repeating the item's last
        # one (a repeat changes neither the best coverage nor which slot is first to give it).
        width = max(len(it.skills) for it in items)
        self.alt_cols = np.asarray(
            [[column[it.skills[min(k, len(it.skills) - 1)]] for k in range(width)] for it in items],
            dtype=np.int64,
        )
        # Single-skill items are a plain gather; only the choices need the alternatives (a third of the
        # batch scoring time went to gathering every item as if it were a choice of nine).
        self._single = np.asarray([i for i, it in enumerate(items) if len(it.skills) == 1], dtype=np.int64)
        self._choice = np.asarray([i for i, it in enumerate(items) if len(it.skills) > 1], dtype=np.int64)
        self._need = np.asarray([i.level for i in items], dtype=np.float64)
        # per role: its single-skill items and its choices (readiness_for)
        single_set = set(self._single.tolist())
        self._role_single = [
            np.asarray([i for i in rows if i in single_set], dtype=np.int64) for rows in self.role_items
        ]
        self._role_choice = [
            np.asarray([i for i in rows if i not in single_set], dtype=np.int64) for rows in self.role_items
        ]
        # per role, the gathers readiness_for makes: its singles' columns and levels, its choices' columns and
        # levels (the same arrays as gathered per call: ~4 us less a call)
        self._role_gathers = [
            (
                single,
                self.alt_cols[single, 0],
                self._need[single],
                choice,
                self.alt_cols[choice],
                self._need[choice],
            )
            for single, choice in zip(self._role_single, self._role_choice, strict=True)
        ]
        # coverage's gathers, made once (the same arrays)
        self._single_need = self._need[self._single]
        self._choice_need_f = self._need[self._choice]
        self._choice_need_3d = self._choice_need_f[None, :, None]
        self._choice_cols = self.alt_cols[self._choice]
        self._choice_slots = np.arange(len(self._choice))[None, :]
        # coverage_of_many's tables: a single item's coverage at each level 0..4 (flattened, five per item),
        # the choices' levels as int8, and the column of each item among [singles..., choices...]
        single_need = self._need[self._single][:, None]
        self._single_table = (np.minimum(np.arange(5.0)[None, :], single_need) / single_need).ravel()
        self._single_cols = self.alt_cols[self._single, 0]
        self._single_offsets = 5 * np.arange(len(self._single))
        self._choice_need = self._need[self._choice].astype(np.int8)
        self._catalogue_order = np.argsort(np.concatenate([self._single, self._choice]))
        self._weights = np.zeros((len(items), len(self.role_ids)))
        for r, rows in enumerate(self.role_items):
            self._weights[rows, r] = [items[i].weight for i in rows]

    def coverage(self, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per row and item: the coverage 0..1, and the alternative (slot) that gives it (N x I each)."""
        if len(levels) >= _MANY_ROWS and (small := _whole_levels(levels)) is not None:
            cover, best = self.coverage_of_many(small)
            assert best is not None
            return cover, best
        n = len(levels)
        cover = np.empty((n, len(self.items)))
        best = np.zeros((n, len(self.items)), dtype=np.int64)
        need = self._single_need
        cover[:, self._single] = np.minimum(levels[:, self._single_cols], need) / need
        if len(self._choice):
            need = self._choice_need_f
            held = np.minimum(levels[:, self._choice_cols], self._choice_need_3d)  # N x choices x K
            slot = held.argmax(axis=2)  # first alternative among equals: the choice's own order
            # held at the slot (np.take_along_axis's gather, without its per-call checks)
            at = held[np.arange(n)[:, None], self._choice_slots, slot]
            cover[:, self._choice] = at / need
            best[:, self._choice] = slot
        return cover, best

    def coverage_of_many(self, small: np.ndarray, slots: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        """`coverage` for many rows of whole levels 0..4 as int8 (`_whole_levels`), the same numbers (the
        slots only when asked for, else None).

        The work is done on int8:
        a single-skill item's coverage is read from its table of five values (min(level, need) / need,
        computed as `coverage` computes it), a choice keeps its best alternative so far over the
        alternatives (strictly better only: the first among equals, as argmax), and one column gather
        puts the items back in catalogue order. 1,000 candidates: 2.5 -> 0.95 ms, 0.75 ms without the
        slots (tests/unit/test_recommend_answers.py holds it to `coverage`'s small-batch path).
        """
        n, width = len(small), len(self._single)
        first = np.empty((n, len(self.items)))
        first[:, :width] = self._single_table[small[:, self._single_cols] + self._single_offsets]
        best = None
        if len(self._choice):
            top = np.minimum(small[:, self.alt_cols[self._choice, 0]], self._choice_need)
            slot = np.zeros(top.shape, dtype=np.int64) if slots else None
            for k in range(1, self.alt_cols.shape[1]):
                held = np.minimum(small[:, self.alt_cols[self._choice, k]], self._choice_need)
                if slot is not None:
                    slot[held > top] = k
                np.maximum(top, held, out=top)
            np.divide(top, self._need[self._choice], out=first[:, width:])
            if slot is not None:
                best = np.zeros((n, len(self.items)), dtype=np.int64)
                best[:, self._choice] = slot
        elif slots:
            best = np.zeros((n, len(self.items)), dtype=np.int64)
        return first.take(self._catalogue_order, axis=1), best

    def readiness_for(self, levels: np.ndarray, role: int) -> np.ndarray:
        """Readiness of every row for one role (index): ``readiness(levels)[:, role]``, the same numbers.

        Only the role's own items are covered; the others stay 0 in the same product, where their weight
        for this role is 0 anyway (each product with it is exactly 0, so every sum is the one `readiness`
        makes). A learning plan's 9 rows (the profile, then each step taken), min of 7 on a busy machine:
        40-87 -> 16-37 us."""
        single, single_cols, single_need, choice, choice_cols, choice_need = self._role_gathers[role]
        cover = np.zeros((len(levels), len(self.items)))
        cover[:, single] = np.minimum(levels[:, single_cols], single_need) / single_need
        if len(choice):
            held = np.minimum(levels[:, choice_cols], choice_need[None, :, None])
            cover[:, choice] = np.maximum.reduce(held, axis=2) / choice_need  # held.max's ufunc, unwrapped
        ready: np.ndarray = self.from_coverage(cover)[:, role]
        return ready

    def readiness(self, levels: np.ndarray) -> np.ndarray:
        """N x R readiness for a matrix of skill levels (N x S)."""
        return self.from_coverage(self.coverage(levels)[0])

    def from_coverage(self, cover: np.ndarray) -> np.ndarray:
        """N x R readiness from the item coverages `coverage` gave."""
        return np.asarray(cover @ self._weights)

    def of(self, skills: Mapping[str, int], role: int) -> float:
        """Readiness of one profile for one role (role index)."""
        return float(self.readiness(vectorise([(skills, 0.0)], self.skill_ids)[:, :-1])[0, role])
