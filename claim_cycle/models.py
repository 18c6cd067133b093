"""The claim cycle's records: each commissioner's claim window (the monthly deadline and when to
remind), every reminder sent, and the layout of the payment file its finance system loads.

No national figure sets the deadline or the reminders: each commissioner decides its own, so
they are rows its staff edit in the admin, never constants in code.
"""

import calendar
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from pcn_admin.dates import is_working_day, month_bounds, working_days_before

# Working days are weekdays that are not England and Wales bank holidays (pcn_admin.dates).
# Every month has at least 18 of them, so the 15th working day always exists.
MAX_WORKING_DAY = 15
# The 29th, 30th and 31st are missing from some months: a fixed date is the 28th at the latest.
MAX_FIXED_DAY = 28
DEFAULT_REMINDER_WORKING_DAYS = 3
# Not a national figure: a working week, until the commissioner sets its own.
DEFAULT_REVIEW_WAIT_WORKING_DAYS = 5


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st."""
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def missing_day_message(day: int) -> str:
    """Why a fixed date of the 29th, 30th or 31st is refused, naming the months without it."""
    common_year = 2025  # February has 28 days; a leap year's 29th is mentioned separately
    months = [
        calendar.month_name[month]
        for month in range(1, 13)
        if calendar.monthrange(common_year, month)[1] < day
    ]
    leap = " (except in a leap year)" if day == 29 else ""
    return (
        f"There is no {ordinal(day)} in {_joined(months)}{leap}, so a deadline on the "
        f"{ordinal(day)} would fall on a day that does not exist. Choose a date from the 1st to "
        f"the {ordinal(MAX_FIXED_DAY)}, or a working day (for example the 3rd working day)."
    )


def nth_working_day(first: dt.date, number: int) -> dt.date:
    """The `number`th working day on or after `first`."""
    day = first - dt.timedelta(days=1)
    for _ in range(number):
        day += dt.timedelta(days=1)
        while not is_working_day(day):
            day += dt.timedelta(days=1)
    return day


class ClaimWindow(models.Model):
    """A commissioner's monthly claim deadline: a PCN's claim for a month is due by a day of the
    month after, and reminders go out around it (claim_cycle/services.py)."""

    class Rule(models.TextChoices):
        WORKING_DAY = "working_day", "A working day of the month after the claim month"
        FIXED_DAY = "fixed_day", "A date of the month after the claim month"

    commissioner = models.OneToOneField(
        "networks.Commissioner", on_delete=models.PROTECT, related_name="claim_window"
    )
    rule = models.CharField(
        "deadline falls on",
        max_length=12,
        choices=Rule.choices,
        default=Rule.WORKING_DAY,
        help_text="Working days are weekdays that are not bank holidays in England.",
    )
    day = models.PositiveSmallIntegerField(
        "day",
        default=3,
        help_text=(
            f"For a working day, 1 to {MAX_WORKING_DAY}: 3 means the 3rd working day. For a "
            f"date, 1 to {MAX_FIXED_DAY}, kept even when it falls at a weekend. The 29th, 30th "
            "and 31st are refused: they do not exist in every month (February has 28 days)."
        ),
    )
    reminder_working_days = models.PositiveSmallIntegerField(
        "remind practices this many working days before",
        default=DEFAULT_REMINDER_WORKING_DAYS,
        help_text="Practice managers of a payee practice whose PCN has not submitted the month's "
        "claim are reminded once, from this many working days before the deadline. 1 to 10.",
    )
    review_wait_working_days = models.PositiveSmallIntegerField(
        "remind reviewers after this many working days",
        default=DEFAULT_REVIEW_WAIT_WORKING_DAYS,
        help_text="Your staff are reminded once of a claim still waiting for review more than "
        "this many working days after it was submitted. 1 to 30. There is no national figure: "
        f"{DEFAULT_REVIEW_WAIT_WORKING_DAYS} (a working week) until you set your own.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["commissioner__code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(rule="working_day") & Q(day__gte=1, day__lte=MAX_WORKING_DAY))
                | (Q(rule="fixed_day") & Q(day__gte=1, day__lte=MAX_FIXED_DAY)),
                name="claim_window_day_exists",
                violation_error_message="Choose a deadline day that exists in every month.",
            ),
            models.CheckConstraint(
                condition=Q(reminder_working_days__gte=1, reminder_working_days__lte=10),
                name="claim_window_reminder_days_in_range",
            ),
            models.CheckConstraint(
                condition=Q(review_wait_working_days__gte=1, review_wait_working_days__lte=30),
                name="claim_window_review_days_in_range",
            ),
        ]

    def __str__(self):
        return f"Claim deadline for {self.commissioner}: {self.describe()}"

    def describe(self) -> str:
        """The rule in words: "the 3rd working day of the month after the claim month"."""
        if self.rule == self.Rule.WORKING_DAY:
            return f"the {ordinal(self.day)} working day of the month after the claim month"
        return f"the {ordinal(self.day)} of the month after the claim month"

    def deadline_for(self, claim_month: dt.date) -> dt.date:
        """The last day to submit the claim for `claim_month`."""
        following = month_bounds(claim_month)[1] + dt.timedelta(days=1)
        if self.rule == self.Rule.WORKING_DAY:
            return nth_working_day(following, self.day)
        return following.replace(day=self.day)

    def reminders_from(self, claim_month: dt.date) -> dt.date:
        """The first day practices are reminded: `reminder_working_days` working days before
        the deadline (so that many working days are left, the deadline included)."""
        return working_days_before(self.deadline_for(claim_month), self.reminder_working_days)

    def clean(self):
        super().clean()
        errors = {}
        if self.day is not None:
            problem = self._day_problem()
            if problem:
                errors["day"] = problem
        if self.reminder_working_days is not None and not 1 <= self.reminder_working_days <= 10:
            errors["reminder_working_days"] = "Enter a number of working days from 1 to 10."
        wait = self.review_wait_working_days
        if wait is not None and not 1 <= wait <= 30:
            errors["review_wait_working_days"] = "Enter a number of working days from 1 to 30."
        if errors:
            raise ValidationError(errors)

    def _day_problem(self) -> str:
        latest = ordinal(MAX_FIXED_DAY)
        if self.rule == self.Rule.FIXED_DAY:
            if MAX_FIXED_DAY < self.day <= 31:
                return missing_day_message(self.day)
            if self.day > 31:
                return (
                    f"No month has a {ordinal(self.day)} day. Choose a date from the 1st to the "
                    f"{latest}."
                )
            if self.day < 1:
                return f"Choose a date from the 1st to the {latest}."
        elif not 1 <= self.day <= MAX_WORKING_DAY:
            return (
                f"Choose a working day from 1 to {MAX_WORKING_DAY}: a later one would fall near "
                "the end of the month, or past it in a month with bank holidays."
            )
        return ""


class ReminderMessage(models.Model):
    """One e-mail the reminder job sent. Its `key` names the reminder (what, to whom, about
    which month, claim or batch), so running the job again, or twice at once, sends it once."""

    class Kind(models.TextChoices):
        DEADLINE = "deadline", "Claim deadline coming up (practice managers)"
        REVIEW_WAITING = "review_waiting", "Claim waiting for review (commissioner staff)"
        BATCH_PAID = "batch_paid", "Payment batch paid (clinical directors)"

    # The address and the greeting name a person.
    PERSONAL_DATA_FIELDS = ("address", "body")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="What the reminder is, to whom and about what: it is sent once.",
    )
    commissioner = models.ForeignKey(
        "networks.Commissioner", on_delete=models.PROTECT, related_name="+"
    )
    pcn = models.ForeignKey(
        "networks.PCN",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="PCN",
    )
    month = models.DateField(help_text="The claim month, or the month the batch pays for.")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.EmailField(help_text="Where it was sent.")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was queued.")
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the mail server took it. Empty: not sent yet."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="reminder_month_1st")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject}"


class FinanceField(models.TextChoices):
    """What a column of the finance system file can hold, for each practice paid in the batch
    (a row of its payment file)."""

    BATCH_REFERENCE = "batch_reference", "Batch reference"
    BATCH_MONTH = "batch_month", "Batch month"
    BATCH_STATUS = "batch_status", "Batch status"
    CLAIM_MONTHS = "claim_months", "Claim months paid"
    COMMISSIONER_CODE = "commissioner_code", "Commissioner code"
    COMMISSIONER_NAME = "commissioner_name", "Commissioner name"
    PCN_CODE = "pcn_code", "PCN code"
    PCN_NAME = "pcn_name", "PCN name"
    PAYEE_PRACTICE_CODE = "payee_practice_code", "Payee practice code"
    PAYEE_NAME = "payee_name", "Payee name"
    PAID_AS = "paid_as", "Paid as (nominated payee or member practice)"
    AMOUNT = "amount", "Amount (pounds and pence, 1234.56)"
    AMOUNT_PENCE = "amount_pence", "Amount in pence (123456)"
    ARRS_AMOUNT = "arrs_amount", "ARRS amount (of the amount; the rest is other streams)"
    LINE_COUNT = "line_count", "Number of claim lines"
    LATE_LINE_COUNT = "late_line_count", "Number of late claim lines"
    FINALISED_ON = "finalised_on", "Date finalised"
    PAID_ON = "paid_on", "Date paid"
    PAYMENT_REFERENCE = "payment_reference", "Payment reference"
    FIXED_TEXT = "fixed_text", "Fixed text (the same on every row, e.g. a cost centre)"


class FinanceLayout(models.Model):
    """The layout of the payment file a commissioner's finance system loads: which columns, in
    what order, with what headers, how dates are written and what separates the columns. A
    commissioner without one gets the default (claim_cycle/finance_file.py)."""

    class DateFormat(models.TextChoices):
        DMY_SLASH = "%d/%m/%Y", "31/12/2025"
        ISO = "%Y-%m-%d", "2025-12-31"
        DMY_DOT = "%d.%m.%Y", "31.12.2025"
        DMY_NAME = "%d-%b-%Y", "31-Dec-2025"
        COMPACT = "%Y%m%d", "20251231"

    class MonthFormat(models.TextChoices):
        ISO = "%Y-%m", "2025-12"
        MY_SLASH = "%m/%Y", "12/2025"
        MY_NAME = "%b-%Y", "Dec-2025"
        LONG = "%B %Y", "December 2025"
        COMPACT = "%Y%m", "202512"

    class Delimiter(models.TextChoices):
        COMMA = "comma", "Comma (CSV)"
        TAB = "tab", "Tab"
        SEMICOLON = "semicolon", "Semicolon"
        PIPE = "pipe", "Vertical bar |"

    class Encoding(models.TextChoices):
        UTF8 = "utf-8", "UTF-8"
        UTF8_BOM = "utf-8-sig", "UTF-8 with a byte-order mark (for Excel)"

    commissioner = models.OneToOneField(
        "networks.Commissioner", on_delete=models.PROTECT, related_name="finance_layout"
    )
    date_format = models.CharField(
        max_length=12, choices=DateFormat.choices, default=DateFormat.DMY_SLASH
    )
    month_format = models.CharField(
        max_length=12,
        choices=MonthFormat.choices,
        default=MonthFormat.ISO,
        help_text="For the batch month and the claim months.",
    )
    delimiter = models.CharField(
        "columns separated by", max_length=10, choices=Delimiter.choices, default=Delimiter.COMMA
    )
    encoding = models.CharField(max_length=10, choices=Encoding.choices, default=Encoding.UTF8)
    include_header = models.BooleanField(
        "first row is the headers", default=True, help_text="Untick if the system wants data only."
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["commissioner__code"]

    def __str__(self):
        return f"Finance file layout for {self.commissioner}"


class FinanceLayoutColumn(models.Model):
    layout = models.ForeignKey(FinanceLayout, on_delete=models.CASCADE, related_name="columns")
    position = models.PositiveSmallIntegerField(help_text="Columns run from the lowest number.")
    field = models.CharField("holds", max_length=24, choices=FinanceField.choices)
    header = models.CharField(
        max_length=100, blank=True, help_text="Leave empty for the field's own name."
    )
    text = models.CharField(
        "fixed text", max_length=100, blank=True, help_text="For a fixed text column only."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["layout", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["layout", "position"],
                name="one_finance_column_per_position",
                violation_error_message="Two columns have the same position: number them apart.",
            )
        ]

    def __str__(self):
        return f"Column {self.position}: {self.header or self.get_field_display()}"

    def clean(self):
        super().clean()
        if self.field == FinanceField.FIXED_TEXT and not self.text.strip():
            raise ValidationError({"text": "Enter the text this column holds on every row."})
        if self.field != FinanceField.FIXED_TEXT and self.text.strip():
            raise ValidationError(
                {"text": "Only a fixed text column holds text of its own: clear this box."}
            )
