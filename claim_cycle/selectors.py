"""Who is due which reminder on a day: reads only (claim_cycle/services.py records and sends).

Three kinds, each to named people and no one else:
- a claim deadline coming up: the practice managers of the PCN's nominated payee practice for
  the month (those who may prepare its claim), when the PCN has no submitted claim for it, from
  the commissioner's `reminder_working_days` before the deadline until the deadline;
- a claim waiting for review: the commissioner's own staff, for each claim still awaiting review
  more than `review_wait_working_days` after it was (last) submitted;
- a payment batch paid: the clinical director(s) of each PCN paid in it, with their PCN's
  subtotal, for batches paid in the last PAID_SUMMARY_DAYS days.
Only active users with an e-mail address are reminded.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from networks.models import PCN, NominatedPayee
from pcn_admin.dates import month_bounds, working_days_between
from pcn_admin.models import Role, User
from reimbursement.models import Batch, BatchPayee, Claim
from reimbursement.selectors import awaiting_review

from .models import DEFAULT_REVIEW_WAIT_WORKING_DAYS, ClaimWindow, ReminderMessage

# A batch paid longer ago than this is not announced: when the job first runs on a database
# with a history, nobody hears about last year's payments.
PAID_SUMMARY_DAYS = 31


@dataclass(frozen=True)
class Due:
    """One reminder due: what, to whom, about what (context for its e-mail), and its key."""

    kind: str
    key: str
    recipient: User
    commissioner_id: int
    month: dt.date
    pcn_id: int | None = None
    context: dict = field(default_factory=dict, compare=False, hash=False)


def window_of(commissioner_id: int) -> ClaimWindow | None:
    return ClaimWindow.objects.filter(commissioner_id=commissioner_id).first()


def _reachable(users: QuerySet[User]) -> QuerySet[User]:
    return users.filter(is_active=True).exclude(email="").order_by("pk")


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _previous_month(month: dt.date) -> dt.date:
    return _month_start(month - dt.timedelta(days=1))


def claim_months_in_reminder_period(window: ClaimWindow, today: dt.date) -> list[dt.date]:
    """The claim months whose reminder period (reminders_from to the deadline) holds `today`:
    the deadline is in the month after the claim month, and reminders may start before it."""
    this_month = _month_start(today)
    return [
        month
        for month in (_previous_month(this_month), this_month)
        if window.reminders_from(month) <= today <= window.deadline_for(month)
    ]


def deadline_reminders_due(*, today: dt.date) -> list[Due]:
    due = []
    for window in ClaimWindow.objects.select_related("commissioner").order_by("pk"):
        for month in claim_months_in_reminder_period(window, today):
            due += _deadline_reminders(window, month)
    return due


def _deadline_reminders(window: ClaimWindow, month: dt.date) -> list[Due]:
    first, last = month_bounds(month)
    deadline = window.deadline_for(month)
    submitted = Claim.objects.filter(pcn_id=OuterRef("pk"), month=month, kind=Claim.Kind.NORMAL)
    submitted = submitted.exclude(status__in=Claim.EDITABLE)
    pcns = (
        PCN.objects.filter(commissioner_id=window.commissioner_id, open_date__lte=last)
        .filter(Q(close_date__isnull=True) | Q(close_date__gte=first))
        .exclude(Exists(submitted))
    )
    # The payee in force on the 1st of the month, as for who may prepare the claim (access.py).
    payees = (
        NominatedPayee.objects.filter(pcn__in=pcns, practice__isnull=False, start_date__lte=first)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .select_related("pcn", "practice")
        .order_by("pcn__code")
    )
    payees = list(payees)
    claims = {
        claim.pcn_id: claim
        for claim in Claim.objects.filter(
            pcn_id__in=[p.pcn_id for p in payees], month=month, kind=Claim.Kind.NORMAL
        )
    }
    managers: dict[int, list[User]] = {}
    for user in _reachable(
        User.objects.filter(
            role=Role.PRACTICE_MANAGER, practice_id__in=[p.practice_id for p in payees]
        )
    ):
        managers.setdefault(user.practice_id, []).append(user)
    due = []
    for payee in payees:
        for user in managers.get(payee.practice_id, []):
            due.append(
                Due(
                    kind=ReminderMessage.Kind.DEADLINE,
                    key=f"deadline:user-{user.pk}:pcn-{payee.pcn_id}:{month:%Y-%m}",
                    recipient=user,
                    commissioner_id=window.commissioner_id,
                    pcn_id=payee.pcn_id,
                    month=month,
                    context={
                        "pcn": payee.pcn,
                        "practice": payee.practice,
                        "month": month,
                        "deadline": deadline,
                        "window": window,
                        "claim": claims.get(payee.pcn_id),
                    },
                )
            )
    return due


def review_reminders_due(*, today: dt.date) -> list[Due]:
    waits = dict(ClaimWindow.objects.values_list("commissioner_id", "review_wait_working_days"))
    # A wait of N working days is at least N calendar days: fetch only claims that old.
    shortest = min([*waits.values(), DEFAULT_REVIEW_WAIT_WORKING_DAYS])
    cutoff = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=shortest), dt.time())
    )
    claims = list(
        awaiting_review(Claim.objects.filter(submitted_at__lt=cutoff))
        .select_related("pcn__commissioner")
        .order_by("submitted_at", "pk")
    )
    staff: dict[int, list[User]] = {}
    for user in _reachable(
        User.objects.filter(
            role=Role.COMMISSIONER_STAFF,
            commissioner_id__in={claim.pcn.commissioner_id for claim in claims},
        )
    ):
        staff.setdefault(user.commissioner_id, []).append(user)
    due = []
    for claim in claims:
        commissioner_id = claim.pcn.commissioner_id
        wait = waits.get(commissioner_id, DEFAULT_REVIEW_WAIT_WORKING_DAYS)
        submitted_on = timezone.localdate(claim.submitted_at)
        waited = working_days_between(submitted_on, today)
        if waited <= wait:
            continue
        for user in staff.get(commissioner_id, []):
            due.append(
                Due(
                    kind=ReminderMessage.Kind.REVIEW_WAITING,
                    # A claim returned and sent again waits afresh: its new submission is
                    # another reminder.
                    key=(
                        f"review_waiting:user-{user.pk}:claim-{claim.pk}:"
                        f"{claim.submitted_at:%Y%m%dT%H%M%S}"
                    ),
                    recipient=user,
                    commissioner_id=commissioner_id,
                    pcn_id=claim.pcn_id,
                    month=claim.month,
                    context={
                        "claim": claim,
                        "submitted_on": submitted_on,
                        "waited": waited,
                        "wait": wait,
                    },
                )
            )
    return due


def batch_paid_reminders_due(*, today: dt.date) -> list[Due]:
    batches = Batch.objects.filter(
        status=Batch.Status.PAID,
        paid_on__lte=today,
        paid_on__gte=today - dt.timedelta(days=PAID_SUMMARY_DAYS),
    )
    payees = list(
        BatchPayee.objects.filter(batch__in=batches)
        .select_related("batch__commissioner", "pcn", "payee_practice")
        .order_by("batch__paid_on", "batch__reference", "pcn__code")
    )
    directors: dict[int, list[User]] = {}
    for user in _reachable(
        User.objects.filter(
            role=Role.CLINICAL_DIRECTOR, pcn_id__in={payee.pcn_id for payee in payees}
        )
    ):
        directors.setdefault(user.pcn_id, []).append(user)
    due = []
    for payee in payees:
        batch = payee.batch
        for user in directors.get(payee.pcn_id, []):
            due.append(
                Due(
                    kind=ReminderMessage.Kind.BATCH_PAID,
                    key=f"batch_paid:user-{user.pk}:batch-{batch.pk}:pcn-{payee.pcn_id}",
                    recipient=user,
                    commissioner_id=batch.commissioner_id,
                    pcn_id=payee.pcn_id,
                    month=batch.month,
                    context={"batch": batch, "payee": payee},
                )
            )
    return due


def reminders_due(*, today: dt.date) -> list[Due]:
    """Every reminder due on `today`, whether or not it has been sent already."""
    return [
        *deadline_reminders_due(today=today),
        *review_reminders_due(today=today),
        *batch_paid_reminders_due(today=today),
    ]


def deadline_for_claim(claim: Claim) -> tuple[dt.date, ClaimWindow] | None:
    """A monthly claim's deadline and the window that sets it, or None (no window, or an
    adjustment, which is not tied to the monthly deadline)."""
    if claim.kind != Claim.Kind.NORMAL:
        return None
    window = window_of(claim.pcn.commissioner_id)
    if window is None:
        return None
    return window.deadline_for(claim.month), window
