from django.apps import AppConfig


class PcnAdminConfig(AppConfig):
    name = "pcn_admin"
    verbose_name = "Users and access"
