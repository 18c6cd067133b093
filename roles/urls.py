"""Pages of the roles app."""

app_name = "roles"
urlpatterns = []
