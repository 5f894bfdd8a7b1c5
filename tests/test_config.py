from __future__ import annotations

import pytest

from auditbot.config import DEFAULT_API_URL, load_settings
from auditbot.core.errors import ConfigError


def test_defaults_point_at_atlassian_and_use_no_org():
    settings = load_settings({})
    assert settings.atlassian_api_url == DEFAULT_API_URL
    assert not settings.has_org
    assert settings.events_rate_per_minute == 10
    assert settings.stream_rate_per_minute == 60


def test_the_process_environment_is_read(monkeypatch):
    monkeypatch.setenv("ATLASSIAN_ORG_ID", "org-9")
    monkeypatch.setenv("ATLASSIAN_API_KEY", "k-123")
    monkeypatch.setenv("ATLASSIAN_API_URL", "http://127.0.0.1:8081/admin/")
    monkeypatch.setenv("AUDITBOT_HTTP_TIMEOUT_SECONDS", "5")
    settings = load_settings()
    assert settings.has_org
    assert settings.atlassian_org_id == "org-9"
    assert settings.atlassian_api_url == "http://127.0.0.1:8081/admin"
    assert settings.http_timeout_seconds == 5.0


def test_the_api_key_is_secret_in_every_rendering():
    settings = load_settings({"ATLASSIAN_ORG_ID": "o", "ATLASSIAN_API_KEY": "super-secret"})
    assert settings.atlassian_api_key is not None
    assert settings.atlassian_api_key.get_secret_value() == "super-secret"
    for text in (str(settings), repr(settings), settings.model_dump_json()):
        assert "super-secret" not in text


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"ATLASSIAN_ORG_ID": "o"}, "ATLASSIAN_API_KEY"),
        ({"ATLASSIAN_API_KEY": "k"}, "ATLASSIAN_ORG_ID"),
        ({"ATLASSIAN_ORG_ID": "o", "ATLASSIAN_API_KEY": "  "}, "ATLASSIAN_API_KEY"),
        ({"ATLASSIAN_API_URL": "api.atlassian.com/admin"}, "ATLASSIAN_API_URL"),
        ({"AUDITBOT_HTTP_TIMEOUT_SECONDS": "soon"}, "AUDITBOT_HTTP_TIMEOUT_SECONDS"),
        ({"AUDITBOT_EVENTS_RATE_PER_MINUTE": "0"}, "AUDITBOT_EVENTS_RATE_PER_MINUTE"),
        ({"AUDITBOT_RETENTION_DAYS": "3651"}, "AUDITBOT_RETENTION_DAYS"),
        ({"AUDITBOT_RETENTION_DAYS": "0"}, "AUDITBOT_RETENTION_DAYS"),
        ({"AUDITBOT_RETENTION_DAYS": "5", "AUDITBOT_BACKFILL_DAYS": "30"}, "AUDITBOT_RETENTION_DAYS"),
        ({"AUDITBOT_BACKFILL_DAYS": "181"}, "AUDITBOT_BACKFILL_DAYS"),
    ],
    ids=[
        "key-missing",
        "org-missing",
        "key-blank",
        "url-scheme",
        "timeout-text",
        "rate-zero",
        "retention-over-ten-years",
        "retention-zero",
        "retention-below-backfill",
        "backfill-beyond-the-api",
    ],
)
def test_bad_configuration_names_the_setting(env, names):
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    assert names in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_a_bad_key_value_never_appears_in_the_error():
    with pytest.raises(ConfigError) as caught:
        load_settings({"ATLASSIAN_API_KEY": "leaky-value"})
    assert "leaky-value" not in str(caught.value)


def test_retention_may_reach_ten_years_beyond_what_the_api_keeps():
    assert load_settings({"AUDITBOT_RETENTION_DAYS": "3650"}).retention_days == 3650
    assert load_settings({}).retention_days == 180


def test_retention_below_the_backfill_says_both_settings_and_what_to_do():
    with pytest.raises(ConfigError) as caught:
        load_settings({"AUDITBOT_RETENTION_DAYS": "5", "AUDITBOT_BACKFILL_DAYS": "30"})
    assert "AUDITBOT_RETENTION_DAYS (5) is less than AUDITBOT_BACKFILL_DAYS (30)" in str(caught.value)
