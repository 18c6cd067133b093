"""Reads for claims: the posts a month's claim covers, pages of claims and the approved spend.
Only reads: the rules are in calculations.py. Pages cost a fixed number of queries whatever the
number of lines."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from pcn_admin.dates import month_bounds
from roles.models import Post
from roles.selectors import hours_on, with_hours

from .calculations import adjustment_due, amount_due
from .models import Claim, ClaimLine

ZERO = Decimal("0")


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


def _line_queryset() -> QuerySet[ClaimLine]:
    return ClaimLine.objects.select_related(
        "post__role", "post__employing_practice", "decided_by", "original_line", "rate_used"
    ).order_by("post__role__name", "post__person_name", "pk")


# The claim list's filter for the reviewers' queue: awaiting_review() below.
IN_REVIEW_FILTER = "in_review"


def awaiting_review(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """The reviewers' queue, wherever "claims awaiting review" is counted or listed: claims
    sent for review with at least one line still to decide. A claim whose every line has been
    decided has left the queue, even when some lines were rejected ("partly approved")."""
    undecided = ClaimLine.objects.filter(claim=OuterRef("pk"), status=ClaimLine.Status.PENDING)
    return claims.filter(status__in=Claim.IN_REVIEW).filter(Exists(undecided))


def claims_for_list(claims: QuerySet[Claim], *, status: str = "") -> QuerySet[Claim]:
    """The claims a user may see (access.visible_claims), as the list shows them."""
    claims = claims.select_related("pcn", "original")
    if status == IN_REVIEW_FILTER:
        claims = awaiting_review(claims)
    elif status:
        claims = claims.filter(status=status)
    # Each figure is a subquery on the claim's own lines, which the database works out for the
    # rows of the page only (after sorting and cutting), where a join and GROUP BY would add up
    # every line of every claim the user may see first: 4.8 million at ten years, for a
    # superuser (bench/bench_lists.py).
    return claims.annotate(
        line_count=_of_lines(Count("pk"), default=0),
        total=_of_lines(Sum("reimbursable")),
        approved_total=_of_lines(Sum("reimbursable"), status=ClaimLine.Status.APPROVED),
        # For Claim.status_text: whether a line still waits for a decision.
        undecided_line_count=_of_lines(Count("pk"), default=0, status=ClaimLine.Status.PENDING),
    ).order_by("-month", "pcn__code", "pk")


def _of_lines(aggregate, *, default=None, **filters):
    """`aggregate` over each claim's lines (those matching `filters`), as a subquery."""
    lines = (
        ClaimLine.objects.filter(claim=OuterRef("pk"), **filters)
        .order_by()
        .values("claim")
        .annotate(figure=aggregate)
        .values("figure")
    )
    figure = Subquery(lines)
    return figure if default is None else Coalesce(figure, Value(default))


def claim_for_page(claims: QuerySet[Claim], pk: int) -> Claim:
    """One of the claims a user may see (access.visible_claims), with its lines; raises
    Claim.DoesNotExist otherwise."""
    return (
        claims.select_related("pcn__commissioner", "original", "submitted_by", "returned_by")
        # Each line's evidence (evidence.Attachment), shown beside it: one query for them all.
        .prefetch_related(Prefetch("lines", queryset=_line_queryset()), "lines__attachments")
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
    """Claims (of any month) awaiting review (awaiting_review), by PCN."""
    rows = (
        awaiting_review(Claim.objects.filter(pcn_id__in=pcn_ids))
        .values_list("pcn_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def returned_claims_count(*, pcn_id: int) -> int:
    """The PCN's claims (of any month) its commissioner returned for correction, not yet sent
    again: work waiting on the PCN."""
    return Claim.objects.filter(pcn_id=pcn_id, status=Claim.Status.RETURNED).count()


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
            undecided_line_count=Count("lines", filter=Q(lines__status=ClaimLine.Status.PENDING)),
        )
        .order_by("month", "-kind", "pk")  # the month's claim, then its adjustments
    )


def latest_batch(*, commissioner_id: int):
    """The commissioner's newest payment batch (by the month it pays for), or None."""
    from .models import Batch

    return Batch.objects.filter(commissioner_id=commissioner_id).order_by("-month", "-pk").first()
