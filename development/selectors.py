"""Reads for PCN development funding: an allocation reconciled by domain, commitments with what
is spent of them, backfill funding a practice may claim from, and baseline posts. Each takes the
queryset the user may see (from pcn_admin.access) and runs a fixed number of queries, whatever
the number of rows; the arithmetic is development.calculations'.
"""

from decimal import Decimal

from django.db.models import (
    BooleanField,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from networks.models import Membership

from . import calculations
from .models import Allocation, BackfillClaim, BaselinePost, Commitment, Domain, Earmark, Spend

ZERO = Decimal("0")
MONEY_FIELD = DecimalField(max_digits=12, decimal_places=2)


def _total(queryset: QuerySet, key: str) -> Subquery:
    """The sum of `amount` over `queryset` per `key` = OuterRef("pk"), 0 when none."""
    sums = (
        queryset.filter(**{key: OuterRef("pk")})
        .order_by()
        .values(key)
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(sums, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD)


def with_spent(commitments: QuerySet[Commitment]) -> QuerySet[Commitment]:
    """Commitments with `spent` (and `left` to spend) and `waiting` (backfill claims awaiting
    review), and what the pages show of them."""
    return (
        commitments.select_related("allocation", "allocation__commissioner", "pcn", "earmark")
        .annotate(
            spent=_total(Spend.objects.all(), "commitment"),
            waiting=_total(
                BackfillClaim.objects.filter(status=BackfillClaim.Status.SUBMITTED), "commitment"
            ),
        )
        .annotate(left=ExpressionWrapper(F("amount") - F("spent"), output_field=MONEY_FIELD))
    )


def with_totals(allocations: QuerySet[Allocation]) -> QuerySet[Allocation]:
    """Allocations with `committed` and `spent`, for the list."""
    return allocations.select_related("commissioner").annotate(
        committed=_total(Commitment.objects.all(), "allocation"),
        spent=_total(Spend.objects.all(), "commitment__allocation"),
    )


def allocation_summary(allocation: Allocation) -> calculations.FundingSummary:
    """The allocation reconciled by prospectus domain, with its earmarks and the clinical
    directors' share (three queries)."""
    committed = {
        row["domain"]: row["total"]
        for row in Commitment.objects.filter(allocation=allocation)
        .order_by()
        .values("domain")
        .annotate(total=Sum("amount"))
    }
    cd_committed = Commitment.objects.filter(
        allocation=allocation, clinical_director_development=True
    ).aggregate(total=Sum("amount"))["total"]
    spent = {
        row["commitment__domain"]: row["total"]
        for row in Spend.objects.filter(commitment__allocation=allocation)
        .order_by()
        .values("commitment__domain")
        .annotate(total=Sum("amount"))
    }
    earmarks = [
        calculations.EarmarkFigures(
            pk=row.pk, name=row.name, amount=row.amount, committed=row.committed
        )
        for row in Earmark.objects.filter(allocation=allocation).annotate(
            committed=_total(Commitment.objects.all(), "earmark")
        )
    ]
    return calculations.funding_summary(
        allocated=allocation.amount,
        cd_percent=allocation.clinical_director_percent,
        domains=list(Domain.choices),
        committed_by_domain=_in_pence(committed),
        spent_by_domain=_in_pence(spent),
        cd_committed=_pence(cd_committed),
        earmarks=earmarks,
    )


def _pence(value) -> Decimal:
    # Exact: the amounts are in pence. SQLite's sum only comes back with more places.
    return (value or ZERO).quantize(calculations.PENNY)


def _in_pence(totals: dict) -> dict:
    return {key: _pence(value) for key, value in totals.items()}


def pcn_totals(commitments: list[Commitment]) -> dict[str, Decimal]:
    """Committed, spent and left over a PCN's commitments (annotated by with_spent)."""
    committed = sum((row.amount for row in commitments), ZERO)
    spent = sum((_pence(row.spent) for row in commitments), ZERO)
    return {"committed": committed, "spent": spent, "left": committed - spent}


def backfill_funding_for(practice_id: int) -> QuerySet[Commitment]:
    """Backfill commitments a practice may claim from: those to a PCN it is a member of today,
    and programmes of those PCNs' commissioners."""
    current = Membership.objects.current().filter(practice_id=practice_id)
    return Commitment.objects.filter(domain=Domain.BACKFILL).filter(
        Q(pcn_id__in=current.values("pcn_id"))
        | Q(
            pcn__isnull=True, allocation__commissioner_id__in=current.values("pcn__commissioner_id")
        )
    )


def baseline_posts(queryset: QuerySet[BaselinePost]) -> QuerySet[BaselinePost]:
    """Baseline posts with their PCN, role and member of staff, and `claimable`: the linked
    member of staff is no longer marked as in the baseline, so could be claimed under ARRS."""
    return queryset.select_related("pcn", "role", "post").annotate(
        claimable=ExpressionWrapper(
            Q(post__isnull=False)
            & (Q(post__in_post_at_baseline=False) | Q(post__transferred_from_national_scheme=True)),
            output_field=BooleanField(),
        )
    )
