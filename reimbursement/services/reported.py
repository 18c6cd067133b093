"""Import what NHS England reported as paid to each practice in each Network Contract DES stream
over a financial year (an NHS Payments to General Practice CSV), for the reconciliation.

All or nothing: the whole file is parsed first (reimbursement.reported); any bad row and nothing
is written. Then, in one transaction, the year's reported payments are replaced by the file's
(one bulk insert). Importing the same file for the same year again changes nothing. Each
practice's payments belong to the PCN the file names for it, whatever the register says; the
practice and PCN are linked by code where the register knows them. A practice the register does
not know is kept (so every PCN's reported total is the file's) and named in a warning, as the
list-size import names one; the warnings are kept with the import record.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from networks.importers import ImportFailed, sha256_of
from networks.models import PCN, Practice
from pcn_admin.dates import financial_year, year_label

from ..models import PaymentStream, ReportedPayment, ReportedPaymentImport
from ..reported import ReportedFile, parse_reported

BATCH = 1000
# The Network Contract DES, and so the PCN payments, began on 1 July 2019.
FIRST_YEAR = 2019
# Fields compared to tell whether an import would change the year's payments.
COMPARED = (
    "stream_id",
    "practice_code",
    "practice_id",
    "pcn_code",
    "pcn_name",
    "pcn_id",
    "commissioner_code",
    "amount",
)


@dataclass
class ReportedImportOutcome:
    record: ReportedPaymentImport
    counts: dict
    warnings: list[str] = field(default_factory=list)
    changed: bool = True


def _digest(path, file) -> str:
    if file is None:
        return sha256_of(Path(path))
    file.seek(0)
    digest = hashlib.sha256(file.read()).hexdigest()
    file.seek(0)
    return digest


def _check_year(year: int) -> None:
    latest = financial_year(timezone.localdate())
    if not FIRST_YEAR <= year <= latest:
        raise ValidationError(
            {
                "year": f"Give the financial year the file reports as its first calendar year, "
                f"from {FIRST_YEAR} (PCNs began on 1 July 2019) to {latest} "
                f"({year_label(latest)}); {year} is not one."
            }
        )


def reported_import(*, year: int, path=None, file=None, by=None) -> ReportedImportOutcome:
    """Import the reported payments of financial year `year` (2022 for 2022/23) from the file at
    `path` (or the open binary `file`, an upload). Raises FileNotRecognised (not such a file, a
    required column missing) or ImportFailed (every bad row), writing nothing; a year outside
    the scheme is a ValidationError."""
    _check_year(year)
    if (path is None) == (file is None):
        raise TypeError("Give the file as path= or file=, not both.")
    streams = list(PaymentStream.objects.order_by("display_order", "code"))
    parsed = parse_reported(
        file if file is not None else path,
        stream_columns={s.code: s.reported_columns for s in streams},
    )
    if parsed.errors:
        raise ImportFailed(parsed.errors, parsed.name)
    digest = _digest(path, file)
    by_code = {s.code: s for s in streams}
    with transaction.atomic():
        # One import of reported payments at a time: the stream rows are the lock.
        list(PaymentStream.objects.select_for_update().order_by("pk").values_list("pk"))
        rows, counts, warnings = _payments(parsed, year, by_code)
        latest = (
            ReportedPaymentImport.objects.filter(year=year).order_by("-created_at", "-pk").first()
        )
        if latest is not None and latest.sha256 == digest and _same(rows, year):
            return ReportedImportOutcome(
                record=latest, counts=latest.counts, warnings=latest.warnings, changed=False
            )
        record = ReportedPaymentImport(
            year=year,
            file_name=parsed.name[:255],
            sha256=digest,
            created_by=by,
            counts=counts,
            warnings=parsed.warnings + warnings,
        )
        record.full_clean()
        record.save()
        ReportedPayment.objects.filter(year=year).delete()
        for row in rows:
            row.source = record
        ReportedPayment.objects.bulk_create(rows, batch_size=BATCH)
    return ReportedImportOutcome(record=record, counts=counts, warnings=record.warnings)


def _payments(
    parsed: ReportedFile, year: int, streams: dict[str, PaymentStream]
) -> tuple[list[ReportedPayment], dict, list[str]]:
    """The rows to store (non-zero amounts only), the counts and the warnings."""
    practices = dict(Practice.objects.values_list("code", "pk"))
    pcns = dict(PCN.objects.values_list("code", "pk"))
    rows: list[ReportedPayment] = []
    warnings: list[str] = []
    per_stream = dict.fromkeys(parsed.streams, 0)
    unknown_pcns: dict[str, str] = {}
    unknown_practices = 0
    no_pcn = Decimal("0.00")
    for line in parsed.rows:
        paid = {code: amount for code, amount in line.amounts.items() if amount}
        if not paid:
            continue
        practice_id = practices.get(line.practice_code)
        pcn_id = pcns.get(line.pcn_code) if line.pcn_code else None
        if practice_id is None:
            unknown_practices += 1
            where = f"PCN {line.pcn_code}" if line.pcn_code else "no PCN"
            warnings.append(
                f"Row {line.row}: practice {line.practice_code} is not in the register; its "
                f"reported payments are kept under {where}, as the file names it. Import the "
                "ePCN file that lists it to link them."
            )
        if line.pcn_code and pcn_id is None:
            unknown_pcns.setdefault(line.pcn_code, line.pcn_name)
        if not line.pcn_code:
            no_pcn += sum(paid.values(), Decimal("0.00"))
        for code, amount in paid.items():
            per_stream[code] += 1
            row = ReportedPayment(
                year=year,
                stream=streams[code],
                practice_code=line.practice_code,
                practice_id=practice_id,
                pcn_code=line.pcn_code,
                pcn_name=line.pcn_name[:200],
                pcn_id=pcn_id,
                commissioner_code=line.commissioner_code[:10],
                amount=amount,
            )
            # Foreign keys come from the register's own rows; the rest is checked here.
            row.clean_fields(exclude=["source", "stream", "practice", "pcn"])
            rows.append(row)
    for code, pcn_name in sorted(unknown_pcns.items()):
        warnings.append(
            f"PCN {code}{f' ({pcn_name})' if pcn_name else ''} is not in the register: its "
            "reported payments are reconciled under its code, with nothing the app paid."
        )
    if no_pcn:
        warnings.append(
            f"The file puts some practices paid PCN streams in no PCN (“Unknown or no PCN”): "
            f"£{no_pcn:,.2f} in all, kept under their Sub-ICB location but in no PCN's totals."
        )
    counts = {
        "rows": len(parsed.rows),
        "payments": len(rows),
        "practices_not_in_register": unknown_practices,
        "pcns_not_in_register": len(unknown_pcns),
        # The streams this vintage reports, with how many practices were paid in each.
        "streams": per_stream,
    }
    return rows, counts, warnings


def _same(rows: list[ReportedPayment], year: int) -> bool:
    """Whether the year's stored payments are exactly these (the same file, the same links)."""
    stored = sorted(
        tuple(str(v) for v in values)
        for values in ReportedPayment.objects.filter(year=year).values_list(*COMPARED)
    )
    wanted = sorted(tuple(str(getattr(row, name)) for name in COMPARED) for row in rows)
    return stored == wanted
