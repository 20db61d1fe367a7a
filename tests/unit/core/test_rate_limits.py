"""One rate limiter (services/rate_limits.py): moving windows in memory by default, shared
through Redis when CRM_REDIS_URL is set; the sign-in and form limits go through it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from crm_app import db, settings
from crm_app.services import auth, rate_limits
from crm_app.services.errors import RateLimited

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


def _restart() -> None:
    """What a new web process starts with: no limiter built yet."""
    rate_limits._limiter_for.cache_clear()


def test_a_limit_counts_per_key_and_refused_hits_are_not_counted(db_env):
    limit = rate_limits.Limit("test", 3, 60)
    assert [rate_limits.hit(limit, "a") for _ in range(4)] == [True, True, True, False]
    assert rate_limits.used(limit, "a") == 3 and not rate_limits.allows(limit, "a")
    assert rate_limits.hit(limit, "b") and rate_limits.used(limit, "b") == 1


def test_the_sign_in_codes_per_ip_setting_is_the_limit(db_env, monkeypatch):
    monkeypatch.setenv("CRM_SIGN_IN_CODES_PER_IP", "3")
    settings.get_settings.cache_clear()
    for i in range(3):
        with db.session_scope() as s:
            auth.request_code(s, f"u{i}@clinic.example", ip="10.1.1.1")
    with pytest.raises(RateLimited), db.session_scope() as s:
        auth.request_code(s, "u3@clinic.example", ip="10.1.1.1")


def test_codes_per_email_hold_across_a_restart_without_redis(db_env):
    """The bound on guesses per address is counted from the code rows, not in memory."""
    for _ in range(auth.CODES_PER_EMAIL):
        with db.session_scope() as s:
            auth.request_code(s, "ann@clinic.example")
    _restart()
    with pytest.raises(RateLimited) as err, db.session_scope() as s:
        auth.request_code(s, "ann@clinic.example")
    assert "for this email" in err.value.message


def test_without_redis_a_restart_forgets_the_per_ip_counts(db_env):
    limit = rate_limits.Limit("test", 1, 60)
    assert rate_limits.hit(limit, "a") and not rate_limits.hit(limit, "a")
    _restart()
    assert rate_limits.hit(limit, "a")


_CHILD = """
import sys
from crm_app.services import rate_limits
limit = rate_limits.Limit("shared", 2, 60)
print(rate_limits.allows(limit, sys.argv[1]), rate_limits.used(limit, sys.argv[1]))
"""


def test_with_redis_counts_are_shared_by_processes_and_survive_a_restart(
    db_env, redis_url, monkeypatch
):
    monkeypatch.setenv("CRM_REDIS_URL", redis_url)
    settings.get_settings.cache_clear()
    _restart()
    key = uuid.uuid4().hex  # the Redis database may hold other runs' keys
    limit = rate_limits.Limit("shared", 2, 60)
    assert rate_limits.hit(limit, key) and rate_limits.hit(limit, key)
    _restart()
    assert not rate_limits.hit(limit, key)
    env = dict(os.environ, CRM_REDIS_URL=redis_url, CRM_DATA_DIR=str(db_env.data_dir))
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, key], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert child.stdout.split() == ["False", "2"], child.stderr
    _restart()
