"""The dashboards and their CSV downloads, under /networks/ as before."""

from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("dashboard/", views.commissioner_dashboard, name="commissioner_dashboard"),
    path(
        "dashboard/<slug:chart>.csv",
        views.commissioner_dashboard_csv,
        name="commissioner_dashboard_csv",
    ),
    path("pcns/<str:code>/dashboard/", views.pcn_dashboard, name="pcn_dashboard"),
    path(
        "pcns/<str:code>/dashboard/<slug:chart>.csv",
        views.pcn_dashboard_csv,
        name="pcn_dashboard_csv",
    ),
]
