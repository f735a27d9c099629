"""The profile service reads and validates the broker contract's settings when it is created."""

from __future__ import annotations

import pytest

from services.profile.app import create_app
from services.profile.settings import ProfileSettings
from shared.settings import SettingsError


def test_a_bad_broker_url_stops_the_profile_service_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREERPATH_BROKER_URL", "amqp://elsewhere")
    with pytest.raises(SettingsError, match="CAREERPATH_BROKER_URL"):
        create_app(ProfileSettings())


def test_good_broker_settings_give_the_app_its_send_only_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAREERPATH_BROKER_URL", raising=False)
    settings, celery = create_app(ProfileSettings()).state.refresh_broker
    assert celery.main == "careerpath" and not celery.conf.include and settings.broker
