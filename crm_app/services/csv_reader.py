"""Reading uploaded contact spreadsheets: whatever a tool exported.

`inspect_csv` looks at a stored file once — size, binary content, NUL bytes, encoding
(BOM → UTF-8/UTF-16, else UTF-8, else Windows-1252, else Latin-1), delimiter (comma,
semicolon or tab, chosen by how consistently each splits the first lines), the header row
(names made unique: "Email", "Email (2)"; a first row that holds emails or phone numbers
is data, and the columns are then called "Column 1", "Column 2", ...), and counts the rows.
`iter_rows` then streams the rows in chunks through pandas' C parser (every cell a
string), so a million rows never sit in memory at once. Every refusal is a
ValidationError with a message the uploader can act on, raised before anything is written.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from crm_app.services.errors import ValidationError

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 1_000_000
CHUNK_ROWS = 5_000
SAMPLE_BYTES = 64 * 1024
SAMPLE_ROWS = 20
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "Comma", ";": "Semicolon", "\t": "Tab"}

_MAGIC = (
    (b"PK\x03\x04", "an Excel workbook or a ZIP archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) workbook"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"SQLite format 3", "a database file"),
)
_EMAILISH = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONEISH = re.compile(r"^\+?[\d\s().-]{7,20}$")


class CsvError(ValidationError):
    """The file cannot be read as a contacts CSV; nothing was imported."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


@dataclass
class CsvInfo:
    path: Path
    size: int
    encoding: str
    delimiter: str
    has_header: bool
    headers: list[str]  # unique display names, one per kept column
    positions: list[int]  # the raw column index of each header
    width: int  # raw columns handed to the parser
    rows: int = 0  # data rows (blank lines not counted)
    sample: list[list[str]] = field(default_factory=list)  # first rows, aligned to headers

    @property
    def encoding_label(self) -> str:
        return {
            "utf-8": "UTF-8",
            "utf-8-sig": "UTF-8 (with BOM)",
            "utf-16": "UTF-16",
            "cp1252": "Windows-1252",
            "latin-1": "Latin-1",
        }.get(self.encoding, self.encoding)

    @property
    def delimiter_label(self) -> str:
        return DELIMITER_NAMES[self.delimiter]


def check_declared_size(size: int | None) -> None:
    """Refuse an upload by its announced size, before reading a byte of it."""
    if size is not None and size > MAX_BYTES:
        raise CsvError(f"The file is {_mb(size)}; the limit is 50 MB. Split it into smaller files.")


def inspect_csv(path: Path | str, *, count_rows: bool = True) -> CsvInfo:
    path = Path(path)
    size = os.stat(path).st_size
    check_declared_size(size)
    if size == 0:
        raise CsvError("The file is empty.")
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    encoding = _detect_encoding(path, head)
    text = _decode_sample(head, encoding)
    if not text.strip():
        raise CsvError("The file is empty.")
    delimiter = _detect_delimiter(text)
    records = _sample_records(text, delimiter, complete=len(head) < SAMPLE_BYTES)
    records = [r for r in records if any(c.strip() for c in r)]
    if not records:
        raise CsvError("The file is empty.")
    width = max(len(r) for r in records)
    first = [c.strip().lstrip("\ufeff") for c in records[0]]
    has_header = not any(
        _EMAILISH.match(c) or (_PHONEISH.match(c) and sum(ch.isdigit() for ch in c) >= 7)
        for c in first
    )
    data = records[1:] if has_header else records
    headers, positions = _columns(first if has_header else [], data, width)
    if not headers:
        raise CsvError("The file has no columns with names or values.")
    info = CsvInfo(
        path=path,
        size=size,
        encoding=encoding,
        delimiter=delimiter,
        has_header=has_header,
        headers=headers,
        positions=positions,
        width=width,
    )
    for _, row in _first_rows(info, SAMPLE_ROWS):
        info.sample.append(row)
    if count_rows:
        info.rows = sum(len(chunk) for chunk in iter_rows(info))
        if info.rows == 0:
            raise CsvError("The file has column names but no rows to import.")
    return info


def iter_rows(
    info: CsvInfo, chunk_rows: int | None = None
) -> Iterator[list[tuple[int, list[str]]]]:
    """Chunks of (row number as a spreadsheet shows it, cells aligned to info.headers).

    Blank lines are skipped (they still count for row numbers); cells are stripped.
    More than MAX_ROWS data rows is refused.
    """
    reader = pd.read_csv(
        info.path,
        sep=info.delimiter,
        encoding=info.encoding,
        dtype=str,
        header=None,
        names=list(range(info.width)),
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        chunksize=chunk_rows or CHUNK_ROWS,
        engine="c",
        quoting=csv.QUOTE_MINIMAL,
        doublequote=True,
        encoding_errors="strict",
    )
    number = 0  # spreadsheet row of the current record
    seen = 0
    skip_first = info.has_header
    positions = info.positions
    try:
        for frame in reader:
            chunk = []
            for raw in frame.values.tolist():
                number += 1
                if skip_first:
                    skip_first = False
                    continue
                cells = [raw[p].strip() if raw[p] else "" for p in positions]
                if not any(cells):
                    continue
                seen += 1
                if seen > MAX_ROWS:
                    raise CsvError(
                        f"The file has more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,}. "
                        "Split it into smaller files."
                    )
                chunk.append((number, cells))
            if chunk:
                yield chunk
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+), saw (\d+)", str(exc))
        where = (
            f"Line {match.group(1)} has {match.group(2)} columns"
            if match
            else "A line has more columns"
        )
        raise CsvError(
            f"{where}, more than the {info.width} of the first rows. "
            "Check the quotes around that line or the delimiter."
        ) from None
    except UnicodeDecodeError:
        raise CsvError(
            "Part of the file is not valid text in its encoding. Save it again as UTF-8 CSV."
        ) from None
    finally:
        reader.close()


def _first_rows(info: CsvInfo, limit: int) -> Iterator[tuple[int, list[str]]]:
    count = 0
    for chunk in iter_rows(info, chunk_rows=max(limit * 2, 50)):
        for item in chunk:
            yield item
            count += 1
            if count >= limit:
                return


# ------------------------------------------------------------------ detection


def _detect_encoding(path: Path, head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        for magic, what in _MAGIC:
            if head.startswith(magic):
                raise CsvError(
                    f"This is not a CSV file: it looks like {what}. "
                    "Open it in your spreadsheet and save it as CSV."
                )
        encoding = "utf-8"
    # One pass over the whole file: NUL bytes refuse it, invalid UTF-8 means a legacy encoding.
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            if encoding != "utf-16" and b"\x00" in block:
                raise CsvError(_nul_message(head))
            if encoding == "utf-8":
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    encoding = None
            elif encoding is not None and encoding != "utf-8":
                try:
                    if "\x00" in decoder.decode(block):
                        raise CsvError(_nul_message(head))
                except UnicodeDecodeError:
                    raise CsvError(
                        "The file says it is UTF-16 but is not valid UTF-16 text."
                    ) from None
    if encoding is None:
        # Windows-1252 leaves five bytes undefined; a file using them is Latin-1.
        encoding = "cp1252"
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                if any(b in block for b in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")):
                    encoding = "latin-1"
                    break
    return encoding


def _nul_message(head: bytes) -> str:
    controls = sum(1 for b in head[:4096] if b < 9 or 13 < b < 32)
    if controls > len(head[:4096]) // 20:
        return "This is not a CSV file: it holds binary data. Export your contacts as CSV and upload that."
    return "The file contains NUL bytes, so it is not a plain-text CSV. Save it again as CSV (UTF-8) and retry."


def _decode_sample(head: bytes, encoding: str) -> str:
    text = head.decode(encoding, errors="ignore")
    return text.lstrip("\ufeff")


def _sample_records(text: str, delimiter: str, complete: bool) -> list[list[str]]:
    if not complete:
        # The sample may end inside a record: drop the last (possibly cut) line.
        text = text[: max(text.rfind("\n"), 0)]
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:
        return [line.split(delimiter) for line in text.splitlines()]


def _detect_delimiter(text: str) -> str:
    """The delimiter that splits the first lines most consistently into the most columns."""
    lines = text[: 32 * 1024]
    best, best_score = ",", (-1, -1)
    for candidate in DELIMITERS:
        try:
            records = [
                r
                for r in csv.reader(io.StringIO(lines), delimiter=candidate)
                if any(c.strip() for c in r)
            ]
        except csv.Error:
            continue
        records = records[:50]
        if not records:
            continue
        widths = [len(r) for r in records]
        mode = max(set(widths), key=widths.count)
        if mode < 2:
            continue
        score = (widths.count(mode) * 100 // len(widths), mode)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _columns(header: list[str], data: list[list[str]], width: int) -> tuple[list[str], list[int]]:
    """Unique names for the kept columns; nameless columns without sample values are dropped."""
    names: list[str] = []
    positions: list[int] = []
    seen: dict[str, int] = {}
    for index in range(width):
        name = " ".join(header[index].split()) if index < len(header) else ""
        if not name:
            if header and not any(index < len(r) and r[index].strip() for r in data):
                continue
            name = f"Column {index + 1}"
        base = name[:80]
        count = seen.get(base.lower(), 0) + 1
        seen[base.lower()] = count
        names.append(base if count == 1 else f"{base} ({count})")
        positions.append(index)
    return names, positions


def _mb(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.1f} GB"
    return f"{size / 1024**2:.1f} MB"
