"""Pages for claim evidence: attach to a line, remove, and the one way to open a file."""

from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path(
        "claims/<int:claim_pk>/lines/<int:line_pk>/",
        views.attachment_add,
        name="attachment_add",
    ),
    path("files/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("files/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
]
