"""The API version is defined once and the changelog says what it is."""

from __future__ import annotations

from pathlib import Path

from shared.contracts.versions import API_VERSION

CHANGELOG = (Path(__file__).resolve().parents[2] / "CHANGELOG.md").read_text()


def test_changelog_names_the_version_being_served() -> None:
    released = f"\n## {API_VERSION} - " in CHANGELOG
    upcoming = f"To be released as {API_VERSION}" in CHANGELOG.split("\n## ", 2)[1]
    assert released or upcoming, f"CHANGELOG.md has no section for {API_VERSION}"


def test_changelog_keeps_an_unreleased_section_first() -> None:
    assert CHANGELOG.split("\n## ", 2)[1].startswith("Unreleased")
