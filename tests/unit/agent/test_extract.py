"""The offline extractor on single messages (the corpus covers many more)."""

from __future__ import annotations

import pytest

from crm_app.agent.base import FieldSpec
from crm_app.agent.extract import asked_fields, extract
from tests.unit.agent.conftest import FIELDS, NOW


def ex(message, previous="", region="US", fields=FIELDS, exclude=()):
    return extract(
        message, fields, region, previous_agent_message=previous, now=NOW, exclude=exclude
    )


def test_several_facts_in_one_sentence():
    assert ex(
        "Hi, I'm Maria Lopez, maria.lopez@Gmail.com, (415) 555-2671, whitening next Tuesday"
    ) == {
        "name": "Maria Lopez",
        "email": "maria.lopez@gmail.com",
        "phone": "+14155552671",
        "service": "Whitening",
        "preferred_date": "2026-12-08",
    }


@pytest.mark.parametrize(
    ("message", "region", "name"),
    [
        ("my name is john smith", "US", "John Smith"),
        ("call me Ben", "US", "Ben"),
        ("Me llamo Carmen", "ES", "Carmen"),
        ("Bonjour, je m'appelle Julien Moreau", "FR", "Julien Moreau"),
        ("Ich heiße Jörg", "DE", "Jörg"),
        ("Hallo, ich bin Anna Schmidt", "DE", "Anna Schmidt"),
        ("This is Priya from accounting", "US", "Priya"),
    ],
)
def test_names(message, region, name):
    assert ex(message, region=region)["name"] == name


@pytest.mark.parametrize(
    "message",
    [
        "My wife's number is 415-555-2671",
        "call my brother at 415 555 2671",
        "her email is lisa@example.com",
        "my email is not working",
        "I don't have an email",
        "Is 415-555-0100 your office number?",
        "My old number was 415-555-2671",
        "I'm looking for a dentist",
        "I'm not sure yet",
        "This is urgent",
        "my son's name is Leo",
        "I was there last Tuesday",
        "I don't want braces",
    ],
)
def test_must_not_capture(message):
    assert ex(message) == {}


def test_the_business_numbers_quoted_back_are_not_the_visitors():
    agent_said = ["Call us on 415-555-0100 or write to hello@brightsmile.example"]
    assert ex("ok I'll call 415-555-0100", exclude=agent_said) == {}
    assert ex("is hello@brightsmile.example right?", exclude=agent_said) == {}


def test_phone_uses_the_agents_region():
    assert ex("mi teléfono es 612 345 678", region="ES") == {"phone": "+34612345678"}
    assert ex("my number is 612 345 678", region="US") == {}


def test_a_bare_answer_fills_the_field_just_asked():
    assert ex("Peter Parker", previous="May I have your name?") == {"name": "Peter Parker"}
    assert ex("ana at gmail dot com", previous="What is your email?") == {"email": "ana@gmail.com"}
    assert ex("around 2000", previous="What's your budget?") == {"budget": 2000}
    assert ex("next friday", previous="Which preferred date should I note?") == {
        "preferred_date": "2026-12-04"
    }
    assert ex("yes", previous="Shall I note yes or no for Newsletter?") == {"newsletter": True}
    assert ex("yes") == {}  # nobody asked


def test_refusals_and_questions_are_not_answers():
    assert ex("I'd rather not say", previous="May I have your name?") == {}
    assert ex("Why do you need it?", previous="What is your email?") == {}


def test_free_text_only_when_asked():
    fields = (FieldSpec("reason", "Reason for visit", "Long text", hint="In their own words"),)
    message = "My tooth hurts when I drink cold water"
    assert extract(message, fields, "US", now=NOW) == {}
    assert extract(
        message, fields, "US", previous_agent_message="What is the reason for visit?", now=NOW
    ) == {"reason": message}
    site = (FieldSpec("site", "Website", "URL"),)
    assert extract(
        "it's www.example.com", site, "US", previous_agent_message="Your website?", now=NOW
    ) == {"site": "www.example.com"}


def test_options_exact_fuzzy_and_multi():
    assert ex("I'd like a teeth clening")["service"] == "Teeth cleaning"
    assert ex("Braces or implants, which is better?") == {}  # ambiguous dropdown
    assert ex("Interested in kids dentistry and sedation")["interests"] == [
        "Kids dentistry",
        "Sedation",
    ]
    assert ex("I'm female") == {"gender": "Female"}
    assert "gender" not in ex("my daughter is female")
    assert "gender" not in ex("is your email address correct?")  # "male" inside words


def test_checkbox_only_when_about_it():
    assert ex("sign me up for the newsletter") == {"newsletter": True}
    assert ex("please don't send me the newsletter") == {"newsletter": False}
    assert ex("sure, sounds good") == {}


def test_dates():
    assert ex("Could I come in tomorrow?") == {"preferred_date": "2026-12-04"}
    assert ex("I'd prefer December 18th") == {"preferred_date": "2026-12-18"}
    assert ex("Est-ce possible le 10 décembre ?", region="FR") == {"preferred_date": "2026-12-10"}
    assert ex("open 24/7?") == {}
    assert ex("can we do 12/21?") == {"preferred_date": "2026-12-21"}
    assert ex("am 21.12.2026 bitte", region="DE") == {"preferred_date": "2026-12-21"}
    assert ex("¿el 2 de enero?", region="ES") == {"preferred_date": "2027-01-02"}
    dob = (FieldSpec("dob", "Date of birth", "Date"),)
    assert extract("I was born on 3 March 1985", dob, "US", now=NOW) == {"dob": "1985-03-03"}
    assert extract("see you on 3 March", dob, "US", now=NOW) == {}


def test_only_the_given_fields_are_filled():
    fields = (FieldSpec("email", "Email", "Email"),)
    assert ex("I'm Maria, 415 555 2671, maria@example.com", fields=fields) == {
        "email": "maria@example.com"
    }


def test_asked_fields_reads_the_last_question_only():
    said = "Thanks, Maria — I've noted your phone number. Could you share your email address?"
    assert [f.key for f in asked_fields(said, FIELDS)] == ["email"]
    assert asked_fields("I've noted your email.", FIELDS) == []
