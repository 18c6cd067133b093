"""The community directory: organisations, the services they offer and the taxonomies that
describe them, as the Open Referral UK feed serves them."""

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

# A directory entry not checked for six months may be out of date.
REVIEW_INTERVAL_DAYS = 183


def oruk_id_field():
    """The id the Open Referral UK feed publishes: a UUID, as the standard requires, fixed when
    the row is made and never changed (the integer key stays the database's own)."""
    return models.UUIDField(
        "Open Referral UK id",
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="The stable id the Open Referral UK feed publishes for this entry.",
    )


class Organisation(models.Model):
    """A charity, community group or statutory service in the social prescribing directory."""

    class Kind(models.TextChoices):
        CHARITY = "charity", "Charity"
        COMMUNITY_GROUP = "community_group", "Community group"
        STATUTORY = "statutory", "Statutory service"

    uuid = oruk_id_field()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CHARITY)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    website = models.URLField(blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    charity_number = models.CharField(
        max_length=20, blank=True, help_text="Registered charity number, if any."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Taxonomy(models.Model):
    """A vocabulary of service categories, served as-is by the Open Referral UK feed."""

    uuid = oruk_id_field()
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    uri = models.URLField(blank=True)
    version = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "taxonomies"

    def __str__(self):
        return self.name


class TaxonomyTerm(models.Model):
    uuid = oruk_id_field()
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.PROTECT, related_name="terms")
    code = models.CharField(max_length=50, blank=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["taxonomy__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "name"], name="taxonomy_term_unique_name")
        ]

    def __str__(self):
        return self.name


class Service(models.Model):
    """What an organisation offers, who it can take and how to refer to it."""

    class Capacity(models.TextChoices):
        OPEN = "open", "Open to referrals"
        WAITING_LIST = "waiting_list", "Waiting list"
        CLOSED = "closed", "Closed to referrals"

    uuid = oruk_id_field()
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=200)
    description = models.TextField("what we offer")
    not_offered = models.TextField(
        "what we do not offer", blank=True, help_text="Say plainly what people should not expect."
    )
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    conditions = models.TextField(
        "who we can take",
        blank=True,
        help_text="Conditions or needs you can support, and any you cannot.",
    )
    areas_served = models.CharField(
        max_length=300, blank=True, help_text="Towns or areas, for example Blyth, Cramlington."
    )
    must_be_accompanied_by_carer = models.BooleanField(
        "must be accompanied by a carer", default=False
    )
    how_to_refer = models.TextField(blank=True)
    surgery_attendance = models.CharField(
        "when we attend a surgery",
        max_length=300,
        blank=True,
        help_text="For example: Seaton Park Medical Group, first Tuesday of the month, 10am-12pm.",
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    website = models.URLField(blank=True)
    venue_name = models.CharField(max_length=200, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    capacity = models.CharField(max_length=20, choices=Capacity.choices, default=Capacity.OPEN)
    taxonomy_terms = models.ManyToManyField(TaxonomyTerm, blank=True, related_name="services")
    last_reviewed = models.DateField(
        default=dt.date.today, help_text="When the organisation last checked these details."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(maximum_age__gte=F("minimum_age")),
                name="service_age_range_in_order",
                violation_error_message="The maximum age must not be below the minimum age.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.organisation.name})"

    @property
    def review_overdue(self) -> bool:
        return (timezone.localdate() - self.last_reviewed).days > REVIEW_INTERVAL_DAYS

    def clean(self):
        if (
            self.minimum_age is not None
            and self.maximum_age is not None
            and self.maximum_age < self.minimum_age
        ):
            raise ValidationError(
                {"maximum_age": "The maximum age must not be below the minimum age."}
            )
