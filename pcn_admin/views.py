"""The signed-in landing page: each role is sent to where its work is."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from pcn_admin.models import Role

from . import access

# Where each role's work is: (URL name, label, who it is for).
_WORK = [
    (
        "roles:post_list",
        "ARRS staff in post",
        {Role.COMMISSIONER_STAFF, Role.CLINICAL_DIRECTOR, Role.PRACTICE_MANAGER},
    ),
    (
        "reimbursement:claim_list",
        "Monthly ARRS claims",
        {Role.COMMISSIONER_STAFF, Role.CLINICAL_DIRECTOR, Role.PRACTICE_MANAGER},
    ),
    (
        "reimbursement:batch_list",
        "Payment batches and remittances",
        {Role.COMMISSIONER_STAFF, Role.CLINICAL_DIRECTOR, Role.PRACTICE_MANAGER},
    ),
    ("referrals:caseload", "Social prescribing caseload", {Role.LINK_WORKER}),
    (
        "referrals:overview",
        "Social prescribing overview",
        {Role.COMMISSIONER_STAFF, Role.CLINICAL_DIRECTOR},
    ),
    ("referrals:inbox", "Referrals to your organisation", {Role.COMMUNITY_ORGANISATION}),
]


def _dashboard_links(user) -> list[tuple[str, str]]:
    links = []
    if access.can_view_commissioner_dashboard(user):
        links.append((reverse("networks:commissioner_dashboard"), "Your commissioner's dashboard"))
    if user.is_authenticated and user.role == Role.CLINICAL_DIRECTOR and user.pcn_id:
        url = reverse("networks:pcn_dashboard", args=[user.pcn.code])
        links.append((url, "Your PCN's dashboard"))
    return links


@login_required
def home(request):
    user = request.user
    links = _dashboard_links(user) + [
        (reverse(name), label)
        for name, label, roles in _WORK
        if access.sees_everything(user) or user.role in roles
    ]
    return render(
        request,
        "home.html",
        {
            "pcns": access.visible_pcns(user).select_related("commissioner")[:20],
            "can_use_admin": access.can_use_admin(user),
            "can_view_pcn_dashboard": access.can_view_pcn_dashboard(user),
            "links": links,
        },
    )
