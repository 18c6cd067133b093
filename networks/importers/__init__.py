"""Parsers for the national files (ePCN, list sizes): they read and check, and never write.

A parser returns rows plus every problem it found; networks.services decides whether to write.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


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


class ImportFailed(Exception):
    """The file had bad rows; nothing was written. `.errors` names each one."""

    def __init__(self, errors: list[RowError], file_name: str = ""):
        self.errors = list(errors)
        self.file_name = file_name
        count = len(self.errors)
        rows = "row has an error" if count == 1 else "rows have errors"
        super().__init__(
            f"{file_name or 'The file'}: {count} {rows}; nothing was imported. "
            "Correct them (or fetch a fresh copy of the file) and import again."
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
