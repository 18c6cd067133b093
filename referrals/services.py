"""Writes of the referrals app: keyword-only, transactional, validated, audited."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pcn_admin.models import Role, User

from .models import (
    ALLOWED_TRANSITIONS,
    OPEN_STATUSES,
    SNOMED_REFERRAL_ACCEPTED,
    SNOMED_REFERRAL_DECLINED,
    AuditEvent,
    CaseStudy,
    Contact,
    OnwardReferral,
    Organisation,
    OutcomeMeasurement,
    Referral,
    ReferralStatusChange,
    Service,
    Status,
)


def _audit_event(*, user: User | None, action: str, instance, detail: str = "") -> AuditEvent:
    authenticated = user is not None and user.is_authenticated
    return AuditEvent(
        user=user if authenticated else None,
        username=user.username if authenticated else "",
        role=user.role if authenticated else "",
        action=action,
        model=instance._meta.label,
        record_id=str(instance.pk),
        detail=detail,
    )


def audit_record(*, user: User | None, action: str, instance, detail: str = "") -> None:
    _audit_event(user=user, action=action, instance=instance, detail=detail).save()


def audit_records(*, user: User | None, action: str, instances: Iterable, detail: str = "") -> None:
    """One event per identifiable record shown, written in a single query."""
    events = [
        _audit_event(user=user, action=action, instance=instance, detail=detail)
        for instance in instances
    ]
    if events:
        AuditEvent.objects.bulk_create(events)


@transaction.atomic
def referral_create(
    *, by: User | None, reasons: Iterable, status_note: str = "", **fields
) -> Referral:
    """Record a new referral (by=None for a self-referral from the public form)."""
    referral = Referral(created_by=by, status=Status.RECEIVED, **fields)
    referral.full_clean()
    referral.save()
    reasons = list(reasons)
    if not reasons:
        raise ValidationError({"reasons": "Choose at least one reason for the referral."})
    referral.reasons.set(reasons)
    ReferralStatusChange.objects.create(
        referral=referral,
        from_status="",
        to_status=Status.RECEIVED,
        changed_by=by,
        note=status_note,
    )
    audit_record(user=by, action=AuditEvent.Action.CREATE, instance=referral)
    return referral


class ReferralTaken(ValidationError):
    """Another link worker took the referral first; `taken_by` is who."""

    def __init__(self, taken_by: User):
        self.taken_by = taken_by
        name = taken_by.get_full_name() or "Another link worker"
        super().__init__(f"{name} took this referral first: it is in their caseload now.")


@transaction.atomic
def referral_take(*, referral: Referral, by: User) -> Referral:
    """A link worker takes a referral from the PCN's new-referrals queue into their caseload.

    Claimed by a conditional update (only while it has no link worker), so when two take it
    at once exactly one succeeds; the other gets ReferralTaken. Taking it again is no change.
    """
    # The referral's own rule (Referral.clean), which the conditional update does not run.
    if by.role != Role.LINK_WORKER or by.pcn_id != referral.pcn_id:
        raise ValidationError("Only a link worker of this referral's PCN can take it.")
    taken = Referral.objects.filter(
        pk=referral.pk, link_worker__isnull=True, status__in=OPEN_STATUSES
    ).update(link_worker=by)
    current = Referral.objects.select_related("link_worker").get(pk=referral.pk)
    if taken != 1:
        if current.link_worker_id == by.pk:
            return current  # already theirs: a second press answers as the first did
        if current.link_worker_id is not None:
            raise ReferralTaken(current.link_worker)
        raise ValidationError("This referral has ended, so there is nothing to take.")
    audit_record(user=by, action=AuditEvent.Action.CHANGE, instance=current, detail="taken")
    referral.link_worker = current.link_worker
    return current


@transaction.atomic
def referral_assign(*, referral: Referral, link_worker: User | None, by: User) -> Referral:
    referral.link_worker = link_worker
    referral.full_clean()
    referral.save(update_fields=["link_worker"])
    audit_record(user=by, action=AuditEvent.Action.CHANGE, instance=referral, detail="assigned")
    return referral


@transaction.atomic
def referral_change_status(
    *,
    referral: Referral,
    to: str,
    by: User,
    note: str = "",
    outcome: str = "",
    closure_notes: str = "",
) -> Referral:
    """Move a referral one step on its path; every change is recorded with who and when.

    The first contact sets the SNOMED CT code for the message back to the GP: accepted when
    the person is first contacted, declined when they decline before that.
    """
    # Lock the row so two link workers cannot both move it from the same status.
    current = Referral.objects.select_for_update().get(pk=referral.pk)
    to = Status(to)
    if to not in ALLOWED_TRANSITIONS[Status(current.status)]:
        allowed = ", ".join(
            Status(s).label.lower() for s in sorted(ALLOWED_TRANSITIONS[Status(current.status)])
        )
        raise ValidationError(
            {
                "to": f"A referral that is {current.get_status_display().lower()} cannot move to "
                f"{to.label.lower()}. "
                + (f"Choose one of: {allowed}." if allowed else "It has ended.")
            }
        )
    if to == Status.CLOSED and not outcome:
        raise ValidationError({"outcome": "Choose the outcome before closing the referral."})
    from_status = current.status
    current.status = to
    if not current.gp_code:
        if to == Status.CONTACTED:
            current.gp_code = SNOMED_REFERRAL_ACCEPTED
        elif to == Status.DECLINED:
            current.gp_code = SNOMED_REFERRAL_DECLINED
    if to in (Status.CLOSED, Status.DECLINED, Status.DID_NOT_ENGAGE):
        current.closed_on = timezone.localdate()
        current.outcome = outcome
        current.closure_notes = closure_notes
    current.full_clean()
    current.save()
    ReferralStatusChange.objects.create(
        referral=current, from_status=from_status, to_status=to, changed_by=by, note=note
    )
    audit_record(
        user=by, action=AuditEvent.Action.CHANGE, instance=current, detail=f"status {to.value}"
    )
    # Keep the caller's object in step with what was saved.
    for field in ("status", "gp_code", "closed_on", "outcome", "closure_notes"):
        setattr(referral, field, getattr(current, field))
    return current


@transaction.atomic
def contact_record(*, referral: Referral, by: User, **fields) -> Contact:
    contact = Contact(referral=referral, recorded_by=by, **fields)
    contact.full_clean()
    contact.save()
    audit_record(user=by, action=AuditEvent.Action.CHANGE, instance=referral, detail="contact")
    return contact


@transaction.atomic
def onward_referral_create(
    *, referral: Referral, service: Service, consent_to_share: bool, message: str = "", by: User
) -> OnwardReferral:
    if not referral.is_open:
        raise ValidationError("This referral has ended: reopen work by making a new referral.")
    if service.capacity == Service.Capacity.CLOSED or not service.is_active:
        raise ValidationError(
            {"service": f"{service.name} is not taking referrals. Choose another service."}
        )
    onward = OnwardReferral(
        referral=referral,
        service=service,
        consent_to_share=consent_to_share,
        message=message if consent_to_share else "",
        created_by=by,
    )
    onward.full_clean()
    onward.save()
    audit_record(user=by, action=AuditEvent.Action.CHANGE, instance=referral, detail="onward")
    return onward


@transaction.atomic
def onward_referral_respond(
    *, onward_referral: OnwardReferral, accept: bool, reason: str = "", by: User
) -> OnwardReferral:
    """The organisation accepts or declines; claimed by a conditional update so that two
    replies at once cannot both win."""
    reason = reason.strip()
    if not accept and not reason:
        raise ValidationError(
            {
                "decline_reason": "Say why you cannot take this person, so the link worker can "
                "find them something else."
            }
        )
    new_status = OnwardReferral.Status.ACCEPTED if accept else OnwardReferral.Status.DECLINED
    changed = OnwardReferral.objects.filter(
        pk=onward_referral.pk, status=OnwardReferral.Status.PENDING
    ).update(
        status=new_status,
        decline_reason="" if accept else reason,
        responded_at=timezone.now(),
        responded_by=by,
    )
    if changed != 1:
        raise ValidationError("This referral has already been answered.")
    onward_referral.refresh_from_db()
    audit_record(
        user=by, action=AuditEvent.Action.CHANGE, instance=onward_referral, detail=new_status
    )
    return onward_referral


@transaction.atomic
def outcome_record(*, referral: Referral, by: User, **fields) -> OutcomeMeasurement:
    measurement = OutcomeMeasurement(referral=referral, recorded_by=by, **fields)
    measurement.full_clean()
    measurement.save()
    audit_record(user=by, action=AuditEvent.Action.CHANGE, instance=referral, detail="outcome")
    return measurement


@transaction.atomic
def referral_record_gp_appointments(
    *, referral: Referral, before: int | None, after: int | None, by: User
) -> Referral:
    referral.gp_appointments_before = before
    referral.gp_appointments_after = after
    referral.full_clean()
    referral.save(update_fields=["gp_appointments_before", "gp_appointments_after"])
    audit_record(
        user=by, action=AuditEvent.Action.CHANGE, instance=referral, detail="gp appointments"
    )
    return referral


@transaction.atomic
def case_study_create(*, by: User, **fields) -> CaseStudy:
    case_study = CaseStudy(created_by=by, **fields)
    case_study.full_clean()
    case_study.save()
    return case_study


@transaction.atomic
def organisation_save(*, organisation: Organisation, by: User) -> Organisation:
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def service_save(*, service: Service, taxonomy_terms=None, by: User) -> Service:
    service.full_clean()
    service.save()
    if taxonomy_terms is not None:
        service.taxonomy_terms.set(taxonomy_terms)
    return service
