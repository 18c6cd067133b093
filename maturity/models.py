"""PCN development (seed paper 003, ../shared/domain/pcn-funding.md): the PCN maturity matrix as
versioned data, the self-assessment rounds PCNs and the system complete against it, and the
March 2020 prospectus expectations as a checklist per PCN.

The matrix's domains, stages and descriptors are rows national administrators edit in the admin;
a version stays flagged unverified until one of them confirms it against NHS England's published
matrix. Assessments keep history (simple-history), as claims do.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

# What a page shows for a descriptor nobody has entered yet: the official wording is not in the
# shared facts, so none is invented (pcn-funding.md).
NO_DESCRIPTOR = "Descriptor not yet entered"

UNVERIFIED_NOTE = (
    "Unverified: the domains and stages are as this matrix is commonly given, not yet checked "
    "against NHS England's published matrix. A national administrator confirms it in the admin."
)


class MatrixVersion(models.Model):
    """One edition of the PCN maturity matrix: a matrix can be revised, and each round keeps
    the version its PCNs assessed themselves against."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft: not yet offered for rounds"
        IN_USE = "in_use", "In use"
        RETIRED = "retired", "Retired: kept for past rounds"

    name = models.CharField(max_length=200, unique=True)
    date = models.DateField(help_text="The date of this edition of the matrix.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    source = models.TextField(
        blank=True, help_text="Where the domains, stages and descriptors come from."
    )
    verified = models.BooleanField(
        default=False,
        editable=False,
        help_text="Confirmed by a national administrator against the published matrix.",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "name"]
        verbose_name = "maturity matrix version"

    def __str__(self):
        return self.name

    @property
    def verification_text(self) -> str:
        if self.verified:
            when = f" on {self.confirmed_at:%d %B %Y}" if self.confirmed_at else ""
            return f"Confirmed against the published matrix{when}."
        return UNVERIFIED_NOTE


class Domain(models.Model):
    """A key area in which PCNs develop (leadership, planning and partnerships; ...)."""

    version = models.ForeignKey(MatrixVersion, on_delete=models.CASCADE, related_name="domains")
    position = models.PositiveSmallIntegerField(help_text="Order on the page, from 1.")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "position"]
        verbose_name = "maturity matrix domain"
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="maturity_domain_position_unique"
            ),
            models.UniqueConstraint(fields=["version", "name"], name="maturity_domain_name_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.version})"


class Stage(models.Model):
    """A stage of development: foundation, then steps 1 to 3 in the 2019 matrix. `position`
    orders them (0 for foundation), and is what movement between rounds counts."""

    version = models.ForeignKey(MatrixVersion, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(help_text="0 for the first stage, then 1, 2, ...")
    name = models.CharField(max_length=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "position"]
        verbose_name = "maturity matrix stage"
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="maturity_stage_position_unique"
            ),
            models.UniqueConstraint(fields=["version", "name"], name="maturity_stage_name_unique"),
        ]

    def __str__(self):
        return self.name


class Descriptor(models.Model):
    """What a PCN at one stage of one domain looks like, in the matrix's words."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="descriptors")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="descriptors")
    text = models.TextField(
        blank=True,
        help_text="The published matrix's wording. Leave empty until it has been checked: "
        f"pages then show “{NO_DESCRIPTOR}”.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["domain", "stage__position"]
        verbose_name = "maturity matrix descriptor"
        constraints = [
            models.UniqueConstraint(fields=["domain", "stage"], name="maturity_descriptor_unique")
        ]

    def __str__(self):
        return f"{self.domain.name}: {self.stage.name}"

    @property
    def shown(self) -> str:
        return self.text.strip() or NO_DESCRIPTOR

    def clean(self):
        if self.domain_id and self.stage_id and self.domain.version_id != self.stage.version_id:
            raise ValidationError(
                {"stage": "Choose a stage of the same matrix version as the domain."}
            )


class AssessmentRound(models.Model):
    """A self-assessment round a commissioner opens for some of its PCNs. A PCN's first
    submitted assessment is its baseline; later rounds show its progress."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    commissioner = models.ForeignKey(
        "networks.Commissioner", on_delete=models.PROTECT, related_name="assessment_rounds"
    )
    name = models.CharField(max_length=200)
    date = models.DateField(help_text="The date the round's assessments describe.")
    matrix_version = models.ForeignKey(
        MatrixVersion, on_delete=models.PROTECT, related_name="rounds"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "self-assessment round"
        constraints = [
            models.UniqueConstraint(
                fields=["commissioner", "name"], name="maturity_round_name_unique"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.date:%d %B %Y})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Assessment(models.Model):
    """One PCN's self-assessment in a round, with the system's view of it; or, with no PCN,
    the commissioner's own place- or system-level assessment for the round."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    round = models.ForeignKey(AssessmentRound, on_delete=models.PROTECT, related_name="assessments")
    pcn = models.ForeignKey(
        "networks.PCN",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="maturity_assessments",
        verbose_name="PCN",
        help_text="Empty for the place or system's own assessment.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    system_view = models.TextField(
        "system's view",
        blank=True,
        help_text="The commissioner's view of the PCN's development, beside its own.",
    )
    system_view_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    system_view_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "pcn__code"]
        verbose_name = "self-assessment"
        constraints = [
            models.UniqueConstraint(
                fields=["round", "pcn"],
                condition=Q(pcn__isnull=False),
                name="maturity_one_assessment_per_pcn_and_round",
            ),
            models.UniqueConstraint(
                fields=["round"],
                condition=Q(pcn__isnull=True),
                name="maturity_one_place_assessment_per_round",
            ),
            models.CheckConstraint(
                condition=Q(status="draft", submitted_at__isnull=True)
                | Q(status="submitted", submitted_at__isnull=False),
                name="maturity_submitted_has_a_time",
            ),
        ]

    def __str__(self):
        return f"{self.subject} in {self.round.name}"

    @property
    def is_place(self) -> bool:
        return self.pcn_id is None

    @property
    def subject(self) -> str:
        return str(self.pcn) if self.pcn_id else "Place or system's own assessment"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class DomainRating(models.Model):
    """The stage an assessment gives one domain, with its evidence and next steps; on a PCN's
    assessment, also the stage the system sees (and why)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="ratings")
    stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="ratings"
    )
    evidence = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    system_stage = models.ForeignKey(
        Stage,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="stage in the system's view",
    )
    system_comment = models.TextField("system's comment", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment", "domain__position"]
        verbose_name = "domain rating"
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "domain"], name="maturity_one_rating_per_domain"
            )
        ]

    def __str__(self):
        return f"{self.domain.name}: {self.stage or 'no stage yet'}"


class Expectation(models.Model):
    """What the PCN Development Support prospectus expected of each PCN by March 2020."""

    class Measure(models.TextChoices):
        TYPED = "typed", "Recorded by the PCN or commissioner"
        ARRS_ENTITLEMENT = "arrs_entitlement", "Worked out from the ARRS claims and entitlement"

    key = models.SlugField(max_length=60, unique=True)
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    due_date = models.DateField()
    measure = models.CharField(max_length=20, choices=Measure.choices, default=Measure.TYPED)
    source = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position"]
        verbose_name = "prospectus expectation"

    def __str__(self):
        return self.text

    @property
    def is_worked_out(self) -> bool:
        return self.measure != self.Measure.TYPED


class ExpectationStatus(models.Model):
    """Where one PCN stands against one expectation, and the evidence for it."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        MET = "met", "Met"

    pcn = models.ForeignKey(
        "networks.PCN", on_delete=models.PROTECT, related_name="expectation_statuses"
    )
    expectation = models.ForeignKey(Expectation, on_delete=models.PROTECT, related_name="statuses")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    evidence = models.TextField(blank=True)
    date = models.DateField(
        null=True, blank=True, help_text="When it was met, or when the status was last checked."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pcn", "expectation__position"]
        verbose_name = "prospectus expectation status"
        verbose_name_plural = "prospectus expectation statuses"
        constraints = [
            models.UniqueConstraint(
                fields=["pcn", "expectation"], name="maturity_one_status_per_expectation"
            )
        ]

    def __str__(self):
        return f"{self.pcn}: {self.expectation} ({self.get_status_display()})"
