from django.apps import AppConfig


class ClaimCycleConfig(AppConfig):
    name = "claim_cycle"
    verbose_name = "Claim deadlines, reminders and finance files"
