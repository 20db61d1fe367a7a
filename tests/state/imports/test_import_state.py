"""Import wizard state (issue #10): the preview lists rows with problems first behind a filter,
and the import does not start until the member chose all-or-nothing or valid rows only."""

from __future__ import annotations

import pytest
from sqlmodel import select

from crm_app import db, settings
from crm_app.jobs import queue
from crm_app.models import ImportJob, User
from crm_app.services import agents, imports, sessions
from crm_app.state.base import AppState
from crm_app.state.imports import ImportState

FILE = "Name,Email\nAnn,ann@example.com\nBo,not-an-email\nCy,cy@example.com\n"


@pytest.fixture()
def clinic(db_env):
    with db.session_scope() as s:
        owner = agents.create_owner(s, "owner@clinic.example", "Clinic", "Dana", "W")
        agent = agents.create_agent(s, owner, "Reception", "reception")
        job = imports.create_job(s, owner, agent.id, "people.csv", FILE.encode())
        user = s.exec(select(User).where(User.email == "owner@clinic.example")).one()
        ids = {
            "agent": agent.id,
            "job": job["id"],
            "token": sessions.create_session(s, user, owner.org_id),
        }
    yield ids
    db.get_engine().dispose()
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


def _state(monkeypatch, clinic, started: list) -> ImportState:
    monkeypatch.setattr(AppState, "_token", lambda self: clinic["token"])
    monkeypatch.setattr(AppState, "route_agent_id", lambda self: clinic["agent"])
    monkeypatch.setattr(  # the import's job, queued after the commit, is recorded, not run
        queue,
        "enqueue",
        lambda name, *args: started.append(args[0]) if name == imports.RUN_TASK else None,
    )
    st = ImportState(_reflex_internal_init=True)
    st.job_id = clinic["job"]
    st.headers = ["Name", "Email"]
    st.mapping = {"Name": "name", "Email": "email"}
    return st


def test_problem_rows_first_behind_a_filter_and_an_explicit_choice_before_starting(
    clinic, monkeypatch
):
    started: list[int] = []
    st = _state(monkeypatch, clinic, started)
    st.to_preview()
    assert st.step == "preview" and st.problems_label == "1 row has problems"
    assert st.preview_filter == "problems" and [r.row for r in st.shown_rows] == [3]
    st.set_preview_filter("all")
    assert [r.row for r in st.shown_rows] == [3, 2, 4]

    st.go_to("policy")
    st.start()  # nothing chosen: refused, nothing started
    assert st.step == "policy" and started == []
    with db.session_scope(read_only=True) as s:
        assert s.get(ImportJob, clinic["job"]).status == "uploaded"

    st.set_errors_choice("whatever")
    assert st.errors_choice == ""
    st.set_errors_choice("valid_only")
    st.start()
    assert st.step == "import" and started == [clinic["job"]]
    with db.session_scope(read_only=True) as s:
        job = s.get(ImportJob, clinic["job"])
        assert (job.status, job.valid_only) == ("queued", True)
