"""Pages of the roles app: staff in post."""

from django.urls import path

from . import views

app_name = "roles"
urlpatterns = [
    path("", views.post_list, name="post_list"),
    path("posts/new/", views.post_create, name="post_create"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/end/", views.post_end, name="post_end"),
]
