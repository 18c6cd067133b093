"""The one access module: what each user may see and change.

Every view, admin page and API endpoint takes its querysets and permission answers from here.
Outside the user's scope is a 404 (the queryset hides it); an action the role lacks is a 403.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from networks.models import PCN, Commissioner, Membership, Practice

from .models import Role, User


def is_commissioner_staff(user: User) -> bool:
    return user.is_authenticated and user.role == Role.COMMISSIONER_STAFF


def sees_everything(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.is_superuser


def _current_pcn_ids_of_practice(practice_id: int) -> QuerySet:
    return Membership.objects.current().filter(practice_id=practice_id).values("pcn_id")


def visible_commissioners(user: User) -> QuerySet[Commissioner]:
    if sees_everything(user):
        return Commissioner.objects.all()
    if not user.is_authenticated:
        return Commissioner.objects.none()
    if user.role == Role.COMMISSIONER_STAFF:
        return Commissioner.objects.filter(pk=user.commissioner_id)
    return Commissioner.objects.filter(pk__in=visible_pcns(user).values("commissioner_id"))


def visible_pcns(user: User) -> QuerySet[PCN]:
    """Commissioner staff: their area's PCNs. CD and link worker: their PCN. Practice: its PCN."""
    if sees_everything(user):
        return PCN.objects.all()
    if not user.is_authenticated:
        return PCN.objects.none()
    match user.role:
        case Role.COMMISSIONER_STAFF:
            return PCN.objects.filter(commissioner_id=user.commissioner_id)
        case Role.CLINICAL_DIRECTOR | Role.LINK_WORKER:
            return PCN.objects.filter(pk=user.pcn_id)
        case Role.PRACTICE_MANAGER:
            return PCN.objects.filter(pk__in=_current_pcn_ids_of_practice(user.practice_id))
    return PCN.objects.none()


def visible_practices(user: User) -> QuerySet[Practice]:
    """Commissioner staff: practices parented by them or in their PCNs; a PCN's users: members."""
    if sees_everything(user):
        return Practice.objects.all()
    if not user.is_authenticated:
        return Practice.objects.none()
    match user.role:
        case Role.COMMISSIONER_STAFF:
            in_their_pcns = Membership.objects.filter(
                practice=OuterRef("pk"), pcn__commissioner_id=user.commissioner_id
            )
            return Practice.objects.filter(
                Exists(in_their_pcns) | Q(commissioner_id=user.commissioner_id)
            )
        case Role.CLINICAL_DIRECTOR | Role.LINK_WORKER:
            members = Membership.objects.filter(pcn_id=user.pcn_id).values("practice_id")
            return Practice.objects.filter(pk__in=members)
        case Role.PRACTICE_MANAGER:
            return Practice.objects.filter(pk=user.practice_id)
    return Practice.objects.none()


def can_edit_register(user: User, commissioner: Commissioner | None = None) -> bool:
    """Only commissioner staff (for their own area) and superusers change the register."""
    if sees_everything(user):
        return True
    if not is_commissioner_staff(user):
        return False
    return commissioner is None or commissioner.pk == user.commissioner_id


def can_use_admin(user: User) -> bool:
    return sees_everything(user) or (is_commissioner_staff(user) and user.is_staff)


# Social prescribing
# Identifiable referral details are for the person's PCN's link workers and clinical director
# only; organisations see people referred to their services as far as consent allows;
# commissioner staff see aggregates. Superusers get no identities either: the rule has no
# exception for system administrators.


def sees_referral_identities(user: User) -> bool:
    return user.is_authenticated and user.role in (Role.LINK_WORKER, Role.CLINICAL_DIRECTOR)


def visible_referrals(user: User) -> QuerySet:
    from referrals.models import Referral

    if not sees_referral_identities(user):
        return Referral.objects.none()
    return Referral.objects.filter(pcn_id=user.pcn_id)


def can_manage_referrals(user: User, pcn_id: int | None = None) -> bool:
    """Link workers create and work referrals of their own PCN; the clinical director reads."""
    if not (user.is_authenticated and user.role == Role.LINK_WORKER):
        return False
    return pcn_id is None or pcn_id == user.pcn_id


def visible_onward_referrals(user: User) -> QuerySet:
    """Community organisation staff: people referred on to their own organisation's services."""
    from referrals.models import OnwardReferral

    if not (user.is_authenticated and user.role == Role.COMMUNITY_ORGANISATION):
        return OnwardReferral.objects.none()
    return OnwardReferral.objects.filter(service__organisation_id=user.organisation_id)


def referral_overview_pcns(user: User) -> QuerySet[PCN]:
    """PCNs whose social prescribing aggregates (never identities) the user may see."""
    if user.is_authenticated and user.role in (
        Role.COMMISSIONER_STAFF,
        Role.CLINICAL_DIRECTOR,
        Role.LINK_WORKER,
    ):
        return visible_pcns(user)
    if sees_everything(user):
        return PCN.objects.all()
    return PCN.objects.none()


def can_edit_directory(user: User, organisation=None) -> bool:
    """Commissioner staff keep the directory; an organisation's staff edit their own entry."""
    if sees_everything(user) or is_commissioner_staff(user):
        return True
    if user.is_authenticated and user.role == Role.COMMUNITY_ORGANISATION:
        return organisation is not None and organisation.pk == user.organisation_id
    return False


# ARRS posts (roles app): PCNs keep their own staff in post; commissioners read their area's.
def visible_posts(user: User):
    """Posts of the PCNs the user sees, for the roles that deal with ARRS staff."""
    from roles.models import Post

    if sees_everything(user):
        return Post.objects.all()
    if not user.is_authenticated or user.role not in (
        Role.COMMISSIONER_STAFF,
        Role.CLINICAL_DIRECTOR,
        Role.PRACTICE_MANAGER,
    ):
        return Post.objects.none()
    return Post.objects.filter(pcn__in=visible_pcns(user))


def can_view_posts(user: User) -> bool:
    return sees_everything(user) or (
        user.is_authenticated
        and user.role in (Role.COMMISSIONER_STAFF, Role.CLINICAL_DIRECTOR, Role.PRACTICE_MANAGER)
    )


def editable_pcns_for_posts(user: User) -> QuerySet[PCN]:
    """Clinical directors and practice managers keep their own PCN's posts."""
    if sees_everything(user):
        return PCN.objects.all()
    if user.is_authenticated and user.role in (Role.CLINICAL_DIRECTOR, Role.PRACTICE_MANAGER):
        return visible_pcns(user)
    return PCN.objects.none()


def can_edit_posts(user: User, pcn: PCN | None = None) -> bool:
    if sees_everything(user):
        return True
    if not user.is_authenticated or user.role not in (
        Role.CLINICAL_DIRECTOR,
        Role.PRACTICE_MANAGER,
    ):
        return False
    return pcn is None or editable_pcns_for_posts(user).filter(pk=pcn.pk).exists()


def can_edit_rates(user: User) -> bool:
    """ARRS reference data (roles, rates, ARR sum rates): commissioner staff and superusers."""
    return sees_everything(user) or is_commissioner_staff(user)


# Claims (reimbursement app): the PCN's clinical director, or the practice manager of the
# practice that is the nominated payee on the claim's month, prepares a claim; commissioner
# staff review their own area's claims.
def _payee_on_month(practice_id, month) -> QuerySet:
    """NominatedPayee rows naming this practice in force on the 1st of `month`
    (an OuterRef or a date)."""
    from networks.models import NominatedPayee

    return NominatedPayee.objects.filter(practice_id=practice_id, start_date__lte=month).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=month)
    )


def visible_claims(user: User) -> QuerySet:
    from reimbursement.models import Claim

    if sees_everything(user):
        return Claim.objects.all()
    if not user.is_authenticated:
        return Claim.objects.none()
    match user.role:
        case Role.COMMISSIONER_STAFF:
            return Claim.objects.filter(pcn__commissioner_id=user.commissioner_id)
        case Role.CLINICAL_DIRECTOR:
            return Claim.objects.filter(pcn_id=user.pcn_id)
        case Role.PRACTICE_MANAGER:
            payee = _payee_on_month(user.practice_id, OuterRef("month")).filter(
                pcn_id=OuterRef("pcn_id")
            )
            return Claim.objects.filter(Exists(payee))
    return Claim.objects.none()


def can_prepare_claim(user: User, pcn: PCN | None = None, month=None) -> bool:
    """Without a PCN: whether the role prepares claims at all (to show the pages)."""
    if sees_everything(user):
        return True
    if not user.is_authenticated:
        return False
    if user.role == Role.CLINICAL_DIRECTOR:
        return pcn is None or pcn.pk == user.pcn_id
    if user.role == Role.PRACTICE_MANAGER:
        if pcn is None:
            return True
        payees = _payee_on_month(user.practice_id, month) if month else None
        if payees is None:
            from networks.models import NominatedPayee

            payees = NominatedPayee.objects.current().filter(practice_id=user.practice_id)
        return payees.filter(pcn_id=pcn.pk).exists()
    return False


def claimable_pcns(user: User) -> QuerySet[PCN]:
    """PCNs the user may start a claim for: the CD's PCN; the PCNs whose current nominated
    payee is the practice manager's practice."""
    if sees_everything(user):
        return PCN.objects.all()
    if not user.is_authenticated:
        return PCN.objects.none()
    if user.role == Role.CLINICAL_DIRECTOR:
        return PCN.objects.filter(pk=user.pcn_id)
    if user.role == Role.PRACTICE_MANAGER:
        from networks.models import NominatedPayee

        payees = NominatedPayee.objects.current().filter(practice_id=user.practice_id)
        return PCN.objects.filter(pk__in=payees.values("pcn_id"))
    return PCN.objects.none()


def can_review_claims(user: User, commissioner: Commissioner | None = None) -> bool:
    """Commissioner staff review their own area's claims; superusers any."""
    if sees_everything(user):
        return True
    if not is_commissioner_staff(user):
        return False
    return commissioner is None or commissioner.pk == user.commissioner_id


# Batches (reimbursement app): commissioner staff build, finalise and record payment of their
# own area's batches and download the full files; a PCN's clinical director and the manager of
# its nominated payee practice see only their PCN's subtotal (the remittance). Link workers
# and community organisation staff see no batches.
def visible_batches(user: User) -> QuerySet:
    from reimbursement.models import Batch, BatchPayee

    if sees_everything(user):
        return Batch.objects.all()
    if not user.is_authenticated:
        return Batch.objects.none()
    match user.role:
        case Role.COMMISSIONER_STAFF:
            return Batch.objects.filter(commissioner_id=user.commissioner_id)
        case Role.CLINICAL_DIRECTOR:
            rows = BatchPayee.objects.filter(batch_id=OuterRef("pk"), pcn_id=user.pcn_id)
            return Batch.objects.filter(Exists(rows))
        case Role.PRACTICE_MANAGER:
            rows = BatchPayee.objects.filter(
                batch_id=OuterRef("pk"), payee_practice_id=user.practice_id
            )
            return Batch.objects.filter(Exists(rows))
    return Batch.objects.none()


def visible_batch_payees(user: User) -> QuerySet:
    """The PCN subtotals (remittances) the user may see: all of their area's for commissioner
    staff; their PCN's for a clinical director; those paid to their practice for its manager."""
    from reimbursement.models import BatchPayee

    if sees_everything(user):
        return BatchPayee.objects.all()
    if not user.is_authenticated:
        return BatchPayee.objects.none()
    match user.role:
        case Role.COMMISSIONER_STAFF:
            return BatchPayee.objects.filter(batch__commissioner_id=user.commissioner_id)
        case Role.CLINICAL_DIRECTOR:
            return BatchPayee.objects.filter(pcn_id=user.pcn_id)
        case Role.PRACTICE_MANAGER:
            return BatchPayee.objects.filter(payee_practice_id=user.practice_id)
    return BatchPayee.objects.none()


def can_view_remittances(user: User) -> bool:
    """Whether the role deals with payment batches at all (to show the pages and the API)."""
    return sees_everything(user) or (
        user.is_authenticated
        and user.role in (Role.COMMISSIONER_STAFF, Role.CLINICAL_DIRECTOR, Role.PRACTICE_MANAGER)
    )


def can_manage_batches(user: User, commissioner: Commissioner | None = None) -> bool:
    """Build, finalise, mark paid and download the full payment file: commissioner staff of
    that commissioner, and superusers."""
    if sees_everything(user):
        return True
    if not is_commissioner_staff(user):
        return False
    return commissioner is None or commissioner.pk == user.commissioner_id


def visible_batch_runs(user: User) -> QuerySet:
    """Requests to build batches: the commissioner's staff watch their own area's."""
    from reimbursement.models import BatchRun

    if sees_everything(user):
        return BatchRun.objects.all()
    if is_commissioner_staff(user):
        return BatchRun.objects.filter(commissioner_id=user.commissioner_id)
    return BatchRun.objects.none()


# Dashboards (networks app): a clinical director sees their own PCN's dashboard; commissioner
# staff see their area's PCNs' and their commissioner's; superusers any. Aggregates only: no
# dashboard shows a patient's identity, so no identity rule applies here.
def can_view_pcn_dashboard(user: User) -> bool:
    return sees_everything(user) or (
        user.is_authenticated and user.role in (Role.CLINICAL_DIRECTOR, Role.COMMISSIONER_STAFF)
    )


def pcn_dashboard_pcns(user: User) -> QuerySet[PCN]:
    """PCNs whose dashboard the user may open (others are a 404 for a role that has one)."""
    if not can_view_pcn_dashboard(user):
        return PCN.objects.none()
    return visible_pcns(user)


def can_view_commissioner_dashboard(user: User) -> bool:
    return sees_everything(user) or is_commissioner_staff(user)


def commissioner_dashboard_commissioners(user: User) -> QuerySet[Commissioner]:
    """Commissioner staff: their own; superusers: any."""
    if not can_view_commissioner_dashboard(user):
        return Commissioner.objects.none()
    return visible_commissioners(user)
