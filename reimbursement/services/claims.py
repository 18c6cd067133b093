"""The practice's side of a claim: create it, bring its lines up to date, fill in each line's
costs and submit it for review."""

import copy
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from evidence import services as evidence
from pcn_admin.bounds import PCNS_BEGAN
from reimbursement.calculations import Breakdown, RateBook, month_label

from .. import calculations, emails, entitlement, selectors
from ..models import Claim, ClaimLine

_ONE_CLAIM_A_MONTH = next(c for c in Claim._meta.constraints if c.name == "one_claim_per_pcn_month")
PENNY = Decimal("0.01")
PLACES = Decimal("0.000001")
ZERO = Decimal("0")


# What a service sets on a line itself, never from what was typed: checking each again costs a
# query per line (a foreign key's check looks the row up), which month end cannot afford.
_SET_BY_SERVICE = ["claim", "post", "original_line", "rate_used", "decided_by", "updated_by"]
# Everything a change of costs, a calculation or a submission writes on a line.
_LINE_FIELDS = [
    f.name
    for f in ClaimLine._meta.concrete_fields
    if not f.primary_key and f.name not in ("claim", "post")
]


def line_key(line: ClaimLine | int) -> str:
    """The key of a line's errors in a claim's ValidationError: forms and the API use it."""
    return f"line_{line if isinstance(line, int) else line.pk}"


def _save(instance, by, **kwargs) -> None:
    instance._history_user = by  # simple_history reads this outside a request
    instance.save(**kwargs)


def _check_line(line: ClaimLine) -> None:
    """A line's own checks (each field, and clean()'s messages), without a query. The database
    constraints stand behind them; clean() says the same things in the practice's words."""
    line.full_clean(exclude=_SET_BY_SERVICE, validate_unique=False, validate_constraints=False)


def _write_lines(lines: list[ClaimLine], by) -> None:
    """Save lines already checked, each with its history record, in a fixed number of queries
    however many there are. The callers hold the claim's lock and read the lines under it, and
    change none that was approved when read: what ClaimLine.save() guards one line at a time.

    One UPDATE statement run for every line (executemany), not QuerySet.bulk_update: that
    builds a CASE of every field for every line, which cost a 33-line claim 0.7 s of Python at
    month end (bench/month_end.py), against milliseconds for this."""
    if not lines:
        return
    now = timezone.now()
    for line in lines:
        line.updated_at = now
    fields = [ClaimLine._meta.get_field(name) for name in _LINE_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    rows = [
        [f.get_db_prep_save(getattr(line, f.attname), connection) for f in fields] + [line.pk]
        for line in lines
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(ClaimLine._meta.db_table)} SET {assignments} "
            f"WHERE {quote(ClaimLine._meta.pk.column)} = %s",
            rows,
        )
    ClaimLine.history.bulk_history_create(lines, update=True, default_user=by, default_date=now)


def _this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def _check_month(month: dt.date) -> None:
    if month < PCNS_BEGAN:
        raise ValidationError(
            {
                "month": (
                    f"{month_label(month)} is before PCNs existed. PCNs began on 1 July 2019: "
                    "choose July 2019 or later."
                )
            }
        )
    if month > _this_month():
        raise ValidationError(
            {
                "month": (
                    f"{month_label(month)} is in the future. Claims are made for months that "
                    "have started; choose this month or an earlier one."
                )
            }
        )


def _store_breakdown(line: ClaimLine, breakdown: Breakdown | None, error: str = "") -> None:
    """Keep every figure on the line; money to the penny for display (the reimbursable amount
    was rounded once by the calculation), WTE and fraction to six places."""

    def money(value):
        return None if value is None else Decimal(value).quantize(PENNY, ROUND_HALF_UP)

    b = breakdown
    line.cost = money(b and b.cost)
    line.wte = b.wte.quantize(PLACES, ROUND_HALF_UP) if b else None
    line.days_in_post = b.days_in_post if b else None
    line.days_in_month = b.days_in_month if b else None
    line.fraction = b.fraction.quantize(PLACES, ROUND_HALF_UP) if b else None
    line.annual_max = money(b and b.annual_max)
    line.rate_effective_from = b.rate_effective_from if b else None
    line.rate_used_id = b.rate_id if b else None
    line.rate = b.rate if b else None
    line.cap = money(b and b.cap)
    line.fee_max = money(b and b.fee_max)
    line.fee = money(b and b.fee)
    line.reimbursable = b.reimbursable if b else None
    line.calculation_error = error
    line.calculated_at = timezone.now()


def _calculate(line: ClaimLine, month: dt.date, rates: RateBook | None = None) -> list[str]:
    """Work the line out from what is entered; returns the calculation's objections."""
    if not line.costs_entered:
        _store_breakdown(line, None)
        return ["Enter the salary, employer NI and employer pension paid for the month."]
    try:
        breakdown = calculations.breakdown_for(
            line,
            month=month,
            salary=line.salary,
            employer_ni=line.employer_ni,
            employer_pension=line.employer_pension,
            subcontract_fee=line.subcontract_fee,
            rates=rates,
        )
    except ValidationError as error:
        _store_breakdown(line, None, " ".join(error.messages))
        return list(error.messages)
    _store_breakdown(line, breakdown)
    return []


def _new_lines(claim: Claim, by) -> list[ClaimLine]:
    existing = set(claim.lines.values_list("post_id", flat=True))
    originals = {}
    if claim.original_id:
        originals = {line.post_id: line for line in claim.original.lines.all()}
    rates = RateBook() if originals else None
    lines = []
    for post in selectors.claimable_posts(claim.pcn, claim.month):
        if post.pk in existing:
            continue
        line = ClaimLine(
            claim=claim,
            post=post,
            hours=selectors.hours_in_month(post, claim.month),
            updated_by=by,
        )
        original = originals.get(post.pk)
        if original is not None:
            # An adjustment starts from the figures claimed before, to be corrected.
            line.original_line = original
            line.salary = original.salary
            line.employer_ni = original.employer_ni
            line.employer_pension = original.employer_pension
            line.subcontract_fee = original.subcontract_fee
            _calculate(line, claim.month, rates)
        _check_line(line)
        lines.append(line)
    return bulk_create_with_history(lines, ClaimLine, default_user=by) if lines else []


@transaction.atomic
def claim_create(
    *, pcn, month: dt.date, by, kind: str = Claim.Kind.NORMAL, original: Claim | None = None
) -> Claim:
    """A draft claim for a PCN and month, with a line for each claimable post in post."""
    month = month.replace(day=1)
    _check_month(month)
    claim = Claim(pcn=pcn, month=month, kind=kind, original=original, created_by=by)
    claim.full_clean()
    try:
        with transaction.atomic():
            _save(claim, by)
    except IntegrityError:
        # Two starts at once both pass full_clean(); the database lets one in (PostgreSQL).
        raise ValidationError(_ONE_CLAIM_A_MONTH.violation_error_message) from None
    _new_lines(claim, by)
    return claim


@transaction.atomic
def claim_refresh_lines(*, claim: Claim, by) -> Claim:
    """Bring a draft's lines in line with the posts: add new staff, drop pending lines of staff
    no longer claimable that month (approved lines stay)."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    _require_editable(claim)
    wanted = set(selectors.claimable_posts(claim.pcn, claim.month).values_list("pk", flat=True))
    for line in claim.lines.filter(approved_at__isnull=True).exclude(post_id__in=wanted):
        line._history_user = by
        line.delete()
    _new_lines(claim, by)
    return claim


def _require_editable(claim: Claim) -> None:
    if not claim.is_editable:
        raise ValidationError(
            f"This claim is {claim.get_status_display().lower()} and can no longer be changed "
            "by the practice. If it needs correcting, ask your commissioner to return it."
        )


@dataclass
class LinesSaved:
    """What claim_lines_update did: the lines saved, and why each refused line was refused (by
    the line's id; a refused line is left as it was)."""

    saved: list[ClaimLine] = field(default_factory=list)
    refused: dict[int, ValidationError] = field(default_factory=dict)


def _apply_costs(
    line: ClaimLine,
    *,
    salary: Decimal | None,
    employer_ni: Decimal | None,
    employer_pension: Decimal | None,
    subcontract_fee: Decimal | None = None,
    source: str = "",
) -> None:
    if line.is_locked:
        raise ValidationError("This line has been approved and can no longer change.")
    before = (line.salary, line.employer_ni, line.employer_pension, line.subcontract_fee)
    line.salary = salary
    line.employer_ni = employer_ni
    line.employer_pension = employer_pension
    line.subcontract_fee = subcontract_fee if subcontract_fee is not None else ZERO
    after = (line.salary, line.employer_ni, line.employer_pension, line.subcontract_fee)
    if source:
        line.costs_source = source
    elif after != before:
        line.costs_source = ClaimLine.CostsSource.TYPED
    _check_line(line)


@transaction.atomic
def claim_lines_update(*, claim: Claim, by, costs: dict[int, dict], source: str = "") -> LinesSaved:
    """Save the month's costs on lines of a draft (`costs`: each line's id to its salary,
    employer_ni, employer_pension and, optionally, subcontract_fee) and work out their figures,
    in a fixed number of queries however many lines there are: month end is every practice
    saving its whole claim at once.

    An amount that cannot be worked out yet (e.g. no rate) is kept as a message on the line,
    not refused, so a draft can always be saved. A line that is refused (approved meanwhile, or
    a figure out of bounds) is left as it was and said in LinesSaved.refused; the rest are
    saved. `source` says where the costs came from (ClaimLine.CostsSource: copied forward, a
    payroll upload); without one, costs that change were typed in, and unchanged ones keep
    their mark, so a copied line saved again untouched is still shown as copied."""
    # The claim is locked before its lines, as claim_submit and the review do: locked the other
    # way round, lines saved while the claim is submitted (a double click) deadlock.
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    _require_editable(claim)
    lines = (
        ClaimLine.objects.filter(claim=claim, pk__in=list(costs))
        .select_related("post__role")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    rates = RateBook()
    result = LinesSaved()
    for line in lines:
        line.claim = claim
        try:
            _apply_costs(line, source=source, **costs[line.pk])
        except ValidationError as error:
            result.refused[line.pk] = error
            continue
        _calculate(line, claim.month, rates)
        line.updated_by = by
        result.saved.append(line)
    _write_lines(result.saved, by)
    return result


def claim_line_update(
    *,
    line: ClaimLine,
    by,
    salary: Decimal | None,
    employer_ni: Decimal | None,
    employer_pension: Decimal | None,
    subcontract_fee: Decimal | None = None,
    source: str = "",
) -> ClaimLine:
    """One line's costs (the API's line endpoint): claim_lines_update for a single line, whose
    refusal is raised."""
    costs = {
        "salary": salary,
        "employer_ni": employer_ni,
        "employer_pension": employer_pension,
        "subcontract_fee": subcontract_fee,
    }
    result = claim_lines_update(
        claim=Claim(pk=line.claim_id), by=by, costs={line.pk: costs}, source=source
    )
    if line.pk in result.refused:
        raise result.refused[line.pk]
    if not result.saved:
        raise ClaimLine.DoesNotExist("The line is no longer on the claim.")
    return result.saved[0]


def claim_line_preview(
    *,
    line: ClaimLine,
    salary: Decimal | None,
    employer_ni: Decimal | None,
    employer_pension: Decimal | None,
    subcontract_fee: Decimal | None = None,
) -> tuple[ClaimLine, list[str]]:
    """The line as it would be with these costs, worked out but not saved, for the live
    breakdown: refused (ValidationError) as claim_line_update would refuse it, and returned with
    what claim_submit would refuse, from the same checks. Nothing is written."""
    _require_editable(line.claim)
    if line.is_locked:
        raise ValidationError("This line has been approved and can no longer change.")
    preview = copy.copy(line)
    preview.salary = salary
    preview.employer_ni = employer_ni
    preview.employer_pension = employer_pension
    preview.subcontract_fee = subcontract_fee if subcontract_fee is not None else ZERO
    _check_line(preview)
    return preview, _line_problems(preview, line.claim.month, RateBook())


@transaction.atomic
def claim_submit(
    *, claim: Claim, declared_additional: bool, declared_costs_paid: bool, by
) -> Claim:
    """Submit (or resubmit) a draft or returned claim for review.

    Refused, with each problem on the line concerned (key `line_<pk>`), when a line cannot be
    claimed; warnings (a cost over 1.5 times the cap, the entitlement passed) are kept on the
    claim and shown to the reviewer, but do not stop the submission.
    """
    claim = Claim.objects.select_for_update().select_related("pcn").get(pk=claim.pk)
    _require_editable(claim)
    errors = _declaration_errors(claim, declared_additional, declared_costs_paid)
    lines = list(claim.lines.select_related("post__role", "original_line"))
    errors.update(_line_errors(claim, lines))
    # The commissioner's evidence rule: the lines that need a file attached and have none.
    for key, problems in evidence.claim_evidence_errors(
        claim=claim, lines=lines, key=line_key
    ).items():
        errors.setdefault(key, []).extend(problems)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    _send_lines_for_review(lines, by)
    total = sum((calculations.adjustment_due(line) for line in lines), ZERO)
    warnings = _submission_warnings(claim, lines, total)
    resubmitted = claim.status == Claim.Status.RETURNED
    claim.declared_additional = declared_additional
    claim.declared_costs_paid = declared_costs_paid
    claim.submitted_at = now
    claim.submitted_by = by
    claim.warnings = warnings
    claim.status = _derived_status(lines)
    claim.full_clean()
    _save(claim, by)
    _notify_submitted(claim, total=total, resubmitted=resubmitted, by=by)
    return claim


def _declaration_errors(
    claim: Claim, declared_additional: bool, declared_costs_paid: bool
) -> dict[str, list[str]]:
    """The claim's own problems: its month, and the two declarations the practice must make."""
    errors: dict[str, list[str]] = {}
    try:
        _check_month(claim.month)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not declared_additional:
        errors["declared_additional"] = [
            "Confirm that the staff claimed for are additional to the PCN's baseline."
        ]
    if not declared_costs_paid:
        errors["declared_costs_paid"] = ["Confirm that the costs claimed were paid."]
    return errors


def _line_errors(claim: Claim, lines: list[ClaimLine]) -> dict[str, list[str]]:
    """Each line's problems under its key (approved lines are settled); no lines at all is a
    problem of the whole claim."""
    errors: dict[str, list[str]] = {}
    if not lines:
        errors["__all__"] = [
            f"There are no staff to claim for in {month_label(claim.month)}. Record the posts "
            "on the ARRS staff page, then refresh the lines."
        ]
    rates = RateBook()
    for line in lines:
        if line.is_locked:
            continue
        line.claim = claim
        problems = _line_problems(line, claim.month, rates)
        if problems:
            errors[line_key(line)] = problems
    return errors


def _line_problems(line: ClaimLine, month: dt.date, rates: RateBook) -> list[str]:
    """Why the line cannot be claimed; when nothing stops it, its figures are worked out."""
    problems = calculations.line_problems(line, month)
    if line.costs_entered:
        try:
            _check_line(line)
        except ValidationError as error:
            problems += error.messages
    if not problems:
        problems += _calculate(line, month, rates)
    return problems


def _send_lines_for_review(lines: list[ClaimLine], by) -> None:
    """Every line not yet approved goes to the reviewer as pending, its last decision cleared,
    with the figures the submission's checks worked out."""
    unsettled = [line for line in lines if not line.is_locked]
    for line in unsettled:
        line.status = ClaimLine.Status.PENDING
        line.decided_at = None
        line.decided_by = None
        line.updated_by = by
    _write_lines(unsettled, by)


def _submission_warnings(claim: Claim, lines: list[ClaimLine], total: Decimal) -> list[dict]:
    """What the reviewer is warned of: costs well over a line's cap, on-costs on a salary of
    £0, more than 2019/20's one of each role, the entitlement passed."""
    warnings = [
        {"line": line.pk, "message": message} for line in lines for message in line.warnings
    ]
    warnings += [
        {"line": None, "message": message}
        for message in calculations.one_each_warnings(lines, claim.month)
    ]
    over_entitlement = entitlement.entitlement_warning(claim, total)
    if over_entitlement:
        warnings.append({"line": None, "message": over_entitlement})
    return warnings


def _notify_submitted(claim: Claim, *, total: Decimal, resubmitted: bool, by) -> None:
    verb = "resubmitted" if resubmitted else "submitted"
    emails.notify_practice(
        claim,
        verb,
        f"The claim was {verb} by {by.get_full_name() or by.username} for £{total:,}. "
        "Your commissioner will review it.",
    )
    emails.notify_reviewers(
        claim, f"{verb}, ready for review", f"The claim for £{total:,} is ready for review."
    )


def _derived_status(lines: list[ClaimLine]) -> str:
    statuses = {line.status for line in lines}
    if statuses == {ClaimLine.Status.APPROVED}:
        return Claim.Status.APPROVED
    if statuses == {ClaimLine.Status.REJECTED}:
        return Claim.Status.REJECTED
    if ClaimLine.Status.APPROVED in statuses:
        return Claim.Status.PARTLY_APPROVED
    return Claim.Status.SUBMITTED
