"""reimbursement models."""
