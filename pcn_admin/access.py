"""The one access module: what each user may see and change (decision 0008).

Two parts, used alike by pages, the API and the admin:
- the table: each Permission and the roles that grant it (GRANTS), with the reach of an object
  (REACH: own area, own PCN, own organisation) checked per object by `can(user, perm, obj)`;
- the scopes: the querysets of what a user may see (`visible_pcns(user)`, ...). An object
  outside them is a 404; `load()` and the DRF class `Allowed` do both checks in one step:
  403 without the permission, 404 outside the scope.
Nothing else in the project asks for a user's role to decide access.
"""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from networks.models import PCN, Commissioner, Membership, Practice

from .models import Role, User


class Permission(StrEnum):
    USE_ADMIN = "use_admin"
    EDIT_REGISTER = "edit_register"
    DELETE_REGISTER = "delete_register"
    EDIT_RATES = "edit_rates"
    VIEW_POSTS = "view_posts"
    EDIT_POSTS = "edit_posts"
    VIEW_CLAIMS = "view_claims"
    PREPARE_CLAIMS = "prepare_claims"
    REVIEW_CLAIMS = "review_claims"
    VIEW_REMITTANCES = "view_remittances"
    MANAGE_BATCHES = "manage_batches"
    VIEW_PCN_DASHBOARD = "view_pcn_dashboard"
    VIEW_COMMISSIONER_DASHBOARD = "view_commissioner_dashboard"
    VIEW_FIGURES_COVERAGE = "view_figures_coverage"
    VIEW_REFERRALS = "view_referrals"
    SEE_REFERRAL_IDENTITIES = "see_referral_identities"
    MANAGE_REFERRALS = "manage_referrals"
    VIEW_REFERRAL_OVERVIEW = "view_referral_overview"
    ANSWER_ONWARD_REFERRALS = "answer_onward_referrals"
    EDIT_DIRECTORY = "edit_directory"
    KEEP_DIRECTORY = "keep_directory"
    SET_CLAIM_CYCLE = "set_claim_cycle"
    VIEW_WORKFORCE_PLANS = "view_workforce_plans"
    EDIT_WORKFORCE_PLANS = "edit_workforce_plans"
    SIGN_OFF_WORKFORCE_PLANS = "sign_off_workforce_plans"
    VIEW_MATURITY = "view_maturity"
    COMPLETE_ASSESSMENTS = "complete_assessments"
    MANAGE_ASSESSMENT_ROUNDS = "manage_assessment_rounds"
    EDIT_MATURITY_MATRIX = "edit_maturity_matrix"
    EDIT_PROSPECTUS_CHECKLIST = "edit_prospectus_checklist"
    VIEW_DECLARED_PAYMENTS = "view_declared_payments"
    MANAGE_DECLARED_PAYMENTS = "manage_declared_payments"
    VIEW_RECONCILIATION = "view_reconciliation"
    VIEW_DEVELOPMENT_FUNDING = "view_development_funding"
    MANAGE_DEVELOPMENT_FUNDING = "manage_development_funding"
    CLAIM_BACKFILL = "claim_backfill"
    VIEW_BACKFILL_CLAIMS = "view_backfill_claims"
    REVIEW_BACKFILL_CLAIMS = "review_backfill_claims"


# Superusers are not a role: they hold what this set says, in every area.
SUPERUSER = "superuser"
COMMISSIONER, DIRECTOR, PRACTICE, LINK_WORKER, ORGANISATION = (
    Role.COMMISSIONER_STAFF,
    Role.CLINICAL_DIRECTOR,
    Role.PRACTICE_MANAGER,
    Role.LINK_WORKER,
    Role.COMMUNITY_ORGANISATION,
)

# Who holds each permission. Identifiable referrals are for the person's PCN's link workers
# only: the rule has no exception for system administrators. The clinical director sees the
# PCN's referrals without identities (decision 0010).
GRANTS: dict[Permission, frozenset] = {
    Permission.USE_ADMIN: frozenset({COMMISSIONER, SUPERUSER}),
    Permission.EDIT_REGISTER: frozenset({COMMISSIONER, SUPERUSER}),
    # The register keeps history: rows end or close; only a superuser deletes a mistake.
    Permission.DELETE_REGISTER: frozenset({SUPERUSER}),
    # National figures (ARRS roles, maxima, percentages, ARR sum rates, pay awards) are the same
    # for every commissioner: only a national administrator (a superuser) changes them.
    Permission.EDIT_RATES: frozenset({SUPERUSER}),
    Permission.VIEW_POSTS: frozenset({COMMISSIONER, DIRECTOR, PRACTICE, SUPERUSER}),
    Permission.EDIT_POSTS: frozenset({DIRECTOR, PRACTICE, SUPERUSER}),
    Permission.VIEW_CLAIMS: frozenset({COMMISSIONER, DIRECTOR, PRACTICE, SUPERUSER}),
    Permission.PREPARE_CLAIMS: frozenset({DIRECTOR, PRACTICE, SUPERUSER}),
    Permission.REVIEW_CLAIMS: frozenset({COMMISSIONER, SUPERUSER}),
    Permission.VIEW_REMITTANCES: frozenset({COMMISSIONER, DIRECTOR, PRACTICE, SUPERUSER}),
    Permission.MANAGE_BATCHES: frozenset({COMMISSIONER, SUPERUSER}),
    # The dashboard and the entitlement API show the same money: one permission for both.
    Permission.VIEW_PCN_DASHBOARD: frozenset({COMMISSIONER, DIRECTOR, SUPERUSER}),
    Permission.VIEW_COMMISSIONER_DASHBOARD: frozenset({COMMISSIONER, SUPERUSER}),
    # National reference data: which months each role can be claimed in, for every area alike.
    Permission.VIEW_FIGURES_COVERAGE: frozenset({COMMISSIONER, SUPERUSER}),
    Permission.VIEW_REFERRALS: frozenset({LINK_WORKER, DIRECTOR}),
    Permission.SEE_REFERRAL_IDENTITIES: frozenset({LINK_WORKER}),
    Permission.MANAGE_REFERRALS: frozenset({LINK_WORKER}),
    Permission.VIEW_REFERRAL_OVERVIEW: frozenset({COMMISSIONER, DIRECTOR, LINK_WORKER, SUPERUSER}),
    Permission.ANSWER_ONWARD_REFERRALS: frozenset({ORGANISATION}),
    Permission.EDIT_DIRECTORY: frozenset({COMMISSIONER, ORGANISATION, SUPERUSER}),
    Permission.KEEP_DIRECTORY: frozenset({COMMISSIONER, SUPERUSER}),
    # The claim cycle (claim_cycle app): each commissioner sets its own claim deadline,
    # reminders and finance file layout in the admin, and reads the reminders sent.
    Permission.SET_CLAIM_CYCLE: frozenset({COMMISSIONER, SUPERUSER}),
    # Workforce plans are priced against the entitlement, the PCN dashboard's money: for the
    # clinical director, who drafts and submits the PCN's plan (and turns planned posts into
    # posts in post), and the commissioner's staff, who sign plans off. Practice managers keep
    # posts but, as for the dashboard, do not see the entitlement.
    Permission.VIEW_WORKFORCE_PLANS: frozenset({COMMISSIONER, DIRECTOR, SUPERUSER}),
    Permission.EDIT_WORKFORCE_PLANS: frozenset({DIRECTOR, SUPERUSER}),
    Permission.SIGN_OFF_WORKFORCE_PLANS: frozenset({COMMISSIONER, SUPERUSER}),
    # PCN development (maturity app): the PCN's clinical director completes its
    # self-assessment; the commissioner's staff open rounds, add the system's view and their
    # own place-level assessment; the matrix itself is national, kept by national administrators.
    Permission.VIEW_MATURITY: frozenset({COMMISSIONER, DIRECTOR, SUPERUSER}),
    Permission.COMPLETE_ASSESSMENTS: frozenset({DIRECTOR, SUPERUSER}),
    Permission.MANAGE_ASSESSMENT_ROUNDS: frozenset({COMMISSIONER, SUPERUSER}),
    Permission.EDIT_MATURITY_MATRIX: frozenset({SUPERUSER}),
    Permission.EDIT_PROSPECTUS_CHECKLIST: frozenset({COMMISSIONER, DIRECTOR, SUPERUSER}),
    # Declared Network Contract DES amounts (IIF, care home premium, enhanced access, capacity
    # and access): the commissioner's staff enter, import and review their own area's; the
    # PCN's people read their PCN's, as they read its claims and remittances.
    Permission.VIEW_DECLARED_PAYMENTS: frozenset({COMMISSIONER, DIRECTOR, PRACTICE, SUPERUSER}),
    Permission.MANAGE_DECLARED_PAYMENTS: frozenset({COMMISSIONER, SUPERUSER}),
    # What the app paid each PCN against what NHS England reported as paid: the
    # commissioner's staff check their own area's; national administrators any area's.
    Permission.VIEW_RECONCILIATION: frozenset({COMMISSIONER, SUPERUSER}),
    # PCN development funding (development app): the commissioner's staff keep their area's
    # allocations, commitments, spend and the baseline posts they fund; a PCN's clinical
    # director reads what is committed to the PCN and its baseline posts. A member practice's
    # manager claims backfill and sees the practice's claims; the staff review them.
    Permission.VIEW_DEVELOPMENT_FUNDING: frozenset({COMMISSIONER, DIRECTOR, SUPERUSER}),
    Permission.MANAGE_DEVELOPMENT_FUNDING: frozenset({COMMISSIONER, SUPERUSER}),
    Permission.CLAIM_BACKFILL: frozenset({PRACTICE}),
    Permission.VIEW_BACKFILL_CLAIMS: frozenset({COMMISSIONER, DIRECTOR, PRACTICE, SUPERUSER}),
    Permission.REVIEW_BACKFILL_CLAIMS: frozenset({COMMISSIONER, SUPERUSER}),
}

# What a refused user is told (a 403 page or the API's "detail").
REFUSALS: dict[Permission, str] = {
    Permission.USE_ADMIN: "The admin is for commissioner staff.",
    Permission.EDIT_REGISTER: "Only commissioner staff can change their own area's register.",
    Permission.DELETE_REGISTER: "Only a superuser can delete from the register: close or end "
    "it instead.",
    Permission.EDIT_RATES: "ARRS roles, maxima, percentages and ARR sum rates are national "
    "figures: only a national administrator can change them.",
    Permission.VIEW_POSTS: "Only PCN and commissioner staff can see ARRS posts.",
    Permission.EDIT_POSTS: "Only the PCN's clinical director or practice managers can change "
    "its ARRS posts.",
    Permission.VIEW_CLAIMS: "Only PCN and commissioner staff can see ARRS claims.",
    Permission.PREPARE_CLAIMS: "Only the PCN's clinical director, or the manager of its "
    "nominated payee practice, can prepare its claims.",
    Permission.REVIEW_CLAIMS: "Only the commissioner's staff can review its PCNs' claims.",
    Permission.VIEW_REMITTANCES: "Payment batches are for the commissioner's staff, and "
    "remittances for the PCN's clinical director and payee practice.",
    Permission.MANAGE_BATCHES: "Only the commissioner's staff can build, finalise and pay its "
    "batches.",
    Permission.VIEW_PCN_DASHBOARD: "A PCN's dashboard is for its clinical director and its "
    "commissioner's staff.",
    Permission.VIEW_COMMISSIONER_DASHBOARD: "The commissioner's dashboard is for its staff.",
    Permission.VIEW_FIGURES_COVERAGE: "The coverage of ARRS figures is for commissioner staff.",
    Permission.VIEW_REFERRALS: "Referrals are for the PCN's link workers and clinical director.",
    Permission.SEE_REFERRAL_IDENTITIES: "Who was referred is for the PCN's link workers only.",
    Permission.MANAGE_REFERRALS: "Only the PCN's link workers can record and work referrals.",
    Permission.VIEW_REFERRAL_OVERVIEW: "The overview is for PCN and commissioner staff.",
    Permission.ANSWER_ONWARD_REFERRALS: "The inbox is for community organisation staff.",
    Permission.EDIT_DIRECTORY: "Only commissioner staff, or the organisation's own staff, "
    "can change this entry.",
    Permission.KEEP_DIRECTORY: "Only commissioner staff add organisations to the directory.",
    Permission.SET_CLAIM_CYCLE: "Only the commissioner's staff set its claim deadline, "
    "reminders and finance file layout.",
    Permission.VIEW_WORKFORCE_PLANS: "A PCN's workforce plan is for its clinical director and "
    "its commissioner's staff.",
    Permission.EDIT_WORKFORCE_PLANS: "Only the PCN's clinical director can change and submit "
    "its workforce plan.",
    Permission.SIGN_OFF_WORKFORCE_PLANS: "Only the commissioner's staff sign off its PCNs' "
    "workforce plans.",
    Permission.VIEW_MATURITY: "PCN development (the maturity matrix, self-assessments and the "
    "prospectus checklist) is for the PCN's clinical director and its commissioner's staff.",
    Permission.COMPLETE_ASSESSMENTS: "Only the PCN's clinical director completes its "
    "self-assessment.",
    Permission.MANAGE_ASSESSMENT_ROUNDS: "Only the commissioner's staff open and close "
    "self-assessment rounds and add the system's view.",
    Permission.EDIT_MATURITY_MATRIX: "The maturity matrix is national: only a national "
    "administrator can change or confirm it.",
    Permission.EDIT_PROSPECTUS_CHECKLIST: "Only the PCN's clinical director or its "
    "commissioner's staff can record its progress against the prospectus.",
    Permission.VIEW_DECLARED_PAYMENTS: "Declared payment amounts are for the PCN's clinical "
    "director and practice managers and its commissioner's staff.",
    Permission.MANAGE_DECLARED_PAYMENTS: "Only the commissioner's staff enter, import and "
    "review its PCNs' declared payment amounts.",
    Permission.VIEW_RECONCILIATION: "The reconciliation of PCN payments with what NHS England "
    "reported is for the commissioner's staff.",
    Permission.VIEW_DEVELOPMENT_FUNDING: "A PCN's development funding and baseline posts are for "
    "its clinical director and its commissioner's staff.",
    Permission.MANAGE_DEVELOPMENT_FUNDING: "Only the commissioner's staff keep its development "
    "funding (allocations, commitments and spend) and the baseline posts it funds.",
    Permission.CLAIM_BACKFILL: "Backfill is claimed by the manager of a member practice of the "
    "PCN.",
    Permission.VIEW_BACKFILL_CLAIMS: "Backfill claims are for the practice that made them, its "
    "PCN's clinical director and its commissioner's staff.",
    Permission.REVIEW_BACKFILL_CLAIMS: "Only the commissioner's staff review backfill claims.",
}


def _grantee(user: User) -> str | None:
    if not (user.is_authenticated and user.is_active):
        return None
    if user.is_superuser:
        return SUPERUSER
    return user.role or None


def has(user: User, permission: Permission) -> bool:
    """Whether the user's role grants the permission at all (to show a page, link or button)."""
    grantee = _grantee(user)
    if grantee is None or grantee not in GRANTS[permission]:
        return False
    # Commissioner staff reach the admin only with Django's staff flag as well.
    return permission != Permission.USE_ADMIN or grantee == SUPERUSER or user.is_staff


def can(user: User, permission: Permission, obj=None, **context) -> bool:
    """`has`, and the object within the permission's reach (REACH) for this user."""
    if not has(user, permission):
        return False
    if obj is None or user.is_superuser:
        return True
    reach = REACH.get(permission)
    return reach is None or reach(user, obj, **context)


def require(user: User, permission: Permission, obj=None, **context) -> None:
    """403, with the table's reason, unless `can`."""
    if not can(user, permission, obj, **context):
        raise PermissionDenied(REFUSALS[permission])


def load(user: User, permission: Permission, scope: QuerySet, **lookup):
    """Load one object for a page: 403 without the permission, 404 outside `scope` (one of the
    visible_* querysets below), then the object's reach (403)."""
    require(user, permission)
    obj = get_object_or_404(scope, **lookup)
    require(user, permission, obj)
    return obj


def loads(permission: Permission, scope: Callable[[User], QuerySet], field: str = "pk"):
    """A page's loader: the view is called with the object named by the URL's `field` in place
    of that keyword, loaded by `load` (403 without the permission, 404 outside the scope)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            value = kwargs.pop(field)
            obj = load(request.user, permission, scope(request.user), **{field: value})
            return view(request, obj, *args, **kwargs)

        return wrapped

    return decorator


def _commissioner_id_of(obj) -> int | None:
    if isinstance(obj, Commissioner):
        return obj.pk
    if getattr(obj, "commissioner_id", None) is not None:
        return obj.commissioner_id
    pcn = getattr(obj, "pcn", None)
    return pcn.commissioner_id if pcn is not None else None


def _pcn_id_of(obj) -> int | None:
    return obj.pk if isinstance(obj, PCN) else getattr(obj, "pcn_id", None)


def _in_own_area(user: User, obj, **context) -> bool:
    return _commissioner_id_of(obj) == user.commissioner_id


def _in_own_pcn(user: User, obj, **context) -> bool:
    return _pcn_id_of(obj) == user.pcn_id


def _posts_reach(user: User, obj, **context) -> bool:
    return editable_pcns_for_posts(user).filter(pk=_pcn_id_of(obj)).exists()


def _claim_reach(user: User, obj, month=None, **context) -> bool:
    """The CD's own PCN; for a practice manager, a PCN whose nominated payee (on `month`, else
    today) is their practice."""
    pcn_id = _pcn_id_of(obj)
    if user.role == DIRECTOR:
        return pcn_id == user.pcn_id
    if month is not None:
        payees = _payee_on_month(user.practice_id, month)
    else:
        from networks.models import NominatedPayee

        payees = NominatedPayee.objects.current().filter(practice_id=user.practice_id)
    return payees.filter(pcn_id=pcn_id).exists()


def _in_development_area(user: User, obj, **context) -> bool:
    """Development funding's records: an allocation (or its commitment) is its commissioner's;
    a baseline post or a backfill claim, its PCN's commissioner's."""
    allocation = getattr(obj, "allocation", None)
    if allocation is not None:
        return allocation.commissioner_id == user.commissioner_id
    return _commissioner_id_of(obj) == user.commissioner_id


def _directory_reach(user: User, organisation, **context) -> bool:
    if user.role == ORGANISATION:
        return organisation is not None and organisation.pk == user.organisation_id
    return True


# How far a permission reaches, per object. A permission without an entry reaches every object
# of the scope the page loaded it from.
REACH: dict[Permission, Callable[..., bool]] = {
    Permission.EDIT_REGISTER: _in_own_area,
    Permission.EDIT_POSTS: _posts_reach,
    Permission.PREPARE_CLAIMS: _claim_reach,
    Permission.REVIEW_CLAIMS: _in_own_area,
    Permission.MANAGE_BATCHES: _in_own_area,
    Permission.VIEW_COMMISSIONER_DASHBOARD: _in_own_area,
    Permission.MANAGE_REFERRALS: _in_own_pcn,
    Permission.EDIT_DIRECTORY: _directory_reach,
    Permission.SET_CLAIM_CYCLE: _in_own_area,
    Permission.EDIT_WORKFORCE_PLANS: _in_own_pcn,
    Permission.SIGN_OFF_WORKFORCE_PLANS: _in_own_area,
    Permission.COMPLETE_ASSESSMENTS: _in_own_pcn,
    Permission.MANAGE_ASSESSMENT_ROUNDS: _in_own_area,
    Permission.MANAGE_DECLARED_PAYMENTS: _in_own_area,
    Permission.VIEW_RECONCILIATION: _in_own_area,
    Permission.MANAGE_DEVELOPMENT_FUNDING: _in_development_area,
    Permission.REVIEW_BACKFILL_CLAIMS: _in_development_area,
}


# The scopes ------------------------------------------------------------------------------


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
            # Today's members: a practice that has left for another PCN is that PCN's now.
            members = Membership.objects.current().filter(pcn_id=user.pcn_id)
            return Practice.objects.filter(pk__in=members.values("practice_id"))
        case Role.PRACTICE_MANAGER:
            return Practice.objects.filter(pk=user.practice_id)
    return Practice.objects.none()


# Social prescribing
# Identifiable referral details are for the person's PCN's link workers only; its clinical
# director sees the same referrals without identities (decision 0010); organisations see
# people referred to their services as far as consent allows;
# commissioner staff see aggregates. Superusers get no identities either: the rule has no
# exception for system administrators.


def visible_referrals(user: User) -> QuerySet:
    from referrals.models import Referral

    if not has(user, Permission.VIEW_REFERRALS):
        return Referral.objects.none()
    return Referral.objects.filter(pcn_id=user.pcn_id)


def visible_onward_referrals(user: User) -> QuerySet:
    """Community organisation staff: people referred on to their own organisation's services."""
    from referrals.models import OnwardReferral

    if not has(user, Permission.ANSWER_ONWARD_REFERRALS):
        return OnwardReferral.objects.none()
    return OnwardReferral.objects.filter(service__organisation_id=user.organisation_id)


def referral_overview_pcns(user: User) -> QuerySet[PCN]:
    """PCNs whose social prescribing aggregates (never identities) the user may see."""
    if not has(user, Permission.VIEW_REFERRAL_OVERVIEW):
        return PCN.objects.none()
    return visible_pcns(user)


# ARRS posts (roles app): PCNs keep their own staff in post; commissioners read their area's.
def visible_posts(user: User):
    """Posts of the PCNs the user sees, for the roles that deal with ARRS staff."""
    from roles.models import Post

    if not has(user, Permission.VIEW_POSTS):
        return Post.objects.none()
    if sees_everything(user):
        return Post.objects.all()
    return Post.objects.filter(pcn__in=visible_pcns(user))


def editable_pcns_for_posts(user: User) -> QuerySet[PCN]:
    """Clinical directors and practice managers keep their own PCN's posts."""
    if not has(user, Permission.EDIT_POSTS):
        return PCN.objects.none()
    return visible_pcns(user)


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
            from networks.models import NominatedPayee

            payee = _payee_on_month(user.practice_id, OuterRef("month")).filter(
                pcn_id=OuterRef("pcn_id")
            )
            # The PCNs the practice was ever payee of, said outright, so the database finds
            # their claims by index instead of testing every claim of ten years (bench_lists).
            ever_payee = NominatedPayee.objects.filter(practice_id=user.practice_id)
            return Claim.objects.filter(pcn_id__in=ever_payee.values("pcn_id")).filter(
                Exists(payee)
            )
    return Claim.objects.none()


def visible_attachments(user: User) -> QuerySet:
    """Evidence attached to claim lines: the files of the claims the user may see (VIEW_CLAIMS
    for the file, PREPARE_CLAIMS on the claim's PCN and month to add or remove one)."""
    from evidence.models import Attachment

    if not has(user, Permission.VIEW_CLAIMS):
        return Attachment.objects.none()
    return Attachment.objects.filter(line__claim__in=visible_claims(user))


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


def visible_batch_runs(user: User) -> QuerySet:
    """Requests to build batches: the commissioner's staff watch their own area's."""
    from reimbursement.models import BatchRun

    if sees_everything(user):
        return BatchRun.objects.all()
    if is_commissioner_staff(user):
        return BatchRun.objects.filter(commissioner_id=user.commissioner_id)
    return BatchRun.objects.none()


# Declared payment amounts (reimbursement app): the commissioner's staff enter, import and
# review their own area's PCNs' amounts; the PCN's clinical director and practice managers read
# their PCN's; superusers any. Link workers and community organisations see none.
def visible_declared_payments(user: User) -> QuerySet:
    from reimbursement.models import DeclaredPayment

    if not has(user, Permission.VIEW_DECLARED_PAYMENTS):
        return DeclaredPayment.objects.none()
    if sees_everything(user):
        return DeclaredPayment.objects.all()
    return DeclaredPayment.objects.filter(pcn__in=visible_pcns(user))


def declared_payment_pcns(user: User) -> QuerySet[PCN]:
    """PCNs the user may enter (or import) declared amounts for: their own area's."""
    if not has(user, Permission.MANAGE_DECLARED_PAYMENTS):
        return PCN.objects.none()
    return visible_pcns(user)


# Workforce plans (workforce app): a PCN's clinical director sees, changes and submits its
# plans; commissioner staff see and sign off their area's; superusers any.
def visible_workforce_plans(user: User) -> QuerySet:
    from workforce.models import WorkforcePlan

    if not has(user, Permission.VIEW_WORKFORCE_PLANS):
        return WorkforcePlan.objects.none()
    if sees_everything(user):
        return WorkforcePlan.objects.all()
    return WorkforcePlan.objects.filter(pcn__in=visible_pcns(user))


def visible_planned_posts(user: User) -> QuerySet:
    from workforce.models import PlannedPost

    return PlannedPost.objects.filter(plan__in=visible_workforce_plans(user))


def workforce_plan_pcns(user: User) -> QuerySet[PCN]:
    """PCNs whose plans the user may see (others are a 404 for a role that sees plans)."""
    if not has(user, Permission.VIEW_WORKFORCE_PLANS):
        return PCN.objects.none()
    return visible_pcns(user)


def editable_pcns_for_plans(user: User) -> QuerySet[PCN]:
    """PCNs the user may start and change plans for: the clinical director's own."""
    if not has(user, Permission.EDIT_WORKFORCE_PLANS):
        return PCN.objects.none()
    return visible_pcns(user)


def workforce_area_commissioners(user: User) -> QuerySet[Commissioner]:
    """Areas whose plans the user signs off: commissioner staff their own; superusers any."""
    if not has(user, Permission.SIGN_OFF_WORKFORCE_PLANS):
        return Commissioner.objects.none()
    return visible_commissioners(user)


# Dashboards (dashboards app): a clinical director sees their own PCN's dashboard; commissioner
# staff see their area's PCNs' and their commissioner's; superusers any. Aggregates only: no
# dashboard shows a patient's identity, so no identity rule applies here.
def pcn_dashboard_pcns(user: User) -> QuerySet[PCN]:
    """PCNs whose dashboard the user may open (others are a 404 for a role that has one)."""
    if not has(user, Permission.VIEW_PCN_DASHBOARD):
        return PCN.objects.none()
    return visible_pcns(user)


def commissioner_dashboard_commissioners(user: User) -> QuerySet[Commissioner]:
    """Commissioner staff: their own; superusers: any."""
    if not has(user, Permission.VIEW_COMMISSIONER_DASHBOARD):
        return Commissioner.objects.none()
    return visible_commissioners(user)


# PCN development (maturity app): a clinical director sees and completes only their own PCN's
# self-assessments; commissioner staff see their area's rounds, assessments and checklists, and
# their own place-level assessment; superusers any. Others see none.
def maturity_pcns(user: User) -> QuerySet[PCN]:
    """PCNs whose maturity progress and prospectus checklist the user may open."""
    if not has(user, Permission.VIEW_MATURITY):
        return PCN.objects.none()
    return visible_pcns(user)


def visible_assessment_rounds(user: User) -> QuerySet:
    from maturity.models import Assessment, AssessmentRound

    if not has(user, Permission.VIEW_MATURITY):
        return AssessmentRound.objects.none()
    if sees_everything(user):
        return AssessmentRound.objects.all()
    if user.role == Role.COMMISSIONER_STAFF:
        return AssessmentRound.objects.filter(commissioner_id=user.commissioner_id)
    own = Assessment.objects.filter(round_id=OuterRef("pk"), pcn_id=user.pcn_id)
    return AssessmentRound.objects.filter(Exists(own))


def visible_assessments(user: User) -> QuerySet:
    """Self-assessments: the CD's own PCN's; the commissioner's area's, with its own
    place-level assessments."""
    from maturity.models import Assessment

    if not has(user, Permission.VIEW_MATURITY):
        return Assessment.objects.none()
    if sees_everything(user):
        return Assessment.objects.all()
    if user.role == Role.COMMISSIONER_STAFF:
        return Assessment.objects.filter(round__commissioner_id=user.commissioner_id)
    return Assessment.objects.filter(pcn_id=user.pcn_id, pcn__isnull=False)


# The claim cycle (claim_cycle app): a commissioner's claim window, finance file layout and the
# reminders sent in its area, for its own staff; superusers see every area's.
def _claim_cycle_scope(user: User, model) -> QuerySet:
    if sees_everything(user):
        return model.objects.all()
    if not has(user, Permission.SET_CLAIM_CYCLE):
        return model.objects.none()
    return model.objects.filter(commissioner_id=user.commissioner_id)


def visible_claim_windows(user: User) -> QuerySet:
    from claim_cycle.models import ClaimWindow

    return _claim_cycle_scope(user, ClaimWindow)


def visible_finance_layouts(user: User) -> QuerySet:
    from claim_cycle.models import FinanceLayout

    return _claim_cycle_scope(user, FinanceLayout)


def visible_reminder_messages(user: User) -> QuerySet:
    from claim_cycle.models import ReminderMessage

    return _claim_cycle_scope(user, ReminderMessage)


# PCN development funding (development app): commissioner staff see and keep their area's
# allocations, commitments, baseline posts and backfill claims; a clinical director reads what
# is committed to their PCN, its baseline posts and its backfill claims; a practice manager sees
# their practice's backfill claims; superusers any.
def visible_allocations(user: User) -> QuerySet:
    from development.models import Allocation

    if not has(user, Permission.MANAGE_DEVELOPMENT_FUNDING):
        return Allocation.objects.none()
    if sees_everything(user):
        return Allocation.objects.all()
    return Allocation.objects.filter(commissioner_id=user.commissioner_id)


def visible_commitments(user: User) -> QuerySet:
    from development.models import Commitment

    if not has(user, Permission.VIEW_DEVELOPMENT_FUNDING):
        return Commitment.objects.none()
    if sees_everything(user):
        return Commitment.objects.all()
    if user.role == Role.COMMISSIONER_STAFF:
        return Commitment.objects.filter(allocation__commissioner_id=user.commissioner_id)
    return Commitment.objects.filter(pcn_id=user.pcn_id, pcn__isnull=False)


def development_pcns(user: User) -> QuerySet[PCN]:
    """PCNs whose development funding and baseline posts the user may read."""
    if not has(user, Permission.VIEW_DEVELOPMENT_FUNDING):
        return PCN.objects.none()
    return visible_pcns(user)


def visible_baseline_posts(user: User) -> QuerySet:
    from development.models import BaselinePost

    if not has(user, Permission.VIEW_DEVELOPMENT_FUNDING):
        return BaselinePost.objects.none()
    if sees_everything(user):
        return BaselinePost.objects.all()
    return BaselinePost.objects.filter(pcn__in=visible_pcns(user))


def visible_backfill_claims(user: User) -> QuerySet:
    from development.models import BackfillClaim

    if not has(user, Permission.VIEW_BACKFILL_CLAIMS):
        return BackfillClaim.objects.none()
    if sees_everything(user):
        return BackfillClaim.objects.all()
    match user.role:
        case Role.COMMISSIONER_STAFF:
            return BackfillClaim.objects.filter(pcn__commissioner_id=user.commissioner_id)
        case Role.CLINICAL_DIRECTOR:
            return BackfillClaim.objects.filter(pcn_id=user.pcn_id)
        case Role.PRACTICE_MANAGER:
            return BackfillClaim.objects.filter(practice_id=user.practice_id)
    return BackfillClaim.objects.none()


# Reconciliation (reimbursement app): what the app paid each PCN against what NHS England
# reported as paid, per commissioner: its own staff; superusers any area.
def reconciliation_commissioners(user: User) -> QuerySet[Commissioner]:
    if not has(user, Permission.VIEW_RECONCILIATION):
        return Commissioner.objects.none()
    return visible_commissioners(user)
