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
        return str(org) if org else ""
