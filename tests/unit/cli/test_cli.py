"""The command line, as an operator uses it: migrate, seed the demo, create owners and agents."""

from __future__ import annotations

import os
import subprocess
import sys

import phonenumbers
import pytest
from sqlalchemy import func
from sqlmodel import select

from crm_app import db, settings
from crm_app.cli import main
from crm_app.db import session_scope
from crm_app.models import (
    Activity,
    Agent,
    Contact,
    ContactField,
    ContactValue,
    Membership,
    Organization,
    User,
)
from crm_app.settings import ROOT


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    path = tmp_path / "data"
    monkeypatch.setenv("CRM_DATA_DIR", str(path))
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    yield path
    db.get_engine().dispose()
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


def _count(model, *where) -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_commands_before_migrate_explain_what_to_do(data_dir, capsys):
    assert main(["seed-demo"]) == 2
    assert "python -m crm_app.cli migrate" in capsys.readouterr().err


def test_migrate_then_seed_demo_once(data_dir, capsys):
    assert main(["migrate"]) == 0
    assert (data_dir / "crm.db").exists()
    assert main(["seed-demo"]) == 0
    out = capsys.readouterr().out
    assert "Northside Family Clinic" in out and "owner@clinic.example" in out and "/login" in out

    assert _count(Organization) == 1
    assert _count(Contact) == 300
    assert _count(Activity, Activity.kind == "created") == 300
    with session_scope() as session:
        agent = session.exec(select(Agent)).one()
        assert (agent.name, agent.slug, agent.phone_region) == ("Reception", "reception", "US")
        assert "Northside Family Clinic" in agent.welcome_message
        labels = {
            f.label: f
            for f in session.exec(select(ContactField).where(ContactField.agent_id == agent.id))
        }
        assert {
            "Name",
            "Email",
            "Mobile Number",
            "Gender",
            "Date of birth",
            "Insurance provider",
            "Preferred location",
            "Reason for visit",
            "Newsletter",
        } <= set(labels)
        assert (
            labels["Reason for visit"].allow_ai and labels["Reason for visit"].type == "Long text"
        )
        assert labels["Insurance provider"].options
        owner = session.exec(select(User).where(User.email == "owner@clinic.example")).one()
        assert (owner.first_name, owner.last_name) == ("Dana", "Whitfield")
        roles = sorted(m.role for m in session.exec(select(Membership)))
        assert roles == ["Admin", "Owner", "User", "User"]
        users = session.exec(select(Membership).where(Membership.role == "User")).all()
        assert sorted(len(m.agent_ids) for m in users) == [0, 1]

        contacts = session.exec(select(Contact)).all()
        assert {c.source for c in contacts} == {"Chat", "Form", "Manual", "Import", "API"}
        assert len({c.stage_id for c in contacts}) == 4
        assert sum(c.status == "Active" for c in contacts) > 200
        assert all(c.email or c.phone for c in contacts)
        for c in contacts:
            if c.email:
                assert c.email == c.email.strip().lower()
            if c.phone:
                assert phonenumbers.is_valid_number(
                    phonenumbers.parse(c.phone)
                ) and c.phone.startswith("+1")
        assert len({c.email for c in contacts if c.email}) == sum(1 for c in contacts if c.email)
        ages = sorted(c.created_at for c in contacts)
        assert (ages[-1] - ages[0]).days >= 90
        member_ids = {m.user_id for m in session.exec(select(Membership))}
        assert {c.primary_owner_id for c in contacts} <= member_ids
        assert session.exec(select(func.count()).select_from(ContactValue)).one() > 300

    # A second run finds the organization and changes nothing.
    assert main(["seed-demo"]) == 0
    assert "already exists" in capsys.readouterr().out
    assert _count(Organization) == 1 and _count(Contact) == 300


def test_seed_is_deterministic(data_dir, tmp_path, monkeypatch):
    main(["migrate"])
    main(["seed-demo"])
    with session_scope() as session:
        first = sorted(
            (c.name, c.email or "", c.phone or "") for c in session.exec(select(Contact))
        )
    db.get_engine().dispose()
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path / "again"))
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    main(["migrate"])
    main(["seed-demo"])
    with session_scope() as session:
        assert (
            sorted((c.name, c.email or "", c.phone or "") for c in session.exec(select(Contact)))
            == first
        )


def test_create_owner_and_agent(data_dir, capsys):
    main(["migrate"])
    assert (
        main(
            [
                "create-owner",
                "--email",
                "Ana@Shop.example",
                "--org",
                "Ana's Shop",
                "--first",
                "Ana",
                "--last",
                "Lopez",
            ]
        )
        == 0
    )
    assert "Ana's Shop" in capsys.readouterr().out
    assert (
        main(
            [
                "create-agent",
                "--owner-email",
                "ana@shop.example",
                "--name",
                "Sales Bot",
                "--slug",
                "sales",
                "--region",
                "GB",
            ]
        )
        == 0
    )
    assert "/sales" in capsys.readouterr().out
    with session_scope() as session:
        agent = session.exec(select(Agent)).one()
        assert (agent.name, agent.slug, agent.phone_region) == ("Sales Bot", "sales", "GB")
        assert (
            session.exec(
                select(func.count())
                .select_from(ContactField)
                .where(ContactField.agent_id == agent.id)
            ).one()
            == 4
        )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["create-owner", "--email", "ana@shop.example"], "already exists"),
        (["create-owner", "--email", "nope"], "valid email"),
        (
            [
                "create-agent",
                "--owner-email",
                "ana@shop.example",
                "--name",
                "Other",
                "--slug",
                "sales",
            ],
            "This URL slug is taken.",
        ),
        (
            [
                "create-agent",
                "--owner-email",
                "ana@shop.example",
                "--name",
                "Other",
                "--region",
                "ZZ",
            ],
            "phone region",
        ),
        (
            ["create-agent", "--owner-email", "nobody@shop.example", "--name", "Other"],
            "No organization owner",
        ),
    ],
)
def test_refusals_exit_2_with_the_message_on_stderr(data_dir, capsys, argv, message):
    main(["migrate"])
    main(["create-owner", "--email", "ana@shop.example"])
    main(
        ["create-agent", "--owner-email", "ana@shop.example", "--name", "Sales", "--slug", "sales"]
    )
    capsys.readouterr()
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert _count(Organization) == 1 and _count(Agent) == 1


def test_an_admin_cannot_be_used_as_owner(data_dir, capsys):
    main(["migrate"])
    main(["seed-demo"])
    capsys.readouterr()
    assert main(["create-agent", "--owner-email", "admin@clinic.example", "--name", "X bot"]) == 2
    assert "No organization owner" in capsys.readouterr().err


def test_module_entry_point(tmp_path):
    env = {**os.environ, "CRM_DATA_DIR": str(tmp_path / "sub")}
    env.pop("CRM_DATABASE_URL", None)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "crm_app.cli",
            "create-agent",
            "--owner-email",
            "a@b.example",
            "--name",
            "X",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert "Run: python -m crm_app.cli migrate" in run.stderr
    run = subprocess.run(
        [sys.executable, "-m", "crm_app.cli", "migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "up to date" in run.stdout
