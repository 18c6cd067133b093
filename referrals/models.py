"""Social prescribing: the community directory, referrals, contacts and outcomes."""

from django.db import models


class Organisation(models.Model):
    """A charity, community group or statutory service in the social prescribing directory."""

    class Kind(models.TextChoices):
        CHARITY = "charity", "Charity"
        COMMUNITY_GROUP = "community_group", "Community group"
        STATUTORY = "statutory", "Statutory service"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CHARITY)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
