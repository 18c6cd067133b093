"""Pages of the claim cycle (the rest of it is in the admin and the reminder job)."""

from django.urls import path

from . import views

app_name = "claim_cycle"
urlpatterns = [
    path(
        "batches/<str:reference>/finance-system-file/",
        views.finance_system_file,
        name="finance_system_file",
    ),
]
