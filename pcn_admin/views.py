"""The signed-in landing page: each role is sent to where its work is."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

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


@login_required
def home(request):
    user = request.user
    links = [
        (name, label)
        for name, label, roles in _WORK
        if access.sees_everything(user) or user.role in roles
    ]
    return render(
        request,
        "home.html",
        {
            "pcns": access.visible_pcns(user).select_related("commissioner")[:20],
            "can_use_admin": access.can_use_admin(user),
            "links": links,
        },
    )
