"""Start-up and runtime noise a user cannot act on stays out of the console (issue #10);
rxconfig.py is what every Reflex process loads first."""

from __future__ import annotations

import logging

import rxconfig  # noqa: F401


def test_updates_for_a_closed_tab_are_dropped_quietly(caplog):
    log = logging.getLogger("reflex.app")
    with caplog.at_level(logging.WARNING, logger="reflex.app"):
        log.warning("Attempting to send delta to disconnected client 'f00d'")
        log.warning("Something else went wrong")
    assert [r.getMessage() for r in caplog.records] == ["Something else went wrong"]
