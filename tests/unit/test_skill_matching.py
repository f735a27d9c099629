"""The shared skill matcher's hard cases (word boundaries, plain-English look-alikes, negation) and the
levels the extractor suggests, each with the words it read."""

from __future__ import annotations

import pytest

from shared.catalog import load_catalog
from shared.catalog.extraction import Extractor, years_level
from shared.catalog.matching import SkillMatcher

CATALOG = load_catalog()


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher(CATALOG)


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(CATALOG)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("JavaScript and TypeScript", {"javascript", "typescript"}),  # no java
        ("Java/JavaScript", {"java", "javascript"}),
        ("I'm a Go-getter who likes to Go to market fast", set()),
        ("Go-live planning; ready to Go", set()),
        ("Services in Go and Golang", {"go"}),
        ("docker go kubernetes", {"docker", "go", "kubernetes"}),  # a posting's tag line
        ("we go to the rest of the node and spark joy", set()),
        ("C, C++ and embedded C", set()),  # the taxonomy has no C or C++; C++ is not C#
        ("C# and .NET Core", {"csharp"}),
        ("R and Swift for analysis, then Spring cleaning", set()),
        ("Spring Boot services", {"web-frameworks"}),
        ("Rust belt manufacturing, rust never sleeps", set()),
        ("Rust and Cargo", {"rust"}),
        ("PostgreSQL and MySQL", {"postgresql", "mysql"}),  # no sql inside them
        ("PostgreSQL, T-SQL", {"postgresql", "sql"}),
        ("Lived in Phoenix, AZ", set()),
        ("employment authorization required", set()),
        ("java kotlin spring-boot amazon-web-services", {"java", "kotlin", "web-frameworks", "aws"}),
        ("no Kubernetes experience", set()),
        ("Python, not Java", {"python"}),
        ("without Docker or Podman", set()),
        ("never used Terraform", set()),
        ("no experience with Kafka, but Python daily", {"python"}),
        ("Kubernetes: none", set()),
        ("Helm (never used)", set()),
        ("not only Python but also Go", {"python", "go"}),
        ("I want to learn Rust", set()),
        ("I'd like to learn Kubernetes. Docker daily.", {"docker"}),
    ],
)
def test_hard_cases(matcher: SkillMatcher, text: str, expected: set[str]) -> None:
    assert matcher.match(text) == expected


def test_mentions_carry_offsets_and_why_they_do_not_count(matcher: SkillMatcher) -> None:
    text = "Python daily; no Kubernetes yet, want to learn Rust"
    found = {
        (m.skill, text[m.start : m.end], m.status, text[m.cue_start : m.cue_end])
        for m in matcher.mentions(text)
    }
    assert found == {
        ("python", "Python", "plain", ""),
        ("kubernetes", "Kubernetes", "negated", "no"),
        ("rust", "Rust", "wanted", "want to learn"),
    }


def test_a_longer_mention_of_the_same_skill_wins(matcher: SkillMatcher) -> None:
    text = "Ruby on Rails with Python 3"
    spans = sorted((m.skill, text[m.start : m.end]) for m in matcher.mentions(text))
    assert spans == [("python", "Python 3"), ("ruby", "Ruby on Rails"), ("web-frameworks", "Ruby on Rails")]


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("5 years of Python and basic Go", {"python": 3, "go": 1}),
        ("Expert in Python and Go, familiar with Rust", {"python": 4, "go": 4, "rust": 1}),
        ("Python (expert), Go (basic)", {"python": 4, "go": 1}),
        ("Python, Docker: 7+ years", {"python": 4, "docker": 4}),
        ("Docker: 0.5 years, Redis for 8 months", {"docker": 1, "redis": 1}),
        ("Kubernetes", {"kubernetes": 2}),
        ("Advanced SQL.\nPython", {"sql": 3, "python": 2}),
        ("two years of Java; senior Java engineer", {"java": 3}),
        ("Built some services in Go", {"go": 2}),  # "some" alone is no cue
        ("Some experience with Go, good knowledge of SQL", {"go": 1, "sql": 2}),
        ("Go (a little)", {"go": 1}),
        ("deep Go knowledge, some Rust", {"go": 3, "rust": 1}),
        ("Python; deep in the weeds of Go", {"python": 2, "go": 3}),
    ],
)
def test_suggested_levels(extractor: Extractor, text: str, levels: dict[str, int]) -> None:
    assert extractor.extract(text).levels == levels


def test_the_level_names_its_basis_and_words(extractor: Extractor) -> None:
    text = "Go (2 yrs). Python."
    found = {s.skill: s for s in extractor.extract(text).skills}
    assert found["go"].level_basis == "years" and found["go"].level_cue is not None
    assert found["go"].level_cue.text == "2 yrs" and found["go"].level == 2
    assert found["python"].level_basis == "default" and found["python"].level_cue is None


def test_years_level_bands() -> None:
    assert [years_level(y) for y in (0, 0.5, 1, 2.9, 3, 5.9, 6, 30)] == [1, 1, 2, 2, 3, 3, 4, 4]


def test_utf16_offsets_after_an_astral_character(extractor: Extractor) -> None:
    text = "🚀 Python"
    words = extractor.extract(text).skills[0].matches[0]
    assert (words.start, words.end, words.utf16_start, words.utf16_end) == (2, 8, 3, 9)


def test_text_refusals_name_the_reason() -> None:
    from services.gateway.routes.extract import text_problem

    assert text_problem("Python\tGo\nSQL\r\n\fRedis") is None  # tab, line breaks, form feed are text
    assert text_problem("\u200bPython 🚀") is None  # format characters and emoji are text
    for bad in ("a\x00b", "\x1b[31m", "\x7f", "a\x85", "a\ud800"):
        problem = text_problem(bad)
        assert problem is not None and problem[0] == 422 and "U+" in problem[1]
    assert text_problem(" \n\t ") == (422, "is empty or only white space: paste the text of a CV or profile")
    assert text_problem("x" * 50_000) is None
    assert text_problem("é" * 25_001) == (413, "is 50,002 bytes of UTF-8; at most 50,000 are taken")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Worked without supervision on Python services", {"python"}),
        ("Never stopped shipping Go code", {"go"}),
        ("no prior professional experience with Kafka", set()),
        ("I haven't had a chance to use Go yet", set()),
        ("no MongoDB, Cassandra or Elasticsearch", set()),
        ("no docker or podman", set()),
    ],
)
def test_negation_reaches_only_its_own_words(matcher: SkillMatcher, text: str, expected: set[str]) -> None:
    assert matcher.match(text) == expected
