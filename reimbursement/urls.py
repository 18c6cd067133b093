"""Pages of the reimbursement app: monthly ARRS claims and payment batches."""

from django.urls import path
from django.views.generic import RedirectView

from .views import batches, bulk_review, claims, declared, payroll, reconciliation

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
    # Filling a draft from the payroll or the month before (the practice).
    path("claims/<int:pk>/payroll/", payroll.payroll_upload, name="payroll_upload"),
    path(
        "claims/<int:pk>/payroll/template.<str:fmt>",
        payroll.payroll_template,
        name="payroll_template",
    ),
    path(
        "claims/<int:pk>/payroll/<int:upload_pk>/",
        payroll.payroll_preview,
        name="payroll_preview",
    ),
    path("claims/<int:pk>/copy-forward/", payroll.claim_copy_forward, name="claim_copy_forward"),
    # The month's clean lines approved in one action (the commissioner).
    path("claims/bulk-review/", bulk_review.bulk_review, name="bulk_review"),
    # What the app paid each PCN against what NHS England reported (commissioner staff).
    path("reconciliation/", reconciliation.reconciliation, name="reconciliation"),
    path(
        "reconciliation/reconciliation.csv",
        reconciliation.reconciliation_csv,
        name="reconciliation_csv",
    ),
    # Declared Network Contract DES amounts (IIF, care home premium...): the commissioner.
    path("declared/", declared.declared_list, name="declared_list"),
    path("declared/new/", declared.declared_enter, name="declared_enter"),
    path("declared/import/", declared.declared_import, name="declared_import"),
    path("declared/<int:pk>/", declared.declared_detail, name="declared_detail"),
    path("declared/<int:pk>/approve/", declared.declared_approve, name="declared_approve"),
    path("declared/<int:pk>/reject/", declared.declared_reject, name="declared_reject"),
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
