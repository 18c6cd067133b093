"""The national ARRS figures as spreadsheets: import (with the admin's preview) and export of
maxima, reimbursement percentages and ARR sum rates, so next year's published table is one upload.

Columns are those of roles/data/maxima.csv (role code, region, band, effective from, annual
maximum, provenance, basis). A row is known by its role, region, band and date, so importing the
same file twice changes nothing. A bad cell is refused on its row, naming the value, and one
bad row means nothing from the file is written. Rows go through roles.services, so each history
row names who imported which file. Only national administrators import (pcn_admin.access).
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from import_export import fields, resources
from import_export.results import Error
from import_export.widgets import CharWidget, NumberWidget, Widget

from networks.importers import FileNotRecognised, FileTooLarge, check_row_count
from pcn_admin.spreadsheets import defused

from . import services
from .models import (
    EntitlementRate,
    Provenance,
    Rate,
    Region,
    ReimbursementPercentage,
    Role,
)
from .models.reference import LOCKED_FIELDS


class RoleCodeWidget(Widget):
    """An ARRS role by its code (clinical_pharmacist), as maxima.csv gives it."""

    def clean(self, value, row=None, **kwargs):
        code = str(value or "").strip().lower()
        if not code:
            raise ValueError("Give the role's code, for example clinical_pharmacist.")
        role = Role.objects.filter(code=code).first()
        if role is None:
            raise ValueError(f"No ARRS role has the code {value!r}: check it against the roles.")
        return role

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


class ChoiceWidget(Widget):
    """One of a TextChoices' codes (or its label, in any case)."""

    def __init__(self, choices, what: str, *, blank_is=None):
        super().__init__()
        self.choices = choices
        self.what = what
        self.blank_is = blank_is

    def clean(self, value, row=None, **kwargs):
        text = " ".join(str(value or "").split())
        if not text and self.blank_is is not None:
            return self.blank_is
        for code, label in self.choices.choices:
            if text.lower() in (code.lower(), str(label).lower()):
                return code
        codes = ", ".join(self.choices.values)
        raise ValueError(f"{value!r} is not a {self.what}: use one of {codes}.")

    def render(self, value, obj=None, **kwargs):
        return value or ""


class FigureDateWidget(Widget):
    """A date as 2026-04-01 (or 01/04/2026, or a spreadsheet's date cell); written out as
    2026-04-01."""

    def __init__(self, *, required: bool = True):
        super().__init__()
        self.required = required

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value or "").strip()
        if not text and not self.required:
            return None
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(f"{value!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-04-01.")

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class AmountWidget(NumberWidget):
    """A positive amount, to the penny (or to 3 places for £ per weighted patient). "£66,972"
    is read as 66972."""

    def __init__(self, *, places: int = 2, required: bool = True, what: str = "an amount"):
        super().__init__()
        self.places = places
        self.required = required
        self.what = what

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().replace(",", "").lstrip("£")
        if not text:
            if self.required:
                raise ValueError(f"Give {self.what}.")
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{value!r} is not {self.what}: write a number, e.g. 66972.") from None
        if not amount.is_finite() or amount <= 0:
            raise ValueError(f"{value!r} is not {self.what}: it must be more than 0.")
        if amount != amount.quantize(Decimal(1).scaleb(-self.places)):
            raise ValueError(f"{value!r} has more than {self.places} decimal places.")
        return amount

    def render(self, value, obj=None, **kwargs):
        # A number, so a spreadsheet sums it: 66972.00 goes out as 66972.
        if value is None:
            return ""
        return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


class PercentageWidget(AmountWidget):
    def clean(self, value, row=None, **kwargs):
        amount = super().clean(str(value if value is not None else "").rstrip("%"), row, **kwargs)
        if amount is not None and amount > 100:
            raise ValueError(f"{value!r} is not a percentage between 0 and 100.")
        return amount


class YearWidget(NumberWidget):
    """The financial year by the year it starts (2026 for 2026/27; "2026/27" is read too)."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, int | float) and float(value).is_integer():
            value = int(value)  # a spreadsheet's number cell
        text = str(value if value is not None else "").strip().split("/")[0]
        if not text.isdigit():
            raise ValueError(f"{value!r} is not a year: write the year it starts, e.g. 2026.")
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return value


def _field(name: str, widget, **kwargs) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=widget, **kwargs)


SOURCED_FIELDS = {
    "provenance": lambda: _field(
        "provenance",
        ChoiceWidget(Provenance, "provenance", blank_is=Provenance.PUBLISHED),
    ),
    "basis": lambda: _field("basis", CharWidget(allow_blank=True)),
}


class RefusalError(Error):
    """A file refused whole (too many rows) is a message for the person importing: no
    traceback."""

    @property
    def traceback(self):
        return "" if isinstance(self.error, FileNotRecognised) else super().traceback


class FigureResource(resources.ModelResource):
    """What the three figure tables share: who imports, all or nothing, a history reason, a
    repeated row refused, text cells defused on the way out."""

    key_columns: tuple[str, ...]  # the columns that say which row of the table a line is

    def __init__(self, *, user=None, **kwargs):
        super().__init__(**kwargs)
        self.by = user
        self.file_name = ""
        self.seen: dict[tuple, int] = {}

    def import_data(self, dataset, **kwargs):
        # All or nothing: one bad row means nothing from the file is written.
        kwargs["rollback_on_validation_errors"] = True
        kwargs.setdefault("use_transactions", True)
        self.by = self.by if self.by is not None else kwargs.get("user")
        self.file_name = kwargs.get("file_name") or ""
        self.seen = {}
        return super().import_data(dataset, **kwargs)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        try:
            check_row_count(len(dataset), "The file")
        except FileTooLarge:
            dataset.wipe()  # the import goes on to the rows after this: leave it none
            raise
        if dataset.headers:  # "Annual max " is the annual_max column
            dataset.headers = [
                "_".join(str(header or "").split()).lower() for header in dataset.headers
            ]

    def get_error_result_class(self):
        return RefusalError

    def get_instance(self, instance_loader, row):
        # A cell that cannot be read (an unknown role) is named by import_instance, on its row.
        try:
            return super().get_instance(instance_loader, row)
        except (ValueError, ArithmeticError, ValidationError):
            return None

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        key = tuple(getattr(instance, self.fields[c].attribute) for c in self.key_columns)
        number = kwargs.get("row_number")
        first = self.seen.setdefault(key, number)
        if first != number:
            raise ValidationError(
                f"Row {number} repeats row {first} ({', '.join(self.key_columns)}): "
                "keep one of them."
            )

    def do_instance_save(self, instance, is_create):
        reason = f"Imported from {self.file_name}" if self.file_name else "Imported"
        self.save_figure(instance, reason=reason)

    def save_figure(self, instance, *, reason: str) -> None:
        services.reference_save(instance=instance, by=self.by, reason=reason)

    def export_field(self, field, instance, **kwargs):
        # A basis typed as "=..." would run as a formula in a spreadsheet: text goes out defused.
        value = super().export_field(field, instance, **kwargs)
        return value if isinstance(field.widget, NumberWidget) else defused(value)


class RateResource(FigureResource):
    """Annual maxima, as maxima.csv. Only figures in force are exported; a row matching a
    figure a pay award superseded is that figure, left as it is."""

    role = _field("role", RoleCodeWidget())
    region = _field("region", ChoiceWidget(Region, "region", blank_is=Region.NATIONAL))
    afc_band = _field("afc_band", CharWidget(allow_blank=True))
    effective_from = _field("effective_from", FigureDateWidget())
    annual_max = _field("annual_max", AmountWidget(what="an annual maximum in pounds"))
    provenance = SOURCED_FIELDS["provenance"]()
    basis = SOURCED_FIELDS["basis"]()

    key_columns = ("role", "region", "afc_band", "effective_from")

    class Meta:
        model = Rate
        import_id_fields = ["role", "region", "afc_band", "effective_from"]
        fields = [
            "role",
            "region",
            "afc_band",
            "effective_from",
            "annual_max",
            "provenance",
            "basis",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_queryset(self):
        return Rate.objects.select_related("role")

    def filter_export(self, queryset, **kwargs):
        return super().filter_export(queryset, **kwargs).filter(superseded_by__isnull=True)

    def get_instance(self, instance_loader, row):
        try:
            key = {name: self.fields[name].clean(row) for name in self.key_columns}
        except (ValueError, KeyError):
            return None  # import_instance names the cell
        rows = Rate.objects.filter(**key)
        try:
            amount = self.fields["annual_max"].clean(row)
        except (ValueError, KeyError):
            amount = None
        superseded = rows.filter(superseded_by__isnull=False, annual_max=amount).first()
        return superseded or rows.filter(superseded_by__isnull=True).first()

    def import_instance(self, instance, row, **kwargs):
        stored = None
        if instance.pk and instance.is_locked:
            stored = {name: getattr(instance, name) for name in LOCKED_FIELDS}
        super().import_instance(instance, row, **kwargs)
        if stored and any(stored[name] != getattr(instance, name) for name in LOCKED_FIELDS):
            raise ValidationError(
                {
                    "annual_max": (
                        f"The stored £{stored['annual_max']:,} has been used by a batched claim "
                        f"and cannot become £{instance.annual_max:,}: give the new figure a "
                        "later effective date."
                    )
                }
            )

    def save_figure(self, instance, *, reason):
        services.rate_save(rate=instance, by=self.by, reason=reason)


class ReimbursementPercentageResource(FigureResource):
    role = _field("role", RoleCodeWidget())
    afc_band = _field("afc_band", CharWidget(allow_blank=True))
    effective_from = _field("effective_from", FigureDateWidget())
    percentage = _field("percentage", PercentageWidget(what="a percentage"))
    provenance = SOURCED_FIELDS["provenance"]()
    basis = SOURCED_FIELDS["basis"]()

    key_columns = ("role", "afc_band", "effective_from")

    class Meta:
        model = ReimbursementPercentage
        import_id_fields = ["role", "afc_band", "effective_from"]
        fields = ["role", "afc_band", "effective_from", "percentage", "provenance", "basis"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_queryset(self):
        return ReimbursementPercentage.objects.select_related("role")


class EntitlementRateResource(FigureResource):
    year = _field("year", YearWidget())
    per_weighted_patient = _field(
        "per_weighted_patient", AmountWidget(places=3, what="£ per weighted patient")
    )
    gp_per_weighted_patient = _field(
        "gp_per_weighted_patient",
        AmountWidget(places=3, required=False, what="£ per weighted patient"),
    )
    gp_pot_from = _field("gp_pot_from", FigureDateWidget(required=False))
    gp_pot_to = _field("gp_pot_to", FigureDateWidget(required=False))
    provenance = SOURCED_FIELDS["provenance"]()
    basis = SOURCED_FIELDS["basis"]()

    key_columns = ("year",)

    class Meta:
        model = EntitlementRate
        import_id_fields = ["year"]
        fields = [
            "year",
            "per_weighted_patient",
            "gp_per_weighted_patient",
            "gp_pot_from",
            "gp_pot_to",
            "provenance",
            "basis",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
