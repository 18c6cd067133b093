"""Pages of PCN development funding: allocations, commitments and spend; a PCN's funding;
backfill claims; commissioner-funded baseline posts."""

from django.urls import path

from . import views

app_name = "development"
urlpatterns = [
    path("", views.index, name="index"),
    path("allocations/", views.allocation_list, name="allocation_list"),
    path("allocations/new/", views.allocation_create, name="allocation_create"),
    path("allocations/<int:pk>/", views.allocation_detail, name="allocation_detail"),
    path("allocations/<int:pk>/earmarks/new/", views.earmark_create, name="earmark_create"),
    path(
        "allocations/<int:pk>/commitments/new/", views.commitment_create, name="commitment_create"
    ),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment_detail"),
    path("commitments/<int:pk>/spend/new/", views.spend_create, name="spend_create"),
    path("pcns/<str:code>/", views.pcn_funding, name="pcn_funding"),
    path("backfill/", views.backfill_list, name="backfill_list"),
    path("backfill/new/", views.backfill_create, name="backfill_create"),
    path("backfill/<int:pk>/", views.backfill_detail, name="backfill_detail"),
    path("backfill/<int:pk>/review/", views.backfill_review, name="backfill_review"),
    path("baseline-posts/", views.baseline_post_list, name="baseline_post_list"),
    path("baseline-posts/new/", views.baseline_post_create, name="baseline_post_create"),
    path("baseline-posts/<int:pk>/edit/", views.baseline_post_edit, name="baseline_post_edit"),
]
