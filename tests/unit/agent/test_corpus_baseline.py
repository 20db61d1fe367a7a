"""The offline extractor must not get worse on the corpus than the stored baseline
(bench/results/extractor_baseline.json, written by `bench/bench_extractor.py --save-baseline`)."""

from __future__ import annotations

import json
from pathlib import Path

from crm_app.agent.extract import extract
from tests.support.chat_corpus import load_corpus, mismatches, score

BASELINE = Path(__file__).resolve().parents[3] / "bench" / "results" / "extractor_baseline.json"


def test_corpus_is_large_and_varied():
    cases = load_corpus()
    assert len(cases) >= 90
    assert sum(1 for c in cases if not c.expected) >= 20
    assert {c.region for c in cases} >= {"US", "ES", "FR", "DE"}


def test_precision_and_recall_do_not_drop_below_the_baseline():
    baseline = json.loads(BASELINE.read_text())
    results = [
        (
            c,
            extract(
                c.message,
                c.fields,
                c.region,
                previous_agent_message=c.previous_agent_message,
                now=c.now,
            ),
        )
        for c in load_corpus()
    ]
    _, overall = score(results)
    misses = "\n".join(mismatches(results))
    assert overall.precision >= baseline["precision"] - 0.001, misses
    assert overall.recall >= baseline["recall"] - 0.001, misses
