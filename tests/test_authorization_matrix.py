"""The authorization matrix: every page, admin page and API operation, asked by every role
about a record of their own area and one of another area, answers as the table says.

`EXPECTED` is the table: `PAGES` (by URL pattern name, or route for an unnamed pattern), the
admin's pages (`ADMIN_SITE`, and `ADMIN_MODELS` expanded to each registered model's pages) and
`OPERATIONS` (method and path from the OpenAPI schema), one rule each. A URL or operation
without an entry fails `test_every_url_and_operation_has_an_entry`, so a new one is added here
on purpose, and so is an admin model.

How a rule is read, for a role and a record:
- anonymous: sent to sign in (pages), 401 or 403 (API), unless the entry is public;
- a role that may: 200 (or a redirect onwards) on their own area's record; another area's
  record is a 404, as if it did not exist (superusers see every area);
- a role that may not: 403 on their own area's record (permission is checked before the
  record is looked up, so 404 is listed only where the role has no sight of such records at
  all); on another area's record 403 or 404, either refusing without a sign of its existence;
- writes that are refused leave the record (and what hangs off it) unchanged;
- no response to a role contains another area's codes, names or people (`matrix_world`).

The admin site answers in its own way: a signed-in person without admin access is sent to the
admin's sign-in page (a refusal), and a record it cannot find redirects to the admin index with
a message (as it does for a record that does not exist).

Every request runs in a savepoint that is rolled back, so one answer never changes the next.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from drf_spectacular.generators import SchemaGenerator

from referrals import oruk
from reimbursement.models import PaymentStream
from tests.evidence.factories import PDF as EVIDENCE_PDF
from tests.matrix_world import (
    DENIED,
    HIDDEN,
    MAY,
    NOBODY,
    PASSES_ON,
    PUBLIC,
    ROLES,
    Entry,
    MatrixWorld,
    Rule,
    acceptable,
    build_world,
    client_for,
    code,
    create,
    creates,
    everyone,
    exchange,
    export_form,
    fixed_path,
    leaks,
    may,
    oruk_id,
    pk,
    rev,
    sides,
)

pytestmark = pytest.mark.django_db

# Who, in the table's words.
SIGNED_IN = frozenset(ROLES[1:])
SU = frozenset({"superuser"})
STAFF = SU | {"commissioner"}  # the admin: superusers and commissioner staff
PREPARERS = SU | {"director", "practice"}  # prepare claims, keep posts
PCN_STAFF = STAFF | {"director", "practice"}  # claims, posts, batches: the money
PCN_USERS = PCN_STAFF | {"link_worker"}  # everyone who belongs to a PCN or its commissioner
DASHBOARD = STAFF | {"director"}  # a PCN's money: its dashboard and entitlement
PLANNERS = SU | {"director"}  # draft and submit a PCN's workforce plan
IDENTITIES = frozenset({"director", "link_worker"})  # see referrals (the director, not who)
LINK_WORKER = frozenset({"link_worker"})
ORGANISATION = frozenset({"organisation"})


def _this_plan_year() -> str:
    """The current financial year: one a workforce plan can be started for, whenever it runs."""
    from django.utils import timezone

    from pcn_admin.dates import financial_year

    return str(financial_year(timezone.localdate()))


# --- Pages ---------------------------------------------------------------------------------


def _payroll_csv(claim) -> SimpleUploadedFile:
    """A month's payroll for the matrix's draft claim (its one post)."""
    post = claim.lines.first().post
    row = f"{post.person_name},,{claim.month:%Y-%m},2000.00,200.00,300.00,"
    header = "Name,Registration number,Month,Salary,Employer NI,Employer pension,Fee"
    return SimpleUploadedFile("payroll.csv", f"{header}\n{row}\n".encode())


PAGES: dict[str, Entry] = {
    "home": Entry(read=may(SIGNED_IN), path=rev("home")),
    "health": Entry(read=PUBLIC, path=rev("health")),
    "accessibility": Entry(read=PUBLIC, path=rev("accessibility")),
    "login": Entry(read=PUBLIC, path=rev("login")),
    # Signing out is a POST: a link or an image must not be able to sign anyone out.
    "logout": Entry(read=everyone("405"), path=rev("logout")),
    # Two-factor is off in these tests: both pages pass a signed-in person on.
    "twofactor_verify": Entry(read=may(SIGNED_IN), path=rev("twofactor_verify")),
    "twofactor_setup": Entry(read=may(SIGNED_IN), path=rev("twofactor_setup")),
    "password_reset": Entry(read=PUBLIC, path=rev("password_reset")),
    "password_reset_done": Entry(read=PUBLIC, path=rev("password_reset_done")),
    "password_reset_complete": Entry(read=PUBLIC, path=rev("password_reset_complete")),
    "password_reset_confirm": Entry(
        read=PUBLIC, path=rev("password_reset_confirm", uidb64="MQ", token="set-password")
    ),
    # Single sign-on is not configured in the tests: both answer 404 to everyone.
    "oidc_authentication_init": Entry(read=everyone(HIDDEN), path=rev("oidc_authentication_init")),
    "oidc_authentication_callback": Entry(
        read=everyone(HIDDEN), path=rev("oidc_authentication_callback")
    ),
    "api-root": Entry(read=may(SIGNED_IN), path=fixed_path("/api/v1/"), api=True),
    "schema": Entry(read=PUBLIC, path=rev("schema")),
    "api-docs": Entry(read=PUBLIC, path=rev("api-docs")),
    # Dashboards: aggregates only. A PCN's dashboard shows the money its entitlement (API)
    # shows: both are for the commissioner's staff and the PCN's clinical director.
    "dashboards:commissioner_dashboard": Entry(
        read=may(STAFF),
        path=rev("dashboards:commissioner_dashboard"),
        query="?year=2025",
        foreign_query="?year=2025&commissioner=Q2B",
    ),
    "dashboards:commissioner_dashboard_csv": Entry(
        read=may(STAFF),
        path=rev("dashboards:commissioner_dashboard_csv", chart="pcns"),
        query="?year=2025",
        foreign_query="?year=2025&commissioner=Q2B",
    ),
    "dashboards:pcn_dashboard": Entry(
        read=may(DASHBOARD),
        kind="pcn",
        path=rev("dashboards:pcn_dashboard", code=code),
        query="?year=2025",
    ),
    "dashboards:pcn_dashboard_csv": Entry(
        read=may(DASHBOARD),
        kind="pcn",
        path=rev("dashboards:pcn_dashboard_csv", code=code, chart="practices"),
        query="?year=2025",
    ),
    # The coverage of the national ARRS figures: the same for every area, so not scoped.
    "roles:figures_coverage": Entry(
        read=may(STAFF, scoped=False), path=rev("roles:figures_coverage")
    ),
    "roles:figures_coverage_csv": Entry(
        read=may(STAFF, scoped=False), path=rev("roles:figures_coverage_csv")
    ),
    # ARRS staff in post: PCNs keep their own; commissioners read their area's.
    "roles:post_list": Entry(read=may(PCN_STAFF), path=rev("roles:post_list")),
    "roles:post_create": create(
        read=may(PREPARERS),
        write=creates(PREPARERS, api=False),
        kind="pcn",
        path=rev("roles:post_create"),
        data=lambda pcn, world: {
            "pcn": pcn.pk,
            "role": world.shared["role"].pk,
            "person_name": "Matrix New Person",
            "employing_practice": pcn.memberships.first().practice_id,
            "start_date": "2025-04-01",
            "region": "national",
            "hours": "37.5",
        },
    ),
    "roles:post_edit": Entry(
        read=may(PREPARERS),
        write=may(PREPARERS),
        kind="post",
        path=rev("roles:post_edit", pk=pk),
        data=lambda post, world: {
            "role": post.role_id,
            "person_name": "Renamed by the matrix",
            "employing_practice": post.employing_practice_id,
            "start_date": "2024-04-01",
            "region": post.region,
            "hours": "20",
        },
    ),
    "roles:post_end": Entry(
        read=may(PREPARERS),
        write=may(PREPARERS),
        kind="post",
        path=rev("roles:post_end", pk=pk),
        data=lambda post, world: {"end_date": "2025-07-31"},
    ),
    # Claims: the PCN prepares (clinical director, payee practice manager); the commissioner
    # reviews; everyone with a claim sees it.
    "reimbursement:index": Entry(read=may(PCN_STAFF), path=rev("reimbursement:index"), follow=True),
    "reimbursement:claim_list": Entry(read=may(PCN_STAFF), path=rev("reimbursement:claim_list")),
    "reimbursement:claim_create": create(
        read=may(PREPARERS),
        write=creates(PREPARERS, api=False),
        kind="pcn",
        path=rev("reimbursement:claim_create"),
        data=lambda pcn, world: {"pcn": pcn.pk, "month": "2025-07", "kind": "normal"},
    ),
    "reimbursement:claim_detail": Entry(
        read=may(PCN_STAFF),
        kind="submitted_claim",
        path=rev("reimbursement:claim_detail", pk=pk),
    ),
    "reimbursement:claim_edit": Entry(
        read=may(PREPARERS),
        write=may(PREPARERS),
        kind="claim",
        path=rev("reimbursement:claim_edit", pk=pk),
        data=lambda claim, world: {
            "action": "save",
            **{f"line-{line.pk}-salary": "1234.00" for line in claim.lines.all()},
            **{f"line-{line.pk}-employer_ni": "100.00" for line in claim.lines.all()},
            **{f"line-{line.pk}-employer_pension": "100.00" for line in claim.lines.all()},
        },
    ),
    "reimbursement:claim_line_breakdown": Entry(
        read=may(PREPARERS),
        kind="claimline",
        path=rev("reimbursement:claim_line_breakdown", pk=lambda r: r.claim_id, line_pk=pk),
        query="?salary=1000&employer_ni=100&employer_pension=100&subcontract_fee=0",
    ),
    "reimbursement:claim_line_decide": Entry(
        write=may(STAFF),
        kind="submitted_line",
        path=rev("reimbursement:claim_line_decide", pk=lambda r: r.claim_id, line_pk=pk),
        data=lambda line, world: {"decision": "approve", "reason": ""},
    ),
    "reimbursement:claim_return": Entry(
        write=may(STAFF),
        kind="submitted_claim",
        path=rev("reimbursement:claim_return", pk=pk),
        data=lambda claim, world: {"query": "Where is the payslip?"},
    ),
    "reimbursement:claim_approve_remaining": Entry(
        write=may(STAFF),
        kind="submitted_claim",
        path=rev("reimbursement:claim_approve_remaining", pk=pk),
        data=lambda claim, world: {},
    ),
    # Filling a draft from the payroll or the month before: those who prepare the claim.
    "reimbursement:payroll_upload": Entry(
        read=may(PREPARERS),
        write=may(PREPARERS),
        kind="claim",
        path=rev("reimbursement:payroll_upload", pk=pk),
        data=lambda claim, world: {"file": _payroll_csv(claim)},
    ),
    "reimbursement:payroll_template": Entry(
        read=may(PREPARERS),
        kind="claim",
        path=rev("reimbursement:payroll_template", pk=pk, fmt="csv"),
    ),
    "reimbursement:payroll_preview": Entry(
        read=may(PREPARERS),
        write=may(PREPARERS),
        kind="payrollupload",
        path=rev("reimbursement:payroll_preview", pk=lambda r: r.claim_id, upload_pk=pk),
        data=lambda upload, world: {},
    ),
    "reimbursement:claim_copy_forward": Entry(
        write=may(PREPARERS),
        kind="claim",
        path=rev("reimbursement:claim_copy_forward", pk=pk),
        data=lambda claim, world: {},
    ),
    # The month's clean lines approved in one action: the commissioner's staff, own area.
    "reimbursement:bulk_review": Entry(
        read=may(STAFF),
        write=may(STAFF),
        path=rev("reimbursement:bulk_review"),
        query="?month=2025-05",
        data=lambda record, world: {
            "month": "2025-05",
            "lines": str(world.own.submitted_line.pk),
        },
    ),
    # Claim evidence: a file opens only through its download view, for everyone who sees the
    # claim; the PCN's preparers attach files to a draft's lines and remove them.
    "evidence:attachment_download": Entry(
        read=may(PCN_STAFF), kind="attachment", path=rev("evidence:attachment_download", pk=pk)
    ),
    "evidence:attachment_add": Entry(
        read=may(PREPARERS),
        write=may(PREPARERS),
        kind="claimline",
        path=rev("evidence:attachment_add", claim_pk=lambda r: r.claim_id, line_pk=pk),
        data=lambda line, world: {
            "kind": "payslip",
            "file": SimpleUploadedFile("matrix.pdf", EVIDENCE_PDF, "application/pdf"),
        },
    ),
    "evidence:attachment_remove": Entry(
        write=may(PREPARERS),
        kind="attachment",
        path=rev("evidence:attachment_remove", pk=pk),
        data=lambda attachment, world: {},
    ),
    # Payment batches: each PCN's remittance for its people; the full files for staff.
    "reimbursement:batch_list": Entry(read=may(PCN_STAFF), path=rev("reimbursement:batch_list")),
    "reimbursement:batch_remittance": Entry(
        read=may(PCN_STAFF),
        kind="batchpayee",
        path=rev(
            "reimbursement:batch_remittance",
            reference=lambda r: r.batch.reference,
            pcn_code=lambda r: r.pcn.code,
        ),
    ),
    "reimbursement:batch_payment_file": Entry(
        read=may(STAFF),
        kind="batch",
        path=rev("reimbursement:batch_payment_file", reference=lambda r: r.reference, fmt="csv"),
    ),
    "reimbursement:batch_line_detail": Entry(
        read=may(STAFF),
        kind="batch",
        path=rev("reimbursement:batch_line_detail", reference=lambda r: r.reference, fmt="csv"),
    ),
    # The batch in the finance system's layout: like the batch's other files, for its staff (a
    # draft's is refused with a message on the batch page: a redirect).
    "claim_cycle:finance_system_file": Entry(
        read=may(STAFF),
        kind="batch",
        path=rev("claim_cycle:finance_system_file", reference=lambda r: r.reference),
    ),
    # Building, finalising and paying batches (NHS pages): the commissioner's staff only.
    "reimbursement:batch_build": Entry(
        read=may(STAFF),
        write=may(STAFF),
        path=rev("reimbursement:batch_build"),
        data=lambda record, world: {"month": "2025-06"},
    ),
    "reimbursement:batch_run_progress": Entry(
        read=may(STAFF),
        kind="batchrun",
        path=rev("reimbursement:batch_run_progress", pk=pk),
    ),
    "reimbursement:batch_detail": Entry(
        read=may(STAFF),
        kind="batch",
        path=rev("reimbursement:batch_detail", reference=lambda r: r.reference),
    ),
    "reimbursement:batch_finalise": Entry(
        write=may(STAFF),
        kind="batch",
        path=rev("reimbursement:batch_finalise", reference=lambda r: r.reference),
        data=lambda batch, world: {},
    ),
    "reimbursement:batch_mark_paid": Entry(
        write=may(STAFF),
        kind="batch",
        path=rev("reimbursement:batch_mark_paid", reference=lambda r: r.reference),
        data=lambda batch, world: {"paid_on": "2025-07-01", "payment_reference": "BACS-1"},
    ),
    # Declared Network Contract DES amounts (IIF, care home premium...): the commissioner's
    # staff enter, import and review their own area's; the PCN's clinical director and
    # practice managers read their PCN's, as they read its claims and remittances.
    "reimbursement:declared_list": Entry(
        read=may(PCN_STAFF), path=rev("reimbursement:declared_list")
    ),
    "reimbursement:declared_enter": create(
        read=may(STAFF),
        write=creates(STAFF, api=False),
        kind="pcn",
        path=rev("reimbursement:declared_enter"),
        data=lambda pcn, world: {
            "pcn": pcn.pk,
            "stream": PaymentStream.objects.get(code="care_home_premium").pk,
            "month": "2025-09",
            "amount": "1830.00",
            "note": "Matrix amount",
        },
    ),
    # A file naming another area's PCN imports nothing there.
    "reimbursement:declared_import": create(
        read=may(STAFF),
        write=creates(STAFF, api=False),
        kind="pcn",
        path=rev("reimbursement:declared_import"),
        data=lambda pcn, world: {
            "file": SimpleUploadedFile(
                "declared.csv",
                f"PCN code,Stream code,Month,Amount\n{pcn.code},iif,2025-09,100.00\n".encode(),
                content_type="text/csv",
            )
        },
    ),
    "reimbursement:declared_detail": Entry(
        read=may(PCN_STAFF),
        kind="declaredpayment",
        path=rev("reimbursement:declared_detail", pk=pk),
    ),
    "reimbursement:declared_approve": Entry(
        write=may(STAFF),
        kind="declaredpayment",
        path=rev("reimbursement:declared_approve", pk=pk),
        data=lambda declared, world: {},
    ),
    "reimbursement:declared_reject": Entry(
        write=may(STAFF),
        kind="declaredpayment",
        path=rev("reimbursement:declared_reject", pk=pk),
        data=lambda declared, world: {"reason": "Not in the achievement statement."},
    ),
    # What the app paid against what NHS England reported: the commissioner's staff, own area.
    "reimbursement:reconciliation": Entry(
        read=may(STAFF),
        path=rev("reimbursement:reconciliation"),
        query="?year=2024",
        foreign_query="?year=2024&commissioner=Q2B",
    ),
    "reimbursement:reconciliation_csv": Entry(
        read=may(STAFF),
        path=rev("reimbursement:reconciliation_csv"),
        query="?year=2024",
        foreign_query="?year=2024&commissioner=Q2B",
    ),
    # Workforce plans: priced against the entitlement, so for the dashboard's people. The
    # clinical director drafts, tries changes, submits and recruits; the commissioner's staff
    # sign off and see their area's plans.
    "workforce:plan_list": Entry(
        read=may(DASHBOARD), path=rev("workforce:plan_list"), foreign_query="?pcn=U92001"
    ),
    "workforce:plan_start": create(
        write=creates(PLANNERS, api=False),
        kind="pcn",
        path=rev("workforce:plan_start"),
        data=lambda pcn, world: {"pcn": pcn.pk, "year": _this_plan_year()},
    ),
    "workforce:plan_detail": Entry(
        read=may(DASHBOARD), kind="workforceplan", path=rev("workforce:plan_detail", pk=pk)
    ),
    "workforce:planned_post_add": Entry(
        read=may(PLANNERS),
        write=may(PLANNERS),
        kind="workforceplan",
        path=rev("workforce:planned_post_add", pk=pk),
        data=lambda plan, world: {
            "role": world.shared["role"].pk,
            "hours": "37.5",
            "region": "national",
            "start_month": "2025-06",
            "action": "save",
        },
    ),
    "workforce:planned_post_edit": Entry(
        read=may(PLANNERS),
        write=may(PLANNERS),
        kind="plannedpost",
        path=rev("workforce:planned_post_edit", pk=pk),
        data=lambda planned, world: {
            "role": planned.role_id,
            "hours": "20",
            "region": "national",
            "start_month": "2025-06",
            "action": "save",
        },
    ),
    "workforce:planned_post_remove": Entry(
        write=may(PLANNERS),
        kind="plannedpost",
        path=rev("workforce:planned_post_remove", pk=pk),
        data=lambda planned, world: {},
        watch=lambda planned: planned.plan,
    ),
    "workforce:planned_post_recruit": Entry(
        read=may(PLANNERS),
        write=may(PLANNERS),
        kind="plannedpost",
        path=rev("workforce:planned_post_recruit", pk=pk),
        data=lambda planned, world: {
            "person_name": "Matrix Recruit",
            "registration_number": "2011111",
            "employing_practice": planned.plan.pcn.memberships.first().practice_id,
            "start_date": "2025-06-02",
        },
    ),
    "workforce:plan_submit": Entry(
        write=may(PLANNERS),
        kind="workforceplan",
        path=rev("workforce:plan_submit", pk=pk),
        data=lambda plan, world: {},
    ),
    "workforce:plan_sign_off": Entry(
        write=may(STAFF),
        kind="submitted_plan",
        path=rev("workforce:plan_sign_off", pk=pk),
        data=lambda plan, world: {},
    ),
    "workforce:area": Entry(
        read=may(STAFF),
        path=rev("workforce:area"),
        query="?year=2025",
        foreign_query="?year=2025&commissioner=Q2B",
    ),
    "workforce:area_csv": Entry(
        read=may(STAFF),
        path=rev("workforce:area_csv"),
        query="?year=2025",
        foreign_query="?year=2025&commissioner=Q2B",
    ),
    # Social prescribing: identities for the PCN's link workers and clinical director only
    # (superusers included: no exception for administrators); aggregates for the overview.
    "referrals:caseload": Entry(read=may(LINK_WORKER), path=rev("referrals:caseload")),
    "referrals:create": Entry(
        read=may(LINK_WORKER),
        write=may(LINK_WORKER),
        path=rev("referrals:create"),
        data=lambda record, world: {"given_name": "Matrix"},
    ),
    # The clinical director sees the PCN's referrals without who was referred (decision 0010).
    "referrals:detail": Entry(
        read=may(IDENTITIES), kind="referral", path=rev("referrals:detail", pk=pk)
    ),
    # The PCN's new referrals, waiting for a link worker to take one.
    "referrals:queue": Entry(read=may(IDENTITIES), path=rev("referrals:queue")),
    "referrals:take": Entry(
        write=may(LINK_WORKER), kind="referral", path=rev("referrals:take", pk=pk)
    ),
    "referrals:change_status": Entry(
        write=may(LINK_WORKER),
        kind="referral",
        path=rev("referrals:change_status", pk=pk),
        data=lambda referral, world: {"to": "contacted", "note": "Rang them."},
    ),
    "referrals:contact_add": Entry(
        write=may(LINK_WORKER),
        kind="referral",
        path=rev("referrals:contact_add", pk=pk),
        data=lambda referral, world: {
            "date": "2025-06-02",
            "kind": "phone",
            "duration_minutes": "20",
        },
    ),
    "referrals:onward_add": Entry(
        write=may(LINK_WORKER),
        kind="referral",
        path=rev("referrals:onward_add", pk=pk),
        # A service the person has not been referred to yet.
        data=lambda referral, world: {
            "service": world.foreign.service.pk
            if referral == world.own.referral
            else world.own.service.pk,
            "consent_to_share": "on",
            "message": "Likes walking.",
        },
    ),
    "referrals:outcome_add": Entry(
        write=may(LINK_WORKER),
        kind="referral",
        path=rev("referrals:outcome_add", pk=pk),
        data=lambda referral, world: {
            "instrument": "ons4",
            "time_point": "follow_up",
            "date": "2025-06-02",
            "life_satisfaction": "6",
            "worthwhile": "6",
            "happy": "6",
            "anxious": "3",
        },
    ),
    "referrals:gp_appointments": Entry(
        write=may(LINK_WORKER),
        kind="referral",
        path=rev("referrals:gp_appointments", pk=pk),
        data=lambda referral, world: {"gp_appointments_before": "4", "gp_appointments_after": "1"},
    ),
    "referrals:case_study_add": Entry(
        write=may(LINK_WORKER),
        kind="referral",
        path=rev("referrals:case_study_add", pk=pk),
        watch=lambda referral: referral.pcn,  # the story is the PCN's
        data=lambda referral, world: {
            "title": "Out walking again",
            "story": "Joined a walking group.",
            "consent_given": "on",
        },
    ),
    # It names the person: for link workers only.
    "referrals:gp_message": Entry(
        read=may(LINK_WORKER), kind="referral", path=rev("referrals:gp_message", pk=pk)
    ),
    "referrals:inbox": Entry(read=may(ORGANISATION), path=rev("referrals:inbox")),
    "referrals:inbox_respond": Entry(
        write=may(ORGANISATION),
        kind="onward",
        path=rev("referrals:inbox_respond", pk=pk),
        data=lambda onward, world: {"decision": "accept"},
    ),
    "referrals:overview": Entry(read=may(STAFF, IDENTITIES), path=rev("referrals:overview")),
    # Practices are offered by name: no codes on the public form.
    "referrals:self_referral": Entry(read=PUBLIC, path=rev("referrals:self_referral")),
    "referrals:privacy_notice": Entry(read=PUBLIC, path=rev("referrals:privacy_notice")),
    "referrals:self_referral_received": Entry(
        read=PUBLIC, path=rev("referrals:self_referral_received")
    ),
    # The Open Referral UK feed: the directory, open to anyone, no personal data.
    "oruk-root": Entry(read=PUBLIC, path=rev("oruk-root")),
    "oruk-services": Entry(read=PUBLIC, path=rev("oruk-services")),
    "oruk-service": Entry(read=PUBLIC, kind="service", path=rev("oruk-service", pk=oruk_id)),
    "oruk-taxonomies": Entry(read=PUBLIC, path=rev("oruk-taxonomies")),
    "oruk-taxonomy": Entry(read=PUBLIC, kind="taxonomy", path=rev("oruk-taxonomy", pk=oruk_id)),
    "oruk-taxonomy-terms": Entry(read=PUBLIC, path=rev("oruk-taxonomy-terms")),
    "oruk-taxonomy-term": Entry(
        read=PUBLIC,
        kind="service",
        path=rev("oruk-taxonomy-term", pk=lambda s: s.taxonomy_terms.get().uuid),
    ),
    "oruk-service-at-locations": Entry(read=PUBLIC, path=rev("oruk-service-at-locations")),
    "oruk-service-at-location": Entry(
        read=PUBLIC,
        kind="service",
        path=rev(
            "oruk-service-at-location",
            pk=lambda s: oruk.part_id(s.uuid, "service_at_location"),
        ),
    ),
    # PCN development (maturity): the PCN's clinical director completes its self-assessment;
    # the commissioner's staff open rounds, read the heat map and add the system's view; both
    # see the PCN's progress and checklist. The matrix is national (not scoped).
    "maturity:index": Entry(read=may(DASHBOARD), path=rev("maturity:index")),
    "maturity:matrix": Entry(read=may(DASHBOARD, scoped=False), path=rev("maturity:matrix")),
    "maturity:round_create": create(
        read=may(STAFF),
        write=creates(STAFF, api=False),
        kind="pcn",
        path=rev("maturity:round_create"),
        data=lambda pcn, world: {
            "commissioner": pcn.commissioner_id,
            "name": "Matrix round",
            "date": "2020-03-31",
            "matrix_version": world.shared["matrixversion"].pk,
            "pcns": [pcn.pk],
        },
    ),
    "maturity:round_detail": Entry(
        read=may(STAFF), kind="maturity_round", path=rev("maturity:round_detail", pk=pk)
    ),
    "maturity:round_csv": Entry(
        read=may(STAFF), kind="maturity_round", path=rev("maturity:round_csv", pk=pk)
    ),
    "maturity:round_close": Entry(
        write=may(STAFF),
        kind="maturity_round",
        path=rev("maturity:round_close", pk=pk),
        data=lambda r, world: {},
    ),
    "maturity:place_assessment": Entry(
        read=may(STAFF),
        write=may(STAFF),
        kind="maturity_round",
        path=rev("maturity:place_assessment", pk=pk),
        data=lambda r, world: {"action": "submit"},
    ),
    "maturity:assessment_detail": Entry(
        read=may(DASHBOARD), kind="assessment", path=rev("maturity:assessment_detail", pk=pk)
    ),
    "maturity:assessment_edit": Entry(
        read=may(SU | {"director"}),
        write=may(SU | {"director"}),
        kind="assessment",
        path=rev("maturity:assessment_edit", pk=pk),
        data=lambda a, world: {"action": "save"},
    ),
    "maturity:system_view": Entry(
        read=may(STAFF),
        write=may(STAFF),
        kind="assessment",
        path=rev("maturity:system_view", pk=pk),
        data=lambda a, world: {"system_view": "The matrix's view."},
    ),
    "maturity:pcn_progress": Entry(
        read=may(DASHBOARD), kind="pcn", path=rev("maturity:pcn_progress", code=code)
    ),
    "maturity:pcn_progress_csv": Entry(
        read=may(DASHBOARD), kind="pcn", path=rev("maturity:pcn_progress_csv", code=code)
    ),
    "maturity:checklist": Entry(
        read=may(DASHBOARD),
        write=may(DASHBOARD),
        kind="pcn",
        path=rev("maturity:checklist", code=code),
        data=lambda pcn, world: {
            f"expectation-{e.pk}-status": "in_progress"
            for e in world.shared["expectation"]._meta.model.objects.filter(measure="typed")
        },
    ),
    # PCN development funding: the commissioner's staff keep their area's allocations,
    # commitments, spend and baseline posts; the PCN's clinical director reads its funding and
    # baseline posts; the manager of a member practice claims backfill, which the staff review.
    "development:index": Entry(read=may(PCN_STAFF), path=rev("development:index")),
    "development:allocation_list": Entry(read=may(STAFF), path=rev("development:allocation_list")),
    "development:allocation_create": create(
        read=may(STAFF),
        write=creates(STAFF, api=False),
        kind="commissioner",
        path=rev("development:allocation_create"),
        data=lambda commissioner, world: {
            "commissioner": commissioner.pk,
            "name": "Matrix allocation",
            "source": "The ICS",
            "year": "2025",
            "amount": "1000.00",
            "clinical_director_percent": "10",
        },
    ),
    "development:allocation_detail": Entry(
        read=may(STAFF), kind="allocation", path=rev("development:allocation_detail", pk=pk)
    ),
    "development:earmark_create": Entry(
        read=may(STAFF),
        write=may(STAFF),
        kind="allocation",
        path=rev("development:earmark_create", pk=pk),
        data=lambda allocation, world: {"name": "Matrix earmark", "amount": "1.00"},
    ),
    "development:commitment_create": Entry(
        read=may(STAFF),
        write=may(STAFF),
        kind="allocation",
        path=rev("development:commitment_create", pk=pk),
        data=lambda allocation, world: {
            "programme": "Matrix programme",
            "description": "Matrix commitment",
            "domain": "leadership",
            "amount": "1.00",
        },
    ),
    "development:commitment_detail": Entry(
        read=may(DASHBOARD), kind="commitment", path=rev("development:commitment_detail", pk=pk)
    ),
    "development:spend_create": Entry(
        read=may(STAFF),
        write=may(STAFF),
        kind="commitment",
        path=rev("development:spend_create", pk=pk),
        data=lambda commitment, world: {"amount": "1.00", "date": "2025-10-01"},
    ),
    "development:pcn_funding": Entry(
        read=may(DASHBOARD), kind="pcn", path=rev("development:pcn_funding", code=code)
    ),
    "development:backfill_list": Entry(read=may(PCN_STAFF), path=rev("development:backfill_list")),
    "development:backfill_create": create(
        read=may({"practice"}),
        write=creates({"practice"}, api=False),
        kind="commitment",
        path=rev("development:backfill_create"),
        data=lambda commitment, world: {
            "commitment": commitment.pk,
            "person_name": "Matrix Person",
            "activity": "Workshop",
            "date": "2025-09-19",
            "hours": "2",
            "hourly_rate": "90.00",
        },
    ),
    "development:backfill_detail": Entry(
        read=may(PCN_STAFF),
        kind="backfillclaim",
        path=rev("development:backfill_detail", pk=pk),
    ),
    "development:backfill_review": Entry(
        write=may(STAFF),
        kind="backfillclaim",
        path=rev("development:backfill_review", pk=pk),
        data=lambda claim, world: {"decision": "reject", "reason": "Not a PCN activity."},
    ),
    "development:baseline_post_list": Entry(
        read=may(DASHBOARD), path=rev("development:baseline_post_list")
    ),
    "development:baseline_post_create": create(
        read=may(STAFF),
        write=creates(STAFF, api=False),
        kind="pcn",
        path=rev("development:baseline_post_create"),
        data=lambda pcn, world: {
            "pcn": pcn.pk,
            "role": world.shared["role"].pk,
            "wte": "1.0",
            "start_date": "2018-01-01",
            "funded_years": "5",
        },
    ),
    "development:baseline_post_edit": Entry(
        read=may(STAFF),
        write=may(STAFF),
        kind="baselinepost",
        path=rev("development:baseline_post_edit", pk=pk),
        data=lambda post, world: {
            "role": post.role_id,
            "wte": "3.0",
            "start_date": "2018-10-01",
            "funded_years": "5",
        },
    ),
}


# --- The admin -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AdminModel:
    """Who may use a model's admin pages: view (list, change page read-only, history), add,
    change and delete. `versions`: simple-history's version pages (viewed, never restored).
    `import_export`: import-export's pages."""

    kind: str
    view: frozenset
    add: frozenset = NOBODY
    change: frozenset = NOBODY
    delete: frozenset = NOBODY
    scoped: bool = False
    versions: bool = False
    import_export: bool = False
    change_data: dict = field(default_factory=lambda: {"name": "Changed by the matrix"})


REGISTER = dict(view=STAFF, add=STAFF, change=STAFF, delete=SU, scoped=True, versions=True)
# National figures: commissioner staff read them; only superusers change them.
REFERENCE = dict(view=STAFF, add=SU, change=SU, delete=SU, versions=True)
DIRECTORY = dict(view=STAFF, add=STAFF, change=STAFF, delete=SU)
SECURITY = dict(view=SU, add=SU, change=SU, delete=SU)
LOGS = dict(view=SU, change=SU, delete=SU)  # axes' records: never added by hand

ADMIN_MODELS: dict[str, AdminModel] = {
    # The maturity matrix and the prospectus: national, kept by national administrators.
    "maturity.matrixversion": AdminModel("matrixversion", **REFERENCE),
    "maturity.domain": AdminModel("domain", **REFERENCE),
    "maturity.expectation": AdminModel(
        "expectation", change_data={"text": "Changed by the matrix"}, **REFERENCE
    ),
    "auth.group": AdminModel("group", **SECURITY),
    "axes.accessattempt": AdminModel("accessattempt", **LOGS),
    "axes.accesslog": AdminModel("accesslog", **LOGS),
    "axes.accessfailurelog": AdminModel("accessfailurelog", **LOGS),
    "otp_totp.totpdevice": AdminModel("totpdevice", **SECURITY),
    "pcn_admin.user": AdminModel("user", **SECURITY),
    "knox.authtoken": AdminModel("authtoken", view=SU, delete=SU),
    "networks.commissioner": AdminModel("commissioner", **{**REGISTER, "add": SU}),
    "networks.pcn": AdminModel("pcn", import_export=True, **REGISTER),
    "networks.practice": AdminModel("practice", import_export=True, **REGISTER),
    "networks.listsize": AdminModel(
        "listsize", import_export=True, change_data={"registered_patients": "1"}, **REGISTER
    ),
    # Payees change on the PCN's page (its inline) and through the API: read-only here.
    "networks.nominatedpayee": AdminModel("nominatedpayee", view=STAFF, scoped=True, versions=True),
    "networks.importrecord": AdminModel("importrecord", view=STAFF),
    "roles.role": AdminModel("role", **{**REFERENCE, "delete": NOBODY}),
    "roles.rate": AdminModel(
        "rate", import_export=True, change_data={"annual_max": "1.00"}, **REFERENCE
    ),
    "roles.reimbursementpercentage": AdminModel(
        "reimbursementpercentage",
        import_export=True,
        change_data={"percentage": "1"},
        **REFERENCE,
    ),
    "roles.entitlementrate": AdminModel(
        "entitlementrate",
        import_export=True,
        change_data={"per_weighted_patient": "1.000"},
        **REFERENCE,
    ),
    # Posts are kept by PCNs on their own pages: the admin reads them.
    "roles.post": AdminModel("post", view=STAFF, scoped=True, versions=True),
    # Batches change only through their buttons (finalise, mark paid): read-only here.
    "reimbursement.batch": AdminModel("batch", view=STAFF, scoped=True, versions=True),
    "reimbursement.batchrun": AdminModel("batchrun", view=STAFF, scoped=True),
    "reimbursement.claim": AdminModel(
        "submitted_claim",
        view=STAFF,
        change=STAFF,
        scoped=True,
        versions=True,
        change_data={"return_query": "Where is the payslip?"},
    ),
    # The Network Contract DES streams and their dated rates: national figures, as the ARRS
    # maxima. A stream is never deleted: amounts are paid under it.
    "reimbursement.paymentstream": AdminModel(
        "paymentstream", **{**REFERENCE, "delete": NOBODY}, change_data={"name": "Matrix"}
    ),
    "reimbursement.streamrate": AdminModel(
        "streamrate", change_data={"per_patient": "1.0000"}, **REFERENCE
    ),
    "reimbursement.claimline": AdminModel(
        "submitted_line",
        view=STAFF,
        change=STAFF,
        scoped=True,
        versions=True,
        change_data={"decision": "reject", "reason": "Not in post."},
    ),
    # Each commissioner's evidence rule, set by its own staff.
    "evidence.evidencesetting": AdminModel(
        "evidencesetting",
        view=STAFF,
        add=STAFF,
        change=STAFF,
        delete=SU,
        scoped=True,
        versions=True,
        change_data={"required": "every_line"},
    ),
    "referrals.organisation": AdminModel("organisation", **DIRECTORY),
    "referrals.service": AdminModel("service", **DIRECTORY),
    "referrals.taxonomy": AdminModel("taxonomy", **DIRECTORY),
    "referrals.referralsource": AdminModel("referralsource", **DIRECTORY),
    "referrals.referralreason": AdminModel("referralreason", **DIRECTORY),
    # Identities stay on the referral pages: the admin shows referrals (status and dates,
    # never who) and the audit log to superusers only.
    "referrals.referral": AdminModel("referral", view=SU),
    "referrals.auditevent": AdminModel("auditevent", view=SU),
    # Case studies are written by link workers; commissioner staff tidy their area's.
    "referrals.casestudy": AdminModel(
        "casestudy", view=STAFF, change=STAFF, delete=SU, scoped=True
    ),
    # A commissioner's claim deadline and finance file layout: its own staff set them; the
    # reminders sent in its area are a read-only record.
    "claim_cycle.claimwindow": AdminModel(
        "claimwindow",
        view=STAFF,
        add=STAFF,
        change=STAFF,
        delete=SU,
        scoped=True,
        versions=True,
        change_data={
            "rule": "fixed_day",
            "day": "10",
            "reminder_working_days": "3",
            "review_wait_working_days": "5",
        },
    ),
    "claim_cycle.financelayout": AdminModel(
        "financelayout",
        view=STAFF,
        add=STAFF,
        change=STAFF,
        delete=SU,
        scoped=True,
        versions=True,
        change_data={
            "delimiter": "tab",
            "date_format": "%Y-%m-%d",
            "month_format": "%Y-%m",
            "encoding": "utf-8",
            "columns-TOTAL_FORMS": "0",
            "columns-INITIAL_FORMS": "0",
        },
    ),
    "claim_cycle.remindermessage": AdminModel("remindermessage", view=STAFF, scoped=True),
}


def _admin_pages(label: str, model: AdminModel) -> dict[str, Entry]:
    app, name = label.split(".")
    prefix = f"admin:{app}_{name}"

    def named(page: str) -> Callable:
        return lambda record: reverse(f"{prefix}_{page}", args=[record.pk])

    def version(record) -> str:
        earliest = record.history.order_by("history_id").first()
        return reverse(f"{prefix}_simple_history", args=[record.pk, earliest.history_id])

    scoped = model.scoped
    kind = model.kind
    pages = {
        f"{prefix}_changelist": Entry(
            read=may(model.view), path=rev(f"{prefix}_changelist"), admin=True
        ),
        f"{prefix}_add": Entry(read=may(model.add), path=rev(f"{prefix}_add"), admin=True),
        f"{prefix}_change": Entry(
            read=may(model.view, scoped=scoped),
            write=may(model.change, scoped=scoped),
            kind=kind,
            path=named("change"),
            data=lambda record, world: dict(model.change_data),
            admin=True,
        ),
        f"{prefix}_delete": Entry(
            read=may(model.delete, scoped=scoped),
            write=may(model.delete, scoped=scoped),
            kind=kind,
            path=named("delete"),
            data=lambda record, world: {"post": "yes"},
            admin=True,
        ),
        f"{prefix}_history": Entry(
            read=may(model.view, scoped=scoped), kind=kind, path=named("history"), admin=True
        ),
        # The bare record URL only passes the admin's users on to the change page, which
        # answers as above.
        f"admin/{app}/{name}/<path:object_id>/": Entry(
            read=Rule(fixed=dict.fromkeys(STAFF, PASSES_ON)),
            kind=kind,
            path=lambda record: f"/admin/{app}/{name}/{record.pk}/",
            admin=True,
        ),
    }
    if model.versions:
        # An earlier version is for reading: restoring one is refused to everyone.
        pages[f"{prefix}_simple_history"] = Entry(
            read=may(model.view, scoped=scoped),
            write=may(NOBODY, scoped=scoped),
            kind=kind,
            path=version,
            data=lambda record, world: {},
            admin=True,
        )
    if model.import_export:
        pages[f"{prefix}_import"] = Entry(
            read=may(model.add), path=rev(f"{prefix}_import"), admin=True
        )
        pages[f"{prefix}_export"] = Entry(
            read=may(model.view),
            path=rev(f"{prefix}_export"),
            admin=True,
            download=True,
        )
        # The second step of an import: a POST only.
        pages[f"{prefix}_process_import"] = Entry(
            write=may(model.add),
            path=rev(f"{prefix}_process_import"),
            data=lambda record, world: {},
            admin=True,
        )
    return pages


ADMIN_SITE: dict[str, Entry] = {
    "admin:index": Entry(read=may(STAFF), path=rev("admin:index"), admin=True),
    "admin:login": Entry(read=PUBLIC, path=rev("admin:login"), admin=True),
    # Signing out is a POST; a GET from someone without admin access goes to the admin's
    # index, and from there to its sign-in page.
    "admin:logout": Entry(
        read=Rule(may=NOBODY, fixed={"superuser": "405", "commissioner": "405"}),
        path=rev("admin:logout"),
        follow=True,
        admin=True,
    ),
    "admin:password_change": Entry(read=may(STAFF), path=rev("admin:password_change"), admin=True),
    "admin:password_change_done": Entry(
        read=may(STAFF), path=rev("admin:password_change_done"), admin=True
    ),
    "admin:jsi18n": Entry(read=may(STAFF), path=rev("admin:jsi18n"), admin=True),
    # Search-as-you-type for the list size's practice: the practices the user may see.
    "admin:autocomplete": Entry(
        read=may(STAFF),
        path=rev("admin:autocomplete"),
        query="?app_label=networks&model_name=listsize&field_name=practice",
        admin=True,
    ),
    "admin:app_list": Entry(
        read=may(STAFF), path=rev("admin:app_list", app_label="networks"), admin=True
    ),
    # No model has a page of its own outside the admin, so "view on site" finds nothing.
    "admin:view_on_site": Entry(
        read=Rule(fixed={"superuser": HIDDEN, "commissioner": HIDDEN}),
        kind="pcn",
        path=lambda pcn: reverse("admin:view_on_site", args=[_content_type(pcn), pcn.pk]),
        admin=True,
    ),
    "admin/(?P<url>.*)$": Entry(
        read=Rule(fixed={"superuser": HIDDEN, "commissioner": HIDDEN}),
        path=fixed_path("/admin/no-such-page/"),
        admin=True,
    ),
    # Pages of their own that some model admins add.
    "admin:auth_user_password_change": Entry(
        read=may(SU),
        kind="user",
        path=lambda user: reverse("admin:auth_user_password_change", args=[user.pk]),
        admin=True,
    ),
    # The admin never shows anyone's authenticator secret (OTP_ADMIN_HIDE_SENSITIVE_DATA).
    "admin:otp_totp_totpdevice_config": Entry(
        read=may(NOBODY),
        kind="totpdevice",
        path=lambda device: reverse("admin:otp_totp_totpdevice_config", args=[device.pk]),
        admin=True,
    ),
    "admin:otp_totp_totpdevice_qrcode": Entry(
        read=may(NOBODY),
        kind="totpdevice",
        path=lambda device: reverse("admin:otp_totp_totpdevice_qrcode", args=[device.pk]),
        admin=True,
    ),
    # National files touch every area: superusers alone load them.
    "admin:networks_import_upload": Entry(
        read=may(SU), path=rev("admin:networks_import_upload"), admin=True
    ),
    # A national pay award changes every area's maxima: superusers alone apply one.
    "admin:reimbursement_pay_award": Entry(
        read=may(SU), path=rev("admin:reimbursement_pay_award"), admin=True
    ),
    "admin:reimbursement_batch_build": Entry(
        read=may(STAFF), path=rev("admin:reimbursement_batch_build"), admin=True
    ),
    "admin:reimbursement_batch_finalise": Entry(
        read=may(STAFF),
        write=may(STAFF),
        kind="batch",
        path=lambda batch: reverse("admin:reimbursement_batch_finalise", args=[batch.pk]),
        data=lambda batch, world: {},
        admin=True,
    ),
    "admin:reimbursement_batch_mark_paid": Entry(
        read=may(STAFF),
        write=may(STAFF),
        kind="batch",
        path=lambda batch: reverse("admin:reimbursement_batch_mark_paid", args=[batch.pk]),
        data=lambda batch, world: {"paid_on": "2025-07-01", "payment_reference": "BACS-1"},
        admin=True,
    ),
    "admin:reimbursement_batchrun_progress": Entry(
        read=may(STAFF),
        kind="batchrun",
        path=lambda run: reverse("admin:reimbursement_batchrun_progress", args=[run.pk]),
        admin=True,
    ),
}


def _content_type(record) -> int:
    return ContentType.objects.get_for_model(record).pk


def all_pages() -> dict[str, Entry]:
    pages = dict(PAGES)
    pages.update(ADMIN_SITE)
    for label, model in ADMIN_MODELS.items():
        pages.update(_admin_pages(label, model))
    return pages


ALL_PAGES = all_pages()

# --- The API -------------------------------------------------------------------------------

API_PARAMS = {
    "{id}": pk,
    "{code}": code,
    "{pcn_code}": code,
    "{reference}": lambda r: r.reference,
}


def api(read=None, write=None, kind=None, data=None, query="", params=None) -> Entry:
    return Entry(read=read, write=write, kind=kind, data=data, query=query, api=True, path=params)


def _line_path(template: str) -> Callable:
    return lambda line: template.format(claim=line.claim_id, line=line.pk)


OPERATIONS: dict[str, Entry] = {
    # Signing in for a token is open; revoking needs the token itself, not a session.
    "POST /api/v1/auth-token/": api(write=everyone("400"), data=lambda r, w: {}),
    "POST /api/v1/auth-token/revoke/": api(write=everyone("401"), data=lambda r, w: {}),
    "POST /api/v1/auth-token/revoke-all/": api(write=everyone("401"), data=lambda r, w: {}),
    "GET /api/v1/batches/": api(read=may(PCN_STAFF)),
    "GET /api/v1/batches/{reference}/": api(read=may(PCN_STAFF), kind="batch"),
    "GET /api/v1/claims/": api(read=may(PCN_STAFF)),
    "POST /api/v1/claims/": api(
        write=creates(PREPARERS, api=True),
        kind="pcn",
        data=lambda pcn, w: {"pcn": pcn.code, "month": "2025-07"},
    ),
    "GET /api/v1/claims/{id}/": api(read=may(PCN_STAFF), kind="submitted_claim"),
    "POST /api/v1/claims/{id}/approve-remaining/": api(
        write=may(STAFF), kind="submitted_claim", data=lambda r, w: {}
    ),
    "PATCH /api/v1/claims/{id}/lines/{line_pk}/": api(
        write=may(PREPARERS),
        kind="claimline",
        data=lambda r, w: {"salary": "1000.00"},
        params=_line_path("/api/v1/claims/{claim}/lines/{line}/"),
    ),
    "POST /api/v1/claims/{id}/lines/{line_pk}/approve/": api(
        write=may(STAFF),
        kind="submitted_line",
        data=lambda r, w: {"reason": ""},
        params=_line_path("/api/v1/claims/{claim}/lines/{line}/approve/"),
    ),
    "POST /api/v1/claims/{id}/lines/{line_pk}/reject/": api(
        write=may(STAFF),
        kind="submitted_line",
        data=lambda r, w: {"reason": "Not in post."},
        params=_line_path("/api/v1/claims/{claim}/lines/{line}/reject/"),
    ),
    "POST /api/v1/claims/{id}/refresh-lines/": api(
        write=may(PREPARERS), kind="claim", data=lambda r, w: {}
    ),
    "POST /api/v1/claims/{id}/return/": api(
        write=may(STAFF), kind="submitted_claim", data=lambda r, w: {"query": "Payslip?"}
    ),
    "POST /api/v1/claims/{id}/submit/": api(
        write=may(PREPARERS),
        kind="claim",
        data=lambda r, w: {"declared_additional": True, "declared_costs_paid": True},
    ),
    # The register: everyone reads what their scope shows; commissioner staff write their
    # own area; only superusers delete (rows close, history hangs off them).
    "GET /api/v1/commissioners/": api(read=may(SIGNED_IN)),
    "GET /api/v1/commissioners/{code}/": api(
        read=may(PCN_USERS, hidden=ORGANISATION), kind="commissioner"
    ),
    "GET /api/v1/pcns/": api(read=may(SIGNED_IN)),
    "POST /api/v1/pcns/": api(
        write=creates(STAFF, api=True),
        kind="commissioner",
        data=lambda c, w: {
            "code": "U99901",
            "name": "Matrix New PCN",
            "commissioner": c.code,
            "open_date": "2025-04-01",
        },
    ),
    "GET /api/v1/pcns/{code}/": api(read=may(PCN_USERS, hidden=ORGANISATION), kind="pcn"),
    "PUT /api/v1/pcns/{code}/": api(
        write=may(STAFF),
        kind="pcn",
        data=lambda p, w: {
            "code": p.code,
            "name": "Renamed by the matrix",
            "commissioner": p.commissioner.code,
            "open_date": "2019-07-01",
        },
    ),
    "PATCH /api/v1/pcns/{code}/": api(
        write=may(STAFF), kind="pcn", data=lambda p, w: {"name": "Renamed by the matrix"}
    ),
    "DELETE /api/v1/pcns/{code}/": api(write=may(SU), kind="pcn", data=lambda p, w: None),
    # Who a PCN's payments go to: register rights in the PCN's own area.
    "POST /api/v1/pcns/{code}/nominated-payee/": api(
        write=may(STAFF),
        kind="pcn",
        data=lambda p, w: {
            "practice": p.memberships.order_by("-pk").first().practice.code,
            "start_date": "2025-08-01",
        },
    ),
    "GET /api/v1/pcns/{pcn_code}/entitlement/": api(
        read=may(DASHBOARD), kind="pcn", query="?year=2025"
    ),
    "GET /api/v1/practices/": api(read=may(SIGNED_IN)),
    "POST /api/v1/practices/": api(
        write=creates(STAFF, api=True),
        kind="commissioner",
        data=lambda c, w: {"code": "Y99901", "name": "Matrix Surgery", "commissioner": c.code},
    ),
    "GET /api/v1/practices/{code}/": api(read=may(PCN_USERS, hidden=ORGANISATION), kind="practice"),
    "PUT /api/v1/practices/{code}/": api(
        write=may(STAFF),
        kind="practice",
        data=lambda p, w: {
            "code": p.code,
            "name": "Renamed by the matrix",
            "commissioner": p.commissioner.code,
        },
    ),
    "PATCH /api/v1/practices/{code}/": api(
        write=may(STAFF), kind="practice", data=lambda p, w: {"name": "Renamed by the matrix"}
    ),
    "DELETE /api/v1/practices/{code}/": api(write=may(SU), kind="practice", data=lambda p, w: None),
    # ARRS reference data: national, read by anyone signed in, kept by national administrators.
    "GET /api/v1/roles/": api(read=may(SIGNED_IN)),
    "GET /api/v1/roles/{code}/": api(read=may(SIGNED_IN, scoped=False), kind="role"),
    "GET /api/v1/rates/": api(read=may(SIGNED_IN)),
    "POST /api/v1/rates/": api(
        write=may(SU),
        data=lambda r, w: {
            "role": w.shared["role"].code,
            "region": "national",
            "effective_from": "2031-04-01",
            "annual_max": "1.00",
            "basis": "Matrix figure.",
        },
    ),
    "GET /api/v1/rates/{id}/": api(read=may(SIGNED_IN, scoped=False), kind="rate"),
    "PUT /api/v1/rates/{id}/": api(
        write=may(SU, scoped=False),
        kind="rate",
        data=lambda r, w: {
            "role": r.role.code,
            "region": r.region,
            "effective_from": str(r.effective_from),
            "annual_max": "1.00",
            "basis": "Matrix figure.",
        },
    ),
    "PATCH /api/v1/rates/{id}/": api(
        write=may(SU, scoped=False), kind="rate", data=lambda r, w: {"annual_max": "1.00"}
    ),
    "DELETE /api/v1/rates/{id}/": api(
        write=may(SU, scoped=False), kind="rate", data=lambda r, w: None
    ),
    # Staff in post: as the pages.
    "GET /api/v1/posts/": api(read=may(PCN_STAFF)),
    "POST /api/v1/posts/": api(
        write=creates(PREPARERS, api=True),
        kind="pcn",
        data=lambda pcn, w: {
            "pcn": pcn.code,
            "role": w.shared["role"].code,
            "person_name": "Matrix New Person",
            "employing_practice": pcn.memberships.first().practice.code,
            "start_date": "2025-04-01",
            "hours": "37.5",
        },
    ),
    "GET /api/v1/posts/{id}/": api(read=may(PCN_STAFF), kind="post"),
    "PUT /api/v1/posts/{id}/": api(
        write=may(PREPARERS),
        kind="post",
        data=lambda p, w: {
            "pcn": p.pcn.code,
            "role": p.role.code,
            "person_name": "Renamed by the matrix",
            "employing_practice": p.employing_practice.code,
            "start_date": str(p.start_date),
            "hours": "20",
        },
    ),
    "PATCH /api/v1/posts/{id}/": api(
        write=may(PREPARERS), kind="post", data=lambda p, w: {"person_name": "Renamed"}
    ),
    "POST /api/v1/posts/{id}/end/": api(
        write=may(PREPARERS), kind="post", data=lambda p, w: {"end_date": "2025-07-31"}
    ),
    "GET /api/v1/referrals/": api(read=may(IDENTITIES)),
    "GET /api/v1/referrals/{id}/": api(read=may(IDENTITIES), kind="referral"),
    # The directory: shared by every area, read by anyone signed in (and by anyone at all
    # through the Open Referral UK feed); commissioner staff keep it, an organisation's staff
    # their own entry.
    "GET /api/v1/organisations/": api(read=may(SIGNED_IN)),
    "POST /api/v1/organisations/": api(
        write=may(STAFF),
        data=lambda r, w: {"name": "Matrix Friends", "email": "hello@matrix.example.org"},
    ),
    "GET /api/v1/organisations/{id}/": api(read=may(SIGNED_IN, scoped=False), kind="organisation"),
    "PUT /api/v1/organisations/{id}/": api(
        write=may(STAFF, ORGANISATION, scoped=False, foreign={"organisation": DENIED}),
        kind="organisation",
        data=lambda o, w: {"name": "Renamed by the matrix", "email": o.email},
    ),
    "PATCH /api/v1/organisations/{id}/": api(
        write=may(STAFF, ORGANISATION, scoped=False, foreign={"organisation": DENIED}),
        kind="organisation",
        data=lambda o, w: {"name": "Renamed by the matrix"},
    ),
    "GET /api/v1/services/": api(read=may(SIGNED_IN)),
    "POST /api/v1/services/": api(
        write=Rule(may=STAFF | ORGANISATION, scoped=False, foreign={"organisation": DENIED}),
        kind="organisation",
        data=lambda o, w: {
            "organisation": o.pk,
            "name": "Matrix coffee morning",
            "description": "Tea and a chat.",
        },
    ),
    "GET /api/v1/services/{id}/": api(read=may(SIGNED_IN, scoped=False), kind="service"),
    "PUT /api/v1/services/{id}/": api(
        write=may(STAFF, ORGANISATION, scoped=False, foreign={"organisation": DENIED}),
        kind="service",
        data=lambda s, w: {
            "organisation": s.organisation_id,
            "name": "Renamed by the matrix",
            "description": s.description,
        },
    ),
    "PATCH /api/v1/services/{id}/": api(
        write=may(STAFF, ORGANISATION, scoped=False, foreign={"organisation": DENIED}),
        kind="service",
        data=lambda s, w: {"name": "Renamed by the matrix"},
    ),
}


# The whole table: each URL pattern (by name, or by route where it has none) and each API
# operation ("METHOD /path" as in the OpenAPI schema), with its rule.
EXPECTED: dict[str, Entry] = {**ALL_PAGES, **OPERATIONS}


def operation_path(key: str, record) -> str:
    entry = OPERATIONS[key]
    if entry.path is not None:
        return entry.path(record)
    path = key.split(" ", 1)[1]
    for placeholder, value in API_PARAMS.items():
        if placeholder in path:
            path = path.replace(placeholder, str(value(record)))
    return path


@pytest.fixture(autouse=True)
def password_only_sign_in(settings):
    # Another change may require two-factor sign-in; these tests ask about access alone.
    settings.REQUIRE_TWO_FACTOR = False


@pytest.fixture(autouse=True)
def quiet_request_log():
    # Each refusal is logged as a warning; hundreds of them would bury a failure's message.
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture
def world(db) -> MatrixWorld:
    return build_world()


def _read_failures(world, role, entries: dict[str, Entry], *, api: bool) -> list[str]:
    client = client_for(world, role)
    failures = []
    for key, entry in entries.items():
        if entry.read is None:
            continue
        for side, record, query in sides(world, entry, write=False):
            url = (operation_path(key, record) if api else entry.path(record)) + query
            result = exchange(client, "GET", url, entry=entry)
            expected = entry.read.expect(role, side)
            if result.said not in acceptable(expected, entry):
                failures.append(f"{role} GET {url} -> {result} (expected {expected})")
            leaked = leaks(world, role, entry, result.text)
            if leaked:
                failures.append(f"{role} GET {url} -> {result} shows {leaked}")
            if entry.download and result.said == "200":
                exported = exchange(client, "POST", url, entry=entry, data=export_form(result))
                if exported.said != "200":
                    failures.append(f"{role} export {url} -> {exported}")
                if leaked := leaks(world, role, entry, exported.text):
                    failures.append(f"{role} export {url} -> file shows {leaked}")
    return failures


def _write_failures(world, role, entries: dict[str, Entry], *, api: bool) -> list[str]:
    client = client_for(world, role)
    failures = []
    for key, entry in entries.items():
        if entry.write is None:
            continue
        method = key.split(" ", 1)[0] if api else "POST"
        for side, record, _query in sides(world, entry, write=True):
            url = operation_path(key, record) if api else entry.path(record)
            data = entry.data(record, world) if entry.data else None
            watched = entry.watch(record) if entry.watch and record is not None else record
            result = exchange(client, method, url, entry=entry, data=data, watch=watched)
            expected = entry.write.expect(role, side)
            if expected == MAY:
                # Own records: anything but a server error.
                if result.status >= 500:
                    failures.append(f"{role} {method} {url} -> {result}")
                continue
            if result.said not in acceptable(expected, entry):
                failures.append(f"{role} {method} {url} -> {result} (expected {expected})")
            if result.changed:
                failures.append(f"{role} {method} {url} -> {result} and changed {watched!r}")
    return failures


def _report(failures: list[str]) -> str:
    return f"{len(failures)} answer(s) differ from the table:\n" + "\n".join(failures)


# --- Every URL and operation has an entry -------------------------------------------------


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield route, name


def schema_operations() -> list[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    )


def _sample_path(key: str) -> str:
    """An operation's path with its parameters filled, to find the URL pattern serving it."""
    path = key.split(" ", 1)[1]
    return re.sub(r"\{(\w+)\}", lambda m: "U90000" if "code" in m.group(1) else "1", path)


def test_every_url_and_operation_has_an_entry():
    operations = schema_operations()
    served = {resolve(_sample_path(key)).url_name for key in operations}

    missing, stale = [], set(EXPECTED)
    for route, name in _walk(get_resolver().url_patterns):
        key = name or route
        stale.discard(key)
        if key in EXPECTED:
            continue
        if route.startswith("api/v1/") and name in served:
            continue  # a router's URL: its operations have their own entries
        missing.append(f"URL {key!r} ({route})")
    missing += [f"operation {key!r}" for key in operations if key not in EXPECTED]
    stale -= set(operations)

    registered = {model._meta.label_lower for model in admin.site._registry}
    missing += [f"admin model {label!r}" for label in sorted(registered - set(ADMIN_MODELS))]
    stale |= set(ADMIN_MODELS) - registered
    nothing_asked = [key for key, entry in EXPECTED.items() if not (entry.read or entry.write)]

    assert not missing, "Add a rule for each:\n" + "\n".join(missing)
    assert not stale, "Entries for URLs that no longer exist:\n" + "\n".join(sorted(stale))
    assert not nothing_asked, f"Entries without a rule: {nothing_asked}"


# --- Each role asks everything ------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_pages_answer_each_role_as_the_table_says(world, role):
    assert not (failures := _read_failures(world, role, ALL_PAGES, api=False)), _report(failures)


@pytest.mark.parametrize("role", ROLES)
def test_page_writes_are_refused_outside_the_users_scope(world, role):
    assert not (failures := _write_failures(world, role, ALL_PAGES, api=False)), _report(failures)


@pytest.mark.parametrize("role", ROLES)
def test_api_reads_answer_each_role_as_the_table_says(world, role):
    assert not (failures := _read_failures(world, role, OPERATIONS, api=True)), _report(failures)


@pytest.mark.parametrize("role", ROLES)
def test_api_writes_are_refused_outside_the_users_scope(world, role):
    assert not (failures := _write_failures(world, role, OPERATIONS, api=True)), _report(failures)


# --- A page and the API agree -------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """A page and an API endpoint about the same record: whoever may see one may see the
    other. `page_shows`: for a page that lists the record rather than showing it alone, the
    record's mark on that list."""

    kind: str
    page: Callable  # record -> page path
    api: Callable  # record -> API path
    page_shows: Callable | None = None  # record -> a string the page shows when it shows it
    roles: frozenset = frozenset(ROLES)


PAIRS = {
    # The dashboard and the entitlement show the same money. (The PCN's register entry,
    # GET /api/v1/pcns/{code}/, is read by every user of the PCN, practice managers and link
    # workers included, who have no dashboard: the access table grants them differently.)
    "PCN dashboard and entitlement": Pair(
        "pcn",
        page=lambda pcn: reverse("dashboards:pcn_dashboard", args=[pcn.code]) + "?year=2025",
        api=lambda pcn: f"/api/v1/pcns/{pcn.code}/entitlement/?year=2025",
    ),
    "claim": Pair(
        "submitted_claim",
        page=lambda claim: reverse("reimbursement:claim_detail", args=[claim.pk]),
        api=lambda claim: f"/api/v1/claims/{claim.pk}/",
    ),
    # A post has no page of its own to read: the posts page lists it.
    "post": Pair(
        "post",
        page=lambda post: reverse("roles:post_list"),
        api=lambda post: f"/api/v1/posts/{post.pk}/",
        page_shows=lambda post: post.person_name,
    ),
    "batch remittance": Pair(
        "batchpayee",
        page=lambda payee: reverse(
            "reimbursement:batch_remittance", args=[payee.batch.reference, payee.pcn.code]
        ),
        api=lambda payee: f"/api/v1/batches/{payee.batch.reference}/",
    ),
    "referral": Pair(
        "referral",
        page=lambda referral: reverse("referrals:detail", args=[referral.pk]),
        api=lambda referral: f"/api/v1/referrals/{referral.pk}/",
    ),
    # The directory's page is the open Open Referral UK feed; the API needs a sign-in.
    "service": Pair(
        "service",
        page=lambda service: reverse("oruk-service", args=[service.uuid]),
        api=lambda service: f"/api/v1/services/{service.pk}/",
        roles=SIGNED_IN,
    ),
    "organisation": Pair(
        "service",
        page=lambda service: reverse("oruk-service", args=[service.uuid]),
        api=lambda service: f"/api/v1/organisations/{service.organisation_id}/",
        roles=SIGNED_IN,
    ),
}


@pytest.mark.parametrize("role", ROLES)
def test_a_page_and_the_api_agree_on_who_may_see_a_record(world, role):
    client = client_for(world, role)
    page_entry, api_entry = Entry(), Entry(api=True)
    failures = []
    for name, pair in PAIRS.items():
        if role not in pair.roles:
            continue
        for side, record, _query in sides(world, Entry(kind=pair.kind), write=False):
            page = exchange(client, "GET", pair.page(record), entry=page_entry)
            on_page = page.said == "200" and (
                pair.page_shows is None or pair.page_shows(record) in page.text
            )
            through_api = exchange(client, "GET", pair.api(record), entry=api_entry)
            in_api = through_api.said == "200"
            if on_page != in_api:
                failures.append(
                    f"{role}, {name} of {side} area: page {pair.page(record)} -> "
                    f"{page.status}{' (listed)' if on_page else ''}, API {pair.api(record)} -> "
                    f"{through_api.status}"
                )
    assert not failures, "Page and API disagree:\n" + "\n".join(failures)


# --- The home page offers only what the user can open ------------------------------------

LINK = re.compile(r"""href=["'](/[^"']*)["']""")


@pytest.mark.parametrize("role", ROLES)
def test_the_home_page_offers_only_links_the_user_can_open(world, role):
    client = client_for(world, role)
    home = client.get(reverse("home"), follow=True)  # signed out: the sign-in page
    assert home.status_code == 200
    links = sorted(
        {
            unescape(link)
            for link in LINK.findall(home.content.decode())
            if not link.startswith(("/static/", "//"))
        }
    )
    assert links, "the page offers no links at all"
    broken = []
    for link in links:
        result = exchange(client, "GET", link, entry=Entry())
        if result.status in (403, 404) or result.status >= 500:
            broken.append(f"{role} GET {link} -> {result.status}")
    assert not broken, "The home page offers links that do not open:\n" + "\n".join(broken)
