"""Offline chat engine: capture quality on the corpus and reply latency (issue #12).
Printed, never asserted (the baseline test only guards precision/recall).

    python bench/bench_extractor.py [--rounds 20] [--save-baseline] [--show-misses]

Runs `crm_app.agent.extract.extract` on every line of tests/corpus/chat_capture.jsonl and
prints per-field and overall precision / recall / F1 (per key/value pair: a wrong value is
both a false positive and a false negative). Then times the whole offline turn
(`OfflineEngine.reply`: extraction + reply text, consumed to the end) over the corpus
`--rounds` times after one warm-up pass, single-threaded, and prints p50 / p95 / max per
turn (wall clock and this thread's CPU time, which a busy shared machine inflates less) and
turns per second, with the load average before and after.
`--save-baseline` writes bench/results/extractor_baseline.json, which
tests/unit/agent/test_corpus_baseline.py compares against.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crm_app.agent.base import ChatMessage, Turn  # noqa: E402
from crm_app.agent.extract import extract  # noqa: E402
from crm_app.agent.offline import OfflineEngine  # noqa: E402
from tests.support.chat_corpus import Case, load_corpus, mismatches, score  # noqa: E402

BASELINE = ROOT / "bench" / "results" / "extractor_baseline.json"


def run_extraction(cases: list[Case]):
    return [
        (
            case,
            extract(
                case.message,
                case.fields,
                case.region,
                previous_agent_message=case.previous_agent_message,
                now=case.now,
            ),
        )
        for case in cases
    ]


def turn_for(case: Case) -> Turn:
    welcome = "Hi! I'm Ava from Bright Smile Dental. How can I help?"
    history = [ChatMessage("agent", welcome)]
    if case.previous_agent_message:
        history += [
            ChatMessage("visitor", "hello"),
            ChatMessage("agent", case.previous_agent_message),
        ]
    history.append(ChatMessage("visitor", case.message))
    return Turn(
        agent_name="Ava",
        welcome_message=welcome,
        phone_region=case.region,
        fields=case.fields,
        known={},
        history=tuple(history),
        now=case.now,
    )


def time_turns(cases: list[Case], rounds: int) -> tuple[list[float], list[float]]:
    engine = OfflineEngine()
    turns = [turn_for(c) for c in cases]
    for turn in turns:  # warm-up: dateparser's languages, regex caches
        list(engine.reply(turn))
    wall, cpu = [], []
    for _ in range(rounds):
        for turn in turns:
            start, start_cpu = time.perf_counter(), time.thread_time()
            list(engine.reply(turn))
            cpu.append(time.thread_time() - start_cpu)
            wall.append(time.perf_counter() - start)
    return wall, cpu


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--save-baseline", action="store_true")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()

    cases = load_corpus()
    load_before = os.getloadavg()
    results = run_extraction(cases)
    per_field, overall = score(results)
    nothing = sum(1 for c in cases if not c.expected)
    print(
        f"Corpus: {len(cases)} messages ({nothing} with nothing to capture), "
        f"{overall.tp + overall.fn} expected values"
    )
    print()
    print(
        f"| {'field':<16} | {'TP':>4} | {'FP':>4} | {'FN':>4} | {'precision':>9} | {'recall':>6} | {'F1':>5} |"
    )
    print(f"|{'-' * 18}|{'-' * 6}|{'-' * 6}|{'-' * 6}|{'-' * 11}|{'-' * 8}|{'-' * 7}|")
    rows = sorted(per_field.items()) + [("OVERALL", overall)]
    for key, t in rows:
        print(
            f"| {key:<16} | {t.tp:>4} | {t.fp:>4} | {t.fn:>4} | {t.precision:>9.3f} | "
            f"{t.recall:>6.3f} | {t.f1:>5.3f} |"
        )
    if args.show_misses:
        print()
        print("\n".join(mismatches(results)) or "(no misses)")

    samples, cpu = time_turns(cases, args.rounds)
    load_after = os.getloadavg()
    total = sum(samples)
    print()
    print(f"Offline turn (extract + reply), {len(samples)} turns, 1 thread, {os.cpu_count()} CPUs:")
    print(
        f"| p50 {percentile(samples, 0.5) * 1000:.2f} ms | p95 {percentile(samples, 0.95) * 1000:.2f} ms "
        f"| max {max(samples) * 1000:.2f} ms | mean {statistics.mean(samples) * 1000:.2f} ms "
        f"| {len(samples) / total:,.0f} turns/s |"
    )
    print(
        f"| CPU time p50 {percentile(cpu, 0.5) * 1000:.2f} ms | p95 {percentile(cpu, 0.95) * 1000:.2f} ms "
        f"| mean {statistics.mean(cpu) * 1000:.2f} ms | (wall time above includes waiting for a core) |"
    )
    print(
        f"Load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
        f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}"
    )

    if args.save_baseline:
        BASELINE.parent.mkdir(parents=True, exist_ok=True)
        BASELINE.write_text(
            json.dumps(
                {
                    "cases": len(cases),
                    "precision": round(overall.precision, 4),
                    "recall": round(overall.recall, 4),
                    "f1": round(overall.f1, 4),
                    "per_field": {
                        k: {"precision": round(t.precision, 4), "recall": round(t.recall, 4)}
                        for k, t in sorted(per_field.items())
                    },
                },
                indent=2,
            )
            + "\n"
        )
        print(f"Baseline written to {BASELINE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
