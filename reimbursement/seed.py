"""Demo claims for the demo PCN: several 2025/26 months, one in each state, made through the
services as a practice and a commissioner would. Uses the posts roles/seed.py creates; safe to
run again (a month that already has a claim is left alone).

Then a year of every Network Contract DES stream for the demo commissioner's PCNs: approved
declared amounts (IIF, care home premium, enhanced access, capacity and access; the amounts are
invented for the demo) and a payment batch for each month of 2025/26 up to last month, built by
the scheduled job's own code, which adds the rate-based streams (core PCN funding, network
participation; no clinical director rate is recorded for 2025/26) from the rates and the
newest list sizes the demo register has. April's batch is paid and May's finalised, as before;
the rest are drafts.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from networks.models import PCN
from pcn_admin.models import User
from roles.models import Post

from . import batches, emails, services
from .models import Batch, Claim, ClaimLine, DeclaredPayment, PaymentStream
from .streams import year_months

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
# Invented pay for the demo: a monthly salary per full-time post, with on-costs typed in as a
# payroll would report them (not the money rule, which only runs in calculations.py).
DEMO_MONTHLY_SALARY = Decimal("3100")
DEMO_NI_SHARE = Decimal("0.11")
DEMO_PENSION_SHARE = Decimal("0.1438")
DEMO_PROVIDER_FEE = Decimal("150.00")  # a sub-contracted link worker's provider, invented

# (month, what happens to it)
PLAN = [
    (dt.date(2025, 4, 1), "approved"),
    (dt.date(2025, 5, 1), "partly_approved"),
    (dt.date(2025, 6, 1), "rejected_and_approved"),  # every line decided: not awaiting review
    (dt.date(2025, 7, 1), "returned"),
    (dt.date(2025, 8, 1), "resubmitted"),
    (dt.date(2025, 9, 1), "draft"),
]


def _fill(claim: Claim, by) -> None:
    for line in claim.lines.select_related("post__role"):
        if line.is_locked:
            continue
        share = (line.hours or Decimal("0")) / line.post.role.full_time
        salary = (DEMO_MONTHLY_SALARY * share).quantize(PENNY, ROUND_HALF_UP)
        services.claim_line_update(
            line=line,
            by=by,
            salary=salary,
            employer_ni=(salary * DEMO_NI_SHARE).quantize(PENNY, ROUND_HALF_UP),
            employer_pension=(salary * DEMO_PENSION_SHARE).quantize(PENNY, ROUND_HALF_UP),
            subcontract_fee=DEMO_PROVIDER_FEE if line.post.subcontractor_name else None,
        )


def _submit(claim: Claim, by) -> None:
    services.claim_submit(claim=claim, declared_additional=True, declared_costs_paid=True, by=by)


def _play(claim: Claim, plan: str, preparer, reviewer) -> None:
    _fill(claim, preparer)
    if plan == "draft":
        return
    _submit(claim, preparer)
    lines = list(claim.lines.order_by("pk"))
    if plan == "approved":
        services.claim_approve_remaining(claim=claim, by=reviewer)
    elif plan == "partly_approved":
        services.claim_line_approve(line=lines[0], reason="Matches payroll.", by=reviewer)
    elif plan == "rejected_and_approved":
        services.claim_line_reject(
            line=lines[-1],
            reason="The payslip shows a different month. Resubmit with June's figures.",
            by=reviewer,
        )
        if len(lines) > 1:
            services.claim_approve_remaining(claim=claim, by=reviewer)
    elif plan in ("returned", "resubmitted"):
        services.claim_return(
            claim=claim,
            query=f"Please confirm the employer pension figures: they look high for "
            f"{claim.month:%B}.",
            by=reviewer,
        )
        if plan == "resubmitted":  # answered: back with the commissioner, awaiting review
            _submit(claim, preparer)


def _adjustment(pcn, month: dt.date, preparer, stdout) -> int:
    """A draft adjustment to the approved first month, as for a pay award paid late."""
    kinds = Claim.objects.filter(pcn=pcn, month=month)
    original = kinds.filter(kind=Claim.Kind.NORMAL, status=Claim.Status.APPROVED).first()
    if original is None or kinds.filter(kind=Claim.Kind.ADJUSTMENT).exists():
        return 0
    try:
        services.claim_create(
            pcn=pcn, month=month, kind=Claim.Kind.ADJUSTMENT, original=original, by=preparer
        )
    except ValidationError as error:
        stdout.write(f"Reimbursement: no demo adjustment: {' '.join(error.messages)}")
        return 0
    return 1


def seed_demo(*, stdout) -> None:
    director = User.objects.filter(username="demo-director").select_related("pcn").first()
    reviewer = User.objects.filter(username="demo-commissioner").first()
    if director is None or reviewer is None:
        stdout.write("Reimbursement: demo users not found; load the register first. Skipped.")
        return
    preparer = User.objects.filter(username="demo-practice").first() or director
    pcn = director.pcn
    if not Post.objects.filter(pcn=pcn).exists():
        stdout.write(f"Reimbursement: {pcn.code} has no ARRS posts yet (roles seed); no claims.")
        return
    made = 0
    with emails.muted():
        for month, plan in PLAN:
            if Claim.objects.filter(pcn=pcn, month=month, kind=Claim.Kind.NORMAL).exists():
                continue
            try:
                claim = services.claim_create(pcn=pcn, month=month, by=preparer)
                if claim.lines.exists():
                    _play(claim, plan, preparer, reviewer)
            except ValidationError as error:
                stdout.write(f"Reimbursement: {month:%B %Y} left as is: {' '.join(error.messages)}")
            made += 1
        made += _adjustment(pcn, PLAN[0][0], preparer, stdout)
    stdout.write(f"Reimbursement: {made} demo claim(s) added for {pcn.code}.")
    _declared(pcn.commissioner, reviewer, stdout)
    _batches(pcn.commissioner, reviewer, stdout)


# (batch month, how far it goes): one batch in each state of its life, then a draft for each
# later month of 2025/26 that has ended (batch_plan).
BATCH_PLAN = [
    (dt.date(2025, 4, 1), Batch.Status.PAID),
    (dt.date(2025, 5, 1), Batch.Status.FINALISED),
    (dt.date(2025, 6, 1), Batch.Status.DRAFT),
]
# A May line approved after May's batch was finalised: it is paid in June's, marked late.
LATE_LINE_MONTH = dt.date(2025, 5, 1)
LATE_LINE_PAID_IN = dt.date(2025, 6, 1)
DEMO_YEAR = 2025


def batch_plan(today: dt.date | None = None) -> list[tuple[dt.date, str]]:
    """BATCH_PLAN, then a draft batch for each later month of 2025/26 up to the month before
    `today` (a month is batched once it is over)."""
    last = batches.default_month(today)
    planned = {month for month, _ in BATCH_PLAN}
    later = [
        (month, Batch.Status.DRAFT)
        for month in year_months(DEMO_YEAR)
        if month not in planned and month <= last
    ]
    return [*BATCH_PLAN, *later]


# Declared amounts for the demo, invented (no PCN's real figures): (stream code, months, the
# first PCN's amount, how much more each further PCN gets), approved by the commissioner.
DECLARED_PLAN = [
    ("enhanced_access", year_months(DEMO_YEAR)[:9], Decimal("8240.00"), Decimal("615.50")),
    ("care_home_premium", year_months(DEMO_YEAR)[:9], Decimal("986.40"), Decimal("117.25")),
    ("iif", [dt.date(2025, 9, 1)], Decimal("14350.25"), Decimal("1210.80")),
    ("capacity_access", [dt.date(2025, 10, 1), dt.date(2026, 3, 1)], Decimal("10400.00"), ZERO),
]
DECLARED_NOTE = "Demo amount, invented for the demo."


def _declared(commissioner, reviewer, stdout) -> None:
    """Approved declared amounts for each of the commissioner's PCNs, entered and reviewed
    through the services. An amount already there (in any state) is left alone; a month
    whose batch was finalised before these were seeded is said, not forced."""
    streams = {stream.code: stream for stream in PaymentStream.objects.all()}
    months = year_months(DEMO_YEAR)
    pcns = list(
        PCN.objects.filter(commissioner=commissioner, open_date__lte=months[-1])
        .filter(Q(close_date__isnull=True) | Q(close_date__gte=months[0]))
        .order_by("code")
    )
    existing = set(
        DeclaredPayment.objects.filter(pcn__in=pcns).values_list("stream__code", "pcn_id", "month")
    )
    added, refused = 0, set()
    for code, months, first, step in DECLARED_PLAN:
        stream = streams.get(code)
        if stream is None:
            continue
        for index, pcn in enumerate(pcns):
            amount = first + step * index
            for month in months:
                if (code, pcn.pk, month) in existing:
                    continue
                try:
                    declared = services.declared_enter(
                        stream=stream,
                        pcn=pcn,
                        month=month,
                        amount=amount,
                        note=DECLARED_NOTE,
                        by=reviewer,
                    )
                except ValidationError as error:
                    refused.add(f"{month:%B %Y}: {' '.join(error.messages)}")
                    continue
                services.declared_approve(declared=declared, by=reviewer)
                added += 1
    stdout.write(
        f"Reimbursement: {added} approved declared amount(s) added for {commissioner.code}."
    )
    for reason in sorted(refused):
        stdout.write(f"Reimbursement: declared amounts not added for {reason}")


def _approve_a_late_line(commissioner, reviewer) -> None:
    line = (
        ClaimLine.objects.filter(
            claim__pcn__commissioner=commissioner,
            claim__month=LATE_LINE_MONTH,
            claim__kind=Claim.Kind.NORMAL,
            claim__status__in=Claim.IN_REVIEW,
            status=ClaimLine.Status.PENDING,
        )
        .order_by("pk")
        .first()
    )
    if line is not None:
        with emails.muted():
            services.claim_line_approve(
                line=line, reason="Payslip received after May's batch was finalised.", by=reviewer
            )


def _batches(commissioner, reviewer, stdout) -> None:
    """Payment batches for the demo commissioner, built by the scheduled job's own code."""
    made = 0
    for month, state in batch_plan():
        if Batch.objects.filter(commissioner=commissioner, month=month).exists():
            continue
        if (
            month == LATE_LINE_PAID_IN
            and Batch.objects.filter(commissioner=commissioner, month=LATE_LINE_MONTH)
            .exclude(status=Batch.Status.DRAFT)
            .exists()
        ):
            _approve_a_late_line(commissioner, reviewer)
        batch = batches.batch_build(commissioner_id=commissioner.pk, month=month).batch
        if batch is None:
            continue
        made += 1
        if state == Batch.Status.DRAFT:
            continue
        batch = batches.batch_finalise(batch=batch, by=reviewer)
        if state == Batch.Status.PAID:
            batches.batch_mark_paid(
                batch=batch,
                paid_on=timezone.localdate(),
                payment_reference=f"BACS {commissioner.code} {month:%m%y}",
                by=reviewer,
            )
    stdout.write(f"Reimbursement: {made} demo payment batch(es) added for {commissioner.code}.")
