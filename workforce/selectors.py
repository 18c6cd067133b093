"""Reads for workforce plans: a plan's posts as the money rule's forecast reads posts in post,
the plan priced against the PCN's entitlement (reimbursement.entitlement.plan_prices), a
what-if change priced beside the saved plan, and an area's plans for a year. Nothing here
writes, and nothing here does money arithmetic of its own beyond adding up priced rows."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet

from networks.models import PCN
from pcn_admin.dates import financial_year, month_bounds
from reimbursement.calculations import RateBook
from reimbursement.entitlement import NO_MONEY, PCNForecast, PlanPrice, plan_prices
from roles.models import Post, Region
from roles.selectors import PostRow

from .models import PlannedPost, WorkforcePlan

# A what-if's new post has no pk yet: it is priced under this key.
NEW_POST_KEY = 0
HUNDREDTHS = Decimal("0.01")


def planned_posts(plan: WorkforcePlan) -> list[PlannedPost]:
    return list(plan.posts.select_related("role", "post"))


def describe(planned: PlannedPost) -> str:
    return f"{planned.role.name} from {planned.start_month:%B %Y}"


def planned_row(planned: PlannedPost, *, pcn_id: int) -> PostRow:
    """A planned post as the forecast reads a post in post: in post from the 1st of its start
    month to the end of its last month (or 31 March), at its planned hours throughout."""
    start = planned.start_month.replace(day=1)
    hours = Decimal(planned.hours).quantize(HUNDREDTHS)  # as stored, typed or saved alike
    return PostRow(
        pk=planned.pk or NEW_POST_KEY,
        pcn_id=pcn_id,
        person_name=describe(planned),
        role_code=planned.role.code,
        role_name=planned.role.name,
        unit=planned.role.unit,
        region=planned.region,
        afc_band=planned.afc_band,
        start_date=start,
        end_date=month_bounds(planned.end_month)[1] if planned.end_month else None,
        is_claimable=True,
        hours=[(start, hours)],
    )


def _rows(posts: list[PlannedPost], pcn_id: int) -> list[PostRow]:
    return [planned_row(planned, pcn_id=pcn_id) for planned in posts]


def plan_price(plan: WorkforcePlan, posts: list[PlannedPost]) -> PlanPrice:
    """The plan priced with the money rule against the PCN's ARR sum for its year."""
    return plan_prices(year=plan.year, plans=[(plan.pcn, _rows(posts, plan.pcn_id))])[0]


@dataclass
class WhatIf:
    """The plan as saved and with one change (a new post, or a post's new values), neither
    saved: what "Try this change" shows."""

    change: PlannedPost
    before: PlanPrice
    after: PlanPrice

    @property
    def key(self) -> int:
        return self.change.pk or NEW_POST_KEY

    @property
    def change_price(self) -> PCNForecast:
        """The changed post's own months, as the plan with the change prices them."""
        return self.after.by_post[self.key]

    @property
    def total_change(self) -> Decimal:
        return self.after.change_from(self.before)


def what_if(plan: WorkforcePlan, posts: list[PlannedPost], change: PlannedPost) -> WhatIf:
    """Price the plan as saved and with `change` in one go (one set of reference reads)."""
    changed = [planned for planned in posts if change.pk is None or planned.pk != change.pk]
    changed.append(change)
    before, after = plan_prices(
        year=plan.year,
        plans=[(plan.pcn, _rows(posts, plan.pcn_id)), (plan.pcn, _rows(changed, plan.pcn_id))],
        book=RateBook(),
    )
    return WhatIf(change=change, before=before, after=after)


def usual_region(pcn: PCN) -> str:
    """The rate region most of the PCN's posts are recorded in (a new planned post's default),
    national when it has none: a PCN's posts are priced in their own recorded region."""
    row = (
        Post.objects.filter(pcn=pcn)
        .values("region")
        .annotate(n=Count("pk"))
        .order_by("-n", "region")
        .first()
    )
    return row["region"] if row else Region.NATIONAL


def versions(plan: WorkforcePlan) -> list[WorkforcePlan]:
    """Every version of the PCN's plan for the year, newest first."""
    return list(
        WorkforcePlan.objects.filter(pcn_id=plan.pcn_id, year=plan.year)
        .select_related("submitted_by", "signed_off_by")
        .order_by("-version")
    )


# The commissioner's view of an area ---------------------------------------------------------


@dataclass
class AreaRow:
    pcn: PCN
    plan: WorkforcePlan | None  # the submitted or signed-off plan
    draft: WorkforcePlan | None  # a version in progress
    price: PlanPrice  # the plan's, or no posts' (the entitlement alone) without one

    @property
    def planned(self) -> Decimal | None:
        return self.price.total if self.plan else None

    @property
    def headroom(self) -> Decimal | None:
        return self.price.headroom if self.plan else None

    @property
    def status_text(self) -> str:
        if self.plan is not None:
            return self.plan.get_status_display()
        return "Not submitted (draft in progress)" if self.draft else "No plan"

    @property
    def uses_derived(self) -> bool:
        return bool(self.plan and self.price.derived)


@dataclass
class AreaPlans:
    year: int
    rows: list[AreaRow]

    @property
    def has_rate(self) -> bool:
        return any(row.price.entitlement is not None for row in self.rows)

    @property
    def entitlement_total(self) -> Decimal | None:
        """Every PCN's ARR sum: the area's total entitlement."""
        if not self.has_rate:
            return None
        return sum((row.price.arr_sum for row in self.rows), NO_MONEY)

    @property
    def planned_total(self) -> Decimal:
        return sum((row.planned for row in self.rows if row.plan), NO_MONEY)

    @property
    def headroom_total(self) -> Decimal | None:
        """What the submitted plans leave of their PCNs' ARR sums, together."""
        if not self.has_rate:
            return None
        return sum((row.headroom for row in self.rows if row.plan), NO_MONEY)

    @property
    def submitted(self) -> int:
        return sum(1 for row in self.rows if row.plan)

    @property
    def signed_off(self) -> int:
        return sum(
            1
            for row in self.rows
            if row.plan and row.plan.status == WorkforcePlan.Status.SIGNED_OFF
        )


def area_plans(*, pcns: QuerySet[PCN], year: int) -> AreaPlans:
    """Each PCN's plan for the year against its entitlement, in a fixed number of queries
    whatever the number of PCNs and posts."""
    pcns = list(pcns.order_by("code"))
    plans = (
        WorkforcePlan.objects.filter(pcn__in=[pcn.pk for pcn in pcns], year=year)
        .exclude(status=WorkforcePlan.Status.SUPERSEDED)
        .select_related("submitted_by", "signed_off_by")
    )
    live: dict[int, WorkforcePlan] = {}
    drafts: dict[int, WorkforcePlan] = {}
    for plan in plans:
        (drafts if plan.is_draft else live)[plan.pcn_id] = plan
    posts: dict[int, list[PlannedPost]] = defaultdict(list)
    for planned in PlannedPost.objects.filter(plan__in=list(live.values())).select_related("role"):
        posts[planned.plan_id].append(planned)
    prices = plan_prices(
        year=year,
        plans=[
            (pcn, _rows(posts[live[pcn.pk].pk] if pcn.pk in live else [], pcn.pk)) for pcn in pcns
        ],
    )
    rows = [
        AreaRow(pcn=pcn, plan=live.get(pcn.pk), draft=drafts.get(pcn.pk), price=price)
        for pcn, price in zip(pcns, prices, strict=True)
    ]
    return AreaPlans(year=year, rows=rows)


def plan_years(today: dt.date) -> list[int]:
    """The years a plan may be started for: last year (to record it), this one and next."""
    current = financial_year(today)
    return [current - 1, current, current + 1]
