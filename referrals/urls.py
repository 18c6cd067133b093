"""Pages of the referrals app."""

app_name = "referrals"
urlpatterns = []
