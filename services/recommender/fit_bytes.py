"""A batch's fits written straight to JSON bytes: the bytes msgspec writes for the RoleFit structs, without
building them.

A batch of 1,000 candidates at top 3 is 3,000 RoleFits (and, explained, ~60,000 SkillGaps and
SkillContributions) that exist only to be encoded. Everything in a fit but its numbers is known before
the batch: per role, the JSON around its figures (its market summary included, per market version); per
requirement item, alternative and level, the whole SkillGap; per skill and level, a SkillContribution up
to its number. These fragments are cut out of what msgspec itself writes for a struct holding marker
values (`_fragments`), so field order, escaping and number formatting stay msgspec's; the numbers are
written by msgspec too, all of a batch's in one call (`float_bytes`). A whole batch of 1,000 candidates
at top 3 in-process (read, rank, write), this and the faster coverage and vectorise together, against
the structs and msgspec.json.encode: callgrind instructions (load-independent) figures only 126.7 -> 97.0
M, explained 559 -> 387 M; time (min of 5-7, 2 busy cores) figures only 16.1 -> 8.9-9.4 ms, explained
65.7 -> 35.9 ms. tests/unit/test_recommend_answers.py compares the bytes with msgspec's encoding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
import numpy as np

from shared.contracts.recommendations import (
    BatchCandidate,
    BatchResponse,
    BatchResult,
    RoleFit,
    RoleMarketSummary,
    SkillContribution,
    SkillGap,
)

__all__ = [
    "GAP_STRIDE",
    "FitFragments",
    "Pieces",
    "batch_json",
    "figures_batch_json",
    "figures_fit",
    "float_bytes",
    "fragments",
]

_encode = msgspec.json.encode
_MARK = 1.2345678901234567e300  # a number no answer holds: where a fit's own figures go
GAP_STRIDE = 5 * 16  # room for an item's alternatives (16 at most) at five levels each


def float_bytes(values: np.ndarray) -> list[bytes]:
    """Each number of `values` (flattened, C order) as msgspec writes it, from one encode call."""
    if not values.size:
        return []
    return _encode(values.ravel().tolist())[1:-1].split(b",")


def _fragments(encoded: bytes, holes: Sequence[bytes]) -> list[bytes]:
    """The bytes of `encoded` around each hole (each must occur once, in this order): len(holes) + 1."""
    out, rest = [], encoded
    for hole in holes:
        before, found, rest = rest.partition(hole)
        if not found or hole in rest:
            raise ValueError(f"{hole!r} is not in the encoded struct exactly once")
        out.append(before)
    return [*out, rest]


def _fields(struct: type[msgspec.Struct], names: Sequence[str]) -> None:
    """The holes are filled in this order: it must be the order msgspec writes the fields in."""
    order = [f for f in struct.__struct_fields__ if f in names]
    if order != list(names):
        raise ValueError(f"{struct.__name__} writes {order}, not {list(names)}")


_FIGURES = ("score", "baseline", "match", "readiness", "meets")
_EXPLAINED = (
    "score",
    "matched",
    "missing",
    "contributions",
    "baseline",
    "match",
    "readiness",
    "readiness_contributions",
    "meets",
)
_fields(RoleFit, _FIGURES)
_fields(RoleFit, _EXPLAINED)


def _holes(names: Sequence[str]) -> list[bytes]:
    """Each named field with its marker value, as msgspec writes it in a fit (`_marked`)."""
    marks = {"meets": b"false", "matched": b"[]", "missing": b"[]", "contributions": b"[]"}
    marks["readiness_contributions"] = b"[]"
    return [b'"' + name.encode() + b'":' + marks.get(name, _encode(_MARK)) for name in names]


def figures_fit(
    role: str,
    name: str,
    code: str | None,
    market: RoleMarketSummary | None,
    score: float,
    baseline: float,
    readiness: float,
    meets: bool,
) -> RoleFit:
    """A fit with its figures only (no per-skill lists)."""
    return RoleFit(
        role=role,
        name=name,
        score=score,
        occupation_code=code,
        baseline=baseline,
        match=score,
        readiness=readiness,
        meets=meets,
        market=market,
    )


def _marked(role: str, name: str, code: str | None, market: RoleMarketSummary | None) -> bytes:
    """A role's fit with marker figures, as msgspec writes it."""
    return _encode(figures_fit(role, name, code, market, _MARK, _MARK, _MARK, False))


class FitFragments:
    """The fixed JSON of one market version's fits: per role, the fragments around its figures (figures
    only, and explained); per requirement item, alternative and level, its SkillGap; per skill and level,
    a SkillContribution's opening."""

    def __init__(
        self,
        role_rows: Sequence[tuple[str, str, str | None, list[list[list[SkillGap]]]]],
        skill_ids: Sequence[str],
        markets: Mapping[str, RoleMarketSummary],
    ) -> None:
        self.markets = markets
        self.figures: list[list[bytes]] = []
        self.explained: list[list[bytes]] = []
        # per requirement item (in catalogue order: role by role, as role_rows), alternative slot and level,
        # the SkillGap's JSON at [item * GAP_STRIDE + slot * 5 + level]
        self.gaps: list[bytes] = []
        for role_id, name, code, requirements in role_rows:
            fit = _marked(role_id, name, code, markets.get(role_id))
            self.figures.append(_fixed(_fragments(fit, _holes(_FIGURES)), _FIGURES))
            self.explained.append(_fixed(_fragments(fit, _holes(_EXPLAINED)), _EXPLAINED))
            for item in requirements:
                row = [_encode(gap) for levels in item for gap in levels]
                if len(row) > GAP_STRIDE:
                    raise ValueError(
                        f"a requirement of {role_id} has more than {GAP_STRIDE // 5} alternatives"
                    )
                self.gaps += row + [b""] * (GAP_STRIDE - len(row))
        # each skill's SkillContribution at each level 0..4 up to its number, at [skill column * 5 + level]
        self.contribution = [_opening(skill, level) for skill in skill_ids for level in range(5)]
        # the same as object arrays, for Pieces; an explained fit's fragments with the lists' brackets: the
        # fragment before a list ends with its "[", the one after starts with its "]"
        self.gap_objects = _objects(self.gaps)
        self.contribution_objects = _objects(self.contribution)
        framed = []
        for f in self.explained:
            framed.append(
                [f[0], f[1] + b"[", b"]" + f[2] + b"[", b"]" + f[3] + b"[", b"]" + f[4], f[5], f[6]]
                + [f[7] + b"[", b"]" + f[8], f[9]]
            )
        self.framed = [_objects([row[i] for row in framed]) for i in range(10)]  # [fragment][role]
        # figures only (figures_batch_json): the fragments before the numbers, object arrays [fragment][role],
        # and what follows the readiness at [role, meets, last]: the meets, the fit's end, then "," or, for
        # a result's last fit, the end of its roles and of the result
        self.figure_objects = [_objects([f[i] for f in self.figures]) for i in range(4)]
        self.figure_tails = np.empty((len(self.figures), 2, 2), dtype=object)
        for r, f in enumerate(self.figures):
            for meets, word in enumerate((b"false", b"true")):
                self.figure_tails[r, meets, 0] = f[4] + word + f[5] + b","
                self.figure_tails[r, meets, 1] = f[4] + word + f[5] + b"]" + _RESULT[3]


def _objects(values: Sequence[bytes]) -> np.ndarray:
    """A 1-D object array of these bytes."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


class Pieces:
    """Every piece of a batch's explained fits, each in its place in one object array, then joined once
    per row: the numbers, the fixed fragments, the lists' elements and their separators.

    Fit f takes 16 places and two per SkillGap, three per SkillContribution; a row's first fit one more
    (its "["). In a fit, in order: fragment 0, score, fragment 1 ("[" of matched), matched (gap, ","),
    fragment 2 ("]" and missing's "["), missing, fragment 3, contributions (opening, number, "},"),
    fragment 4, baseline, fragment 5, match, fragment 6, readiness, fragment 7, readiness contributions,
    fragment 8, meets, fragment 9, then "," or the row's "]"; a list's last element has no ",". Joining
    each bit once instead of list by list, then fit by fit and row by row (12 MB copied four times): a
    whole explained batch of 1,000 in-process 47.5 -> 35.9 ms."""

    _FIXED = 16

    def __init__(self, parts: FitFragments, roles: np.ndarray, meets: np.ndarray) -> None:
        self.parts, self.roles, self.meets = parts, roles, meets
        self.lists: list[tuple[np.ndarray, int, Any]] = []  # per list: counts, places per element, filler

    def figures(self, score: np.ndarray, baseline: np.ndarray, readiness: np.ndarray) -> None:
        self.numbers = [_objects(float_bytes(a)) for a in (score, baseline, readiness)]

    def gaps(self, which: int, ids: np.ndarray, counts: np.ndarray) -> None:
        """List `which` (0 matched, 1 missing): the SkillGaps `ids` (into parts.gaps), `counts` a fit."""
        self._next(which)
        self.lists.append((counts, 2, (self.parts.gap_objects[ids],)))

    def contributions(self, which: int, openings: np.ndarray, values: np.ndarray, counts: np.ndarray) -> None:
        """List `which` (2 contributions, 3 readiness contributions): SkillContributions, `counts` a fit."""
        self._next(which)
        self.lists.append(
            (counts, 3, (self.parts.contribution_objects[openings], _objects(float_bytes(values))))
        )

    def _next(self, which: int) -> None:
        if which != len(self.lists):
            raise ValueError(f"list {which} given when list {len(self.lists)} is due")

    def rows(self, per_row: int) -> list[bytes]:
        """Each row's ``[fit, ...]`` (`per_row` fits a row)."""
        fits = len(self.roles)
        first = np.arange(fits) % per_row == 0
        sizes = self._FIXED + first + sum(places * counts for counts, places, _ in self.lists)
        start = np.zeros(fits + 1, dtype=np.intp)
        np.cumsum(sizes, out=start[1:])
        out = np.empty(start[-1], dtype=object)
        out[start[:-1][first]] = b"["
        at = start[:-1] + first  # where fragment 0 goes
        framed, roles = self.parts.framed, self.roles
        score, baseline, readiness = self.numbers
        out[at] = framed[0][roles]
        out[at + 1] = score
        out[at + 2] = framed[1][roles]
        at = at + 3
        for which, (counts, places, elements) in enumerate(self.lists):
            at = self._list(out, at, counts, places, elements)
            if which < 2:
                out[at] = framed[2 + which][roles]
                at = at + 1
            if which == 2:
                out[at] = framed[4][roles]
                out[at + 1] = baseline
                out[at + 2] = framed[5][roles]
                out[at + 3] = score
                out[at + 4] = framed[6][roles]
                out[at + 5] = readiness
                out[at + 6] = framed[7][roles]
                at = at + 7
        out[at] = framed[8][roles]
        out[at + 1] = np.where(self.meets, b"true", b"false")
        out[at + 2] = framed[9][roles]
        out[at + 3] = np.where(np.arange(fits) % per_row == per_row - 1, b"]", b",")
        pieces = out.tolist()
        return [
            b"".join(pieces[a:b])
            for a, b in zip(start[:-1:per_row].tolist(), start[per_row::per_row].tolist(), strict=True)
        ]

    @staticmethod
    def _list(
        out: np.ndarray, at: np.ndarray, counts: np.ndarray, places: int, elements: tuple[np.ndarray, ...]
    ) -> np.ndarray:
        """Put a list's elements (each `places` places: its parts, then its separator) after `at`; the
        place after the list, per fit."""
        total = int(counts.sum())
        if total:
            run_start = np.zeros(len(counts), dtype=np.intp)
            np.cumsum(counts[:-1], out=run_start[1:])
            within = np.arange(total) - np.repeat(run_start, counts)
            place = np.repeat(at, counts) + places * within
            for offset, part in enumerate(elements):
                out[place + offset] = part
            last = within == np.repeat(counts, counts) - 1
            separator = place + places - 1
            if places == 2:
                out[separator] = np.where(last, b"", b",")
            else:
                out[separator] = np.where(last, b"}", b"},")
        after: np.ndarray = at + places * counts
        return after


def _opening(skill: str, level: int) -> bytes:
    """A SkillContribution's JSON up to its number (the number and ``}`` follow)."""
    head, tail = _fragments(
        _encode(SkillContribution(skill=skill, level=level, contribution=_MARK)), [_encode(_MARK)]
    )
    if tail != b"}":
        raise ValueError("SkillContribution does not end with its contribution")
    return head


def _fixed(parts: list[bytes], names: Sequence[str]) -> list[bytes]:
    """Fragments with each hole's key kept on the fragment before it (the hole is then the value)."""
    out = list(parts)
    for i, name in enumerate(names):
        out[i] += b'"' + name.encode() + b'":'
    return out


def fragments(
    cache: dict[int, FitFragments], make: Any, markets: Mapping[str, RoleMarketSummary]
) -> FitFragments:
    """The fragments for `markets` (one market version's summaries), made once per version: the last
    few are kept, keyed by the mapping's identity (each entry holds its mapping, so the id stays its)."""
    found = cache.get(id(markets))
    if found is None or found.markets is not markets:
        if len(cache) >= 4:
            cache.pop(next(iter(cache)))
        found = cache[id(markets)] = make(markets)
    return found


_ID, _INDEX = "\x00id\x00", 987654321  # marker values: no result holds them
_RESULT = _fragments(
    _encode(BatchResult(id=_ID, index=_INDEX, roles=[])), [_encode(_ID), b"987654321", b"[]"]
)


_HEADS: list[bytes] = []  # per index: a result's JSON from after its id up to its first fit


def _heads(n: int) -> list[bytes]:
    """`_HEADS` for indexes 0..n-1 (made once, grown when a longer batch comes)."""
    _, index_at, roles_at, _ = _RESULT
    _HEADS.extend(index_at + str(i).encode() + roles_at + b"[" for i in range(len(_HEADS), n))
    return _HEADS


def figures_batch_json(
    items: Sequence[BatchCandidate | BatchResult],
    envelope: BatchResponse,
    parts: FitFragments,
    chosen: np.ndarray,
    score: np.ndarray,
    baseline: np.ndarray,
    readiness: np.ndarray,
    meets: np.ndarray,
) -> bytes:
    """`batch_json` of figures-only fits, the same bytes, written in one join: every piece of the answer
    (the fixed fragments, the ids, the numbers) put in its place in one object array, a row per scored
    candidate (the candidates of `items` in order: `chosen`, their roles, N x K, and the roles' figures
    and `meets`, N x K each). Not a fit, a row or a result joined on its own (_figures_json then
    batch_json copied the 2 MB of an answer of 1,000 three times)."""
    if envelope.results:
        raise ValueError("the envelope's results are written here: give it none")
    head, rest = _fragments(_encode(envelope), [b'"results":[]'])
    n, k = chosen.shape
    good = [i for i, item in enumerate(items) if isinstance(item, BatchCandidate)]
    if len(good) != n:
        raise ValueError(f"{n} rows of fits for {len(good)} candidates")
    out = np.empty((n, 3 + 9 * k), dtype=object)
    id_at = _RESULT[0]
    out[:, 0] = b"," + id_at
    if good and good[0] == 0:
        out[0, 0] = id_at
    out[:, 1] = [_encode(items[i].id) for i in good]
    heads = _heads(len(items))
    out[:, 2] = [heads[i] for i in good]
    numbers = [_objects(float_bytes(a)).reshape(n, k) for a in (score, baseline, readiness)]
    f0, f1, f2, f3 = parts.figure_objects
    tails, met = parts.figure_tails, meets.astype(np.intp)  # indexes (a bool array would be a mask)
    for j in range(k):
        roles, at = chosen[:, j], 3 + 9 * j
        out[:, at] = f0[roles]
        out[:, at + 1] = numbers[0][:, j]
        out[:, at + 2] = f1[roles]
        out[:, at + 3] = numbers[1][:, j]
        out[:, at + 4] = f2[roles]
        out[:, at + 5] = numbers[0][:, j]
        out[:, at + 6] = f3[roles]
        out[:, at + 7] = numbers[2][:, j]
        out[:, at + 8] = tails[roles, met[:, j], int(j == k - 1)]
    if n == len(items):
        return b"".join([head, b'"results":[', *out.ravel().tolist(), b"]", rest])
    pieces = [head, b'"results":[']
    rows = iter(out.tolist())
    for index, item in enumerate(items):
        if isinstance(item, BatchCandidate):
            pieces += next(rows)
        else:
            if index:
                pieces.append(b",")
            pieces.append(_encode(item))
    pieces += (b"]", rest)
    return b"".join(pieces)


def batch_json(
    items: Sequence[BatchCandidate | BatchResult], fits: Sequence[bytes], envelope: BatchResponse
) -> bytes:
    """The JSON of `envelope` with a result per item (in order): a candidate's with its fits (the next of
    `fits`, as Scorer.rank_batch_json writes them), a refused one's as it is; the bytes msgspec writes for
    the BatchResponse holding those BatchResults."""
    if envelope.results:
        raise ValueError("the envelope's results are written here: give it none")
    head, rest = _fragments(_encode(envelope), [b'"results":[]'])
    id_at, index_at, roles_at, end = _RESULT
    out = [head, b'"results":[']
    written = iter(fits)
    for index, item in enumerate(items):
        if index:
            out.append(b",")
        if isinstance(item, BatchCandidate):
            out += (id_at, _encode(item.id), index_at, str(index).encode(), roles_at, next(written), end)
        else:
            out.append(_encode(item))
    out += (b"]", rest)
    return b"".join(out)
