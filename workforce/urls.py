"""Pages of the workforce app: PCNs' annual workforce plans."""

from django.urls import path

from . import views

app_name = "workforce"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("start/", views.plan_start, name="plan_start"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/posts/add/", views.planned_post_add, name="planned_post_add"),
    path("plans/<int:pk>/submit/", views.plan_submit, name="plan_submit"),
    path("plans/<int:pk>/sign-off/", views.plan_sign_off, name="plan_sign_off"),
    path("planned-posts/<int:pk>/edit/", views.planned_post_edit, name="planned_post_edit"),
    path("planned-posts/<int:pk>/remove/", views.planned_post_remove, name="planned_post_remove"),
    path(
        "planned-posts/<int:pk>/recruit/", views.planned_post_recruit, name="planned_post_recruit"
    ),
    path("area/", views.area, name="area"),
    path("area.csv", views.area_csv, name="area_csv"),
]
