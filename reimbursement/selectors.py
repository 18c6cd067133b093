"""Reads for claims: the posts a month's claim covers, pages of claims, a line's breakdown, and
the entitlement check. Pages cost a fixed number of queries whatever the number of lines."""

import calendar
import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from pcn_admin import access
from reimbursement.calculations import Breakdown, RateBook, month_label, reimbursable_amount
from roles.models import Post, Unit
from roles.selectors import hours_on, with_hours

from .models import Claim, ClaimLine

ZERO = Decimal("0")
ZERO_MONEY = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def financial_year(month: dt.date) -> int:
    """The year a financial year starts in: April 2025 to March 2026 is 2025."""
    return month.year if month.month >= 4 else month.year - 1


def claimable_posts(pcn, month: dt.date) -> QuerySet[Post]:
    """The PCN's posts in post at some point in the month, less the baseline staff (and GPs
    already at the PCN before the scheme), with their hours history."""
    first, last = month_bounds(month)
    posts = Post.objects.filter(pcn=pcn, start_date__lte=last).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )
    not_claimable = Q(in_post_at_baseline=True, transferred_from_national_scheme=False) | Q(
        earlier_post_at_pcn=True
    )
    return with_hours(posts.exclude(not_claimable)).order_by("role__name", "person_name", "pk")


def hours_in_month(post: Post, month: dt.date) -> Decimal | None:
    """Hours (sessions for GPs) in force on the post's first day in the month."""
    return hours_on(post, max(month.replace(day=1), post.start_date))


def line_problems(line: ClaimLine, month: dt.date) -> list[str]:
    """Why the line cannot be claimed as it stands (checked again on submission, as the post
    may have changed since the draft was started)."""
    post = line.post
    first, last = month_bounds(month)
    problems = []
    if post.pcn_id != line.claim.pcn_id:
        problems.append(
            f"{post.person_name}'s post belongs to another PCN. Remove the line by refreshing "
            "the lines from the posts."
        )
    if post.start_date > last or (post.end_date and post.end_date < first):
        problems.append(
            f"{post.person_name} was not in post in {month_label(month)} (in post "
            f"{post.start_date:%d/%m/%Y} to "
            f"{post.end_date.strftime('%d/%m/%Y') if post.end_date else 'now'}). Check the "
            "post's dates, then refresh the lines."
        )
    if post.in_post_at_baseline and not post.transferred_from_national_scheme:
        problems.append(
            f"{post.person_name} was in post on 31 March 2019 and is part of the PCN's baseline, "
            "which cannot be claimed. Refresh the lines to remove them."
        )
    if post.earlier_post_at_pcn:
        problems.append(
            f"{post.person_name} was in post at the PCN before 1 October 2024, so cannot be "
            "claimed as a newly qualified GP. Refresh the lines to remove them."
        )
    return problems


def breakdown_for(
    line: ClaimLine,
    *,
    month: dt.date,
    salary: Decimal,
    employer_ni: Decimal,
    employer_pension: Decimal,
    subcontract_fee: Decimal = ZERO,
    rates: RateBook | None = None,
) -> Breakdown:
    """The line's figures from the one money rule (reimbursement.calculations)."""
    post = line.post
    if line.hours is None:
        raise ValidationError(
            f"No contracted hours are recorded for {post.person_name} in {month_label(month)}. "
            "Add them on the post's page, then refresh the lines."
        )
    unit = "sessions" if post.role.unit == Unit.SESSIONS else "hours"
    return reimbursable_amount(
        role=post.role.code,
        month=month,
        salary=salary,
        employer_ni=employer_ni,
        employer_pension=employer_pension,
        start=post.start_date,
        end=post.end_date,
        region=post.region,
        subcontract_fee=subcontract_fee or ZERO,
        afc_band=post.afc_band,
        rates=rates,
        **{unit: line.hours},
    )


def _line_queryset() -> QuerySet[ClaimLine]:
    return ClaimLine.objects.select_related(
        "post__role", "post__employing_practice", "decided_by", "original_line"
    ).order_by("post__role__name", "post__person_name", "pk")


# The claim list's filter for the reviewers' queue: submitted or partly decided claims.
IN_REVIEW_FILTER = "in_review"


def claims_for_list(user, *, status: str = "") -> QuerySet[Claim]:
    claims = access.visible_claims(user).select_related("pcn", "original")
    if status == IN_REVIEW_FILTER:
        claims = claims.filter(status__in=Claim.IN_REVIEW)
    elif status:
        claims = claims.filter(status=status)
    return claims.annotate(
        line_count=Count("lines"),
        total=Sum("lines__reimbursable"),
        approved_total=Sum("lines__reimbursable", filter=Q(lines__status="approved")),
    ).order_by("-month", "pcn__code", "pk")


def claim_for_page(user, pk: int) -> Claim:
    """One claim the user may see, with its lines; raises Claim.DoesNotExist otherwise."""
    return (
        access.visible_claims(user)
        .select_related("pcn__commissioner", "original", "submitted_by", "returned_by")
        .prefetch_related(Prefetch("lines", queryset=_line_queryset()))
        .get(pk=pk)
    )


def claim_totals(lines) -> dict[str, Decimal]:
    """Sums of the stored line amounts (no money rule here: each line is already rounded)."""
    totals = {"claimed": ZERO, "approved": ZERO, "rejected": ZERO, "pending": ZERO}
    for line in lines:
        amount = line.reimbursable or ZERO
        totals["claimed"] += amount
        totals[line.status] += amount
    return totals


def entitlement_warning(claim: Claim, claim_total: Decimal) -> str:
    """A warning when the PCN's claims this financial year pass its ARR sum, or when the sum
    cannot be worked out (no rate or list sizes): the claim is still accepted either way."""
    year = financial_year(claim.month)
    label = f"{year}/{(year + 1) % 100:02d}"
    try:
        from roles.selectors import pcn_entitlement
    except ImportError:  # the entitlement selector is not in this copy of the roles app
        return f"The PCN's entitlement for {label} cannot be checked yet."
    try:
        entitlement = pcn_entitlement(pcn=claim.pcn, year=year)
    except (ValidationError, LookupError, ArithmeticError) as error:
        reason = error.messages[0] if isinstance(error, ValidationError) else str(error)
        return f"The PCN's entitlement for {label} could not be worked out: {reason}"
    if not entitlement.weighted_population:
        return (
            f"The PCN's entitlement for {label} could not be worked out: no weighted list sizes "
            f"are recorded for its practices on 1 January {year}."
        )
    spent = year_claimed(claim, year) + claim_total
    if spent > entitlement.arr_sum:
        return (
            f"With this claim the PCN has claimed £{spent:,} in {label}, more than its "
            f"Additional Roles Reimbursement Sum of £{entitlement.arr_sum:,}. Claims over the "
            "sum cannot be paid: check with your commissioner."
        )
    return ""


def year_claimed(claim: Claim, year: int) -> Decimal:
    """What the PCN's other submitted claims in the year ask for (rejected lines left out;
    an adjustment counts only its difference from the line it corrects)."""
    lines = (
        ClaimLine.objects.filter(
            claim__pcn_id=claim.pcn_id,
            claim__month__gte=dt.date(year, 4, 1),
            claim__month__lte=dt.date(year + 1, 3, 1),
            reimbursable__isnull=False,
        )
        .exclude(claim_id=claim.pk)
        .exclude(claim__status__in=Claim.EDITABLE)
        .exclude(status=ClaimLine.Status.REJECTED)
        .select_related("original_line")
        .only("reimbursable", "original_line__reimbursable", "original_line__status")
    )
    return sum((adjustment_due(line) for line in lines), ZERO)


def amount_due() -> Case:
    """adjustment_due as a database expression, for set-based work (payment batches): the
    line's reimbursable amount, less the original line's when this line corrects an approved
    one. A test holds the two to the same answers."""
    return Case(
        When(
            original_line__status=ClaimLine.Status.APPROVED,
            then=Coalesce(F("reimbursable"), ZERO_MONEY)
            - Coalesce(F("original_line__reimbursable"), ZERO_MONEY),
        ),
        default=Coalesce(F("reimbursable"), ZERO_MONEY),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def adjustment_due(line: ClaimLine) -> Decimal:
    """An adjustment line asks for its corrected amount less what the original line was
    approved for; an ordinary line for its amount."""
    amount = line.reimbursable or ZERO
    original = line.original_line
    if original is not None and original.status == ClaimLine.Status.APPROVED:
        amount -= original.reimbursable or ZERO
    return amount


def approved_in_year(pcn_id: int, year: int) -> Decimal:
    """The PCN's approved claim money for financial year `year` (an adjustment counts only its
    difference from the line it corrects): the spend to date set against its ARR sum."""
    lines = (
        ClaimLine.objects.filter(
            claim__pcn_id=pcn_id,
            claim__month__gte=dt.date(year, 4, 1),
            claim__month__lte=dt.date(year + 1, 3, 1),
            status=ClaimLine.Status.APPROVED,
        )
        .select_related("original_line")
        .only("reimbursable", "original_line__reimbursable", "original_line__status")
    )
    # Each line is already in pence: this only fixes the display to two places.
    return sum((adjustment_due(line) for line in lines), ZERO).quantize(Decimal("0.01"))


# Set-based reads for the dashboards -----------------------------------------------------------
# approved_in_year's definition of spend, for many PCNs and by month in one query each.


def _year_months(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 1)


def approved_by_month(*, pcn_ids, year: int) -> dict[int, dict[dt.date, Decimal]]:
    """Each PCN's approved claim money in financial year `year`, by claim month: the lines
    approved_in_year counts (an adjustment only its difference from the approved line it
    corrects), summed in the database. PCNs with nothing approved are absent."""
    first, last = _year_months(year)
    rows = (
        ClaimLine.objects.filter(
            claim__pcn_id__in=pcn_ids,
            claim__month__gte=first,
            claim__month__lte=last,
            status=ClaimLine.Status.APPROVED,
        )
        .values_list("claim__pcn_id", "claim__month")
        .annotate(amount=Sum(amount_due()))  # the payment batches' rule, summed
        .order_by()
    )
    result: dict[int, dict[dt.date, Decimal]] = {}
    for pcn_id, month, amount in rows:
        # Each line is already in pence; SQLite sums through a float, so restore the pence.
        result.setdefault(pcn_id, {})[month] = Decimal(amount or ZERO).quantize(Decimal("0.01"))
    return result


def approved_in_year_by_pcn(*, pcn_ids, year: int) -> dict[int, Decimal]:
    """approved_in_year for many PCNs in one query; every PCN asked for has an entry."""
    ids = list(pcn_ids)
    by_month = approved_by_month(pcn_ids=ids, year=year)
    return {
        pcn_id: sum(by_month.get(pcn_id, {}).values(), Decimal("0.00")).quantize(Decimal("0.01"))
        for pcn_id in ids
    }


def claims_awaiting_review_by_pcn(*, pcn_ids) -> dict[int, int]:
    """Claims (of any month) submitted or partly decided: the reviewers' queue, by PCN."""
    rows = (
        Claim.objects.filter(pcn_id__in=pcn_ids, status__in=Claim.IN_REVIEW)
        .values_list("pcn_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def claims_in_year(*, pcn_id: int, year: int) -> QuerySet[Claim]:
    """A PCN's claims and adjustments for the months of a financial year, with the stored line
    amounts summed by line status (no money rule here: each line is already rounded)."""
    first, last = _year_months(year)
    return (
        Claim.objects.filter(pcn_id=pcn_id, month__gte=first, month__lte=last)
        .annotate(
            line_count=Count("lines"),
            claimed=Sum("lines__reimbursable"),
            approved=Sum("lines__reimbursable", filter=Q(lines__status=ClaimLine.Status.APPROVED)),
            pending=Sum("lines__reimbursable", filter=Q(lines__status=ClaimLine.Status.PENDING)),
            rejected=Sum("lines__reimbursable", filter=Q(lines__status=ClaimLine.Status.REJECTED)),
        )
        .order_by("month", "-kind", "pk")  # the month's claim, then its adjustments
    )


def latest_batch(*, commissioner_id: int):
    """The commissioner's newest payment batch (by the month it pays for), or None."""
    from .models import Batch

    return Batch.objects.filter(commissioner_id=commissioner_id).order_by("-month", "-pk").first()
