"""Imports of the national files: the write side. Each parses the whole file first
(networks.importers), then writes in one transaction with bulk operations against existing rows
loaded in a few queries, or writes nothing.

Rows are checked field by field (`clean_fields`, `clean`) rather than with `full_clean()`: its
uniqueness and constraint checks run a query per row, and for the 7,700 rows of an ePCN file
uniqueness is already settled by the in-memory diff and guaranteed by the database constraints.
Their history is bulk-written too: a history row for each row created or changed, naming the
file (and the user, when there is one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from ..importers import ImportFailed, RowError, sha256_of
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
        if rows:
            created = model.objects.bulk_create(rows, batch_size=BATCH)
            self._copy_to_history(model, [row.pk for row in created], "+")

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
        with connection.cursor() as cursor:
            for start in range(0, len(pks), BATCH):
                chunk = pks[start : start + BATCH]
                cursor.execute(
                    f"INSERT INTO {quote(history._meta.db_table)} ({copied}, history_date, "
                    "history_change_reason, history_type, history_user_id) "
                    f"SELECT {copied}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
                    f"WHERE {quote(model._meta.pk.column)} IN ({', '.join(['%s'] * len(chunk))})",
                    [*stamp, *chunk],
                )


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
        with transaction.atomic():
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


def _write_commissioners(parsed: EpcnFile, counts, stamp: _Stamp) -> dict[str, Commissioner]:
    # Whole tables are read in one query each (a national register is ~8,000 practices): cheaper
    # than long IN lists, which also run into SQLite's limit on query parameters.
    existing = {c.code: c for c in Commissioner.objects.all()}
    new, changed = [], []
    for code, name in parsed.commissioners.items():
        commissioner = existing.get(code)
        if commissioner is None:
            commissioner = Commissioner(code=code, name=name or code)
            _check(commissioner, exclude=())
            new.append(commissioner)
        elif name and commissioner.name != name:
            commissioner.name = name
            _check(commissioner, exclude=())
            changed.append(commissioner)
    stamp.create(Commissioner, new)
    stamp.update(Commissioner, changed, ["name"])
    counts["commissioners_created"] = len(new)
    counts["commissioners_updated"] = len(changed)
    if new:
        # Re-read rather than trust bulk_create to have set primary keys on every backend.
        existing.update(
            {c.code: c for c in Commissioner.objects.filter(code__in=[c.code for c in new])}
        )
    return existing


def _write_pcns(parsed: EpcnFile, commissioners, counts, stamp: _Stamp) -> dict[str, PCN]:
    existing = {p.code: p for p in PCN.objects.all()}
    fields = ["name", "commissioner_id", "open_date", "close_date", "address", "postcode"]
    new, changed = [], []
    for row in parsed.pcns:
        wanted = {
            "name": row.name,
            "commissioner_id": commissioners[row.commissioner_code].pk,
            "open_date": row.open_date,
            "close_date": row.close_date,
            "address": row.address,
            "postcode": row.postcode,
        }
        pcn = existing.get(row.code)
        if pcn is None:
            pcn = PCN(code=row.code, **wanted)
            _check(pcn, exclude=("commissioner",))
            new.append(pcn)
            continue
        if all(getattr(pcn, f) == v for f, v in wanted.items()):
            continue
        if pcn.name != row.name:
            counts["pcns_renamed"] += 1
        if pcn.close_date is None and row.close_date is not None:
            counts["pcns_closed"] += 1
        for f, v in wanted.items():
            setattr(pcn, f, v)
        _check(pcn, exclude=("commissioner",))
        changed.append(pcn)
    stamp.create(PCN, new)
    stamp.update(PCN, changed, [f.removesuffix("_id") for f in fields])
    counts["pcns_created"] = len(new)
    counts["pcns_updated"] = len(changed)
    if new:
        existing.update({p.code: p for p in PCN.objects.filter(code__in=[p.code for p in new])})
    return existing


def _write_practices(parsed: EpcnFile, commissioners, counts, stamp: _Stamp) -> dict[str, Practice]:
    existing = {p.code: p for p in Practice.objects.all()}
    new, changed = [], []
    for code, row in parsed.practices.items():
        commissioner_id = commissioners[row.commissioner_code].pk
        practice = existing.get(code)
        if practice is None:
            practice = Practice(code=code, name=row.name, commissioner_id=commissioner_id)
            _check(practice, exclude=("commissioner",))
            new.append(practice)
        elif practice.name != row.name or practice.commissioner_id != commissioner_id:
            practice.name, practice.commissioner_id = row.name, commissioner_id
            _check(practice, exclude=("commissioner",))
            changed.append(practice)
    stamp.create(Practice, new)
    stamp.update(Practice, changed, ["name", "commissioner"])
    counts["practices_created"] = len(new)
    counts["practices_updated"] = len(changed)
    if new:
        existing.update(
            {p.code: p for p in Practice.objects.filter(code__in=[p.code for p in new])}
        )
    return existing


def _write_memberships(parsed: EpcnFile, pcns, practices, counts, warnings, stamp) -> None:
    pcn_codes = {p.pk: code for code, p in pcns.items()}
    practice_codes = {p.pk: code for code, p in practices.items()}
    in_file = {
        (practices[m.practice_code].pk, pcns[m.pcn_code].pk, m.start_date): m
        for m in parsed.memberships
    }
    file_pcns = {pcns[r.code].pk for r in parsed.pcns}
    existing = {
        (m.practice_id, m.pcn_id, m.start_date): m
        for m in Membership.objects.only("id", "practice_id", "pcn_id", "start_date", "end_date")
    }
    # Only memberships of the file's own PCNs can have been withdrawn from it: an extract cut by
    # PCN (the demo's) does not list its practices' memberships of other PCNs.
    withdrawn = [m for key, m in existing.items() if key not in in_file and m.pcn_id in file_pcns]
    _refuse_second_current_pcn(parsed, in_file, existing, file_pcns, pcn_codes)
    ending, reopening, new = [], [], []
    for key, row in in_file.items():
        membership = existing.get(key)
        if membership is None:
            membership = Membership(
                practice_id=key[0], pcn_id=key[1], start_date=key[2], end_date=row.end_date
            )
            _check(membership, exclude=("practice", "pcn"))
            new.append(membership)
        elif membership.end_date != row.end_date:
            if membership.end_date is None:
                counts["memberships_ended"] += 1
            else:
                counts["memberships_updated"] += 1
            membership.end_date = row.end_date
            _check(membership, exclude=("practice", "pcn"))
            (ending if row.end_date else reopening).append(membership)
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


def _delete_withdrawn(withdrawn: list[Membership], stamp: _Stamp) -> None:
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
