"""The explanation's arithmetic is what it was before this round's shortcuts (issue 18): one stacked
matrix and one softmax for the profiles and their empty profiles, numpy's reductions called as ufuncs,
the years' scale constant made once. The reference below is Scorer._explain and _softmax as they were at
commit c75b561, verbatim but for their names (a function taking the scorer); every array must be equal
to the bit, for one profile and for many, with every option."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from services.recommender.model.artefact import load_latest
from services.recommender.model.features import vectorise
from services.recommender.scoring import _NODES, _WEIGHTS, Scorer, along
from shared.catalog import load_catalog

CATALOG = load_catalog()


@pytest.fixture(scope="module")
def scorer(model_dir: Path) -> Scorer:
    return Scorer(CATALOG, load_latest(model_dir))


def _softmax_before(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    p: np.ndarray = e / e.sum(axis=-1, keepdims=True)  # numpy types keepdims reductions as Any
    return p


def _explain_before(
    self: Scorer, x: np.ndarray, top: int | None, role: int | None, contributions: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scorer._explain as it was."""
    n, n_roles = len(x), len(self.role_ids)
    empty = np.zeros_like(x)
    empty[:, -1] = x[:, -1]
    logits = self._logits(np.vstack([x, empty]))
    z1, z0 = logits[:n], logits[n:]
    proba, base = _softmax_before(z1), _softmax_before(z0)
    if role is not None:
        roles = np.full((n, 1), role)
    elif top is not None:
        roles = np.argsort(-proba, axis=1, kind="stable")[:, : max(1, min(top, n_roles))]
    else:
        roles = np.broadcast_to(np.arange(n_roles), (n, n_roles))
    if not contributions:
        return proba, base, roles, np.zeros((n, roles.shape[1], x.shape[1] - 1))
    # p along the path at each quadrature node (N x T x R), weighted by the quadrature weights
    path = _softmax_before(z0[:, None, :] + _NODES[None, :, None] * (z1 - z0)[:, None, :])
    weighted = along(path, roles[:, None, :]) * _WEIGHTS[None, :, None]  # N x T x K
    # G[n, c, k] = sum_t w_t p_c (delta_ck - p_k), for the selected roles c only: N x K x R
    g = -np.matmul(weighted.transpose(0, 2, 1), path)
    rows = np.arange(n)[:, None]
    slots = np.arange(roles.shape[1])[None, :]
    g[rows, slots, roles] += weighted.sum(axis=1)
    contrib = np.matmul(g, self._level_weights) * x[:, None, :-1]  # N x K x S
    # Spread the quadrature remainder so contributions add up to score - baseline exactly.
    gap = along(proba - base, roles)
    remainder = gap - contrib.sum(axis=2)
    size = np.abs(contrib)
    total = size.sum(axis=2, keepdims=True)
    share = np.divide(size, total, out=np.zeros_like(size), where=total > 0)
    contrib += remainder[:, :, None] * share
    return proba, base, roles, contrib


def test_explanations_are_the_ones_before_to_the_bit(scorer: Scorer) -> None:
    rng = random.Random(183)
    profiles = [
        (
            {s: rng.randint(0, 4) for s in rng.sample(CATALOG.skill_ids, k=rng.randint(0, 14))},
            rng.uniform(0, 45),
        )
        for _ in range(120)
    ]
    n_roles = len(CATALOG.role_ids)
    for rows in (1, 1, 2, 7, 120):
        x = vectorise(profiles[:rows], CATALOG.skill_ids)
        rng.shuffle(profiles)
        for top, role, contributions in [
            (n_roles, None, True),
            (3, None, True),
            (None, None, True),
            (None, rng.randrange(n_roles), True),
            (3, None, False),
        ]:
            got = scorer._explain(x, top, role, contributions)
            want = _explain_before(scorer, x, top, role, contributions)
            for a, b in zip(got, want, strict=True):
                assert a.shape == b.shape and a.tobytes() == b.tobytes()
