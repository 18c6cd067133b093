"""The signed-in landing page: each role is sent to where its work is."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from . import access
from .access import Permission

# Where each role's work is: (URL name, label, the permission that opens it). A link is
# offered only to those the access table lets through.
_WORK = [
    ("roles:post_list", "ARRS staff in post", Permission.VIEW_POSTS),
    ("reimbursement:claim_list", "Monthly ARRS claims", Permission.VIEW_CLAIMS),
    (
        "reimbursement:batch_list",
        "Payment batches and remittances",
        Permission.VIEW_REMITTANCES,
    ),
    ("reimbursement:batch_build", "Build a payment batch", Permission.MANAGE_BATCHES),
    (
        "reimbursement:declared_list",
        "Declared payments: IIF, care home premium, enhanced access",
        Permission.VIEW_DECLARED_PAYMENTS,
    ),
    (
        "reimbursement:reconciliation",
        "Reconciliation with NHS Payments to General Practice",
        Permission.VIEW_RECONCILIATION,
    ),
    ("roles:figures_coverage", "ARRS figures coverage", Permission.VIEW_FIGURES_COVERAGE),
    ("workforce:plan_list", "Workforce plans", Permission.VIEW_WORKFORCE_PLANS),
    ("referrals:caseload", "Social prescribing caseload", Permission.MANAGE_REFERRALS),
    ("referrals:queue", "New referrals waiting for a link worker", Permission.VIEW_REFERRALS),
    ("referrals:overview", "Social prescribing overview", Permission.VIEW_REFERRAL_OVERVIEW),
    (
        "referrals:inbox",
        "Referrals to your organisation",
        Permission.ANSWER_ONWARD_REFERRALS,
    ),
    ("development:index", "PCN development funding and backfill", Permission.VIEW_BACKFILL_CLAIMS),
    ("maturity:index", "PCN maturity matrix self-assessments", Permission.VIEW_MATURITY),
]


def _dashboard_links(user) -> list[tuple[str, str]]:
    links = []
    # Only when there is a commissioner to show: a new install has none until the ePCN import.
    if access.commissioner_dashboard_commissioners(user).exists():
        url = reverse("dashboards:commissioner_dashboard")
        links.append((url, "Your commissioner's dashboard"))
    if access.has(user, Permission.VIEW_PCN_DASHBOARD) and user.pcn_id:
        url = reverse("dashboards:pcn_dashboard", args=[user.pcn.code])
        links.append((url, "Your PCN's dashboard"))
    return links


@login_required
def home(request):
    user = request.user
    links = _dashboard_links(user) + [
        (reverse(name), label) for name, label, permission in _WORK if access.has(user, permission)
    ]
    return render(
        request,
        "home.html",
        {
            "pcns": access.visible_pcns(user).select_related("commissioner")[:20],
            "can_use_admin": access.has(user, access.Permission.USE_ADMIN),
            "can_view_pcn_dashboard": access.has(user, access.Permission.VIEW_PCN_DASHBOARD),
            "links": links,
        },
    )
