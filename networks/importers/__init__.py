"""Parsers for the national files (ePCN, list sizes): they read and check, and never write.

A parser returns rows plus every problem it found; networks.services decides whether to write.
"""

from __future__ import annotations

import gc
import hashlib
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

# How many bad rows an import lists; the rest are counted ("and 212 more errors").
ERRORS_SHOWN = 100
MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class RowError:
    """One bad cell: where it is, what it held and why it cannot be imported."""

    sheet: str
    row: int
    column: str
    value: object
    why: str

    def __str__(self) -> str:
        shown = "(blank)" if self.value in (None, "") else repr(self.value)
        return f"{self.sheet}, row {self.row}, {self.column}: {shown}: {self.why}"


class FileNotRecognised(Exception):
    """The file is not the kind of file it was given as (wrong sheets, headers or format).

    Its message is one line, meant for the person who chose the file.
    """


class FileTooLarge(FileNotRecognised):
    """The file is refused unread: bigger once unzipped, or longer, than an import takes."""


class ImportFailed(Exception):
    """The file had bad rows; nothing was written. `.errors` names each one; `.shown` is the
    first ERRORS_SHOWN of them, for people, and `.more` counts the rest."""

    def __init__(self, errors: list[RowError], file_name: str = ""):
        self.errors = list(errors)
        self.file_name = file_name
        count = len(self.errors)
        rows = "row has an error" if count == 1 else "rows have errors"
        super().__init__(
            f"{file_name or 'The file'}: {count} {rows}; nothing was imported. "
            "Correct them (or fetch a fresh copy of the file) and import again."
        )

    @property
    def shown(self) -> list[RowError]:
        return self.errors[:ERRORS_SHOWN]

    @property
    def more(self) -> int:
        return max(0, len(self.errors) - ERRORS_SHOWN)

    def lines(self) -> list[str]:
        """The errors as lines for people: the first ERRORS_SHOWN, then how many more."""
        lines = [str(error) for error in self.shown]
        if self.more:
            lines.append(f"... and {self.more} more errors.")
        return lines


def check_size(file, name: str) -> None:
    """Refuse an empty file, or one larger once unzipped than IMPORT_MAX_BYTES, before any
    parser opens it. An .xlsx is a zip: a few hundred kilobytes can unzip to gigabytes, so the
    sizes its members declare are added up (the zip reader never inflates a member past its
    declared size). `file` is a path or an open binary file (an upload)."""
    size = file.stat().st_size if isinstance(file, Path) else file.size
    if not size:
        raise FileNotRecognised(f"{name} is empty: choose the file again and re-upload it.")
    try:
        if zipfile.is_zipfile(file):
            with zipfile.ZipFile(file) as archive:
                size = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        pass  # not a readable zip: the parser says what it is not
    finally:
        if hasattr(file, "seek"):
            file.seek(0)
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise FileTooLarge(
            f"{name} is {size / MEGABYTE:,.1f} MB (unzipped); an import takes at most "
            f"{limit / MEGABYTE:,.0f} MB. Check it is the right file, or split it."
        )


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Python's cyclic garbage collector held off while a national file is read or written.

    An ePCN file becomes some 100,000 objects (rows, then model instances), and the collector,
    run every 700 new objects, walks them all each time: about a third of an import's Python
    time, for nothing, as the rows hold no cycles. Reference counting still frees memory as
    usual; the collector is switched back on (if it was on) when the block ends, however it
    ends. It is process-wide, so another thread's cycles wait a second or so too.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_row_count(rows: int, name: str) -> None:
    """Refuse a file once it passes IMPORT_MAX_ROWS rows (a national file has about 8,000)."""
    limit = settings.IMPORT_MAX_ROWS
    if rows > limit:
        raise FileTooLarge(
            f"{name} has more than {limit:,} rows, more than an import takes. "
            "Check it is the right file, or split it."
        )


def collapse(text: object) -> str:
    """A header cell as words: line breaks, runs of spaces and trailing spaces removed."""
    return " ".join(str(text).split()) if text is not None else ""


def header_key(text: object) -> str:
    return collapse(text).casefold()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def find_columns(
    headers: list[object], wanted: dict[str, tuple[str, ...]], *, optional: frozenset = frozenset()
) -> tuple[dict[str, int], list[str]]:
    """Map each wanted field to its column index by header name (any of its aliases).

    Returns the mapping and the first alias of each required field that is missing.
    """
    positions = {header_key(h): i for i, h in reversed(list(enumerate(headers)))}
    found, missing = {}, []
    for field, aliases in wanted.items():
        for alias in aliases:
            if alias.casefold() in positions:
                found[field] = positions[alias.casefold()]
                break
        else:
            if field not in optional:
                missing.append(aliases[0])
    return found, missing
