"""Auth service tests read codes from the development mailbox (tests/mailbox.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def dev_mode(monkeypatch):
    from crm_app import settings

    monkeypatch.setenv("CRM_DEV_MODE", "1")
    settings.get_settings.cache_clear()
