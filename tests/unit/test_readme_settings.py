"""Every environment variable the README names is one the code reads (the README stays true)."""

from __future__ import annotations

import re
from pathlib import Path

from services.gateway.settings import GatewaySettings
from services.profile.settings import ProfileSettings
from services.recommender.settings import RecommenderSettings
from services.worker.settings import WorkerSettings
from shared.settings import env_name

ROOT = Path(__file__).resolve().parents[2]
# Read by the command line rather than by a service's settings.
COMMAND_VARIABLES = {"CAREERPATH_GATEWAY_PORT", "CAREERPATH_DATA_DIR", "CAREERPATH_ADMIN_PASSWORD"}


def test_readme_names_only_real_settings() -> None:
    known = {
        env_name(field)
        for cls in (GatewaySettings, ProfileSettings, RecommenderSettings, WorkerSettings)
        for field in cls.__struct_fields__
    } | COMMAND_VARIABLES
    named = set(
        re.findall(r"\b(?:CAREERPATH_[A-Z_]+|DATABASE_URL|REDIS_URL)\b", (ROOT / "README.md").read_text())
    )
    assert named, "the README names no settings"
    assert named - known == set()


def test_command_variables_are_read_where_the_readme_says() -> None:
    files = [p for folder in ("services", "tools") for p in (ROOT / folder).rglob("*.py")]
    sources = "".join(p.read_text() for p in files)
    for name in COMMAND_VARIABLES:
        assert f'"{name}"' in sources, name
