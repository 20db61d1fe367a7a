"""Import service: same results as save_contact, policies, all-or-nothing, undo, roles, preview."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlmodel import func, select

from crm_app import db
from crm_app.models import Activity, Agent, AuditLog, Contact, ContactValue, ImportJob, Stage
from crm_app.services import contacts, csv_reader, imports
from crm_app.services.errors import NotFound, PermissionDenied, ValidationError
from crm_app.services.imports import batch as import_batch
from crm_app.services.imports import recovery
from crm_app.services.imports import run as import_run

from .conftest import CORPUS, run

COLUMNS = ("name", "email", "phone", "gender", "insurance", "visits", "external_ref")


def _random_rows(seed: int, n: int = 120) -> list[dict]:
    """Rows that collide on email/phone/ref, with blanks, bad values and protected fields."""
    rnd = random.Random(seed)
    rows = []
    for _ in range(n):
        i = rnd.randrange(25)
        row = {}
        if rnd.random() < 0.8:
            row["name"] = rnd.choice(["", f"Person {i}", f"P. {i}", f"Person {i} Jr"])
        if rnd.random() < 0.7:
            row["email"] = rnd.choice(
                [f"p{i}@example.com", f"P{i}@Example.com", "", f"p{i + 1}@example.com", "bad@"]
            )
        if rnd.random() < 0.6:
            row["phone"] = rnd.choice(
                ["", f"+1415555{2600 + i:04d}", f"(415) 555-{2600 + i:04d}", "12"]
            )
        if rnd.random() < 0.3:
            row["gender"] = rnd.choice(["", "female", "Male", "robot"])
        if rnd.random() < 0.4:
            row["insurance"] = rnd.choice(["", "aetna", "Cigna", "Blue"])
        if rnd.random() < 0.4:
            row["visits"] = rnd.choice(["", "1", "2.5", "x"])
        if rnd.random() < 0.15:
            row["external_ref"] = rnd.choice([f"R{i}", "", f"R{i + 2}"])
        rows.append(row)
    return rows


def _snapshot(agent_id: int) -> dict:
    """What a user sees of every contact, keyed by a stable identity (email/phone/ref)."""
    with db.session_scope() as s:
        values = {}
        for v in s.exec(select(ContactValue)):
            values.setdefault(v.contact_id, {})[v.field_id] = v.value_text
        out = {}
        for c in s.exec(select(Contact).where(Contact.agent_id == agent_id)):
            key = c.email or c.phone or c.external_ref
            acts = sorted(
                a.kind + ":" + a.message
                for a in s.exec(select(Activity).where(Activity.contact_id == c.id))
            )
            out[key] = (
                c.name,
                c.email,
                c.phone,
                c.gender,
                c.external_ref,
                c.source,
                c.stage_id is not None,
                c.primary_owner_id,
                c.created_by_id,
                sorted(values.get(c.id, {}).values()),
                acts,
            )
        return out


def _seed_members_typed(world):
    """A contact a team member typed: import never overwrites those values."""
    with db.session_scope() as s:
        contacts.add_contact_manually(
            s,
            world["owner"],
            world["agent"],
            {"name": "Typed By Member", "email": "p3@example.com", "visits": "9"},
        )


@pytest.mark.parametrize("policy", ["skip", "fill", "overwrite"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batch_gives_the_same_contacts_as_save_contact_row_by_row(world, engine, policy, seed):
    from sqlalchemy import text

    rows = _random_rows(seed)
    _seed_members_typed(world)
    origin = imports.import_origin(world["owner"])
    # 1) row by row through save_contact (each row its own savepoint, invalid rows skipped)
    expected_counts = [0, 0, 0, 0]
    with db.session_scope() as s:
        agent = s.get(Agent, world["agent"])
        for row in rows:
            try:
                with s.begin_nested():
                    r = contacts.save_contact(
                        s, agent, row, source="Import", origin=origin, policy=policy
                    )
                expected_counts[0 if r.created else (1 if r.changed else 2)] += 1
            except ValidationError:
                expected_counts[3] += 1
    expected = _snapshot(world["agent"])
    # 2) wipe the import's effect and do it again in one batch
    with db.session_scope() as s:
        for table in ("activity", "contactvalue", "auditlog"):
            s.exec(text(f"DELETE FROM {table}"))
        s.exec(text("DELETE FROM contact"))
    _seed_members_typed(world)
    with db.session_scope() as s:
        s.exec(text("DELETE FROM auditlog"))
        ann = contacts.save_contact(
            s,
            s.get(Agent, world["agent"]),
            {"name": "Ann Lee", "email": "ann@example.com", "visits": "2"},
            source="Form",
            origin=contacts.Origin("form", "Intake form"),
        )
        assert ann.created
    with db.session_scope() as s:
        out = imports.save_contacts_batch(
            s, s.get(Agent, world["agent"]), rows, origin=origin, policy=policy
        )
    got = _snapshot(world["agent"])
    # Ann's timeline differs only by being created twice in this test; compare the rest exactly
    expected.pop("ann@example.com"), got.pop("ann@example.com")
    assert got == expected
    assert [
        out.created,
        out.updated,
        out.skipped,
        len({e[0] for e in out.errors}),
    ] == expected_counts


def test_created_contacts_run_automations_as_manual_with_the_importer_as_creator(world):
    job = run(world, "01_utf8_basic.csv", actor=world["admin"])
    assert job["created"] == 3
    with db.session_scope() as s:
        maria = s.exec(select(Contact).where(Contact.email == "maria@example.com")).one()
        assert (maria.source, maria.created_by_id) == ("Import", world["admin"].user_id)
        assert s.get(Stage, maria.stage_id).name == "Lead"
        assert maria.primary_owner_id == world["owner"].user_id  # no rule: the organization owner
        messages = [
            a.message for a in s.exec(select(Activity).where(Activity.contact_id == maria.id))
        ]
        assert "Created via Import by Ben Clinic" in messages
        entry = s.exec(select(AuditLog).where(AuditLog.resource == "Import")).one()
        assert entry.user_label == "Ben Clinic" and "3 created" in entry.description


def test_policies_for_existing_contacts(world):
    job = run(world, "17_existing_contacts.csv", policy="skip")
    assert (job["created"], job["updated"], job["skipped"]) == (1, 0, 1)
    job = run(world, "17_existing_contacts.csv", policy="overwrite")
    assert (job["created"], job["updated"], job["skipped"]) == (0, 1, 1)
    with db.session_scope() as s:
        ann = s.get(Contact, world["ann"])
        assert ann.name == "Ann Existing"
        assert {
            v.value_text
            for v in s.exec(select(ContactValue).where(ContactValue.contact_id == ann.id))
        } == {"7"}


def test_fill_keeps_values_and_notes_the_conflict_on_the_timeline(world):
    run(world, "17_existing_contacts.csv", policy="fill")
    with db.session_scope() as s:
        ann = s.get(Contact, world["ann"])
        assert ann.name == "Ann Lee"
        notes = [
            a.message
            for a in s.exec(
                select(Activity).where(Activity.contact_id == ann.id, Activity.kind == "conflict")
            )
        ]
    assert "Name 'Ann Existing' from Rosa Alvarez was not applied; kept 'Ann Lee'" in notes


def test_all_or_nothing_writes_nothing_when_a_row_is_invalid(world):
    job = run(world, "15_invalid_rows.csv", valid_only=False)
    assert job["status"] == "failed"
    assert "3 rows have errors, so nothing was imported" in job["message"]
    assert job["has_errors"] and job["failed"] == 3 and job["created"] == 0
    with db.session_scope() as s:
        assert s.exec(select(func.count()).select_from(Contact)).one() == 1
    with pytest.raises(ValidationError, match="Only a finished import"):
        with db.session_scope() as s:
            imports.undo_import(s, world["owner"], world["agent"], job["id"])


def test_undo_removes_created_and_restores_updated_contacts(world):
    job = run(world, "17_existing_contacts.csv", policy="overwrite")
    assert (job["created"], job["updated"]) == (1, 1)
    with db.session_scope() as s:
        done = imports.undo_import(s, world["owner"], world["agent"], job["id"])
    assert done["status"] == "undone" and done["undone"]
    with db.session_scope() as s:
        assert s.exec(select(Contact).where(Contact.email == "new@example.com")).first() is None
        ann = s.get(Contact, world["ann"])
        assert ann.name == "Ann Lee"
        assert {
            v.value_text
            for v in s.exec(select(ContactValue).where(ContactValue.contact_id == ann.id))
        } == {"2"}
        assert "Undid the import of 17_existing_contacts.csv: 1 contacts removed, 1 restored" in [
            a.description for a in s.exec(select(AuditLog).where(AuditLog.resource == "Import"))
        ]
        history = imports.list_jobs(s, world["owner"], world["agent"])
    assert history[0]["status"] == "undone" and history[0]["by"] == "Rosa Alvarez"
    with pytest.raises(ValidationError, match="already been undone"):
        with db.session_scope() as s:
            imports.undo_import(s, world["owner"], world["agent"], job["id"])


def test_a_contact_changed_in_two_chunks_is_restored_to_its_value_before_the_import(
    world, tmp_path, monkeypatch
):
    monkeypatch.setattr(csv_reader, "CHUNK_ROWS", 2)
    path = tmp_path / "twice.csv"
    path.write_text(
        "Email,Name,Visits\nann@example.com,First Change,\nx1@example.com,X,\n"
        "x2@example.com,Y,\nann@example.com,Second Change,5\n"
    )
    job = run(world, "", path=path, policy="overwrite")
    assert (job["created"], job["updated"]) == (2, 2)
    with db.session_scope() as s:
        assert s.get(Contact, world["ann"]).name == "Second Change"
        imports.undo_import(s, world["owner"], world["agent"], job["id"])
    with db.session_scope() as s:
        ann = s.get(Contact, world["ann"])
        assert ann.name == "Ann Lee"
        assert {
            v.value_text
            for v in s.exec(select(ContactValue).where(ContactValue.contact_id == ann.id))
        } == {"2"}


def test_progress_is_persisted_per_chunk_and_a_failure_midway_keeps_nothing(
    world, tmp_path, monkeypatch
):
    monkeypatch.setattr(csv_reader, "CHUNK_ROWS", 2)
    monkeypatch.setattr(import_run, "WRITE_ROWS", 1)  # one write transaction per reader chunk
    path = tmp_path / "six.csv"
    path.write_text("Email\n" + "".join(f"z{i}@example.com\n" for i in range(6)))
    seen = []
    real_apply = import_batch.Batch.apply

    def apply(self, rows, valid_only):
        with db.session_scope(read_only=True) as s:
            seen.append(s.exec(select(ImportJob.processed, ImportJob.status)).one())
        if len(seen) == 3:
            raise RuntimeError("disk on fire")
        return real_apply(self, rows, valid_only)

    monkeypatch.setattr(import_batch.Batch, "apply", apply)
    with pytest.raises(RuntimeError):
        run(world, "", path=path)
    # the first chunk of the parser holds the header row: chunks of 1, 2, 2 and 1 rows
    assert seen == [(0, "importing"), (1, "importing"), (3, "importing")]
    with db.session_scope() as s:
        job = s.exec(select(ImportJob)).one()
        assert (job.status, job.created) == ("failed", 0)
        assert "internal error" in job.message
        assert s.exec(select(func.count()).select_from(Contact)).one() == 1


def test_starting_queues_a_job_that_runs_after_the_commit(world):
    with db.session_scope() as s:
        job = imports.create_job(
            s, world["owner"], world["agent"], "basic.csv", CORPUS / "01_utf8_basic.csv"
        )
        imports.start_import(
            s,
            world["owner"],
            world["agent"],
            job["id"],
            job["mapping"],
            policy="fill",
            valid_only=False,
        )
        assert imports.get_job(s, world["owner"], world["agent"], job["id"])["status"] == "queued"
    with db.session_scope() as s:  # the job ran at the commit (tests run jobs eagerly)
        done = imports.get_job(s, world["owner"], world["agent"], job["id"])
    assert (done["status"], done["processed"], done["total"], done["created"]) == ("done", 3, 3, 3)


def test_preview_shows_cell_errors_and_counts(world, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(
        "Name,Email,Insurance provider\nAnn Again,ANN@example.com,Aetna\nBo,bo@example.com,Nope\n"
        "Bo Twice,bo@example.com,\nCy,,\n"
    )
    with db.session_scope() as s:
        job = imports.create_job(s, world["owner"], world["agent"], "p.csv", path)
        assert job["mapping"] == {
            "Name": "name",
            "Email": "email",
            "Insurance provider": "insurance",
        }
        view = imports.preview(s, world["owner"], world["agent"], job["id"], job["mapping"])
    assert (view["valid"], view["invalid"], view["duplicates"], view["existing"]) == (2, 2, 0, 1)
    assert [c["field"] for c in view["columns"]] == ["Name", "Email", "Insurance provider"]
    # Rows with problems first, then the good ones, each in file order.
    assert [(r["row"], r["valid"]) for r in view["rows"]] == [
        (3, False),
        (5, False),
        (2, True),
        (4, True),
    ]
    assert view["rows"][0]["cells"][2]["error"] == "'Nope' is not one of the options: Aetna, Cigna."
    assert view["rows"][1]["error"] == "A contact needs at least an email or a mobile number."


def test_preview_finds_problem_rows_past_the_first_rows_and_remembers_the_mapping(world, tmp_path):
    path = tmp_path / "late.csv"
    lines = [f"Person {i},p{i}@example.com" for i in range(1, 501)]
    lines[349] = "Broken,not-an-email"  # row 351 of the file (the header is row 1)
    path.write_text("Full name,E-mail address\n" + "\n".join(lines) + "\n")
    with db.session_scope() as s:
        job = imports.create_job(s, world["owner"], world["agent"], "late.csv", path)
        view = imports.preview(
            s,
            world["owner"],
            world["agent"],
            job["id"],
            {"Full name": "", "E-mail address": "email"},
        )
    assert (view["valid"], view["invalid"]) == (499, 1)
    assert view["rows"][0]["row"] == 351 and not view["rows"][0]["valid"]
    assert len(view["rows"]) == 1 + imports.PREVIEW_ROWS
    with db.session_scope() as s:  # a reload of the wizard finds the mapping it previewed
        assert imports.get_job(s, world["owner"], world["agent"], job["id"])["mapping"] == {
            "Full name": "",
            "E-mail address": "email",
        }


def test_preview_counts_duplicates_inside_the_file(world):
    with db.session_scope() as s:
        job = imports.create_job(
            s, world["owner"], world["agent"], "d.csv", CORPUS / "16_in_file_duplicates.csv"
        )
        view = imports.preview(s, world["owner"], world["agent"], job["id"], job["mapping"])
    assert (view["valid"], view["duplicates"], view["existing"]) == (3, 2, 0)


def test_mapping_rules(world):
    with db.session_scope() as s:
        job = imports.create_job(
            s, world["owner"], world["agent"], "b.csv", CORPUS / "01_utf8_basic.csv"
        )
        with pytest.raises(ValidationError, match="both map to Email"):
            imports.preview(
                s, world["owner"], world["agent"], job["id"], {"Name": "email", "Email": "email"}
            )
        with pytest.raises(ValidationError, match="Map a column to Email or Mobile Number"):
            imports.preview(s, world["owner"], world["agent"], job["id"], {"Name": "name"})
        with pytest.raises(ValidationError, match="unknown field"):
            imports.preview(
                s, world["owner"], world["agent"], job["id"], {"Email": "email", "Name": "password"}
            )
        created = imports.create_field_for_column(
            s, world["owner"], world["agent"], label="Phone", type="Text"
        )
        assert created["key"] == "phone_2"


def test_create_field_while_mapping_then_import_into_it(world, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("Email,Referred by\nref@example.com,Dr. Who\n")
    with db.session_scope() as s:
        job = imports.create_job(s, world["owner"], world["agent"], "c.csv", path)
        assert job["mapping"]["Referred by"] == ""
        made = imports.create_field_for_column(
            s, world["owner"], world["agent"], label="Referred by", type="Text"
        )
        mapping = job["mapping"] | {"Referred by": made["key"]}
        imports.start_import(
            s, world["owner"], world["agent"], job["id"], mapping, policy="fill", valid_only=False
        )
    done = imports.run_import(job["id"])
    assert done["created"] == 1
    with db.session_scope() as s:
        assert s.exec(select(ContactValue.value_text)).all().count("Dr. Who") == 1


def test_template_has_the_agents_fields(world):
    with db.session_scope() as s:
        body, name = imports.template_csv(s, world["owner"], world["agent"])
    assert name == "contacts-template-front-desk.csv"
    header = body.lstrip("\ufeff").splitlines()[0]
    assert (
        header == "Name,Email,Mobile Number,Gender,Insurance provider,Visits,First visit,Newsletter"
    )


def test_user_role_cannot_import_and_another_org_sees_nothing(world):
    with pytest.raises(PermissionDenied):
        run(world, "01_utf8_basic.csv", actor=world["user"])
    with db.session_scope() as s:
        job = imports.create_job(
            s, world["owner"], world["agent"], "b.csv", CORPUS / "01_utf8_basic.csv"
        )
    for call in (
        lambda s, a: imports.preview(s, a, world["agent"], job["id"], job["mapping"]),
        lambda s, a: imports.start_import(
            s, a, world["agent"], job["id"], job["mapping"], policy="fill", valid_only=False
        ),
        lambda s, a: imports.undo_import(s, a, world["agent"], job["id"]),
        lambda s, a: imports.error_file(s, a, world["agent"], job["id"]),
        lambda s, a: imports.list_jobs(s, a, world["agent"]),
        lambda s, a: imports.template_csv(s, a, world["agent"]),
        lambda s, a: imports.create_field_for_column(s, a, world["agent"], label="X", type="Text"),
    ):
        with pytest.raises(NotFound):
            with db.session_scope() as s:
                call(s, world["other"])
        with pytest.raises(PermissionDenied):
            with db.session_scope() as s:
                call(s, world["user"])
    # the other org's own agent cannot reach this job either
    with pytest.raises(NotFound):
        with db.session_scope() as s:
            imports.get_job(s, world["other"], world["other_agent"], job["id"])


def test_round_robin_rotates_through_an_import_in_chunks_and_continues_in_the_next(
    world, tmp_path, monkeypatch
):
    """Owners by Round Robin across several write chunks (one locked rule read per chunk),
    the turns consecutive and the pointer committed, so the next import carries on."""
    from crm_app.models import AssignmentRule
    from crm_app.services import automations

    with db.session_scope() as s:
        automations.save_assignment(
            s,
            world["owner"],
            world["agent"],
            "manual",
            {
                "strategy": "round_robin",
                "member_ids": [world["owner"].user_id, world["admin"].user_id],
            },
            {"strategy": "creator"},
        )
    monkeypatch.setattr(csv_reader, "CHUNK_ROWS", 4)
    path = tmp_path / "people.csv"
    path.write_text("Name,Email\n" + "".join(f"Person {i},rr{i}@example.com\n" for i in range(11)))
    job = run(world, "", path=path, actor=world["admin"])
    assert job["created"] == 11
    path2 = tmp_path / "more.csv"
    path2.write_text("Name,Email\nLate One,late1@example.com\nLate Two,late2@example.com\n")
    run(world, "", path=path2, actor=world["admin"])
    rosa, ben = world["owner"].user_id, world["admin"].user_id
    with db.session_scope() as s:
        got = []
        for i in list(range(11)) + ["late1", "late2"]:
            email = f"rr{i}@example.com" if isinstance(i, int) else f"{i}@example.com"
            c = s.exec(select(Contact).where(Contact.email == email)).one()
            lines = s.exec(
                select(Activity)
                .where(Activity.contact_id == c.id, Activity.kind == "owner")
                .order_by(Activity.id)
            ).all()
            got.append(
                (c.primary_owner_id, c.secondary_owner_id, [a.data.get("sequence") for a in lines])
            )
        rule = s.exec(select(AssignmentRule).where(AssignmentRule.slot == "primary")).one()
    assert [p for p, _, _ in got] == [rosa, ben] * 6 + [rosa]
    # the creator (Ben) is the secondary except when he is the primary: then nobody
    assert [sec for _, sec, _ in got] == [ben, None] * 6 + [ben]
    assert [seq[0] for _, _, seq in got] == list(range(13))
    assert rule.pointer == 13


@pytest.mark.parametrize("reader_rows, write_rows", [(3, 1), (2, 5), (1000, 10_000)])
def test_chunk_sizes_do_not_change_the_outcome(
    world, tmp_path, monkeypatch, reader_rows, write_rows
):
    """Rows that repeat people across chunk boundaries give the same contacts, values and
    timelines however the file is cut into reader chunks and write transactions."""
    from sqlalchemy import text

    rows = _random_rows(7, 60)
    cols = list(COLUMNS)
    path = tmp_path / "mixed.csv"
    path.write_text(
        ",".join(cols) + "\n" + "".join(",".join(r.get(c, "") for c in cols) + "\n" for r in rows)
    )
    overrides = {"insurance": "insurance", "visits": "visits", "external_ref": "external_ref"}
    results = []
    for reader, write in ((10_000, 10_000), (reader_rows, write_rows)):
        with db.session_scope() as s:  # the same starting point: Ann only, freshly created
            for table in ("importchange", "activity", "contactvalue"):
                s.exec(text(f"DELETE FROM {table}"))
            s.exec(text("DELETE FROM contact"))
            contacts.save_contact(
                s,
                s.get(Agent, world["agent"]),
                {"name": "Ann Lee", "email": "p2@example.com", "visits": "2"},
                source="Form",
                origin=contacts.Origin("form", "Intake form"),
            )
        monkeypatch.setattr(csv_reader, "CHUNK_ROWS", reader)
        monkeypatch.setattr(import_run, "WRITE_ROWS", write)
        job = run(world, "", path=path, policy="overwrite", overrides=overrides)
        results.append(
            (
                (job["created"], job["updated"], job["skipped"], job["failed"]),
                _snapshot(world["agent"]),
            )
        )
    assert results[0][0][0] > 10 and results[0][0][1] > 0
    assert results[1] == results[0]


class _ServerStopped(BaseException):
    """Like the process dying: no `except Exception` in the run sees it, nothing is cleaned up."""


def _run_until_the_server_stops(world, tmp_path, monkeypatch) -> int:
    monkeypatch.setattr(csv_reader, "CHUNK_ROWS", 2)
    monkeypatch.setattr(import_run, "WRITE_ROWS", 1)
    path = tmp_path / "six.csv"
    path.write_text("Email\n" + "".join(f"z{i}@example.com\n" for i in range(6)))
    real_apply, calls = import_batch.Batch.apply, []

    def apply(self, rows, valid_only):
        calls.append(len(rows))
        if len(calls) == 3:
            raise _ServerStopped()
        return real_apply(self, rows, valid_only)

    monkeypatch.setattr(import_batch.Batch, "apply", apply)
    with pytest.raises(_ServerStopped):
        run(world, "", path=path)
    monkeypatch.setattr(import_batch.Batch, "apply", real_apply)
    with db.session_scope() as s:
        job = s.exec(select(ImportJob)).one()
        assert (
            job.status == "importing"
            and s.exec(select(func.count()).select_from(Contact)).one() == 4
        )
        return job.id


def _age(job_id: int, seconds: int) -> None:
    with db.session_scope() as s:
        job = s.get(ImportJob, job_id)
        job.heartbeat_at = job.heartbeat_at - timedelta(seconds=seconds)
        s.add(job)


def test_an_import_whose_server_stopped_is_recovered_as_failed_and_undone(
    world, tmp_path, monkeypatch
):
    job_id = _run_until_the_server_stops(world, tmp_path, monkeypatch)
    with (
        db.session_scope() as s
    ):  # run on another host, still beating recently: could be slow, left alone
        s.get(ImportJob, job_id).runner = "another-host:4242"
    with db.session_scope() as s:
        assert imports.recover_interrupted(s, world["owner"], world["agent"]) == 0
    _age(job_id, imports.STALL_SECONDS + 5)
    with db.session_scope() as s:  # not for a User, nor for another organization's member
        with pytest.raises(PermissionDenied):
            imports.recover_interrupted(s, world["user"], world["agent"])
        with pytest.raises(NotFound):
            imports.recover_interrupted(s, world["other"], world["agent"])
    with db.session_scope() as s:
        assert imports.recover_interrupted(s, world["owner"], world["agent"]) == 1
    with db.session_scope() as s:
        job = imports.get_job(s, world["owner"], world["agent"], job_id)
        assert job["status"] == "failed" and job["created"] == 0
        assert job["message"].startswith("The import was interrupted after 3 of 6 rows")
        assert s.exec(select(func.count()).select_from(Contact)).one() == 1  # only Ann, from before
        assert (
            s.exec(select(AuditLog).where(AuditLog.description.contains("interrupted"))).first()
            is not None
        )


def test_a_slow_run_that_was_declared_dead_stops_at_its_next_chunk(world, tmp_path, monkeypatch):
    job_id = _run_until_the_server_stops(world, tmp_path, monkeypatch)
    _age(job_id, imports.STALL_SECONDS + 5)
    with db.session_scope() as s:
        imports.recover_interrupted(s, world["owner"], world["agent"])
    with db.session_scope() as s, pytest.raises(recovery.Recovered):
        recovery.running_job(s, job_id, "importing")
    with db.session_scope() as s:
        assert s.get(ImportJob, job_id).status == "failed"
