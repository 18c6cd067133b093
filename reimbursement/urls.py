"""Pages of the reimbursement app: monthly ARRS claims and payment batches."""

from django.urls import path
from django.views.generic import RedirectView

from .views import batches, claims

app_name = "reimbursement"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reimbursement:claim_list"), name="index"),
    path("claims/", claims.claim_list, name="claim_list"),
    path("claims/new/", claims.claim_create, name="claim_create"),
    path("claims/<int:pk>/", claims.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/edit/", claims.claim_edit, name="claim_edit"),
    path(
        "claims/<int:pk>/lines/<int:line_pk>/breakdown/",
        claims.claim_line_breakdown,
        name="claim_line_breakdown",
    ),
    path(
        "claims/<int:pk>/lines/<int:line_pk>/decide/",
        claims.claim_line_decide,
        name="claim_line_decide",
    ),
    path("claims/<int:pk>/return/", claims.claim_return, name="claim_return"),
    path(
        "claims/<int:pk>/approve-remaining/",
        claims.claim_approve_remaining,
        name="claim_approve_remaining",
    ),
    path("batches/", batches.batch_list, name="batch_list"),
    # Commissioner staff build, finalise and pay batches here (and may in the admin too).
    path("batches/build/", batches.batch_build, name="batch_build"),
    path("batches/runs/<int:pk>/", batches.batch_run_progress, name="batch_run_progress"),
    path("batches/<str:reference>/", batches.batch_detail, name="batch_detail"),
    path("batches/<str:reference>/finalise/", batches.batch_finalise, name="batch_finalise"),
    path("batches/<str:reference>/mark-paid/", batches.batch_mark_paid, name="batch_mark_paid"),
    path(
        "batches/<str:reference>/remittance/<str:pcn_code>/",
        batches.batch_remittance,
        name="batch_remittance",
    ),
    path(
        "batches/<str:reference>/payment-file.<str:fmt>",
        batches.batch_payment_file,
        name="batch_payment_file",
    ),
    path(
        "batches/<str:reference>/line-detail.<str:fmt>",
        batches.batch_line_detail,
        name="batch_line_detail",
    ),
]
