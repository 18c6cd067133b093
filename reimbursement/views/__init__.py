"""Pages of the reimbursement app, split by concern: claims.py (monthly ARRS claims) and
batches.py (payment batches and remittances). reimbursement/urls.py imports both."""

# One page of a list (claims, batches).
PAGE_SIZE = 25
