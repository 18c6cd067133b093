"""Error messages in plain English for every field of the site's forms and API serializers: what
is wrong and what to type ("Enter the hours a week as a number, for example 37.5"), never
Django's or DRF's stock wording ("Ensure that there are no more than 5 digits in total").

`PlainErrorsForm` (a form mixin) and `PlainErrorsSerializer` (a serializer mixin) give each field
messages built from its label, with an example from EXAMPLES where the field has one. A message a
form or serializer sets itself is kept: only the stock ones are replaced.
"""

from decimal import Decimal

from django import forms
from django.core import validators
from django.core.validators import ProhibitNullCharactersValidator
from django.forms import models as model_forms
from rest_framework import fields as api_fields
from rest_framework import relations as api_relations
from rest_framework.validators import ProhibitSurrogateCharactersValidator

# What to type, by field name: shown after "for example".
EXAMPLES = {
    "hours": "37.5",
    "annual_max": "43352.00",
    "subcontract_fee_monthly_max": "2000.00",
    "percentage": "100",
    "per_weighted_patient": "26.33",
    "gp_per_weighted_patient": "2.55",
    "salary": "3500.00",
    "employer_ni": "400.00",
    "employer_pension": "500.00",
    "subcontract_fee": "0.00",
    "duration_minutes": "30",
    "total": "45",
    "life_satisfaction": "7",
    "worthwhile": "7",
    "happy": "7",
    "anxious": "3",
    "gp_appointments_before": "4",
    "gp_appointments_after": "2",
    "year": "2025",
    "month": "2025-06",
    "list_size": "12000",
    "weighted_population": "12345.67",
    "postcode": "NE61 2DF",
    "nhs_number": "943 476 5919",
}
# A limit this high is the database's, not the field's: no one is told its digits.
DATABASE_INTEGER_LIMIT = 2**31 - 1
# Dates: as a person types them in a form, and as the API reads them.
FORM_DATE_EXAMPLE = "31/03/2025"
API_DATE_EXAMPLE = "2025-03-31"
# Labels that are names or acronyms keep their capitals ("NHS number", "PCN").
_KEEP_CASE = (
    "NHS",
    "PCN",
    "GP",
    "ICB",
    "ODS",
    "CCT",
    "ARRS",
    "WTE",
    "ONS4",
    "SNOMED",
    "URL",
    "NI",
    "AFC",
)


# Names that keep their capitals inside a sentence.
_PROPER = ("Agenda for Change",)


def _capitals(text: str) -> str:
    """Acronyms in capitals wherever they are: "pcn" is "PCN"."""
    return " ".join(word.upper() if word.upper() in _KEEP_CASE else word for word in text.split())


def describe(label: str | None, name: str) -> str:
    """The thing a field holds, to follow a verb: "the contracted hours a week", "your GP
    practice". A question ("How should we contact you?") becomes "an answer"."""
    text = _capitals(str(label or name.replace("_", " ")))
    for suffix in ("(optional)", "(£)"):
        text = text.removesuffix(suffix).strip()
    if not text or text.endswith("?"):
        return "an answer"
    first = text.split()[0]
    if first.lower() in ("your", "the", "a", "an"):
        return text[0].lower() + text[1:]
    keep = first.upper() in _KEEP_CASE or text.startswith(_PROPER)
    if not keep and not (len(first) > 1 and first[1].isupper()):
        text = text[0].lower() + text[1:]
    return f"the {text}"


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:]


def _example(name: str, default: str = "") -> str:
    example = EXAMPLES.get(name, default)
    return f", for example {example}" if example else ""


def _number(value) -> str:
    if isinstance(value, Decimal | int | float):
        return f"{value:,}"
    return str(value)


def _ceiling(max_digits: int | None, decimal_places: int | None) -> str:
    """The smallest number too big for the digits allowed: 5 digits with 2 places is 1,000."""
    if max_digits is None:
        return ""
    return f"{10 ** (max_digits - (decimal_places or 0)):,}"


def _decimal_messages(
    what, name, *, max_digits, decimal_places, min_value, max_value, fmt, verb="Enter"
):
    """Messages for a number with decimal places (forms and API alike)."""
    example = _example(name, "12.5")
    ceiling = _ceiling(max_digits, decimal_places)
    too_big = (
        f"{_sentence(what)} must be less than {ceiling}. Check the number."
        if ceiling
        else f"{_sentence(what)} is too large. Check the number."
    )
    places = (
        f"{verb} {what} as a whole number{_example(name)}."
        if decimal_places == 0
        else f"{verb} {what} with no more than {decimal_places} decimal places{example}."
    )
    messages = {
        "invalid": f"{verb} {what} as a number{example}.",
        "max_digits": too_big,
        "max_whole_digits": too_big,
        "max_decimal_places": places,
        "max_string_length": too_big,
    }
    messages.update(_range_messages(what, min_value, max_value, decimal_places, fmt))
    return messages


def _range_messages(what, min_value, max_value, decimal_places=None, fmt="%"):
    """min_value and max_value. A form field without a limit of its own may still meet one from
    its model's validators: the message then takes the limit from the validator's params."""

    def limit(value, code):
        if value is not None:
            return _number(value)
        return "%(limit_value)s" if fmt == "%" else f"{{{code}}}"

    step = Decimal(1).scaleb(-decimal_places) if decimal_places else None
    if min_value is not None and step is not None and Decimal(str(min_value)) == step:
        at_least = f"{_sentence(what)} must be more than 0."
    else:
        at_least = f"{_sentence(what)} must be {limit(min_value, 'min_value')} or more."
    at_most = f"{_sentence(what)} must be {limit(max_value, 'max_value')} or less."
    if max_value is not None and max_value >= DATABASE_INTEGER_LIMIT:
        at_most = f"{_sentence(what)} is too large. Check the number."
    return {"min_value": at_least, "max_value": at_most}


def _escape(text: str, fmt: str) -> str:
    """A label inside a message that is formatted later: %-style (Django) or {}-style (DRF)."""
    if fmt == "%":
        return text.replace("%", "%%")
    return text.replace("{", "{{").replace("}", "}}")


# Forms ------------------------------------------------------------------------------------------


def form_field_messages(field: forms.Field, name: str) -> dict[str, str]:
    """Plain messages for a Django form field, by error code."""
    what = _escape(describe(field.label, name), "%")
    if isinstance(field, forms.BooleanField):
        return {"required": "Tick the box to confirm."}
    enter = f"Enter {what}."
    messages = {"required": enter, "blank": enter, "null": enter}
    messages["unique"] = (
        f"There is already a record with this {what.removeprefix('the ')}. Check it is not a "
        "duplicate."
    )
    if isinstance(field, model_forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
        chosen = what.removeprefix("the ")
        messages.update(
            required=f"Choose at least one: {chosen}.",
            invalid_choice="Choose from the list: one of the choices sent is not offered.",
            invalid_pk_value="Choose from the list: one of the choices sent is not offered.",
            invalid_list="Choose from the list.",
        )
    elif isinstance(field, model_forms.ModelChoiceField | forms.ChoiceField):
        messages.update(
            required=f"Choose {what}.",
            invalid_choice=f"Choose {what} from the list: the choice sent is not offered.",
        )
    elif isinstance(field, forms.DateTimeField):
        messages["invalid"] = (
            f"Enter {what} as a date and time, for example {FORM_DATE_EXAMPLE} 14:30."
        )
    elif isinstance(field, forms.DateField):
        messages["invalid"] = f"Enter {what} as a real date, for example {FORM_DATE_EXAMPLE}."
    elif isinstance(field, forms.DecimalField | forms.FloatField):
        messages.update(
            _decimal_messages(
                what,
                name,
                max_digits=getattr(field, "max_digits", None),
                decimal_places=getattr(field, "decimal_places", None),
                min_value=field.min_value,
                max_value=field.max_value,
                fmt="%",
            )
        )
    elif isinstance(field, forms.IntegerField):
        messages["invalid"] = f"Enter {what} as a whole number{_example(name)}."
        messages.update(_range_messages(what, field.min_value, field.max_value))
    elif isinstance(field, forms.EmailField):
        messages["invalid"] = "Enter an email address in the correct format, like name@example.com."
    elif isinstance(field, forms.URLField):
        messages["invalid"] = (
            "Enter a web address in the correct format, like https://www.example.org."
        )
    elif isinstance(field, forms.FileField):
        messages.update(
            required="Choose a file.",
            missing="Choose a file.",
            invalid="Choose a file: none was sent.",
            empty="The file is empty. Choose the file again.",
            contradiction="Choose a file or tick the box to clear it, not both.",
            max_length="The file's name must be %(max)d characters or fewer: it has %(length)d.",
        )
    if isinstance(field, forms.CharField):
        messages["null_characters_not_allowed"] = (
            f"{_sentence(what)} has a character that cannot be stored. Type it again."
        )
    if isinstance(field, forms.CharField) and not isinstance(field, forms.EmailField):
        messages.update(
            max_length=(
                f"{_sentence(what)} must be %(limit_value)d characters or fewer: it has "
                "%(show_value)d."
            ),
            min_length=(
                f"{_sentence(what)} must be at least %(limit_value)d characters: it has "
                "%(show_value)d."
            ),
        )
    elif isinstance(field, forms.EmailField):
        messages["max_length"] = "The email address must be %(limit_value)d characters or fewer."
    return messages


def _stock_form_messages(field: forms.Field) -> dict:
    stock = {}
    for cls in reversed(type(field).__mro__):
        stock.update(getattr(cls, "default_error_messages", {}))
    return stock


def plain_form_errors(form: forms.BaseForm) -> None:
    """Replace every stock message of the form's fields; keep the ones the form chose."""
    for name, field in form.fields.items():
        stock = _stock_form_messages(field)
        for code, message in form_field_messages(field, name).items():
            current = field.error_messages.get(code)
            if current is None or current == stock.get(code):
                field.error_messages[code] = message


class PlainErrorsForm:
    """Mix into a Form or ModelForm (before it): its fields speak plain English.
    `error_overrides` ({field: {code: message}}) words a field's messages its own way."""

    error_overrides: dict[str, dict[str, str]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain_form_errors(self)
        for name, messages in self.error_overrides.items():
            if name in self.fields:
                self.fields[name].error_messages.update(messages)

    def full_clean(self):
        """A message says it once: the field's check and the model's may both find a score
        missing, in the same words."""
        super().full_clean()
        for errors in getattr(self, "_errors", {}).values():
            seen: set[str] = set()
            errors.data = [
                error
                for error, text in zip(errors.data, list(errors), strict=True)
                if not (text in seen or seen.add(text))
            ]


# API --------------------------------------------------------------------------------------------


def api_field_messages(field: api_fields.Field, name: str) -> dict[str, str]:
    """Plain messages for a DRF field, by error code ({}-style placeholders filled by DRF).
    They name the field as a client sends it: “hours”."""
    what = _escape(f"“{name}”", "{")
    messages = {"required": f"Give {what}.", "null": f"Give {what}: it cannot be empty."}
    if isinstance(field, api_relations.SlugRelatedField):
        slug = _escape(field.slug_field.replace("_", " "), "{")
        messages.update(
            does_not_exist=f"There is no {what} with the {slug} “{{value}}”. Check the {slug}.",
            invalid=f"Give {what} as text: its {slug}.",
        )
    elif isinstance(field, api_relations.PrimaryKeyRelatedField):
        messages.update(
            does_not_exist=f"There is no {what} with the id {{pk_value}}. Check the id.",
            incorrect_type=f"Give {what} as a number: an id.",
        )
    elif isinstance(field, api_relations.ManyRelatedField):
        messages.update(not_a_list=f"Give {what} as a list.", empty=f"Give at least one {what}.")
    elif isinstance(field, api_fields.BooleanField):
        messages["invalid"] = f"Give {what} as true or false."
    elif isinstance(field, api_fields.MultipleChoiceField):
        messages.update(
            invalid_choice=f"“{{input}}” is not one of the choices for {what}.",
            not_a_list=f"Give {what} as a list.",
            empty=f"Give at least one {what}.",
        )
    elif isinstance(field, api_fields.ChoiceField):
        codes = _escape(", ".join(str(key) for key in field.choices), "{")
        messages["invalid_choice"] = f"“{{input}}” is not one of the choices for {what}: {codes}."
    elif isinstance(field, api_fields.DateTimeField):
        example = f"{API_DATE_EXAMPLE}T14:30:00Z"
        messages.update(
            invalid=f"Give {what} as a date and time, for example {example}.",
            date=f"Give {what} as a date and time, for example {example}.",
        )
    elif isinstance(field, api_fields.DateField):
        example = EXAMPLES["month"] if name == "month" else API_DATE_EXAMPLE
        messages.update(
            invalid=f"Give {what} as a date, for example {example}.",
            datetime=f"Give {what} as a date without a time, for example {API_DATE_EXAMPLE}.",
        )
    elif isinstance(field, api_fields.DecimalField | api_fields.FloatField):
        messages.update(
            _decimal_messages(
                what,
                name,
                max_digits=getattr(field, "max_digits", None),
                decimal_places=getattr(field, "decimal_places", None),
                min_value=field.min_value,
                max_value=field.max_value,
                fmt="{",
                verb="Give",
            )
        )
    elif isinstance(field, api_fields.IntegerField):
        messages["invalid"] = f"Give {what} as a whole number{_example(name)}."
        messages["max_string_length"] = f"{what} is too large. Check the number."
        messages.update(_range_messages(what, field.min_value, field.max_value, fmt="{"))
    if isinstance(field, api_fields.EmailField):
        messages["invalid"] = (
            f"Give {what} as an email address in the correct format, like name@example.com."
        )
    elif isinstance(field, api_fields.URLField):
        messages["invalid"] = (
            f"Give {what} as a web address in the correct format, like https://www.example.org."
        )
    elif isinstance(field, api_fields.CharField):
        messages["invalid"] = f"Give {what} as text."
    if isinstance(field, api_fields.CharField):
        messages.update(
            null_characters_not_allowed=f"{what} has a character that cannot be stored.",
            surrogate_characters_not_allowed=f"{what} has a character that cannot be stored.",
            blank=f"Give {what}: it cannot be blank.",
            max_length=f"{what} must be {{max_length}} characters or fewer.",
            min_length=f"{what} must be at least {{min_length}} characters.",
        )
    return messages


def _stock_api_messages(field: api_fields.Field) -> dict:
    stock = {}
    for cls in reversed(type(field).__mro__):
        stock.update(getattr(cls, "default_error_messages", {}))
    return stock


# DRF builds these validators in the field's __init__, with the message of that moment.
_LIMIT_VALIDATORS = {
    validators.MinValueValidator: ("min_value", "min_value"),
    validators.MaxValueValidator: ("max_value", "max_value"),
    validators.MaxLengthValidator: ("max_length", "max_length"),
    validators.MinLengthValidator: ("min_length", "min_length"),
}


def plain_api_errors(field: api_fields.Field, name: str) -> None:
    stock = _stock_api_messages(field)
    plain = api_field_messages(field, name)
    replaced = set()
    for code, message in plain.items():
        current = field.error_messages.get(code)
        if current is None or str(current) == str(stock.get(code)):
            field.error_messages[code] = message
            replaced.add(code)
    for validator in field.validators:
        code, attribute = _LIMIT_VALIDATORS.get(type(validator), (None, None))
        if code in replaced:
            limit = getattr(field, attribute, None)
            text = plain[code].format(**{attribute: _number(limit)})
            validator.message = text.replace("%", "%%")
        elif isinstance(validator, validators.EmailValidator | validators.URLValidator):
            if "invalid" in replaced:
                validator.message = plain["invalid"]
        elif isinstance(validator, ProhibitNullCharactersValidator):
            validator.message = plain["null_characters_not_allowed"]
        elif isinstance(validator, ProhibitSurrogateCharactersValidator):
            validator.message = plain["surrogate_characters_not_allowed"]


class PlainErrorsSerializer:
    """Mix into a Serializer (before it): its fields' errors speak plain English."""

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if not field.read_only:
                plain_api_errors(field, name)
                child = getattr(field, "child_relation", None)
                if child is not None:
                    plain_api_errors(child, name)
        return fields
