"""Reads of the referrals app: caseloads, the new-referrals queue, overdue contacts, and
outcome aggregates.

Aggregates always carry the number of people they rest on, and never an identity.
"""

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from pcn_admin.dates import working_days_before, working_days_between

from .models import (
    ONS4_FIELDS,
    OPEN_STATUSES,
    Instrument,
    OnwardReferral,
    OutcomeMeasurement,
    Referral,
    Service,
    Status,
)

# An open referral with no contact (or, before the first, since it arrived) for this long
# needs attention: a fortnight is the longest a person should wait to hear from their link
# worker while the episode is open.
OVERDUE_AFTER_DAYS = 14

# Full-time link worker caseload guide: 200-250 people a year (social-prescribing.md).
CASELOAD_GUIDE = (200, 250)


def with_contact_state(referrals: QuerySet[Referral], *, today: dt.date | None = None):
    today = today or timezone.localdate()
    cutoff = today - dt.timedelta(days=OVERDUE_AFTER_DAYS)
    return referrals.annotate(
        last_contact_on=Max("contacts__date"),
        last_activity_on=Coalesce(Max("contacts__date"), "received_on", output_field=DateField()),
    ).annotate(
        contact_overdue=Case(
            When(
                Q(status__in=OPEN_STATUSES) & Q(last_activity_on__lt=cutoff),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def caseload(*, link_worker, status: str | None = None) -> QuerySet[Referral]:
    referrals = Referral.objects.filter(link_worker=link_worker)
    if status:
        referrals = referrals.filter(status=status)
    return (
        with_contact_state(referrals)
        .select_related("practice", "source")
        .order_by("-contact_overdue", "status", "-received_on", "-pk")
    )


def caseload_counts_by_status(*, link_worker) -> dict[str, int]:
    rows = (
        Referral.objects.filter(link_worker=link_worker)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict(rows)
    return {status.value: counts.get(status.value, 0) for status in Status}


def people_in_last_twelve_months(*, link_worker, today: dt.date | None = None) -> int:
    """People whose referral reached the link worker in the past year, set against the guide."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=365)
    return Referral.objects.filter(link_worker=link_worker, received_on__gt=since).count()


# The new-referrals queue ------------------------------------------------------------------
# Referrals no link worker has taken yet, from any source (self-referrals included), shared by
# the PCN's link workers. One left there longer than settings.REFERRAL_UNASSIGNED_WORKING_DAYS
# is flagged, so the public form's promise of contact within two weeks can be kept.


def new_referrals(*, pcn_id: int) -> QuerySet[Referral]:
    """The PCN's open referrals with no link worker, oldest first."""
    return (
        Referral.objects.filter(pcn_id=pcn_id, link_worker__isnull=True, status__in=OPEN_STATUSES)
        .select_related("practice", "source")
        .order_by("received_on", "pk")
    )


def unassigned_cutoff(*, today: dt.date | None = None) -> dt.date:
    """Referrals received before this date have waited too long for a link worker."""
    today = today or timezone.localdate()
    return working_days_before(today, settings.REFERRAL_UNASSIGNED_WORKING_DAYS)


def working_days_waiting(referral: Referral, *, today: dt.date | None = None) -> int:
    return working_days_between(referral.received_on, today or timezone.localdate())


@dataclass(frozen=True)
class QueueCounts:
    """How many referrals wait for a link worker, and how many of them too long."""

    waiting: int = 0
    too_long: int = 0
    working_days: int = 0  # the setting they were counted against


def new_referral_counts(*, pcn_id: int, today: dt.date | None = None) -> QueueCounts:
    """The queue's size and its overdue part, in one query."""
    cutoff = unassigned_cutoff(today=today)
    counts = Referral.objects.filter(
        pcn_id=pcn_id, link_worker__isnull=True, status__in=OPEN_STATUSES
    ).aggregate(waiting=Count("pk"), too_long=Count("pk", filter=Q(received_on__lt=cutoff)))
    return QueueCounts(**counts, working_days=settings.REFERRAL_UNASSIGNED_WORKING_DAYS)


def referral_for_detail(*, referrals: QuerySet[Referral], pk: int) -> Referral:
    return (
        referrals.select_related("practice", "pcn", "source", "link_worker")
        .prefetch_related(
            "reasons",
            "status_changes__changed_by",
            "contacts__recorded_by",
            "onward_referrals__service__organisation",
            "outcomes",
        )
        .get(pk=pk)
    )


# Outcomes -------------------------------------------------------------------------------------


def _quantise(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def wellbeing_changes(
    referrals: QuerySet[Referral], *, instrument: str = Instrument.ONS4
) -> dict[int, dict[str, Decimal]]:
    """Per person: their latest follow-up minus their baseline, item by item for ONS4 (never
    summed) or the entered total for a licensed instrument. People lacking either are left out.
    """
    items = ONS4_FIELDS if instrument == Instrument.ONS4 else ("total",)
    rows = (
        OutcomeMeasurement.objects.filter(
            referral__in=referrals.values("pk"),
            instrument=instrument,
            time_point__in=[
                OutcomeMeasurement.TimePoint.BASELINE,
                OutcomeMeasurement.TimePoint.FOLLOW_UP,
            ],
        )
        .order_by("referral_id", "date", "pk")
        .values("referral_id", "time_point", *items)
    )
    baseline: dict[int, dict] = {}
    latest_follow_up: dict[int, dict] = {}
    for row in rows:
        if row["time_point"] == OutcomeMeasurement.TimePoint.BASELINE:
            # The first baseline is the starting point, even if it was repeated.
            baseline.setdefault(row["referral_id"], row)
        else:
            latest_follow_up[row["referral_id"]] = row
    return {
        referral_id: {
            item: Decimal(after[item]) - Decimal(baseline[referral_id][item]) for item in items
        }
        for referral_id, after in latest_follow_up.items()
        if referral_id in baseline
    }


@dataclass
class OutcomeSummary:
    """Mean change per ONS4 item, and GP appointments before and after, with their bases."""

    people: int = 0
    wellbeing_people: int = 0
    wellbeing_change: dict[str, Decimal] = field(default_factory=dict)
    gp_people: int = 0
    gp_before_mean: Decimal | None = None
    gp_after_mean: Decimal | None = None


def _summarise(
    ids: set[int], changes: dict[int, dict[str, Decimal]], gp: dict[int, tuple[int, int]]
) -> OutcomeSummary:
    summary = OutcomeSummary(people=len(ids))
    with_change = [changes[i] for i in ids if i in changes]
    summary.wellbeing_people = len(with_change)
    if with_change:
        summary.wellbeing_change = {
            item: _quantise(sum(c[item] for c in with_change) / len(with_change))
            for item in ONS4_FIELDS
        }
    with_gp = [gp[i] for i in ids if i in gp]
    summary.gp_people = len(with_gp)
    if with_gp:
        summary.gp_before_mean = _quantise(Decimal(sum(b for b, _ in with_gp)) / len(with_gp))
        summary.gp_after_mean = _quantise(Decimal(sum(a for _, a in with_gp)) / len(with_gp))
    return summary


def _gp_appointments(referrals: QuerySet[Referral]) -> dict[int, tuple[int, int]]:
    rows = referrals.filter(
        gp_appointments_before__isnull=False, gp_appointments_after__isnull=False
    ).values_list("pk", "gp_appointments_before", "gp_appointments_after")
    return {pk: (before, after) for pk, before, after in rows}


def outcome_summary(referrals: QuerySet[Referral]) -> OutcomeSummary:
    ids = set(referrals.values_list("pk", flat=True))
    return _summarise(ids, wellbeing_changes(referrals), _gp_appointments(referrals))


def outcome_summaries_by(referrals: QuerySet[Referral], *, by: str) -> dict[int, OutcomeSummary]:
    """Outcome summaries keyed by PCN, link worker or organisation id, in four queries.

    By organisation counts the people an organisation accepted through an onward referral.
    """
    if by == "organisation":
        pairs = OnwardReferral.objects.filter(
            referral__in=referrals.values("pk"), status=OnwardReferral.Status.ACCEPTED
        ).values_list("service__organisation_id", "referral_id")
    elif by in ("pcn", "link_worker"):
        pairs = referrals.filter(**{f"{by}__isnull": False}).values_list(f"{by}_id", "pk")
    else:
        raise ValueError(f"cannot group outcomes by {by!r}")
    groups: dict[int, set[int]] = defaultdict(set)
    for group, referral_id in pairs:
        groups[group].add(referral_id)
    changes, gp = wellbeing_changes(referrals), _gp_appointments(referrals)
    return {group: _summarise(ids, changes, gp) for group, ids in groups.items()}


def status_counts_by_pcn(pcns) -> dict[int, dict[str, int]]:
    rows = (
        Referral.objects.filter(pcn__in=pcns)
        .values_list("pcn_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {s.value: 0 for s in Status})
    for pcn_id, status, n in rows:
        counts[pcn_id][status] = n
    return counts


def counts_by(referrals: QuerySet[Referral], field_path: str) -> list[tuple[str, int]]:
    rows = (
        referrals.values_list(field_path)
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", field_path)
    )
    return [(name or "Not recorded", n) for name, n in rows]


# Set-based reads for the dashboards -----------------------------------------------------------
# Counts only, each in one query whatever the number of referrals or PCNs.


def counts_by_month(referrals: QuerySet[Referral]) -> dict[dt.date, int]:
    """Referrals received each month (keyed by the 1st of the month)."""
    from django.db.models.functions import TruncMonth

    rows = (
        referrals.annotate(month=TruncMonth("received_on"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    return {month: n for month, n in rows}


def caseloads_by_link_worker(
    referrals: QuerySet[Referral], *, today: dt.date | None = None
) -> list[dict]:
    """Per link worker (and the unassigned): open referrals now, and people referred in the
    past year to set against the full-time guide (CASELOAD_GUIDE)."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=365)
    rows = (
        referrals.values(
            "link_worker_id",
            "link_worker__first_name",
            "link_worker__last_name",
            "link_worker__username",
        )
        .annotate(
            open_now=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            past_year=Count("pk", filter=Q(received_on__gt=since)),
        )
        .order_by("link_worker__last_name", "link_worker__first_name", "link_worker_id")
    )
    result = []
    for row in rows:
        if row["link_worker_id"] is None:
            name = "Not yet assigned"
        else:
            full = f"{row['link_worker__first_name']} {row['link_worker__last_name']}".strip()
            name = full or row["link_worker__username"]
        result.append({"name": name, "open_now": row["open_now"], "past_year": row["past_year"]})
    return result


def organisations_connected(referrals: QuerySet[Referral], *, limit: int = 10) -> list:
    """The organisations that accepted the most of these people (accepted onward referrals,
    each person counted once per organisation), most first."""
    rows = (
        OnwardReferral.objects.filter(
            referral__in=referrals.values("pk"), status=OnwardReferral.Status.ACCEPTED
        )
        .values_list("service__organisation__name")
        .annotate(n=Count("referral_id", distinct=True))
        .order_by("-n", "service__organisation__name")
    )
    return [(name, n) for name, n in rows[:limit]]


def referral_counts_by_pcn(*, pcn_ids, since: dt.date, until: dt.date) -> dict[int, int]:
    """Referrals received from `since` to `until` inclusive, by PCN."""
    rows = (
        Referral.objects.filter(pcn_id__in=pcn_ids, received_on__gte=since, received_on__lte=until)
        .values_list("pcn_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def referrals_of_pcn(pcn) -> QuerySet[Referral]:
    """Every referral the PCN has received, for aggregates (the dashboards): no identities."""
    return Referral.objects.filter(pcn=pcn)


def stale_service_count(*, before: dt.date) -> int:
    """How many active directory entries were last reviewed before `before`."""
    return Service.objects.filter(is_active=True, last_reviewed__lt=before).count()


def stale_services(*, before: dt.date, limit: int):
    """Active directory entries last reviewed before `before`: the `limit` reviewed longest
    ago, with their organisations, and how many there are in all."""
    stale = Service.objects.filter(is_active=True, last_reviewed__lt=before)
    listed = list(stale.select_related("organisation").order_by("last_reviewed", "name")[:limit])
    return listed, stale.count()


# Warnings before saving (pcn_admin/form_warnings.py): what may be a mistake, not refused.

# The GP appointments "after" count covers the six months after referral (Referral's field).
GP_APPOINTMENTS_AFTER_MONTHS = 6


def _months_after(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def referral_warnings(*, pcn_id: int, nhs_number: str, received_on: dt.date) -> list[str]:
    """The same NHS number already referred to the PCN that day: perhaps the same referral
    recorded twice (a second referral the same day is possible, so it is not refused)."""
    if not nhs_number:
        return []
    earlier = Referral.objects.filter(
        pcn_id=pcn_id, nhs_number=nhs_number, received_on=received_on
    ).count()
    if not earlier:
        return []
    shown = f"{nhs_number[:3]} {nhs_number[3:6]} {nhs_number[6:]}"
    times = "once" if earlier == 1 else f"{earlier} times"
    return [
        f"NHS number {shown} was already referred to this PCN {times} on "
        f"{received_on.day} {received_on:%B %Y}. Check this is not the same referral recorded "
        "twice: if it is, do not record it again."
    ]


def gp_appointments_after_ends(referral: Referral) -> dt.date:
    """The last day of the six months after referral that gp_appointments_after counts."""
    return _months_after(referral.received_on, GP_APPOINTMENTS_AFTER_MONTHS)


def gp_appointments_warnings(
    *, referral: Referral, after: int | None, today: dt.date | None = None
) -> list[str]:
    """A count of appointments "after" recorded before the six months after referral are over
    is a count of part of the period: too low for the before-and-after comparison."""
    today = today or timezone.localdate()
    ends = gp_appointments_after_ends(referral)
    if after is None or today > ends:
        return []
    return [
        f"The six months after this referral end on {ends.day} {ends:%B %Y}. A count of GP "
        "appointments made before then covers only part of the period, so the comparison with "
        "the six months before will look better than it is. Record it after that date, or "
        "carry on if the count is for the whole period."
    ]
