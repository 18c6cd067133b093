"""The append-only audit log of who viewed or changed an identifiable record."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events cannot be changed.")

    def delete(self):
        raise PermissionError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """Append-only: who viewed or changed an identifiable record, and when."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        LIST = "list", "Shown in a list"
        CREATE = "create", "Created"
        CHANGE = "change", "Changed"
        EXPORT = "export", "Downloaded or printed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    model = models.CharField(max_length=100)
    record_id = models.CharField(max_length=50)
    at = models.DateTimeField(default=timezone.now)
    detail = models.CharField(max_length=200, blank=True, help_text="Never personal data.")

    # The user's name at the time, which a scrubbed copy must not keep either.
    PERSONAL_DATA_FIELDS = ("username",)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["model", "record_id"]),
            # The admin's list (bench/bench_lists.py): newest first, whole and by action or role
            # (an action or role few events have would otherwise walk the whole log), and its
            # search for a whole username or record id, any case: each page from an index.
            models.Index(fields=["-at", "-id"], name="audit_newest_first"),
            models.Index(fields=["action", "-at", "-id"], name="audit_action_newest"),
            models.Index(fields=["role", "-at", "-id"], name="audit_role_newest"),
            models.Index(Upper("username"), name="audit_username_any_case"),
            models.Index(Upper("record_id"), name="audit_record_id_any_case"),
        ]

    def __str__(self):
        return f"{self.username or 'anonymous'} {self.action} {self.model} {self.record_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted.")
