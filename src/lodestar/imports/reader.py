"""Read an uploaded CSV into a Table: decode, find the delimiter, split header and rows."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from itertools import islice

from lodestar.core.errors import Invalid

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
# What --delimiter and the web form accept, besides the characters themselves.
DELIMITER_NAMES = {
    "comma": ",",
    "semicolon": ";",
    "tab": "\t",
    "\\t": "\t",
    "pipe": "|",
    **{d: d for d in DELIMITERS},
}
_SNIFF_CHARS = 64 * 1024
_SNIFF_RECORDS = 50


class ImportFileError(Invalid):
    """The file as a whole cannot be read (encoding, empty, broken quoting, bad mapping)."""


@dataclass(frozen=True)
class Table:
    header: list[str]
    # (line, cells): line as a spreadsheet shows it (the header is line 1; a quoted cell with
    # line breaks inside is still one row). Blank rows are left out but keep their number.
    rows: list[tuple[int, list[str]]]
    delimiter: str
    had_bom: bool = False

    @property
    def delimiter_name(self) -> str:
        return DELIMITERS.get(self.delimiter, repr(self.delimiter))

    def column_name(self, index: int) -> str:
        """The header of column `index`, or 'column 3' when the header cell is empty."""
        name = self.header[index] if index < len(self.header) else ""
        return name or f"column {index + 1}"


def delimiter_from(value: str | None) -> str | None:
    """'tab' / '\\t' / ';' ... -> the character; None or '' -> None (detect)."""
    if not value:
        return None
    if value not in DELIMITER_NAMES:
        raise ImportFileError(
            f"Unknown delimiter {value!r}: use one of comma, semicolon, tab, pipe."
        )
    return DELIMITER_NAMES[value]


def decode(data: bytes) -> tuple[str, bool]:
    """UTF-8 text and whether it started with a byte-order mark."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(
            "The file is UTF-16 (Excel's 'Unicode text'). Save it as 'CSV UTF-8' and try again."
        )
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportFileError(
            f"Line {line} is not valid UTF-8 (byte {exc.start + 1} of the file). Save the file "
            "as UTF-8 (in Excel: Save As > 'CSV UTF-8'; in LibreOffice: character set "
            "'Unicode (UTF-8)') and try again."
        ) from None
    return text, bom


def sniff_delimiter(text: str) -> str:
    """The delimiter among , ; tab | that splits the first rows into the most consistent
    number of columns (more than one). csv.Sniffer is not used: on short files and on cells
    like "Acme, Inc." it often guesses a letter or the wrong punctuation."""
    sample = text[:_SNIFF_CHARS]
    truncated = len(text) > len(sample)
    best: tuple[float, int] = (0.0, 0)
    choice = ","
    for delimiter in DELIMITERS:
        try:
            records = list(
                islice(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter), 500)
            )
        except csv.Error:
            continue
        if truncated and len(records) > 1:
            records = records[:-1]  # may be cut in the middle
        records = [r for r in records if any(cell.strip() for cell in r)][:_SNIFF_RECORDS]
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        body = records[1:]
        consistent = sum(1 for r in body if len(r) == width) / len(body) if body else 1.0
        score = (consistent, width)
        if score > best:
            best, choice = score, delimiter
    return choice


def read_table(data: bytes, *, delimiter: str | None = None) -> Table:
    """Parse a whole CSV file. ImportFileError names the line of a file-level problem."""
    if not data.strip():
        raise ImportFileError("The file is empty.")
    text, bom = decode(data)
    if not text.strip():
        raise ImportFileError("The file is empty.")
    delimiter = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    line = 0
    try:
        for record in reader:
            line += 1
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = [cell.strip() for cell in record]
            else:
                rows.append((line, record))
    except csv.Error as exc:
        raise ImportFileError(f"Line {line + 1} cannot be read as CSV: {exc}.") from None
    if header is None:
        raise ImportFileError("The file is empty.")
    return Table(header=header, rows=rows, delimiter=delimiter, had_bom=bom)
