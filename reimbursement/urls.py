"""Pages of the reimbursement app: monthly ARRS claims and payment batches."""

from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "reimbursement"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reimbursement:claim_list"), name="index"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/new/", views.claim_create, name="claim_create"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/edit/", views.claim_edit, name="claim_edit"),
    path(
        "claims/<int:pk>/lines/<int:line_pk>/breakdown/",
        views.claim_line_breakdown,
        name="claim_line_breakdown",
    ),
    path(
        "claims/<int:pk>/lines/<int:line_pk>/decide/",
        views.claim_line_decide,
        name="claim_line_decide",
    ),
    path("claims/<int:pk>/return/", views.claim_return, name="claim_return"),
    path(
        "claims/<int:pk>/approve-remaining/",
        views.claim_approve_remaining,
        name="claim_approve_remaining",
    ),
    path("batches/", views.batch_list, name="batch_list"),
    path(
        "batches/<str:reference>/remittance/<str:pcn_code>/",
        views.batch_remittance,
        name="batch_remittance",
    ),
    path(
        "batches/<str:reference>/payment-file.<str:fmt>",
        views.batch_payment_file,
        name="batch_payment_file",
    ),
    path(
        "batches/<str:reference>/line-detail.<str:fmt>",
        views.batch_line_detail,
        name="batch_line_detail",
    ),
]
