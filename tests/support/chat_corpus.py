"""The chat-capture corpus (tests/corpus/chat_capture.jsonl): loading and scoring.

Each line: {"message", "fields": [FieldSpec dicts] or the name of a field set below,
"region", "previous_agent_message" (optional), "now" (optional ISO datetime, default
CORPUS_NOW), "expected": {field key: value}}. A case scores per (key, value): a value equal
to the expected one is a true positive; an extra or different value is a false positive; a
missing or different expected value is a false negative. Strings compare case-insensitively,
lists as sets, numbers as floats. Used by bench/bench_extractor.py and the baseline test.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from crm_app.agent.base import FieldSpec

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "chat_capture.jsonl"
CORPUS_NOW = datetime(2026, 12, 3, 10, 0)  # a Thursday

FIELD_SETS: dict[str, tuple[FieldSpec, ...]] = {
    "dental": (
        FieldSpec("name", "Name", "Text", required=True),
        FieldSpec("email", "Email", "Email", required=True),
        FieldSpec("phone", "Mobile Number", "Phone"),
        FieldSpec(
            "gender", "Gender", "Dropdown", ("Female", "Male", "Non-binary", "Prefer not to say")
        ),
        FieldSpec(
            "service", "Service", "Dropdown", ("Teeth cleaning", "Whitening", "Braces", "Implants")
        ),
        FieldSpec("preferred_date", "Preferred date", "Date"),
        FieldSpec("budget", "Budget", "Number"),
        FieldSpec("newsletter", "Newsletter", "Checkbox"),
        FieldSpec(
            "interests",
            "Interests",
            "Multi-select",
            ("Kids dentistry", "Payment plans", "Sedation", "Evening appointments"),
        ),
    )
}


@dataclass(frozen=True)
class Case:
    message: str
    fields: tuple[FieldSpec, ...]
    region: str
    previous_agent_message: str
    now: datetime
    expected: dict[str, Any]


def load_corpus(path: Path = CORPUS) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        spec = row["fields"]
        if isinstance(spec, str):
            fields = FIELD_SETS[spec]
        else:
            fields = tuple(FieldSpec(**{**f, "options": tuple(f.get("options", ()))}) for f in spec)
        try:
            now = datetime.fromisoformat(row["now"]) if row.get("now") else CORPUS_NOW
            cases.append(
                Case(
                    message=row["message"],
                    fields=fields,
                    region=row.get("region") or "US",
                    previous_agent_message=row.get("previous_agent_message") or "",
                    now=now,
                    expected=dict(row["expected"]),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path.name} line {number}: {exc}") from exc
    return cases


def same(expected: Any, got: Any) -> bool:
    if isinstance(expected, list) or isinstance(got, list):
        if not isinstance(expected, list) or not isinstance(got, list):
            return False
        return {str(v).lower() for v in expected} == {str(v).lower() for v in got}
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return abs(float(expected) - float(got)) < 1e-9
    return str(expected).strip().lower() == str(got).strip().lower()


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(results: list[tuple[Case, dict[str, Any]]]) -> tuple[dict[str, Tally], Tally]:
    """Per-field and overall tallies for (case, extracted values) pairs."""
    per_field: dict[str, Tally] = defaultdict(Tally)
    for case, got in results:
        for key in set(case.expected) | set(got):
            tally = per_field[key]
            if key in case.expected and key in got and same(case.expected[key], got[key]):
                tally.tp += 1
                continue
            if key in got:
                tally.fp += 1
            if key in case.expected:
                tally.fn += 1
    overall = Tally(
        tp=sum(t.tp for t in per_field.values()),
        fp=sum(t.fp for t in per_field.values()),
        fn=sum(t.fn for t in per_field.values()),
    )
    return dict(per_field), overall


def mismatches(results: list[tuple[Case, dict[str, Any]]]) -> list[str]:
    lines = []
    for case, got in results:
        wrong = {
            k
            for k in set(case.expected) | set(got)
            if not (k in case.expected and k in got and same(case.expected[k], got[k]))
        }
        if wrong:
            exp = {k: case.expected.get(k) for k in sorted(wrong)}
            out = {k: got.get(k) for k in sorted(wrong)}
            lines.append(f"{case.message!r}: expected {exp}, got {out}")
    return lines
