from django.apps import AppConfig


class RolesConfig(AppConfig):
    name = "roles"
    verbose_name = "ARRS roles and rates"
