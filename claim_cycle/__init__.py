"""The monthly claim cycle: each commissioner's claim deadline, the reminders sent around it,
and the layout of the payment file its finance system loads."""
