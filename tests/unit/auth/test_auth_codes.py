"""Emailed one-time codes: what a person signing in sees when they type right, wrong, late or often."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import LoginCode, SentEmail, utcnow
from crm_app.services import auth
from crm_app.services.errors import RateLimited, ValidationError
from tests.mailbox import code_in, inbox


def last_code(email: str) -> str:
    """The code as the person reads it in their inbox (the newest email to them)."""
    return code_in(inbox(email))


def request(email: str, **kw) -> None:
    with db.session_scope() as s:
        auth.request_code(s, email, **kw)


def verify(email: str, code: str, **kw) -> None:
    with db.session_scope() as s:
        auth.verify_code(s, email, code, **kw)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_code_is_emailed_to_the_normalized_address_and_only_its_hash_is_stored(engine):
    request("  Ann.Smith@Clinic.Example  ")
    code = last_code("ann.smith@clinic.example")
    with db.session_scope() as s:
        mail = s.exec(select(SentEmail)).one()
        row = s.exec(select(LoginCode)).one()
    assert mail.to == "ann.smith@clinic.example"
    assert code in inbox(mail.to)["subject"] and "expires in 10 minutes" in mail.body
    # The sent-mail table is no way in: the code is not kept there.
    assert code not in mail.subject + mail.body and "[hidden]" in mail.subject
    assert row.email == "ann.smith@clinic.example"
    assert row.code_hash and code not in row.code_hash
    assert timedelta(minutes=9) < row.expires_at - utcnow() <= timedelta(minutes=10)
    verify("ANN.SMITH@clinic.example", code)  # any casing of the same address works


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "ann",
        "ann@",
        "@clinic.example",
        "ann@@clinic.example",
        "ann smith@clinic.example",
        "a" * 250 + "@x.example",
    ],
)
def test_malformed_emails_are_refused_with_a_field_error_and_nothing_is_sent(engine, bad):
    with pytest.raises(ValidationError) as err, db.session_scope() as s:
        auth.request_code(s, bad)
    assert err.value.message == "Enter a valid email address."
    assert err.value.field == "email"
    with db.session_scope() as s:
        assert s.exec(select(SentEmail)).first() is None
        assert s.exec(select(LoginCode)).first() is None


def test_a_code_works_once(engine):
    request("ann@clinic.example")
    code = last_code("ann@clinic.example")
    verify("ann@clinic.example", f" {code[:3]} {code[3:]} ")  # spaces a person may type are ignored
    with pytest.raises(ValidationError) as err:
        verify("ann@clinic.example", code)
    assert err.value.message == "This code has already been used. Please request a new code."
    assert err.value.field == "code"


def test_wrong_code_is_refused_and_counted_even_though_the_caller_rolls_back(engine):
    request("ann@clinic.example")
    code = last_code("ann@clinic.example")
    with pytest.raises(ValidationError) as err:
        verify("ann@clinic.example", wrong(code))
    assert err.value.message == "That code is not correct. Check the email and try again."
    assert err.value.field == "code"
    with db.session_scope() as s:
        assert s.exec(select(LoginCode)).one().attempts == 1
    verify("ann@clinic.example", code)  # the right code still works after one slip


def test_five_wrong_tries_lock_the_code_even_for_the_right_one(engine):
    request("ann@clinic.example")
    code = last_code("ann@clinic.example")
    messages = []
    for _ in range(5):
        with pytest.raises(ValidationError) as err:
            verify("ann@clinic.example", wrong(code))
        messages.append(err.value.message)
    assert messages[-1] == "Too many attempts. Please request a new code."
    assert set(messages[:-1]) == {"That code is not correct. Check the email and try again."}
    with pytest.raises(ValidationError) as err:
        verify("ann@clinic.example", code)
    assert err.value.message == "Too many attempts. Please request a new code."
    request("ann@clinic.example")  # a new code starts afresh
    verify("ann@clinic.example", last_code("ann@clinic.example"))


def test_expired_code_is_refused(engine):
    request("ann@clinic.example")
    code = last_code("ann@clinic.example")
    with db.session_scope() as s:
        row = s.exec(select(LoginCode)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        s.add(row)
    with pytest.raises(ValidationError) as err:
        verify("ann@clinic.example", code)
    assert err.value.message == "This code has expired. Please request a new code."
    assert err.value.field == "code"


def test_a_new_code_retires_the_previous_one(engine):
    request("ann@clinic.example")
    first = last_code("ann@clinic.example")
    request("ann@clinic.example")
    second = last_code("ann@clinic.example")
    if first != second:
        with pytest.raises(ValidationError):
            verify("ann@clinic.example", first)
    verify("ann@clinic.example", second)


def test_codes_are_bound_to_their_email_and_purpose(engine):
    request("ann@clinic.example")
    request("eve@other.example")
    ann = last_code("ann@clinic.example")
    with pytest.raises(ValidationError):
        verify("eve@other.example", ann) if ann != last_code("eve@other.example") else pytest.fail(
            "same code"
        )
    with pytest.raises(ValidationError) as err:
        verify("ann@clinic.example", ann, purpose="agent:7")
    assert err.value.message == "Request a code first."
    verify("ann@clinic.example", ann)


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef"])
def test_code_format_is_explained(engine, typed):
    request("ann@clinic.example")
    with pytest.raises(ValidationError) as err:
        verify("ann@clinic.example", typed)
    assert err.value.message == "Enter the 6-digit code from the email."
    with db.session_scope() as s:
        assert s.exec(select(LoginCode)).one().attempts == 0


def test_codes_per_email_are_rate_limited(engine):
    for _ in range(auth.CODES_PER_EMAIL):
        request("ann@clinic.example", ip="10.0.0.1")
    with pytest.raises(RateLimited) as err:
        request("ann@clinic.example", ip="10.0.0.2")
    assert "Too many codes were requested for this email" in err.value.message
    assert err.value.field == "email"
    request("bob@clinic.example", ip="10.0.0.2")  # someone else is not affected
    with db.session_scope() as s:  # the window slides: old requests stop counting
        for row in s.exec(select(LoginCode).where(LoginCode.email == "ann@clinic.example")):
            row.created_at = utcnow() - timedelta(minutes=16)
            s.add(row)
    request("ann@clinic.example", ip="10.0.0.2")


def test_codes_per_ip_are_rate_limited(engine):
    for i in range(auth.codes_per_ip()):
        request(f"user{i}@clinic.example", ip="10.0.0.9")
    with pytest.raises(RateLimited) as err:
        request("one-more@clinic.example", ip="10.0.0.9")
    assert "from your network" in err.value.message
    request("one-more@clinic.example", ip="10.0.0.10")


def test_wrong_codes_per_ip_are_rate_limited(engine):
    for i in range(auth.FAILED_VERIFIES_PER_IP // 3 + 1):
        request(f"u{i}@clinic.example", ip="10.0.0.5")
    emails = [f"u{i}@clinic.example" for i in range(auth.FAILED_VERIFIES_PER_IP // 3)]
    for email in emails:
        code = last_code(email)
        for _ in range(3):
            with pytest.raises(ValidationError):
                verify(email, wrong(code), ip="10.0.0.5")
    last = f"u{auth.FAILED_VERIFIES_PER_IP // 3}@clinic.example"
    with pytest.raises(RateLimited) as err:
        verify(last, last_code(last), ip="10.0.0.5")
    assert err.value.field == "code"
    verify(last, last_code(last), ip="10.0.0.6")


def test_silent_code_sends_nothing_and_never_matches(engine):
    request("stranger@clinic.example", purpose="agent:1", deliver=False)
    with db.session_scope() as s:
        assert s.exec(select(SentEmail)).first() is None
        assert s.exec(select(LoginCode)).one().code_hash is None
    for guess in ("000000", "123456"):
        with pytest.raises(ValidationError) as err:
            verify("stranger@clinic.example", guess, purpose="agent:1")
        assert err.value.message == "That code is not correct. Check the email and try again."
