"""Pages of the referrals app, mounted at /referrals/."""

from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("new/", views.referral_create, name="create"),
    path("new-referrals/", views.queue, name="queue"),
    path("<int:pk>/take/", views.referral_take, name="take"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/status/", views.referral_change_status, name="change_status"),
    path("<int:pk>/contacts/", views.contact_add, name="contact_add"),
    path("<int:pk>/onward/", views.onward_referral_add, name="onward_add"),
    path("<int:pk>/outcomes/", views.outcome_add, name="outcome_add"),
    path("<int:pk>/gp-appointments/", views.gp_appointments_save, name="gp_appointments"),
    path("<int:pk>/case-study/", views.case_study_add, name="case_study_add"),
    path("<int:pk>/gp-message/", views.gp_message, name="gp_message"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/respond/", views.inbox_respond, name="inbox_respond"),
    path("overview/", views.overview, name="overview"),
    path("self-referral/", views.self_referral, name="self_referral"),
    path("self-referral/received/", views.self_referral_received, name="self_referral_received"),
    path("self-referral/privacy/", views.privacy_notice, name="privacy_notice"),
]
