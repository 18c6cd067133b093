from django.apps import AppConfig


class PcnAdminConfig(AppConfig):
    name = "pcn_admin"
    verbose_name = "Users and access"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .sessions import stamp_on_sign_in

        user_logged_in.connect(stamp_on_sign_in, dispatch_uid="pcn_admin_session_stamp")
