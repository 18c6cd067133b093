"""Pages of PCN development: the maturity matrix, self-assessment rounds and assessments, a
PCN's progress and its prospectus checklist."""

from django.urls import path

from . import views

app_name = "maturity"
urlpatterns = [
    path("", views.index, name="index"),
    path("matrix/", views.matrix, name="matrix"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/heat-map.csv", views.round_csv, name="round_csv"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("rounds/<int:pk>/place/", views.place_assessment, name="place_assessment"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path("assessments/<int:pk>/system-view/", views.system_view, name="system_view"),
    path("pcns/<str:code>/progress/", views.pcn_progress, name="pcn_progress"),
    path("pcns/<str:code>/progress.csv", views.pcn_progress_csv, name="pcn_progress_csv"),
    path("pcns/<str:code>/checklist/", views.checklist, name="checklist"),
]
