"""Pages of the reimbursement app."""

app_name = "reimbursement"
urlpatterns = []
