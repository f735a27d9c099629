"""Worker settings, source strings and the SSRF address check (no I/O)."""

from __future__ import annotations

import pytest

from services.worker.settings import WorkerSettings, parse_schedule
from services.worker.sources import SourceError, parse_source
from services.worker.sources.http import check_address
from shared.settings import SettingsError, load_settings


def test_schedule_is_seconds_or_a_crontab() -> None:
    assert load_settings(WorkerSettings, {}).schedule == 86400.0
    assert parse_schedule("3600") == 3600.0
    assert parse_schedule("15 3 * * 1-5") == ("15", "3", "*", "*", "1-5")


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"CAREERPATH_REFRESH_SCHEDULE": "soon"}, "CAREERPATH_REFRESH_SCHEDULE"),
        ({"CAREERPATH_REFRESH_SCHEDULE": "99 * * * *"}, "CAREERPATH_REFRESH_SCHEDULE"),
        ({"CAREERPATH_REFRESH_SCHEDULE": "1"}, "CAREERPATH_REFRESH_SCHEDULE"),
        ({"CAREERPATH_SOURCE_ALLOW_NETWORKS": "localhost"}, "CAREERPATH_SOURCE_ALLOW_NETWORKS"),
        ({"CAREERPATH_SOURCE_MAX_BYTES": "-1"}, "CAREERPATH_SOURCE_MAX_BYTES"),
        (
            {"CAREERPATH_TASK_TIME_LIMIT": "10", "CAREERPATH_TASK_SOFT_TIME_LIMIT": "20"},
            "CAREERPATH_TASK_TIME_LIMIT",
        ),
        ({"REDIS_URL": "http://x"}, "REDIS_URL"),
    ],
)
def test_bad_worker_settings_name_the_variable(env: dict[str, str], name: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings(WorkerSettings, env)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("snapshot", "snapshot"),
        ("file:postings.jsonl", "file"),
        ("https://example.com/feed.csv", "http"),
        ("HTTP://example.com:8080/x", "http"),
    ],
)
def test_source_strings(text: str, kind: str) -> None:
    assert parse_source(text).kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ftp://example.com/x",
        "/etc/passwd",
        "file:",
        "https://user:pw@example.com/x",
        "http:///x",
        "https://example.com:99999/x",
        "snapshot\nx",
        "x" * 3000,
    ],
)
def test_bad_source_strings_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_source(text)


@pytest.mark.parametrize(
    ("address", "label"),
    [
        ("127.0.0.1", "loopback"),
        ("127.9.9.9", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fd00::1", "private"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "non-global"),
    ],
)
def test_non_public_addresses_are_refused(address: str, label: str) -> None:
    with pytest.raises(SourceError, match=label):
        check_address(address)


def test_public_addresses_pass_and_the_allow_list_reopens_a_range() -> None:
    import ipaddress

    assert str(check_address("93.184.216.34")) == "93.184.216.34"
    assert str(check_address("127.0.0.1", (ipaddress.ip_network("127.0.0.1/32"),))) == "127.0.0.1"
    with pytest.raises(SourceError):
        check_address("127.0.0.2", (ipaddress.ip_network("127.0.0.1/32"),))


def test_celery_app_configuration() -> None:
    from celery.schedules import crontab

    from services.worker.celery_app import QUEUE, create_celery
    from services.worker.settings import BrokerSettings

    settings = load_settings(
        WorkerSettings, {"CAREERPATH_REFRESH_SCHEDULE": "30 4 * * 1", "CAREERPATH_REDIS_PREFIX": "cp-x:"}
    )
    conf = create_celery(settings).conf
    assert (conf.task_serializer, conf.result_serializer, conf.accept_content) == ("json", "json", ["json"])
    assert conf.task_acks_late and conf.task_reject_on_worker_lost and conf.worker_prefetch_multiplier == 1
    assert (
        conf.task_soft_time_limit < conf.task_time_limit < conf.broker_transport_options["visibility_timeout"]
    )
    assert conf.broker_transport_options["global_keyprefix"] == "cp-x:celery:"
    assert conf.result_backend_transport_options["global_keyprefix"] == "cp-x:celery:"
    assert conf.task_default_queue == QUEUE
    refresh = conf.beat_schedule["refresh-market-data"]
    assert refresh["task"] == "market.scheduled_refresh"
    assert refresh["schedule"] == crontab(minute="30", hour="4", day_of_week="1")
    assert conf.beat_schedule["reap-lost-runs"]["task"] == "market.reap"
    assert (
        create_celery(load_settings(WorkerSettings, {})).conf.beat_schedule["refresh-market-data"]["schedule"]
        == 86400
    )
    client = create_celery(load_settings(BrokerSettings, {"CAREERPATH_REDIS_PREFIX": "cp-x:"})).conf
    assert (
        client.beat_schedule == {} and client.broker_transport_options["global_keyprefix"] == "cp-x:celery:"
    )


def test_tasks_have_explicit_names_and_retry_only_transient_errors() -> None:
    from services.worker import tasks
    from services.worker.refresh import TRANSIENT
    from services.worker.sources import SourceError

    assert tasks.refresh.name == "market.refresh" and tasks.reap.name == "market.reap"
    assert tasks.scheduled_refresh.name == "market.scheduled_refresh"
    assert tasks.refresh.autoretry_for == TRANSIENT and not issubclass(SourceError, TRANSIENT)
    assert tasks.refresh.retry_backoff and tasks.refresh.retry_jitter and tasks.refresh.max_retries == 5
