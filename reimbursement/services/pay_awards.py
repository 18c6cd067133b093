"""National pay awards: raise every maximum of a staff group from a date by the award, as
`derived-uplift` figures, and draft the adjustment claims a backdated award makes due.

The figure is arrs.md's: the salary is taken out of the base maximum with the on-cost formula
of the base's date, raised by the award and priced with the formula of the award's date
(reimbursement.calculations.uplifted_maximum). The base is the figure a claim for the date
would use (calculations.RateBook): for each role and region, the current figures of the latest
date on or before the award's, one per band. A figure dated the award's own day (the
pre-award table, as published in March 2025) stays in the history, superseded by the derived
one. Applying the same award again creates nothing: a band that already has a derived-uplift
figure of the date is skipped.

A backdated award leaves approved lines of its months under-paid: each PCN's claim for such
a month gets one draft adjustment claim, made by the practice's own route (claim_create),
for the practice to check and submit.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from pcn_admin.bounds import check_scheme_date
from roles import services as roles_services
from roles.models import Provenance, Rate, Role

from .. import calculations, emails
from ..calculations import RateBook, month_label
from ..models import Claim, ClaimLine
from .claims import claim_create, claim_refresh_lines

# The staff groups a national award covers (arrs.md, "National uplifts"): Agenda for Change
# covers every ARRS role but the GP, whose pay follows the DDRB's award.
GP = "gp"
GROUPS = {
    "afc": "Agenda for Change",
    GP: "GP (DDRB)",
}
# An award is a few per cent; past this it is a typo (36 for 3.6).
MAX_PERCENT = Decimal("20")


@dataclass(frozen=True)
class PayAward:
    percent: Decimal
    effective_from: dt.date
    group: str

    @property
    def uplift(self) -> Decimal:
        """The award as a fraction: 0.036 for 3.6%."""
        return self.percent / Decimal("100")

    @property
    def label(self) -> str:
        return (
            f"{GROUPS[self.group]} pay award of {self.percent_text} "
            f"from {_day(self.effective_from)}"
        )

    @property
    def percent_text(self) -> str:
        text = f"{self.percent:f}"
        return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


@dataclass(frozen=True)
class PlannedRate:
    """One derived figure an award makes: its base and the new maximum."""

    role: Role
    region: str
    afc_band: str
    base: Rate
    effective_from: dt.date
    annual_max: Decimal

    @property
    def supersedes_base(self) -> bool:
        """The base is the pre-award figure of the award's own date: it is superseded."""
        return self.base.effective_from == self.effective_from

    @property
    def region_label(self) -> str:
        return self.base.get_region_display()

    def describe(self) -> str:
        band = f", band {self.afc_band}" if self.afc_band else ""
        return (
            f"{self.role.name}, {self.region_label}{band}: £{self.base.annual_max:,.0f} "
            f"({self.base.get_provenance_display().lower()}, from {_day(self.base.effective_from)})"
            f" -> £{self.annual_max:,.0f}"
        )


@dataclass(frozen=True)
class UnderpaidLine:
    """An approved line priced below the maximum now in force for its month."""

    line: ClaimLine
    annual_max: Decimal  # the maximum in force for the line's month now
    adjustment: Claim | None = None  # the adjustment claim that corrects it, when there is one

    def describe(self) -> str:
        post = self.line.post
        return (
            f"{self.line.claim.pcn.code} {month_label(self.line.claim.month)}: "
            f"{post.person_name} ({post.role.name}) was priced on £{self.line.annual_max:,.0f}, "
            f"now £{self.annual_max:,.0f}"
        )


@dataclass
class PayAwardResult:
    award: PayAward
    dry_run: bool
    planned: list[PlannedRate]
    created: list[Rate] = field(default_factory=list)
    underpaid: list[UnderpaidLine] = field(default_factory=list)
    adjustments: list[Claim] = field(default_factory=list)  # drafted by this run
    problems: list[str] = field(default_factory=list)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _percent_error(percent) -> str:
    """Why the percentage cannot be an award, or ""."""
    text = "" if percent is None else str(percent).strip()
    if not text:
        return "Give the award as a percentage, for example 3.6."
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        return f"“{text}” is not a percentage. Give it as a number, for example 3.6."
    if value <= 0:
        return "A pay award raises pay: give a percentage above 0, for example 3.6."
    if value > MAX_PERCENT:
        return (
            f"{value:f}% is more than {MAX_PERCENT}%, larger than any national pay award. "
            "Give the award as a percentage, for example 3.6 for 3.6%."
        )
    return ""


def _award(*, percent, effective_from, group) -> PayAward:
    """The award as given, or ValidationError naming each thing wrong with it."""
    errors: dict[str, str] = {}
    if problem := _percent_error(percent):
        errors["percent"] = problem
    if not isinstance(effective_from, dt.date):
        errors["effective_from"] = "Give the date the award starts, as YYYY-MM-DD."
    elif effective_from.day != 1:
        errors["effective_from"] = (
            f"{effective_from:%d/%m/%Y} is not the 1st of a month: pay awards (and the maxima) "
            f"start on the 1st. Did you mean {effective_from.replace(day=1):%d/%m/%Y}?"
        )
    else:
        try:
            check_scheme_date(effective_from, field="effective_from", label="The award's date")
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    if not group:
        errors["group"] = "Choose the staff group: afc (Agenda for Change) or gp (GPs)."
    elif group not in GROUPS:
        errors["group"] = (
            f"“{group}” is not a staff group. Choose afc (Agenda for Change: every role but the "
            "GP) or gp (GPs)."
        )
    if errors:
        raise ValidationError(errors)
    return PayAward(
        percent=Decimal(str(percent).strip()), effective_from=effective_from, group=group
    )


def _group_roles(group: str) -> QuerySet[Role]:
    roles = Role.objects.all()
    return roles.filter(code=GP) if group == GP else roles.exclude(code=GP)


def _in_force(award: PayAward) -> list[Rate]:
    """The current figures a claim dated the award's day would choose from: per role and
    region, every band's figure of the latest date on or before it (as RateBook.rate)."""
    rates = (
        Rate.objects.current()
        .filter(role__in=_group_roles(award.group), effective_from__lte=award.effective_from)
        .select_related("role")
        .order_by("role__name", "region", "-effective_from", "afc_band")
    )
    latest: dict[tuple[int, str], dt.date] = {}
    chosen = []
    for rate in rates:
        key = (rate.role_id, rate.region)
        if latest.setdefault(key, rate.effective_from) == rate.effective_from:
            chosen.append(rate)
    return chosen


def _plan(award: PayAward) -> list[PlannedRate]:
    plan = []
    for base in _in_force(award):
        if (
            base.effective_from == award.effective_from
            and base.provenance == Provenance.DERIVED_UPLIFT
        ):
            continue  # this award (or one of the same day) is already applied
        plan.append(
            PlannedRate(
                role=base.role,
                region=base.region,
                afc_band=base.afc_band,
                base=base,
                effective_from=award.effective_from,
                annual_max=calculations.uplifted_maximum(
                    base.annual_max,
                    base_from=base.effective_from,
                    award=award.uplift,
                    award_from=award.effective_from,
                ),
            )
        )
    return plan


def pay_award_plan(*, percent, effective_from: dt.date, group: str) -> list[PlannedRate]:
    """The figures `pay_award_apply` would create, each with its base; writes nothing.
    Raises ValidationError for an award that cannot be right (see _award)."""
    return _plan(_award(percent=percent, effective_from=effective_from, group=group))


def _basis(award: PayAward, planned: PlannedRate) -> str:
    base = planned.base
    return (
        f"{award.label}: £{base.annual_max:,.0f} from {_day(base.effective_from)} "
        f"({base.get_provenance_display().lower()}) raised by the award with the on-cost "
        "formula of arrs.md (the salary taken out with the on-costs of the base's date, "
        "priced with those of the award's date, rounded half up to the pound)."
    )


def _create(award: PayAward, planned: PlannedRate, by) -> Rate:
    base = planned.base
    if planned.supersedes_base:
        # The unique constraint holds over current figures only: the base steps aside (pointing
        # at itself for the moment, inside this transaction) before its successor is saved.
        Rate.objects.filter(pk=base.pk).update(superseded_by=base.pk)
    rate = Rate(
        role=planned.role,
        region=planned.region,
        afc_band=planned.afc_band,
        effective_from=planned.effective_from,
        annual_max=planned.annual_max,
        provenance=Provenance.DERIVED_UPLIFT,
        basis=_basis(award, planned),
    )
    roles_services.rate_save(rate=rate, by=by, reason=award.label)
    if planned.supersedes_base:
        # .update(): a locked figure (used by a batched claim) may still be superseded.
        Rate.objects.filter(pk=base.pk).update(superseded_by=rate.pk)
        base.superseded_by = rate
        Rate.history.bulk_history_create(
            [base],
            update=True,
            default_user=by,
            default_change_reason=f"Superseded by the {award.label}.",
        )
    return rate


def _lines_since(award: PayAward) -> QuerySet[ClaimLine]:
    """Approved lines of monthly claims for the group's roles from the award's month on."""
    return (
        ClaimLine.objects.approved()
        .filter(
            claim__kind=Claim.Kind.NORMAL,
            claim__month__gte=award.effective_from,
            post__role__in=_group_roles(award.group),
        )
        .select_related("claim__pcn", "post__role")
        .order_by("claim__month", "claim__pcn__code", "pk")
    )


def _underpaid(award: PayAward) -> list[UnderpaidLine]:
    """Approved lines priced on a lower maximum than the one now in force for their month,
    each with the adjustment claim that already corrects it, if any."""
    book = RateBook()
    found = []
    for line in _lines_since(award):
        post = line.post
        try:
            now = book.rate(post.role, post.region, line.claim.month, post.afc_band or "")
        except ValidationError:
            continue  # no figure now either: nothing to adjust to
        if line.annual_max is not None and now.annual_max > line.annual_max:
            found.append(UnderpaidLine(line=line, annual_max=now.annual_max))
    covering = (
        ClaimLine.objects.filter(original_line__in=[u.line for u in found])
        .select_related("claim__pcn")
        .order_by("pk")
    )
    adjusted = {}
    for line in covering:
        adjusted.setdefault(line.original_line_id, line.claim)
    return [
        UnderpaidLine(line=u.line, annual_max=u.annual_max, adjustment=adjusted.get(u.line.pk))
        for u in found
    ]


def _draft_adjustments(award: PayAward, underpaid: list[UnderpaidLine], by, result) -> None:
    """One draft adjustment for each claim with under-paid lines not yet in an adjustment
    (an adjustment the practice is still drafting takes the missing lines instead)."""
    by_claim: dict[int, list[UnderpaidLine]] = defaultdict(list)
    for item in underpaid:
        if item.adjustment is None:
            by_claim[item.line.claim_id].append(item)
    for items in by_claim.values():
        original = items[0].line.claim
        drafting = Claim.objects.filter(
            original=original, kind=Claim.Kind.ADJUSTMENT, status__in=Claim.EDITABLE
        ).first()
        try:
            with transaction.atomic():
                if drafting is not None:
                    adjustment = claim_refresh_lines(claim=drafting, by=by)
                else:
                    adjustment = claim_create(
                        pcn=original.pcn,
                        month=original.month,
                        kind=Claim.Kind.ADJUSTMENT,
                        original=original,
                        by=by,
                    )
        except ValidationError as error:
            result.problems.append(
                f"No adjustment drafted for {original}: {' '.join(error.messages)}"
            )
            continue
        covered = set(
            ClaimLine.objects.filter(
                claim=adjustment, original_line__in=[i.line for i in items]
            ).values_list("original_line_id", flat=True)
        )
        for item in items:
            if item.line.pk not in covered:
                result.problems.append(
                    f"{item.describe()}, but {item.line.post.person_name} is no longer "
                    f"claimable in {month_label(original.month)}: adjust by hand."
                )
        result.adjustments.append(adjustment)
        emails.notify_practice(
            adjustment,
            "adjustment drafted for a pay award",
            f"The {award.label} raised the maximum for {len(items)} approved line(s) of "
            f"{month_label(original.month)}. An adjustment claim has been drafted: check the "
            "costs (including any arrears of pay) and submit it.",
        )
    result.underpaid = _underpaid(award)


@transaction.atomic
def pay_award_apply(
    *, percent, effective_from: dt.date, group: str, by, dry_run: bool = False
) -> PayAwardResult:
    """Apply a national pay award: a derived-uplift maximum from `effective_from` for every
    role of `group` ("afc": every role but the GP; "gp": the GP) and every region and band
    with a figure in force on that day. Then, for a backdated award, list the approved lines
    now under-paid and draft an adjustment claim for each claim concerned.

    All or nothing. A second run creates nothing and drafts nothing. `dry_run` works it all
    out (the figures and the under-paid lines) and writes nothing."""
    award = _award(percent=percent, effective_from=effective_from, group=group)
    # Serialise runs: two at once would otherwise both pass the plan.
    list(Rate.objects.select_for_update().filter(role__in=_group_roles(award.group)))
    result = PayAwardResult(award=award, dry_run=dry_run, planned=_plan(award))
    try:
        with transaction.atomic():
            created = [_create(award, planned, by) for planned in result.planned]
    except IntegrityError:
        raise ValidationError(
            "Another run of this pay award changed the figures at the same time. "
            "Run it again: it will create only what is still missing."
        ) from None
    result.underpaid = _underpaid(award)
    if dry_run:
        transaction.set_rollback(True)
        return result
    result.created = created
    _draft_adjustments(award, result.underpaid, by, result)
    return result
