from __future__ import annotations

import pytest

from services.gateway.settings import GatewaySettings
from services.profile.settings import ProfileSettings
from shared.settings import SettingsError, load_settings


def test_reads_prefixed_and_plain_variables() -> None:
    settings = load_settings(
        ProfileSettings,
        {"CAREERPATH_PORT": "9001", "DATABASE_URL": "postgresql://u@h/db", "CAREERPATH_DB_POOL_MAX": "7"},
    )
    assert settings.port == 9001
    assert settings.database_url == "postgresql://u@h/db"
    assert settings.db_pool_max == 7


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"CAREERPATH_PORT": "eighty"}, "CAREERPATH_PORT"),
        ({"CAREERPATH_PORT": "70000"}, "CAREERPATH_PORT"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"CAREERPATH_ENV": "staging"}, "CAREERPATH_ENV"),
        ({"CAREERPATH_DB_ACQUIRE_TIMEOUT": "-1"}, "CAREERPATH_DB_ACQUIRE_TIMEOUT"),
        ({"CAREERPATH_SERVICE_TOKEN": "short"}, "CAREERPATH_SERVICE_TOKEN"),
    ],
)
def test_bad_value_names_the_variable(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(ProfileSettings, environ)


def test_default_secret_refused_outside_dev() -> None:
    with pytest.raises(SettingsError, match="CAREERPATH_SERVICE_TOKEN"):
        load_settings(GatewaySettings, {"CAREERPATH_ENV": "prod"})
    load_settings(GatewaySettings, {"CAREERPATH_ENV": "dev"})


def test_gateway_urls_validated() -> None:
    with pytest.raises(SettingsError, match="CAREERPATH_PROFILE_URL"):
        load_settings(GatewaySettings, {"CAREERPATH_PROFILE_URL": "ftp://x"})
