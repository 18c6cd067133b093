"""The NHS number as a model field: stored as ten digits, typed in any spacing."""

from django import forms
from django.db import models

from ..validators import normalise_nhs_number


class NHSNumberField(models.CharField):
    """Stores the ten digits alone, whatever spaces or hyphens were typed."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_nhs_number(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = self.to_python(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def deconstruct(self):
        # Migrations name the field by the path every caller imports it from, so moving it
        # within the package changes no migration.
        name, _, args, kwargs = super().deconstruct()
        return name, "referrals.models.NHSNumberField", args, kwargs

    def formfield(self, **kwargs):
        # People type the number with spaces: let the form take them and normalise, rather
        # than refuse "943 476 5919" as too long.
        return super().formfield(**{"form_class": NHSNumberFormField, "max_length": None, **kwargs})


class NHSNumberFormField(forms.CharField):
    def to_python(self, value):
        return normalise_nhs_number(super().to_python(value))
