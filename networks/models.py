"""The networks register: commissioners, practices, PCNs and their dated relationships.

Codes are ODS codes, stored upper-case and validated on every way in (networks.md).
Everything money or history depends on is PROTECTed; relationships carry start and end dates
so that a past month resolves to the PCN, payee and clinical director of that month.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from pcn_admin.names import title_case

from .validators import validate_organisation_name

PRACTICE_CODE = RegexValidator(
    r"^[A-Z]\d{5}$", "A practice code is one letter and five digits, for example A81001."
)
PCN_CODE = RegexValidator(r"^U\d{5}$", "A PCN code is U and five digits, for example U12345.")
COMMISSIONER_CODE = RegexValidator(
    r"^[A-Z0-9]{3,5}$",
    "A Sub-ICB location (CCG) code is three to five letters and digits, for example 10Q.",
)
ICB_CODE = RegexValidator(r"^Q[A-Z0-9]{2}$", "An ICB code is Q and two characters, e.g. QNQ.")

# The size band the Network Contract DES expects of a PCN (networks.md).
POPULATION_MINIMUM = 30_000
POPULATION_MAXIMUM = 50_000


class ODSCodeField(models.CharField):
    """A CharField that strips and upper-cases whatever comes in, so `a81001` is `A81001`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 8)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.strip().upper() if isinstance(value, str) else value

    def get_prep_value(self, value):
        return self.to_python(super().get_prep_value(value))

    def pre_save(self, model_instance, add):
        value = self.to_python(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


class CurrentQuerySet(models.QuerySet):
    """Dated rows: which were in force on a date (started by then, not yet ended)."""

    def on(self, date: dt.date):
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=date), start_date__lte=date)

    def current(self):
        return self.filter(end_date__isnull=True)


class Commissioner(models.Model):
    """A CCG, today a Sub-ICB location: it holds practices and PCNs and pays the claims."""

    code = ODSCodeField(unique=True, validators=[COMMISSIONER_CODE])
    name = models.CharField(max_length=200, validators=[validate_organisation_name])
    icb_code = ODSCodeField("parent ICB code", blank=True, validators=[ICB_CODE])
    icb_name = models.CharField("parent ICB name", max_length=200, blank=True)
    area_name = models.CharField(
        "area",
        max_length=100,
        blank=True,
        help_text="The place it covers, as people name it, for example Northumberland. Its "
        "ODS name names only its ICB; the ePCN import leaves this alone.",
    )
    clinical_director_must_be_gp = models.BooleanField(
        "clinical director must be a GP",
        default=True,
        help_text="When ticked, a PCN's clinical director must be a GP.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = "commissioner (Sub-ICB location)"
        verbose_name_plural = "commissioners (Sub-ICB locations)"

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def display_name(self) -> str:
        """How pages name it: "Northumberland, 00L"; without an area name, its ODS name as
        people write it and without the code it repeats ("NHS North East and North Cumbria
        ICB, 00L" for "NHS NORTH EAST AND NORTH CUMBRIA ICB - 00L")."""
        if self.area_name:
            return f"{self.area_name}, {self.code}"
        name = self.name.strip()
        for suffix in (f" - {self.code}", f" {self.code}"):
            if name.upper().endswith(suffix.upper()):
                name = name[: -len(suffix)].strip()
        if not name or name.upper() == self.code.upper():
            return self.code
        return f"{title_case(name)}, {self.code}"


class Practice(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"
        DORMANT = "dormant", "Dormant"
        PROPOSED = "proposed", "Proposed"

    code = ODSCodeField(unique=True, validators=[PRACTICE_CODE])
    name = models.CharField(max_length=200, validators=[validate_organisation_name])
    commissioner = models.ForeignKey(
        Commissioner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="practices",
        help_text="The practice's parent Sub-ICB location.",
    )
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def display_name(self) -> str:
        """The name as people write it ("The Sele Medical Practice"), for pages the public
        reads: the register's capitals and codes mean nothing to a patient."""
        return title_case(self.name)


class PCN(models.Model):
    code = ODSCodeField(unique=True, validators=[PCN_CODE])
    name = models.CharField(max_length=200, validators=[validate_organisation_name])
    commissioner = models.ForeignKey(
        Commissioner,
        on_delete=models.PROTECT,
        related_name="pcns",
        help_text="The lead commissioner: a PCN spanning two belongs to its lead.",
    )
    open_date = models.DateField()
    close_date = models.DateField(null=True, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    population_waiver_date = models.DateField(
        null=True,
        blank=True,
        help_text="When the commissioner agreed a waiver for a population below 30,000.",
    )
    population_waiver_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = "PCN"
        verbose_name_plural = "PCNs"
        constraints = [
            models.CheckConstraint(
                condition=Q(close_date__isnull=True) | Q(close_date__gte=F("open_date")),
                name="pcn_closes_after_opening",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_open(self) -> bool:
        return self.close_date is None

    @property
    def closed_note(self) -> str:
        """'closed on 1 April 2024' for a closed PCN, to show beside it wherever it is listed."""
        return f"closed on {self.close_date.day} {self.close_date:%B %Y}" if self.close_date else ""

    def clean(self):
        if self.close_date and self.open_date and self.close_date < self.open_date:
            raise ValidationError({"close_date": "A PCN cannot close before it opens."})


class Membership(models.Model):
    """A practice's membership of a PCN, with history: at most one current PCN per practice."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="memberships")
    pcn = models.ForeignKey(PCN, on_delete=models.PROTECT, related_name="memberships")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    objects = CurrentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["practice__code", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice"],
                condition=Q(end_date__isnull=True),
                name="one_current_pcn_per_practice",
                violation_error_message="This practice is already a current member of a PCN.",
            ),
            models.UniqueConstraint(
                fields=["practice", "pcn", "start_date"], name="membership_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.practice.code} in {self.pcn.code} from {self.start_date}"

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "A membership cannot end before it starts."})


class ListSize(models.Model):
    """A practice's registered and weighted (Carr-Hill) list sizes on a date."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="list_sizes")
    date = models.DateField(help_text="The date the figures stand for.")
    registered_patients = models.PositiveIntegerField(null=True, blank=True)
    weighted_patients = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Carr-Hill weighted list size.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["practice__code", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "date"], name="one_list_size_per_date"),
        ]

    def __str__(self):
        return f"{self.practice.code} on {self.date}"


class NetworkAgreement(models.Model):
    pcn = models.OneToOneField(PCN, on_delete=models.CASCADE, related_name="agreement")
    signed_date = models.DateField()
    core_members = models.ManyToManyField(
        Practice,
        related_name="agreements_signed",
        help_text="The core member practices that signed the agreement.",
    )
    schedules_completed = models.BooleanField(
        default=False, help_text="The locally completed schedules are in place."
    )
    notes = models.TextField(blank=True)
    # Who signed is part of the agreement's history: a change of core members is a new version.
    history = HistoricalRecords(m2m_fields=[core_members])

    def __str__(self):
        return f"Network agreement of {self.pcn.code}, signed {self.signed_date}"


class NominatedPayee(models.Model):
    """Who receives the PCN's payments: a member practice, or a bank account held for it."""

    pcn = models.ForeignKey(PCN, on_delete=models.PROTECT, related_name="payees")
    practice = models.ForeignKey(
        Practice, null=True, blank=True, on_delete=models.PROTECT, related_name="payee_for"
    )
    account_name = models.CharField(
        max_length=200, blank=True, help_text="When the payee is a bank account for the network."
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    objects = CurrentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["pcn__code", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["pcn"],
                condition=Q(end_date__isnull=True),
                name="one_current_payee",
                violation_error_message="This PCN already has a current nominated payee.",
            ),
            models.CheckConstraint(
                condition=Q(practice__isnull=False) | ~Q(account_name=""),
                name="payee_is_practice_or_account",
            ),
        ]

    def __str__(self):
        return self.practice.code if self.practice_id else self.account_name

    def clean(self):
        if not self.practice_id and not self.account_name:
            raise ValidationError("Choose a member practice or give the account's name.")


class ClinicalDirectorFields(models.Model):
    """What marks a clinical director's rows, and their historical copies, as personal data."""

    # Identifying fields, scrubbed from copies of the database and kept out of logs.
    PERSONAL_DATA_FIELDS = ("name", "professional_registration")

    class Meta:
        abstract = True


class ClinicalDirector(ClinicalDirectorFields):
    pcn = models.ForeignKey(PCN, on_delete=models.PROTECT, related_name="clinical_directors")
    name = models.CharField(max_length=200)
    professional_registration = models.CharField(
        max_length=20, blank=True, help_text="GMC, NMC or HCPC number."
    )
    is_gp = models.BooleanField("is a GP", default=True)
    practice = models.ForeignKey(
        Practice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="The member practice they work in.",
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    objects = CurrentQuerySet.as_manager()
    # The history holds names too: it shares the personal-data list.
    history = HistoricalRecords(bases=[ClinicalDirectorFields])

    class Meta:
        ordering = ["pcn__code", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["pcn"],
                condition=Q(end_date__isnull=True),
                name="one_current_clinical_director",
                violation_error_message="This PCN already has a current clinical director.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "An appointment cannot end before it starts."})
        pcn = getattr(self, "pcn", None) if self.pcn_id else None
        if pcn and pcn.commissioner.clinical_director_must_be_gp and not self.is_gp:
            raise ValidationError(
                {"is_gp": f"{pcn.commissioner.name} requires the clinical director to be a GP."}
            )


class ImportRecord(models.Model):
    """One run of a national-file import: what, when, who and what it changed."""

    class Kind(models.TextChoices):
        EPCN = "epcn", "ePCN"
        REGISTERED = "registered_list_sizes", "Registered list sizes"
        WEIGHTED = "weighted_list_sizes", "Weighted list sizes"
        # Commissioner staff's spreadsheet imports in the admin.
        PRACTICES = "practices", "Practices (admin import)"
        PCNS = "pcns", "PCNs (admin import)"
        LIST_SIZES = "list_sizes", "List sizes (admin import)"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    counts = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name} at {self.created_at:%Y-%m-%d %H:%M}"
