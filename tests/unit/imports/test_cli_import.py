"""`python -m crm_app.cli import-contacts / export-contacts`, as an operator runs them."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

from sqlmodel import select

from crm_app import db
from crm_app.cli import main
from crm_app.models import Contact
from crm_app.settings import ROOT

from .conftest import CORPUS


def _summary(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_import_prints_one_json_summary_line(world, capsys):
    assert (
        main(
            [
                "import-contacts",
                "--agent",
                "front-desk",
                str(CORPUS / "15_invalid_rows.csv"),
                "--valid-only",
            ]
        )
        == 0
    )
    assert _summary(capsys) == {"created": 1, "updated": 0, "skipped": 0, "failed": 3}


def test_all_or_nothing_by_default_exits_2_and_imports_nothing(world, capsys):
    assert (
        main(["import-contacts", "--agent", "front-desk", str(CORPUS / "15_invalid_rows.csv")]) == 2
    )
    captured = capsys.readouterr()
    assert json.loads(captured.out.strip()) == {
        "created": 0,
        "updated": 0,
        "skipped": 0,
        "failed": 3,
    }
    assert "nothing was imported" in captured.err


def test_map_policy_and_member(world, tmp_path, capsys):
    path = tmp_path / "odd.csv"
    path.write_text(
        "Who,Contact,Plan\nAnn Renamed,ann@example.com,Cigna\nNew One,new1@example.com,Aetna\n"
    )
    args = [
        "import-contacts",
        "--agent",
        "front-desk",
        str(path),
        "--map",
        "Who=name",
        "--map",
        "Contact=email",
        "--map",
        "Plan=insurance",
        "--policy",
        "overwrite",
        "--as",
        "ben@clinic.example",
    ]
    assert main(args) == 0
    assert _summary(capsys) == {"created": 1, "updated": 1, "skipped": 0, "failed": 0}
    with db.session_scope() as s:
        assert s.get(Contact, world["ann"]).name == "Ann Renamed"
        new = s.exec(select(Contact).where(Contact.email == "new1@example.com")).one()
        assert new.created_by_id == world["admin"].user_id


def test_refusals_go_to_stderr(world, capsys):
    assert (
        main(["import-contacts", "--agent", "front-desk", str(CORPUS / "21_binary_renamed.csv")])
        == 2
    )
    assert "not a CSV file" in capsys.readouterr().err
    assert main(["import-contacts", "--agent", "nope", str(CORPUS / "01_utf8_basic.csv")]) == 2
    assert "No agent with the slug 'nope'" in capsys.readouterr().err
    assert (
        main(
            [
                "import-contacts",
                "--agent",
                "front-desk",
                str(CORPUS / "01_utf8_basic.csv"),
                "--as",
                "uma@clinic.example",
            ]
        )
        == 2
    )
    assert "needs the Admin role" in capsys.readouterr().err
    assert (
        main(
            [
                "import-contacts",
                "--agent",
                "front-desk",
                str(CORPUS / "01_utf8_basic.csv"),
                "--map",
                "Nope=email",
            ]
        )
        == 2
    )
    assert "The file has no column 'Nope'" in capsys.readouterr().err
    # another organization's owner cannot import into this agent
    assert (
        main(
            [
                "import-contacts",
                "--agent",
                "front-desk",
                str(CORPUS / "01_utf8_basic.csv"),
                "--as",
                "sam@shop.example",
            ]
        )
        == 2
    )
    assert "not found" in capsys.readouterr().err.lower()


def test_export_round_trips_through_import(world, tmp_path, capsys):
    assert (
        main(["import-contacts", "--agent", "front-desk", str(CORPUS / "01_utf8_basic.csv")]) == 0
    )
    out = tmp_path / "out.csv"
    assert main(["export-contacts", "--agent", "front-desk", "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert {r["Primary Email"] for r in rows} >= {
        "maria@example.com",
        "liam@example.com",
        "ann@example.com",
    }
    capsys.readouterr()
    assert main(["import-contacts", "--agent", "front-desk", str(out), "--policy", "skip"]) == 0
    summary = _summary(capsys)
    assert summary["created"] == 0 and summary["skipped"] == 4


def test_the_module_runs_as_a_program(world, engine):
    if engine.dialect.name != "sqlite":
        return
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "crm_app.cli",
            "import-contacts",
            "--agent",
            "front-desk",
            str(CORPUS / "12_first_last_name.csv"),
        ],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip()) == {
        "created": 2,
        "updated": 0,
        "skipped": 0,
        "failed": 0,
    }
