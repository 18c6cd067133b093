"""django-import-export resources for the admin's import and export (with preview).

Codes go in by ODS code, not database id, and each row must fall inside the importing user's
area: a row for another commissioner's organisation is an error on that row, not a quiet write.
Rows are written through networks.services, so each history row names the importing user, and
each import is recorded (file, who, when, rows created, updated and unchanged).
"""

import hashlib

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from import_export import fields, resources
from import_export.results import Error, InvalidRow, RowResult
from import_export.widgets import (
    DateWidget,
    DecimalWidget,
    ForeignKeyWidget,
    IntegerWidget,
    NumberWidget,
    Widget,
)

from pcn_admin import access
from pcn_admin.spreadsheets import defused

from . import services
from .importers import ERRORS_SHOWN, FileNotRecognised, FileTooLarge, check_row_count
from .importers.list_sizes import MAX_PATIENTS
from .models import (
    PCN,
    PRACTICE_CODE,
    Commissioner,
    ImportRecord,
    ListSize,
    NominatedPayee,
    Practice,
)


class CodeForeignKeyWidget(ForeignKeyWidget):
    """Look a related row up by its ODS code, upper-casing what the spreadsheet says."""

    def __init__(self, model):
        super().__init__(model, field="code")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str):
            value = value.strip().upper()
        if not value:
            return None
        try:
            return super().clean(value, row=row, **kwargs)
        except self.model.DoesNotExist as exc:
            name = self.model._meta.verbose_name
            raise ValueError(f"No {name} has the code {value}.") from exc


class PatientCountMixin:
    """A list size as a spreadsheet gives it, refused past MAX_PATIENTS (as the national
    files' importer refuses it) rather than left to overflow the database's column."""

    def clean(self, value, row=None, **kwargs):
        try:
            count = super().clean(value, row=row, **kwargs)
        except ArithmeticError:  # "inf", which int() cannot take
            raise ValueError("Enter a number of patients.") from None
        if count is not None and not 0 <= count <= MAX_PATIENTS:
            raise ValueError(
                f"{count:,} is not a list size: a practice has between 0 and "
                f"{MAX_PATIENTS:,} patients. Check the figure."
            )
        return count


class PatientCountWidget(PatientCountMixin, IntegerWidget):
    pass


class WeightedPatientsWidget(PatientCountMixin, DecimalWidget):
    pass


class MoreErrors(Exception):
    """How many bad rows are not listed."""


class RefusalError(Error):
    """A file refused whole (too long), or the count of errors not listed, is a message for
    the person importing: no traceback."""

    @property
    def traceback(self):
        if isinstance(self.error, FileNotRecognised | MoreErrors):
            return ""
        return super().traceback


def _cap_errors(result) -> None:
    """List the first ERRORS_SHOWN bad rows, then how many more, as the national imports do.
    Rows that cannot be looked up (an unknown practice) are errors; rows that fail their checks
    are invalid: each kind is listed on its own, so each is capped."""
    failed = [row for row in result.rows if row.errors]
    more = len(failed) - ERRORS_SHOWN
    if more > 0:
        for row in failed[ERRORS_SHOWN:]:
            row.errors = []
        result.append_base_error(
            RefusalError(
                MoreErrors(
                    f"{len(failed)} rows have errors; the first {ERRORS_SHOWN} are listed. "
                    "Correct them and import again."
                )
            )
        )
    more = len(result.invalid_rows) - ERRORS_SHOWN
    if more > 0:
        del result.invalid_rows[ERRORS_SHOWN:]
        result.invalid_rows.append(
            InvalidRow(
                number="…",
                validation_error=ValidationError(
                    f"... and {more} more rows with errors. Correct the rows above and import "
                    "again to see them."
                ),
                values=(),
            )
        )


class ScopedResource(resources.ModelResource):
    """Rows outside the user's area are refused, on the row, with a message naming the code."""

    import_kind: str  # what ImportRecord calls this resource's imports

    def __init__(self, *, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.by = user  # who the history and the import record name
        self.dry_run = False

    def import_data(self, dataset, **kwargs):
        # All or nothing: one bad row means nothing from the file is written.
        kwargs["rollback_on_validation_errors"] = True
        kwargs.setdefault("use_transactions", True)
        # The admin hands the user to the resource and to import_data; either will do.
        self.by = self.user if self.user is not None else kwargs.get("user")
        self.dry_run = bool(kwargs.get("dry_run"))
        result = super().import_data(dataset, **kwargs)
        _cap_errors(result)
        return result

    def do_instance_save(self, instance, is_create):
        # Through the register's services: validated, and the history row names the importer.
        self.save_row(instance, is_create=is_create)

    def save_row(self, instance, *, is_create: bool) -> None:
        raise NotImplementedError

    def import_counts(self, result) -> dict[str, int]:
        totals = result.totals
        return {
            "created": totals[RowResult.IMPORT_TYPE_NEW],
            "updated": totals[RowResult.IMPORT_TYPE_UPDATE],
            "unchanged": totals[RowResult.IMPORT_TYPE_SKIP],
        }

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if self.dry_run or result.has_errors() or result.has_validation_errors():
            return  # the preview, or a refused file: rolled back, nothing to record
        services.import_record_create(
            kind=self.import_kind,
            file_name=kwargs.get("file_name") or "(no file name)",
            # The upload's bytes do not reach the resource: this is the digest of its rows.
            sha256=hashlib.sha256(dataset.export("csv").encode()).hexdigest(),
            by=self.by,
            counts=self.import_counts(result),
        )

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        try:
            check_row_count(len(dataset), "The file")
        except FileTooLarge:
            dataset.wipe()  # the import goes on to the rows after this: leave it none
            raise

    def get_error_result_class(self):
        return RefusalError

    def in_scope(self, instance) -> bool:
        return access.can(self.user, access.Permission.EDIT_REGISTER, instance.commissioner)

    def export_field(self, field, instance, **kwargs):
        # Every export format (CSV, TSV, XLSX...) is built from these values: a name that a
        # spreadsheet would run as a formula goes out as text. Numbers stay numbers.
        value = super().export_field(field, instance, **kwargs)
        return value if isinstance(field.widget, NumberWidget) else defused(value)

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if self.user is not None and not self.in_scope(instance):
            raise ValidationError(
                f"{instance} is outside your area: you can only import your own organisations."
            )


class PracticeResource(ScopedResource):
    commissioner = fields.Field(
        attribute="commissioner",
        column_name="commissioner",
        widget=CodeForeignKeyWidget(Commissioner),
    )

    import_kind = ImportRecord.Kind.PRACTICES

    class Meta:
        model = Practice
        import_id_fields = ["code"]
        fields = ["code", "name", "commissioner", "address", "postcode", "status"]
        skip_unchanged = True
        clean_model_instances = True
        report_skipped = True

    def save_row(self, instance, *, is_create):
        if is_create:
            services.practice_create(practice=instance, by=self.by)
        else:
            services.practice_update(practice=instance, by=self.by)


class PayeeWidget(Widget):
    """A member practice's code (in any case), or the name of a bank account held for the
    network. A blank cell leaves the payee as it is."""

    def clean(self, value, row=None, **kwargs):
        value = str(value).strip() if value is not None else ""
        if not value:
            return None
        return value.upper() if PRACTICE_CODE.regex.match(value.upper()) else value


def _with_current_payee(queryset):
    """PCNs with their current nominated payee (practice code or account name) and its start."""
    current = NominatedPayee.objects.current().filter(pcn=OuterRef("pk"))
    shown = current.annotate(shown=Coalesce("practice__code", "account_name")).values("shown")
    return queryset.annotate(
        nominated_payee=Subquery(shown[:1]),
        nominated_payee_from=Subquery(current.values("start_date")[:1]),
    )


# A payee's service's field names, as the spreadsheet's columns.
PAYEE_COLUMNS = {
    "practice": "nominated_payee",
    "account_name": "nominated_payee",
    "start_date": "nominated_payee_from",
    "end_date": "nominated_payee_from",
}


class PCNResource(ScopedResource):
    """PCNs, with their current nominated payee: a new payee (and the date it starts) in a row
    takes over from the current one, through the same service as the PCN's page."""

    commissioner = fields.Field(
        attribute="commissioner",
        column_name="commissioner",
        widget=CodeForeignKeyWidget(Commissioner),
    )
    nominated_payee = fields.Field(
        attribute="nominated_payee",
        column_name="nominated_payee",
        widget=PayeeWidget(),
        saves_null_values=False,
    )
    nominated_payee_from = fields.Field(
        attribute="nominated_payee_from",
        column_name="nominated_payee_from",
        widget=DateWidget(),
        saves_null_values=False,
    )
    import_kind = ImportRecord.Kind.PCNS
    own_fields = ("code", "name", "commissioner_id", "open_date", "close_date", "address")

    class Meta:
        model = PCN
        import_id_fields = ["code"]
        fields = [
            "code",
            "name",
            "commissioner",
            "open_date",
            "close_date",
            "address",
            "postcode",
            "nominated_payee",
            "nominated_payee_from",
        ]
        skip_unchanged = True
        clean_model_instances = True
        report_skipped = True

    def get_queryset(self):
        return _with_current_payee(super().get_queryset())

    def filter_export(self, queryset, **kwargs):
        return _with_current_payee(super().filter_export(queryset, **kwargs))

    def import_data(self, dataset, **kwargs):
        self.payees_set = 0
        return super().import_data(dataset, **kwargs)

    def import_counts(self, result):
        return {**super().import_counts(result), "nominated_payees_set": self.payees_set}

    def import_instance(self, instance, row, **kwargs):
        names = (*self.own_fields, "postcode", "nominated_payee", "nominated_payee_from")
        stored = {name: getattr(instance, name, None) for name in names}
        super().import_instance(instance, row, **kwargs)
        instance.stored_values = stored
        instance.new_payee = self._new_payee(instance, stored)

    def _new_payee(self, instance, stored) -> dict | None:
        payee = getattr(instance, "nominated_payee", None)
        if payee is None or payee == stored["nominated_payee"]:
            return None  # no column, a blank cell, or the payee already recorded
        start = getattr(instance, "nominated_payee_from", None)
        if start is None or start == stored["nominated_payee_from"]:
            raise ValidationError(
                {"nominated_payee_from": f"Give the date {payee} starts as nominated payee."}
            )
        if not PRACTICE_CODE.regex.match(payee):
            return {"practice": None, "account_name": payee, "start_date": start}
        practices = (
            Practice.objects.all() if self.user is None else access.visible_practices(self.user)
        )
        practice = practices.filter(code=payee).first()
        if practice is None:
            raise ValidationError(
                {"nominated_payee": f"No practice in your area has the code {payee}."}
            )
        return {"practice": practice, "account_name": "", "start_date": start}

    def save_row(self, instance, *, is_create):
        if is_create:
            services.pcn_create(pcn=instance, by=self.by)
            return
        stored = getattr(instance, "stored_values", {})
        names = (*self.own_fields, "postcode")
        if any(getattr(instance, name) != stored.get(name) for name in names):
            services.pcn_update(pcn=instance, by=self.by)
        # else only the payee changed: the PCN's own row, and history, are left alone

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        new_payee = getattr(instance, "new_payee", None)
        if new_payee is None:
            return
        try:
            services.nominated_payee_set(pcn=instance, by=self.by, **new_payee)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                raise
            raise ValidationError(
                {PAYEE_COLUMNS.get(name, name): msgs for name, msgs in error.message_dict.items()}
            ) from None
        self.payees_set += 1


class ListSizeResource(ScopedResource):
    practice = fields.Field(
        attribute="practice", column_name="practice", widget=CodeForeignKeyWidget(Practice)
    )
    registered_patients = fields.Field(
        attribute="registered_patients",
        column_name="registered_patients",
        widget=PatientCountWidget(),
    )
    weighted_patients = fields.Field(
        attribute="weighted_patients",
        column_name="weighted_patients",
        widget=WeightedPatientsWidget(),
    )

    import_kind = ImportRecord.Kind.LIST_SIZES

    class Meta:
        model = ListSize
        import_id_fields = ["practice", "date"]
        fields = ["practice", "date", "registered_patients", "weighted_patients"]
        skip_unchanged = True
        clean_model_instances = True
        report_skipped = True

    def save_row(self, instance, *, is_create):
        if is_create:
            services.list_size_create(list_size=instance, by=self.by)
        else:
            services.list_size_update(list_size=instance, by=self.by)

    def in_scope(self, instance) -> bool:
        if not instance.practice_id:
            return True  # the practice column's own error says what is wrong
        return access.visible_practices(self.user).filter(pk=instance.practice_id).exists()
