"""The corpus: every file an uploader may bring, each with its expected outcome.

Each case runs the whole import (policy fill, valid rows only) through the same service
the wizard and the CLI use, then checks what a user sees: the counts of the summary, the
contacts the list shows, the rows of the error report — or the refusal message.
"""

from __future__ import annotations

import csv

import pytest
from sqlmodel import func, select

from crm_app import db
from crm_app.models import Contact, ContactField, ContactValue
from crm_app.services import csv_reader, imports
from crm_app.services.errors import ValidationError

from .conftest import CORPUS, run

# file -> (summary counts created/updated/skipped/failed, {email or name: expected name}, extra checks)
CASES = {
    "01_utf8_basic.csv": (
        (3, 0, 0, 0),
        {"maria@example.com": "Maria Lopez", "+14155552672": "Ava Diaz"},
    ),
    "02_utf8_bom_synonyms.csv": ((2, 0, 0, 0), {"zoe@example.com": "Zoë Ångström"}),
    "03_utf16_le_tab.csv": (
        (2, 0, 0, 0),
        {"kenji@example.com": "Kenji Sato", "+14155552674": "Kenji Sato"},
    ),
    "04_utf16_be.csv": ((2, 0, 0, 0), {"leila@example.com": "Leila Haddad"}),
    "05_latin1_semicolon.csv": (
        (2, 0, 0, 0),
        {"jose@example.com": "José Müller", "+14155552675": "José Müller"},
    ),
    "06_cp1252_curly_quotes.csv": (
        (2, 0, 0, 0),
        {"doc@example.com": "“Doc” O’Brien", "euro@example.com": "Euro € Fan"},
    ),
    "07_tab_delimited.csv": ((2, 0, 0, 0), {"noah@example.com": "Noah Evans"}),
    "08_quoted_newlines.csv": ((2, 0, 0, 0), {"lucas@example.com": "Lucas Gray"}),
    "09_blank_lines.csv": ((1, 0, 0, 1), {"olivia@example.com": "Olivia Bennett"}),
    "10_trailing_empty_columns.csv": ((2, 0, 0, 0), {"sara@example.com": "Sara Khan"}),
    "11_duplicate_headers.csv": ((1, 0, 0, 0), {"first@example.com": "Dup Header"}),
    "12_first_last_name.csv": (
        (2, 0, 0, 0),
        {"grace@example.com": "Grace Hill", "henry@example.com": "Henry"},
    ),
    "13_synonyms_gender_sex.csv": (
        (2, 0, 0, 0),
        {"ivy@example.com": "Ivy Lane", "+14155552676": "Ivy Lane"},
    ),
    "14_custom_fields.csv": ((1, 0, 0, 2), {"kim@example.com": "Kim Park"}),
    "15_invalid_rows.csv": ((1, 0, 0, 3), {"good@example.com": "Good One"}),
    "16_in_file_duplicates.csv": (
        (1, 1, 1, 0),
        {"nina@example.com": "Nina Ross", "+14155552677": "Nina Ross"},
    ),
    "17_existing_contacts.csv": (
        (1, 0, 1, 0),
        {"ann@example.com": "Ann Lee", "new@example.com": "New Person"},
    ),
    "18_formula_cells.csv": (
        (2, 0, 0, 0),
        {
            "formula@example.com": '=HYPERLINK("http://evil.example","click")',
            "plus@example.com": "+cmd",
        },
    ),
    "19_long_cell.csv": ((1, 0, 0, 1), {"short@example.com": "Short Name"}),
    "23_no_header_row.csv": (
        (2, 0, 0, 0),
        {"paul@example.com": "Paul Stone", "+14155552679": "Rita Stone"},
    ),
    "26_crlf_external_ref.csv": ((1, 0, 1, 0), {"tom@example.com": "Tom Reed"}),
    "27_ragged_rows.csv": ((2, 0, 0, 0), {"uma@example.com": "Uma Roy"}),
    "28_whitespace_and_case.csv": (
        (1, 0, 0, 0),
        {"wade@example.com": "Wade Cole", "+14155552680": "Wade Cole"},
    ),
    "29_semicolon_quoted.csv": ((1, 0, 0, 0), {"xu@example.com": "Xu; Lin"}),
    "30_dropdown_multiselect_checkbox.csv": ((1, 0, 0, 1), {}),
}

REFUSED = {
    "20_nul_bytes.csv": "NUL bytes",
    "21_binary_renamed.csv": "not a CSV file: it looks like an Excel workbook or a ZIP archive",
    "22_header_only.csv": "column names but no rows",
    "24_empty.csv": "The file is empty",
    "25_random_binary.csv": "not a CSV file",
}

# What the error report says, row by row (spreadsheet row numbers, header = row 1).
ERRORS = {
    "09_blank_lines.csv": [
        ("6", "Email", "not-an-email", "'not-an-email' is not a valid email address.")
    ],
    "14_custom_fields.csv": [
        (
            "3",
            "Insurance provider",
            "Blue Shield",
            "'Blue Shield' is not one of the options: Aetna, Cigna.",
        ),
        ("4", "Visits", "lots", "'lots' is not a number."),
        ("4", "First visit", "2024-13-45", "'2024-13-45' is not a date (use YYYY-MM-DD)."),
    ],
    "15_invalid_rows.csv": [
        ("3", "Email", "bad@@example", "'bad@@example' is not a valid email address."),
        ("4", "Phone", "12", "'12' is not a valid phone number for region US."),
        ("5", "", "", "A contact needs at least an email or a mobile number."),
    ],
    "19_long_cell.csv": [("2", "Name", "A" * 200, "Name is at most 200 characters.")],
    "30_dropdown_multiselect_checkbox.csv": [
        ("3", "Newsletter", "perhaps", "'perhaps' is not yes or no.")
    ],
}


def _contacts(world) -> dict[str, str]:
    with db.session_scope() as s:
        rows = s.exec(
            select(Contact.email, Contact.phone, Contact.name).where(
                Contact.agent_id == world["agent"]
            )
        )
        out = {}
        for email, phone, name in rows:
            if email:
                out[email] = name
            if phone:
                out[phone] = name
        return out


def _error_rows(world, job) -> list[tuple[str, ...]]:
    with db.session_scope() as s:
        path, name = imports.error_file(s, world["owner"], world["agent"], job["id"])
    assert name.endswith("-errors.csv")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Row", "Column", "Value", "Reason"]
    return [tuple(r) for r in rows[1:]]


def test_the_corpus_has_at_least_25_files_and_every_one_has_an_expectation():
    files = sorted(p.name for p in CORPUS.glob("*.csv"))
    assert len(files) >= 25
    assert set(files) == set(CASES) | set(REFUSED)


@pytest.mark.parametrize("filename", sorted(CASES))
def test_corpus_file_imports_as_expected(world, filename):
    counts, expected = CASES[filename]
    job = run(world, filename)
    assert job["status"] == "done", job["message"]
    assert (job["created"], job["updated"], job["skipped"], job["failed"]) == counts
    people = _contacts(world)
    for key, name in expected.items():
        assert people.get(key) == name, (key, people)
    if filename in ERRORS:
        assert _error_rows(world, job) == ERRORS[filename]
    else:
        assert not job["has_errors"]


@pytest.mark.parametrize("filename", sorted(REFUSED))
def test_hostile_file_is_refused_with_a_clear_message_and_nothing_stored(world, filename):
    with pytest.raises(ValidationError) as err:
        run(world, filename)
    assert REFUSED[filename] in err.value.message
    with db.session_scope() as s:
        assert s.exec(select(func.count()).select_from(Contact)).one() == 1  # Ann only
    assert not any((world_dir() / "imports").glob("*.csv"))


def world_dir():
    from crm_app.settings import get_settings

    return get_settings().files_dir


def test_detection_of_encoding_delimiter_and_headers():
    seen = {
        name: csv_reader.inspect_csv(CORPUS / name)
        for name in (
            "02_utf8_bom_synonyms.csv",
            "03_utf16_le_tab.csv",
            "04_utf16_be.csv",
            "05_latin1_semicolon.csv",
            "06_cp1252_curly_quotes.csv",
            "10_trailing_empty_columns.csv",
            "11_duplicate_headers.csv",
            "23_no_header_row.csv",
            "27_ragged_rows.csv",
        )
    }
    assert seen["02_utf8_bom_synonyms.csv"].encoding == "utf-8-sig"
    assert (seen["03_utf16_le_tab.csv"].encoding, seen["03_utf16_le_tab.csv"].delimiter) == (
        "utf-16",
        "\t",
    )
    assert seen["04_utf16_be.csv"].encoding == "utf-16"
    assert (
        seen["05_latin1_semicolon.csv"].encoding,
        seen["05_latin1_semicolon.csv"].delimiter,
    ) == ("cp1252", ";")
    assert seen["05_latin1_semicolon.csv"].headers == ["Nom", "E-mail", "Téléphone"]
    assert seen["06_cp1252_curly_quotes.csv"].encoding == "cp1252"
    assert seen["10_trailing_empty_columns.csv"].headers == ["Name", "Email"]
    assert seen["11_duplicate_headers.csv"].headers == ["Email", "Email (2)", "Name"]
    assert seen["23_no_header_row.csv"].headers == ["Column 1", "Column 2", "Column 3"]
    assert seen["23_no_header_row.csv"].rows == 2
    assert seen["27_ragged_rows.csv"].headers == ["Name", "Email", "Column 3"]


def test_a_latin1_only_byte_means_latin1(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("Name,Email\nA\u0081B,a@example.com\n".encode("latin-1"))
    assert csv_reader.inspect_csv(path).encoding == "latin-1"


def test_two_gigabyte_file_is_refused_by_its_size_before_reading(world, tmp_path):
    huge = tmp_path / "huge.csv"
    with open(huge, "wb") as handle:
        handle.truncate(2 * 1024**3)  # sparse: declares 2 GB, takes no disk
    with pytest.raises(ValidationError, match="2.0 GB; the limit is 50 MB"):
        run(world, "", path=huge)
    with pytest.raises(ValidationError, match="limit is 50 MB"):
        csv_reader.check_declared_size(2 * 1024**3)


def test_more_rows_than_the_limit_is_refused_before_any_write(world, monkeypatch):
    monkeypatch.setattr(csv_reader, "MAX_ROWS", 2)
    with pytest.raises(ValidationError, match="more than 2 rows"):
        run(world, "01_utf8_basic.csv")
    with db.session_scope() as s:
        assert s.exec(select(func.count()).select_from(Contact)).one() == 1


def test_custom_values_and_formulas_are_stored_as_typed_text(world):
    run(world, "14_custom_fields.csv")
    run(world, "30_dropdown_multiselect_checkbox.csv")
    with db.session_scope() as s:
        kim = s.exec(select(Contact).where(Contact.email == "kim@example.com")).one()
        check = s.exec(select(Contact).where(Contact.email == "check@example.com")).one()
        keys = {f.id: f.key for f in s.exec(select(ContactField))}
        values = {
            (v.contact_id, keys[v.field_id]): v.value_text for v in s.exec(select(ContactValue))
        }
    assert values[(kim.id, "insurance")] == "Aetna"
    assert values[(kim.id, "visits")] == "3"
    assert values[(kim.id, "first_visit")] == "2024-05-01"
    assert values[(check.id, "insurance")] == "Cigna"
    assert values[(check.id, "newsletter")] == "Yes"
