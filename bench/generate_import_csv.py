"""Write a realistic contacts CSV for the import benchmark.

    python bench/generate_import_csv.py --rows 100000 --out /tmp/import.csv [--seed 1]

10 columns — First name, Last name, Email, Phone (mixed local/international formats),
Gender, Insurance provider (Dropdown), Visits (Number), First visit (Date), City, Notes —
of which 3 map to custom fields; ~1% invalid rows (bad email, bad phone, unknown option)
and ~5% rows repeating an earlier person (same email, other details).

`--narrow` writes Name, Email, Phone only (~46 bytes a row) so that 1,000,000 rows stay
under the import's 50 MB file limit (the wide layout is ~100 bytes a row).
"""

from __future__ import annotations

import argparse
import csv
import random

FIRST = [
    "Maria",
    "Liam",
    "Ava",
    "Noah",
    "Emma",
    "Lucas",
    "Olivia",
    "Mia",
    "Ethan",
    "Zoë",
    "José",
    "Renée",
    "Kenji",
    "Amir",
    "Sara",
    "Grace",
    "Henry",
    "Ivy",
    "Jack",
    "Nina",
]
LAST = [
    "Lopez",
    "Carter",
    "Diaz",
    "Evans",
    "Foster",
    "Gray",
    "Bennett",
    "Hall",
    "Ward",
    "Müller",
    "Côté",
    "Sato",
    "Khan",
    "Hill",
    "Lane",
    "Ross",
    "Park",
    "Reed",
    "Stone",
    "Young",
]
CITIES = ["Springfield", "Riverside", "Fairview", "Madison", "Georgetown", "Salem"]
DOMAINS = ["example.com", "mail.example", "clinic.example.org", "inbox.example.net"]
HEADER = [
    "First name",
    "Last name",
    "Email",
    "Phone",
    "Gender",
    "Insurance provider",
    "Visits",
    "First visit",
    "City",
    "Notes",
]


def phone(i: int, rnd: random.Random) -> str:
    n = f"{2000000 + i:07d}"
    area = rnd.choice(["415", "212", "312", "617", "206"])
    return rnd.choice(
        [
            f"+1 {area} {n[:3]} {n[3:]}",
            f"({area}) {n[:3]}-{n[3:]}",
            f"{area}.{n[:3]}.{n[3:]}",
            f"+1{area}{n}",
        ]
    )


NARROW_HEADER = ["Name", "Email", "Phone"]


def write(path: str, rows: int, seed: int = 1, narrow: bool = False) -> None:
    if narrow:
        return _write_narrow(path, rows, seed)
    rnd = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for i in range(rows):
            j = (
                rnd.randrange(max(i, 1)) if i and rnd.random() < 0.05 else i
            )  # 5% repeat an earlier person
            first, last = FIRST[j % len(FIRST)], LAST[(j // len(FIRST)) % len(LAST)]
            email = f"{first.lower()}.{last.lower()}.{j}@{DOMAINS[j % len(DOMAINS)]}"
            email = email.replace("ë", "e").replace("é", "e").replace("ü", "u").replace("ô", "o")
            row = [
                first,
                last,
                email,
                phone(j, rnd),
                rnd.choice(["Female", "Male", "", "Non-binary"]),
                rnd.choice(["Aetna", "Cigna", "Medicare", ""]),
                str(rnd.randrange(0, 40)),
                f"20{rnd.randrange(15, 25)}-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}",
                rnd.choice(CITIES),
                rnd.choice(["", "Prefers mornings", "Allergic to latex, see file", ""]),
            ]
            bad = rnd.random()
            if bad < 0.004:
                row[2] = email.replace("@", "@@")
            elif bad < 0.008:
                row[3] = "12"
            elif bad < 0.01:
                row[5] = "Blue Shield"
            out.writerow(row)


def _write_narrow(path: str, rows: int, seed: int) -> None:
    rnd = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(NARROW_HEADER)
        for i in range(rows):
            j = (
                rnd.randrange(max(i, 1)) if i and rnd.random() < 0.05 else i
            )  # 5% repeat an earlier person
            first, last = FIRST[j % len(FIRST)], LAST[(j // len(FIRST)) % len(LAST)]
            email = f"{first[0]}{last}{j}@ex.com".lower()
            for a, b in (("ë", "e"), ("é", "e"), ("ü", "u"), ("ô", "o"), ("ö", "o")):
                email = email.replace(a, b)
            number = phone(j, rnd).replace("+1 ", "+1").replace(" ", "")
            bad = rnd.random()
            if bad < 0.005:
                email = email.replace("@", "@@")
            elif bad < 0.01:
                number = "12"
            out.writerow([f"{first} {last}", email, number])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--narrow", action="store_true", help="Name, Email, Phone only (1M rows < 50 MB)"
    )
    args = parser.parse_args()
    write(args.out, args.rows, args.seed, args.narrow)


if __name__ == "__main__":
    main()
