"""The questionnaire's level examples: one concrete example per level for every skill of the catalogue."""

from __future__ import annotations

import json

from services.gateway.web import STATIC_DIR
from shared.catalog import load_catalog

EXAMPLES = json.loads((STATIC_DIR / "level-examples.json").read_text(encoding="utf-8"))["skills"]


def test_every_skill_of_the_catalogue_has_an_example_for_each_level() -> None:
    assert set(EXAMPLES) == set(load_catalog().skills)
    for skill, levels in EXAMPLES.items():
        assert set(levels) == {"1", "2", "3", "4"}, skill
        assert all(10 <= len(text) <= 110 for text in levels.values()), skill


def test_the_examples_of_a_skill_differ_from_level_to_level() -> None:
    for skill, levels in EXAMPLES.items():
        assert len(set(levels.values())) == 4, skill
