"""The project's URLs plus the Open Referral UK feed, as the lead will mount it."""

from django.urls import include, path

from pcn_admin.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("openreferral/", include("referrals.oruk_urls")),
]
