"""Imports of the national files: the write side. Each parses the whole file first
(networks.importers), then writes in one transaction with bulk operations against existing rows
loaded in a few queries, or writes nothing.

Rows are checked field by field (`clean_fields`, `clean`) rather than with `full_clean()`: its
uniqueness and constraint checks run a query per row, and for the 7,700 rows of an ePCN file
uniqueness is already settled by the in-memory diff and guaranteed by the database constraints.
Their history is bulk-written too: a history row for each row created or changed, naming the
file (and the user, when there is one).

The ePCN import diffs in one query per table: each table is read once (as tuples), compared with
the file in Python, and only what changed is written: new rows with COPY on PostgreSQL
(bulk_create elsewhere), changed ones with bulk_update, and their history rows copied by the
database. A repeat import of the same file reads four tables and writes only its import record.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone

from ..importers import ImportFailed, RowError, sha256_of, without_cycle_collection
from ..importers.epcn import EpcnFile, parse_epcn
from ..importers.list_sizes import ListSizeFile, parse_list_sizes
from ..models import PCN, Commissioner, ImportRecord, ListSize, Membership, Practice

BATCH = 1000


@dataclass
class ImportOutcome:
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    record: ImportRecord | None = None

    @property
    def changed(self) -> bool:
        return any(self.counts.values())


@dataclass(frozen=True)
class _Stamp:
    """What an import's bulk writes put on their history rows: who ran it, and which file."""

    by: object
    reason: str

    def create(self, model, rows: list) -> None:
        if not rows:
            return
        if not _copy_in(model, rows):
            model.objects.bulk_create(rows, batch_size=BATCH)
        self._copy_to_history(model, [row.pk for row in rows], "+")

    def update(self, model, rows: list, fields: list[str]) -> None:
        if rows:
            model.objects.bulk_update(rows, fields, batch_size=BATCH)
            self._copy_to_history(model, [row.pk for row in rows], "~")

    def _copy_to_history(self, model, pks: list, history_type: str) -> None:
        """One history row per written row, copied by the database (INSERT ... SELECT) rather
        than built in Python: an ePCN file writes some 16,000 rows."""
        history = model.history.model
        quote = connection.ops.quote_name
        columns = [
            field.column
            for field in history._meta.concrete_fields
            if not field.name.startswith("history_")
        ]
        copied = ", ".join(quote(column) for column in columns)
        stamp = [timezone.now(), self.reason[:100], history_type, getattr(self.by, "pk", None)]
        insert = (
            f"INSERT INTO {quote(history._meta.db_table)} ({copied}, history_date, "
            "history_change_reason, history_type, history_user_id) "
            f"SELECT {copied}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
            f"WHERE {quote(model._meta.pk.column)}"
        )
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # every row in one statement
                cursor.execute(f"{insert} = ANY(%s)", [*stamp, list(pks)])
                return
            for start in range(0, len(pks), BATCH):
                chunk = pks[start : start + BATCH]
                cursor.execute(f"{insert} IN ({', '.join(['%s'] * len(chunk))})", [*stamp, *chunk])


# The field types whose values COPY's text format takes as _copy_value writes them: every
# field of the register's models. A model with any other (ListSize's Decimal) is written with
# bulk_create.
_COPY_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BooleanField",
        "CharField",
        "DateField",
        "ForeignKey",
        "TextField",
    }
)
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        return value.translate(_COPY_ESCAPES)
    if kind is bool:
        return "t" if value else "f"
    return str(value)  # keys, and dates (ISO 8601)


def _pre_save(field, row):
    return field.pre_save(row, True)


def _copy_in(model, rows: list) -> bool:
    """Insert new rows with COPY and set each one's primary key (taken from the table's
    sequence first): some 0.2 s of Python quicker than bulk_create's INSERTs for an ePCN
    file's 16,000 rows. False, having written nothing, except on PostgreSQL with a model whose
    every field COPY takes."""
    fields = model._meta.concrete_fields
    if connection.vendor != "postgresql" or any(
        f.get_internal_type() not in _COPY_TYPES for f in fields
    ):
        return False
    quote = connection.ops.quote_name
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [quote(table), model._meta.pk.column, len(rows)],
        )
        for row, (key,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = key
        # Each field's pre_save, as bulk_create takes the values, where it has one of its own
        # (the ODS code fields upper-case what they hold); the others' values as they are.
        values = [
            attrgetter(f.attname) if type(f).pre_save is Field.pre_save else partial(_pre_save, f)
            for f in fields
        ]
        lines = ["\t".join([_copy_value(value(row)) for value in values]) for row in rows]
        columns = ", ".join(quote(f.column) for f in fields)
        cursor.copy_expert(
            f"COPY {quote(table)} ({columns}) FROM STDIN", io.StringIO("\n".join(lines) + "\n")
        )
    for row in rows:  # as bulk_create leaves them: saved, no longer adding
        row._state.adding = False
        row._state.db = connection.alias
    return True


def _check(obj, *, exclude: tuple[str, ...]) -> None:
    # Foreign keys are excluded: validating one queries the database, and ours come from it.
    obj.clean_fields(exclude=list(exclude))
    obj.clean()


def _record(*, kind, path: Path, digest: str, by, counts, warnings) -> ImportRecord:
    return import_record_create(
        kind=kind, file_name=path.name, sha256=digest, by=by, counts=counts, warnings=warnings
    )


def import_record_create(
    *, kind: str, file_name: str, sha256: str, by, counts: dict, warnings=()
) -> ImportRecord:
    """Record one import: which file, who ran it, when, and what it changed."""
    record = ImportRecord(
        kind=kind,
        file_name=file_name[:255],
        sha256=sha256,
        created_by=by,
        counts=counts,
        warnings=list(warnings),
    )
    record.full_clean()
    record.save()
    return record


def epcn_import(*, path, by=None) -> ImportOutcome:
    """Bring the register up to date with an ePCN workbook of any vintage.

    Creates or updates commissioners, PCNs (opened, closed, renamed, moved to another lead
    Sub-ICB location) and practices, and mirrors the file's practice-to-PCN memberships: new
    ones are added, end dates follow the file. A membership of a PCN that is in the file, but
    which the file no longer lists, was withdrawn or re-dated by ODS (for example
    K83013's December 2019 start became October 2019 in later files): it is removed and named in
    a warning. Records outside the file (another area's PCNs, after importing an extract) are
    left alone. Raises ImportFailed (writing nothing) if any row is bad.
    """
    path = Path(path)
    parsed = parse_epcn(path)
    if parsed.errors:
        raise ImportFailed(parsed.errors, path.name)
    digest = sha256_of(path)
    try:
        with without_cycle_collection(), transaction.atomic():
            stamp = _Stamp(by=by, reason=f"ePCN import of {path.name}")
            counts, warnings = _write_register(parsed, stamp)
            record = _record(
                kind=ImportRecord.Kind.EPCN,
                path=path,
                digest=digest,
                by=by,
                counts=counts,
                warnings=parsed.warnings + warnings,
            )
    except ImportFailed as exc:  # found while comparing with the register
        raise ImportFailed(exc.errors, path.name) from None
    return ImportOutcome(counts=counts, warnings=record.warnings, record=record)


def _write_register(parsed: EpcnFile, stamp: _Stamp) -> tuple[dict[str, int], list[str]]:
    counts = dict.fromkeys(
        (
            "commissioners_created",
            "commissioners_updated",
            "pcns_created",
            "pcns_updated",
            "pcns_renamed",
            "pcns_closed",
            "practices_created",
            "practices_updated",
            "memberships_created",
            "memberships_ended",
            "memberships_updated",
            "memberships_withdrawn",
        ),
        0,
    )
    warnings: list[str] = []
    commissioners = _write_commissioners(parsed, counts, stamp)
    pcns = _write_pcns(parsed, commissioners, counts, stamp)
    practices = _write_practices(parsed, commissioners, counts, stamp)
    _write_memberships(parsed, pcns, practices, counts, warnings, stamp)
    return counts, warnings


def _check_rows(model, rows: list, *, exclude: tuple[str, ...] = ()) -> None:
    """`clean_fields()` and `clean()` for many rows of one model, checking each distinct value
    of a field once: an ePCN file repeats its 120 Sub-ICB locations and a few hundred dates
    across 16,000 rows. Raises the ValidationError `full_clean()` would for the first row with
    a value the register refuses, naming each of its fields at fault."""
    if not rows:
        return
    refused = {}
    for f in model._meta.concrete_fields:
        if f.name in exclude or f.generated:
            continue
        bad, cleaned = {}, {}
        for value in {getattr(row, f.attname) for row in rows}:
            if f.blank and value in f.empty_values:
                continue
            try:
                clean = f.clean(value, None)
            except ValidationError as exc:
                bad[value] = exc.error_list
            else:
                if clean != value:  # as clean_fields() leaves it (an ODS code upper-cased)
                    cleaned[value] = clean
        if bad:
            refused[f] = bad
        for row in rows if cleaned else ():
            value = getattr(row, f.attname)
            if value in cleaned:
                setattr(row, f.attname, cleaned[value])
    for row in rows if refused else ():
        errors = {
            f.name: bad[getattr(row, f.attname)]
            for f, bad in refused.items()
            if getattr(row, f.attname) in bad
        }
        if errors:
            raise ValidationError(errors)
    for row in rows:  # the model's own checks: a PCN closing before it opens, and the like
        row.clean()


def _created_pks(model, created: list, key: str) -> dict[str, int]:
    """{code: pk} of rows just bulk-created: the primary keys bulk_create set where the backend
    returns them (PostgreSQL, SQLite 3.35+), else read back in one query."""
    if connection.features.can_return_rows_from_bulk_insert:
        return {getattr(row, key): row.pk for row in created}
    codes = [getattr(row, key) for row in created]
    return dict(model.objects.filter(**{f"{key}__in": codes}).values_list(key, "pk"))


def _write_commissioners(parsed: EpcnFile, counts, stamp: _Stamp) -> dict[str, int]:
    # Whole tables are read in one query each (a national register is ~8,000 practices), as
    # tuples rather than model instances: cheaper than long IN lists (which also run into
    # SQLite's limit on query parameters), and nothing is built for a row that is unchanged.
    existing = {
        code: (pk, name)
        for pk, code, name in Commissioner.objects.values_list("pk", "code", "name")
    }
    new, changed = [], []
    for code, name in parsed.commissioners.items():
        held = existing.get(code)
        if held is None:
            new.append(Commissioner(code=code, name=name or code))
        elif name and held[1] != name:
            changed.append(Commissioner(pk=held[0], code=code, name=name))
    _check_rows(Commissioner, new + changed)
    stamp.create(Commissioner, new)
    stamp.update(Commissioner, changed, ["name"])
    counts["commissioners_created"] = len(new)
    counts["commissioners_updated"] = len(changed)
    pks = {code: held[0] for code, held in existing.items()}
    return pks | _created_pks(Commissioner, new, "code")


PCN_FIELDS = ("name", "commissioner_id", "open_date", "close_date", "address", "postcode")


def _write_pcns(parsed: EpcnFile, commissioners: dict[str, int], counts, stamp) -> dict[str, int]:
    existing = {
        row[1]: row for row in PCN.objects.values_list("pk", "code", *PCN_FIELDS)
    }  # (pk, code, name, commissioner_id, open_date, close_date, address, postcode)
    new, changed = [], []
    for row in parsed.pcns:
        wanted = (
            row.name,
            commissioners[row.commissioner_code],
            row.open_date,
            row.close_date,
            row.address,
            row.postcode,
        )
        held = existing.get(row.code)
        if held is not None and held[2:] == wanted:
            continue
        pcn = PCN(code=row.code, **dict(zip(PCN_FIELDS, wanted, strict=True)))
        if held is None:
            new.append(pcn)
            continue
        pcn.pk = held[0]
        if held[2] != row.name:
            counts["pcns_renamed"] += 1
        if held[5] is None and row.close_date is not None:
            counts["pcns_closed"] += 1
        changed.append(pcn)
    _check_rows(PCN, new + changed, exclude=("commissioner",))
    stamp.create(PCN, new)
    stamp.update(PCN, changed, [f.removesuffix("_id") for f in PCN_FIELDS])
    counts["pcns_created"] = len(new)
    counts["pcns_updated"] = len(changed)
    return {code: held[0] for code, held in existing.items()} | _created_pks(PCN, new, "code")


def _write_practices(
    parsed: EpcnFile, commissioners: dict[str, int], counts, stamp
) -> dict[str, int]:
    existing = {
        code: (pk, name, commissioner_id)
        for pk, code, name, commissioner_id in Practice.objects.values_list(
            "pk", "code", "name", "commissioner_id"
        )
    }
    new, changed = [], []
    for code, row in parsed.practices.items():
        commissioner_id = commissioners[row.commissioner_code]
        held = existing.get(code)
        if held is not None and held[1:] == (row.name, commissioner_id):
            continue
        practice = Practice(code=code, name=row.name, commissioner_id=commissioner_id)
        if held is not None:
            practice.pk = held[0]
        (new if held is None else changed).append(practice)
    _check_rows(Practice, new + changed, exclude=("commissioner",))
    stamp.create(Practice, new)
    stamp.update(Practice, changed, ["name", "commissioner"])
    counts["practices_created"] = len(new)
    counts["practices_updated"] = len(changed)
    pks = {code: held[0] for code, held in existing.items()}
    return pks | _created_pks(Practice, new, "code")


class _Held(NamedTuple):
    """A membership as the register holds it."""

    pk: int
    practice_id: int
    pcn_id: int
    start_date: dt.date
    end_date: dt.date | None


def _write_memberships(parsed: EpcnFile, pcns, practices, counts, warnings, stamp) -> None:
    pcn_codes = {pk: code for code, pk in pcns.items()}
    practice_codes = {pk: code for code, pk in practices.items()}
    in_file = {
        (practices[m.practice_code], pcns[m.pcn_code], m.start_date): m for m in parsed.memberships
    }
    file_pcns = {pcns[r.code] for r in parsed.pcns}
    existing = {
        (held.practice_id, held.pcn_id, held.start_date): held
        for held in map(
            _Held._make,
            Membership.objects.values_list("pk", "practice_id", "pcn_id", "start_date", "end_date"),
        )
    }
    # Only memberships of the file's own PCNs can have been withdrawn from it: an extract cut by
    # PCN (the demo's) does not list its practices' memberships of other PCNs.
    withdrawn = [m for key, m in existing.items() if key not in in_file and m.pcn_id in file_pcns]
    _refuse_second_current_pcn(parsed, in_file, existing, file_pcns, pcn_codes)
    ending, reopening, new = [], [], []
    for key, row in in_file.items():
        held = existing.get(key)
        if held is not None and held.end_date == row.end_date:
            continue
        membership = Membership(
            practice_id=key[0], pcn_id=key[1], start_date=key[2], end_date=row.end_date
        )
        if held is None:
            new.append(membership)
            continue
        membership.pk = held.pk
        if held.end_date is None:
            counts["memberships_ended"] += 1
        else:
            counts["memberships_updated"] += 1
        (ending if row.end_date else reopening).append(membership)
    _check_rows(Membership, new + ending + reopening, exclude=("practice", "pcn"))
    for membership in sorted(
        withdrawn, key=lambda m: (practice_codes.get(m.practice_id, ""), m.start_date)
    ):
        ended = f"to {membership.end_date:%d %B %Y}" if membership.end_date else "(current)"
        warnings.append(
            f"Removed practice {practice_codes.get(membership.practice_id, membership.practice_id)}"
            f"'s membership of {pcn_codes.get(membership.pcn_id, membership.pcn_id)} from "
            f"{membership.start_date:%d %B %Y} {ended}: the file no longer lists it "
            "(withdrawn or re-dated by ODS)."
        )
    # Order matters: the one-current-PCN-per-practice index is checked row by row, so
    # memberships are removed and ended before any is reopened or added.
    _delete_withdrawn(withdrawn, stamp)
    stamp.update(Membership, ending, ["end_date"])
    stamp.update(Membership, reopening, ["end_date"])
    stamp.create(Membership, new)
    counts["memberships_created"] = len(new)
    counts["memberships_withdrawn"] = len(withdrawn)


def _delete_withdrawn(withdrawn: list[_Held], stamp: _Stamp) -> None:
    # One at a time, so each deletion's history row names the importer: ODS rarely withdraws
    # more than a handful between two files.
    for membership in Membership.objects.filter(pk__in=[m.pk for m in withdrawn]):
        membership._history_user = stamp.by
        membership._change_reason = stamp.reason[:100]
        membership.delete()


def _refuse_second_current_pcn(parsed, in_file, existing, file_pcns, pcn_codes) -> None:
    """A current membership the file cannot end (its PCN is not in the file) would leave the
    practice in two PCNs; say so rather than fail on the database constraint."""
    outside = {
        m.practice_id: m
        for key, m in existing.items()
        if m.end_date is None and m.pcn_id not in file_pcns and key not in in_file
    }
    errors = []
    for (practice_id, _, _), row in in_file.items():
        other = outside.get(practice_id)
        if row.end_date is None and other is not None:
            errors.append(
                RowError(
                    "PCN Core Partner Details",
                    row.row,
                    "Partner Organisation Code",
                    row.practice_code,
                    f"the register has this practice current in {pcn_codes[other.pcn_id]}, "
                    "which this file does not list; import the full national ePCN file",
                )
            )
    if errors:
        raise ImportFailed(errors, "")


def list_sizes_import(*, path, date: dt.date | None = None, by=None) -> ImportOutcome:
    """Import registered (gp-reg-pat-prac-all) or weighted (NHS Payments) list sizes.

    The kind is told from the file's headers. Each import sets its own field on the
    (practice, date) row and leaves the other alone. Practices that are not in the register
    are skipped and named in a warning: the register comes from the ePCN file, and these files
    carry too little (no name, in the registered file) to create a practice properly.
    Raises ImportFailed (writing nothing) if any row is bad, or if a weighted file has no date.
    """
    path = Path(path)
    parsed = parse_list_sizes(path, date=date)
    if parsed.errors:
        raise ImportFailed(parsed.errors, path.name)
    digest = sha256_of(path)
    with transaction.atomic():
        stamp = _Stamp(by=by, reason=f"List size import of {path.name}")
        counts, warnings = _write_list_sizes(parsed, stamp)
        record = _record(
            kind=parsed.kind,
            path=path,
            digest=digest,
            by=by,
            counts=counts,
            warnings=parsed.warnings + warnings,
        )
    return ImportOutcome(counts=counts, warnings=record.warnings, record=record)


def _write_list_sizes(parsed: ListSizeFile, stamp: _Stamp) -> tuple[dict[str, int], list[str]]:
    own = parsed.field_name
    practices = dict(Practice.objects.values_list("code", "pk"))
    existing = {
        (s.practice_id, s.date): s
        for s in ListSize.objects.filter(date__in={r.date for r in parsed.rows})
    }
    new, changed, warnings = [], [], []
    for row in parsed.rows:
        practice_id = practices.get(row.practice_code)
        if practice_id is None:
            warnings.append(
                f"Row {row.row}: practice {row.practice_code} is not in the register; skipped. "
                "Import the ePCN file that lists it first if it should be included."
            )
            continue
        size = existing.get((practice_id, row.date))
        if size is None:
            size = ListSize(practice_id=practice_id, date=row.date, **{own: row.value})
            _check(size, exclude=("practice",))
            new.append(size)
        elif getattr(size, own) != row.value:
            setattr(size, own, row.value)
            _check(size, exclude=("practice",))
            changed.append(size)
    stamp.create(ListSize, new)
    stamp.update(ListSize, changed, [own])
    warnings += _pcn_disagreements(parsed.rows, practices)
    return {"list_sizes_created": len(new), "list_sizes_updated": len(changed)}, warnings


def _pcn_disagreements(rows, practices: dict[str, int]) -> list[str]:
    """Where a payments file puts a practice in a PCN (its `PCN Code`, or `Code` in 2022/23)
    other than the register's on the figures' date. A warning only: the register (the ePCN
    file) decides membership, and so whose population a figure counts in."""
    dated = [r for r in rows if r.pcn_code and r.practice_code in practices]
    in_register: dict[tuple[int, dt.date], str] = {}
    for date in {r.date for r in dated}:
        ids = [practices[r.practice_code] for r in dated if r.date == date]
        for practice_id, pcn_code in (
            Membership.objects.on(date)
            .filter(practice_id__in=ids)
            .values_list("practice_id", "pcn__code")
        ):
            in_register[practice_id, date] = pcn_code
    warnings = []
    for row in dated:
        registered = in_register.get((practices[row.practice_code], row.date))
        if registered != row.pcn_code:
            counts = (
                f"its list size counts in PCN {registered}'s population"
                if registered
                else "its list size counts in no PCN's population on that date"
            )
            warnings.append(
                f"Row {row.row}: the file puts practice {row.practice_code} in PCN "
                f"{row.pcn_code}, but on {row.date.day} {row.date:%B %Y} the register has it in "
                f"{f'PCN {registered}' if registered else 'no PCN'}, so {counts}. Import a "
                "newer ePCN file if the register is out of date."
            )
    return warnings
