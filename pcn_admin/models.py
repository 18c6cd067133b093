"""Users: each belongs to one organisation with one role (what they may do is in access.py)."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    COMMISSIONER_STAFF = "commissioner_staff", "Commissioner staff"
    CLINICAL_DIRECTOR = "clinical_director", "Clinical director"
    PRACTICE_MANAGER = "practice_manager", "Practice manager"
    LINK_WORKER = "link_worker", "Social prescribing link worker"
    COMMUNITY_ORGANISATION = "community_organisation", "Community organisation staff"


# Which organisation field each role must have set; the others stay empty.
ROLE_ORGANISATION_FIELD = {
    Role.COMMISSIONER_STAFF: "commissioner",
    Role.CLINICAL_DIRECTOR: "pcn",
    Role.PRACTICE_MANAGER: "practice",
    Role.LINK_WORKER: "pcn",
    Role.COMMUNITY_ORGANISATION: "organisation",
}
ORGANISATION_FIELDS = ("commissioner", "pcn", "practice", "organisation")


def _role_constraint() -> Q:
    """Superusers may have no role; everyone else has exactly their role's organisation."""
    allowed = Q(role="") & Q(
        commissioner__isnull=True,
        pcn__isnull=True,
        practice__isnull=True,
        organisation__isnull=True,
    )
    for role, field in ROLE_ORGANISATION_FIELD.items():
        others = {f"{f}__isnull": True for f in ORGANISATION_FIELDS if f != field}
        allowed |= Q(role=role, **{f"{field}__isnull": False}, **others)
    return allowed


class User(AbstractUser):
    # Identifying fields, scrubbed from copies of the database and kept out of logs.
    PERSONAL_DATA_FIELDS = ("username", "first_name", "last_name", "email")

    role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    commissioner = models.ForeignKey(
        "networks.Commissioner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    pcn = models.ForeignKey(
        "networks.PCN",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name="PCN",
    )
    practice = models.ForeignKey(
        "networks.Practice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    organisation = models.ForeignKey(
        "referrals.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="For community organisation staff.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=_role_constraint(), name="user_role_matches_organisation"
            ),
        ]

    def clean(self):
        super().clean()
        if not self.role:
            return
        field = ROLE_ORGANISATION_FIELD[Role(self.role)]
        errors = {}
        if getattr(self, f"{field}_id") is None:
            errors[field] = f"A {Role(self.role).label.lower()} must belong to a {field}."
        for other in ORGANISATION_FIELDS:
            if other != field and getattr(self, f"{other}_id") is not None:
                errors[other] = f"Leave this empty for a {Role(self.role).label.lower()}."
        if errors:
            raise ValidationError(errors)

    @property
    def organisation_name(self) -> str:
        if not self.role:
            return ""
        org = getattr(self, ROLE_ORGANISATION_FIELD[Role(self.role)])
        if org is None:
            return ""
        if self.role == Role.COMMISSIONER_STAFF:
            return org.display_name  # "Northumberland, 00L", not the ODS name's ICB
        return str(org)


class FormSubmission(models.Model):
    """A form post that made a change, known by the one-off token its page carried
    (pcn_admin/submissions.py): a second post of the same page, from a double click or a resent
    form, finds it and is sent where the first was, rather than making the change twice."""

    token = models.UUIDField(unique=True)
    # Empty for the public self-referral form, which nobody signs in to send.
    user = models.ForeignKey(
        "pcn_admin.User", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    answer_url = models.CharField(
        max_length=500, blank=True, help_text="Where the first post of the form was sent on to."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"Form sent {self.created_at:%d/%m/%Y %H:%M}"
