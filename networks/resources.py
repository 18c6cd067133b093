"""django-import-export resources for the admin's import and export (with preview).

Codes go in by ODS code, not database id, and each row must fall inside the importing user's
area: a row for another commissioner's organisation is an error on that row, not a quiet write.
"""

from django.core.exceptions import ValidationError
from import_export import fields, resources
from import_export.widgets import DecimalWidget, ForeignKeyWidget

from pcn_admin import access

from .models import PCN, Commissioner, ListSize, Practice


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


class ScopedResource(resources.ModelResource):
    """Rows outside the user's area are refused, on the row, with a message naming the code."""

    def __init__(self, *, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def import_data(self, dataset, **kwargs):
        # All or nothing: one bad row means nothing from the file is written.
        kwargs["rollback_on_validation_errors"] = True
        kwargs.setdefault("use_transactions", True)
        return super().import_data(dataset, **kwargs)

    def in_scope(self, instance) -> bool:
        return access.can_edit_register(self.user, instance.commissioner)

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

    class Meta:
        model = Practice
        import_id_fields = ["code"]
        fields = ["code", "name", "commissioner", "address", "postcode", "status"]
        skip_unchanged = True
        clean_model_instances = True
        report_skipped = True


class PCNResource(ScopedResource):
    commissioner = fields.Field(
        attribute="commissioner",
        column_name="commissioner",
        widget=CodeForeignKeyWidget(Commissioner),
    )

    class Meta:
        model = PCN
        import_id_fields = ["code"]
        fields = ["code", "name", "commissioner", "open_date", "close_date", "address", "postcode"]
        skip_unchanged = True
        clean_model_instances = True
        report_skipped = True


class ListSizeResource(ScopedResource):
    practice = fields.Field(
        attribute="practice", column_name="practice", widget=CodeForeignKeyWidget(Practice)
    )
    weighted_patients = fields.Field(
        attribute="weighted_patients", column_name="weighted_patients", widget=DecimalWidget()
    )

    class Meta:
        model = ListSize
        import_id_fields = ["practice", "date"]
        fields = ["practice", "date", "registered_patients", "weighted_patients"]
        skip_unchanged = True
        clean_model_instances = True
        report_skipped = True

    def in_scope(self, instance) -> bool:
        if not instance.practice_id:
            return True  # the practice column's own error says what is wrong
        return access.visible_practices(self.user).filter(pk=instance.practice_id).exists()
