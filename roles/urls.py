"""Pages of the roles app: staff in post, and the coverage of the national figures."""

from django.urls import path

from . import views

app_name = "roles"
urlpatterns = [
    path("", views.post_list, name="post_list"),
    path("posts/new/", views.post_create, name="post_create"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/end/", views.post_end, name="post_end"),
    path("figures/coverage/", views.figures_coverage, name="figures_coverage"),
    path("figures/coverage.csv", views.figures_coverage_csv, name="figures_coverage_csv"),
]
