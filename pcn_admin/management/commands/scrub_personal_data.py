"""Make a copy of the database safe to share: every model's PERSONAL_DATA_FIELDS, and the same
fields in its history, get invented values; passwords become unusable; sessions, API tokens,
two-factor devices and sign-in records are deleted. It cannot be undone, so it runs only when
told it is working on a copy.

The invented values are keyed on each record's id, so a person's history rows get the same
invented name as the person. Counts and money paid (claim lines' reimbursable amounts, batch
totals) are kept; a line's salary, employer NI, pension and cost are replaced.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat
from simple_history.models import HistoricalChanges

from referrals.validators import nhs_number_check_digit

BATCH_SIZE = 500
REMOVED_TEXT = "Text removed from this copy."

GIVEN_NAMES = ("Alex", "Sam", "Jo", "Chris", "Robin", "Jamie", "Morgan", "Kit", "Ali", "Pat")
FAMILY_NAMES = ("Archer", "Baker", "Carter", "Dyer", "Fletcher", "Mason", "Potter", "Turner")
# Never-issued NHS numbers (999 000 0000 to 999 999 9999) from near the top of the range, away
# from the demo data's, so an invented number never repeats a number the copy held.
INVENTED_NHS_NUMBER_BASE = 999_900_000
# An invented monthly salary, and the other pay fields as shares of it.
INVENTED_SALARY_BASE = Decimal("2000.00")
PAY_SHARES = {
    "salary": Decimal("1"),
    "employer_ni": Decimal("0.1"),
    "employer_pension": Decimal("0.2"),
    "cost": Decimal("1.3"),
}
# Credentials and records of signing in: deleted outright, where the app is installed.
CREDENTIAL_MODELS = (
    "sessions.Session",
    "authtoken.Token",
    "knox.AuthToken",
    "otp_totp.TOTPDevice",
    "otp_static.StaticDevice",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
)


def _given(key: int) -> str:
    return GIVEN_NAMES[key % len(GIVEN_NAMES)]


def _family(key: int) -> str:
    # A list of another length than the given names', so neighbours differ in both names.
    return FAMILY_NAMES[key % len(FAMILY_NAMES)]


def invented_nhs_number(key: int) -> str:
    candidate = INVENTED_NHS_NUMBER_BASE + key % 90_000
    while (check := nhs_number_check_digit(str(candidate))) is None:
        candidate += 1
    return f"{candidate}{check}"


# Invented values by field name: each takes the record's key and the value it replaces.
BY_NAME: dict[str, Callable[[int, object], object]] = {
    "given_name": lambda key, _: _given(key),
    "first_name": lambda key, _: _given(key),
    "family_name": lambda key, _: _family(key),
    "last_name": lambda key, _: _family(key),
    "name": lambda key, _: f"{_given(key)} {_family(key)}",
    "person_name": lambda key, _: f"{_given(key)} {_family(key)}",
    "referrer_name": lambda key, _: f"Dr {_given(key)} {_family(key)}",
    "username": lambda key, _: f"scrubbed-user-{key}",
    "email": lambda key, _: f"person{key}@example.org",
    "nhs_number": lambda key, _: invented_nhs_number(key),
    # Ofcom keeps 07700 900000 to 900999 for drama: they reach no one.
    "phone": lambda key, _: f"07700 900{key % 1000:03d}",
    "address": lambda key, _: f"{key % 99 + 1} Example Street, Sometown",
    # The postcode district alone: a wide area, not a street.
    "postcode": lambda key, value: str(value).split()[0][:4],
    "registration_number": lambda key, _: f"TEST{key:06d}",
    "professional_registration": lambda key, _: f"TEST{key:06d}",
}


def invented_value(field: models.Field, key: int, value):
    """An invented value for one field of one record; empty stays empty."""
    if value in ("", None):
        return value
    if field.name in BY_NAME:
        return BY_NAME[field.name](key, value)
    if isinstance(field, models.EmailField):
        return f"person{key}@example.org"
    if isinstance(field, models.DecimalField):
        salary = INVENTED_SALARY_BASE + 50 * (key % 30)
        return (salary * PAY_SHARES.get(field.name, Decimal("1"))).quantize(Decimal("0.01"))
    if isinstance(field, models.DateField):
        # The year stays, so ages stay roughly right; the day and month are invented.
        return dt.date(value.year, key % 12 + 1, key % 28 + 1)
    if isinstance(field, models.JSONField):
        return field.get_default()
    if isinstance(field, models.CharField | models.TextField):
        return REMOVED_TEXT[: field.max_length] if field.max_length else REMOVED_TEXT
    raise CommandError(
        f"{field.model.__name__}.{field.name} is personal data of a kind this command cannot "
        "invent: add it to scrub_personal_data."
    )


def personal_models() -> Iterator[tuple[type[models.Model], tuple[str, ...], str]]:
    """Each model with personal data, its fields, and the field holding the record's key: the
    id itself, or for a history row the id of the record it is a version of."""
    for model in apps.get_models():
        original = getattr(model, "instance_type", None)
        if issubclass(model, HistoricalChanges) and original is not None:
            fields = getattr(original, "PERSONAL_DATA_FIELDS", ())
            key_field = original._meta.pk.attname
        else:
            fields = getattr(model, "PERSONAL_DATA_FIELDS", ())
            key_field = model._meta.pk.attname
        if fields:
            yield model, tuple(fields), key_field


def scrub_rows(model, fields, key_field, *, exclude: Q | None = None) -> int:
    """Invented values for `fields` of every row, a page at a time. The plain QuerySet steps
    past custom managers (the audit log's refuses updates, rightly, everywhere else)."""
    rows_seen, last_pk = 0, None
    pk = model._meta.pk.attname
    model_fields = [model._meta.get_field(name) for name in fields]
    while True:
        page = QuerySet(model=model).order_by(pk)
        if exclude is not None:
            page = page.exclude(exclude)
        if last_pk is not None:
            page = page.filter(pk__gt=last_pk)
        rows = list(page.values(pk, key_field, *fields)[:BATCH_SIZE])
        if not rows:
            return rows_seen
        changed = [
            model(
                **{pk: row[pk]},
                **{f.name: invented_value(f, row[key_field], row[f.name]) for f in model_fields},
            )
            for row in rows
        ]
        QuerySet(model=model).bulk_update(changed, fields)
        rows_seen += len(rows)
        last_pk = rows[-1][pk]


class Command(BaseCommand):
    help = (
        "Replace every name, NHS number, salary and other identifying field with invented "
        "values, make passwords unusable and delete sessions and API tokens, so that a COPY of "
        "the database can be shared. Cannot be undone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--yes-this-is-a-copy",
            action="store_true",
            help="Confirm that the database in the settings is a copy, not the live one.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (for a copy restored on a production-like server).",
        )
        parser.add_argument(
            "--keep-superusers",
            action="store_true",
            help="Superusers keep their username and password, so you can still sign in.",
        )

    def handle(self, *args, yes_this_is_a_copy=False, force=False, keep_superusers=False, **_):
        database = settings.DATABASES["default"].get("NAME", "")
        if not yes_this_is_a_copy:
            raise CommandError(
                f"This replaces every name, NHS number and salary in the database {database} "
                "and cannot be undone. Run it only on a copy, and say so with "
                "--yes-this-is-a-copy."
            )
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so these look like production settings and the database may be "
                "the live one: scrubbing it would destroy real records. If it really is a copy, "
                "add --force."
            )
        with transaction.atomic():
            counts = self.scrub(keep_superusers=keep_superusers)
        for label, count in counts:
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(self.style.SUCCESS(f"Personal data scrubbed from {database}."))

    def scrub(self, *, keep_superusers: bool) -> list[tuple[str, int]]:
        user_model = get_user_model()
        kept = Q(is_superuser=True) if keep_superusers else None
        # Users first: other tables copy the invented usernames from them.
        ordered = sorted(personal_models(), key=lambda item: item[0] is not user_model)
        counts = [
            (f"{model._meta.label}: rows with invented values", count)
            for model, fields, key_field in ordered
            if (count := self.scrub_model(model, fields, key_field, user_model, kept))
        ]
        counts.append(("Passwords made unusable", self.lock_passwords(user_model, kept)))
        counts.append(("History change reasons cleared", self.clear_change_reasons()))
        counts.append(("Admin log entries renamed", self.rename_admin_log_entries()))
        for label in CREDENTIAL_MODELS:
            try:
                model = apps.get_model(label)
            except LookupError:
                continue  # that app is not installed
            deleted, _ = QuerySet(model=model).delete()
            counts.append((f"{label}: deleted", deleted))
        return counts

    @staticmethod
    def scrub_model(model, fields, key_field, user_model, kept: Q | None) -> int:
        """Kept superusers keep their usernames; a username copied beside a user (the audit
        log's) becomes that user's invented one, or nothing."""
        if model is user_model:
            scrubbed = scrub_rows(model, [f for f in fields if f != "username"], key_field)
            if "username" in fields:
                scrub_rows(model, ["username"], key_field, exclude=kept)
            return scrubbed
        has_user = any(f.name == "user" and f.is_relation for f in model._meta.get_fields())
        if "username" not in fields or not has_user:
            return scrub_rows(model, fields, key_field)
        others = [f for f in fields if f != "username"]
        if others:
            scrub_rows(model, others, key_field)
        invented = user_model.objects.filter(pk=OuterRef("user_id")).values("username")[:1]
        return QuerySet(model=model).update(username=Coalesce(Subquery(invented), Value("")))

    @staticmethod
    def lock_passwords(user_model, kept: Q | None) -> int:
        users = QuerySet(model=user_model)
        if kept is not None:
            users = users.exclude(kept)
        return users.update(password=make_password(None))

    @staticmethod
    def clear_change_reasons() -> int:
        """History rows may carry a free-text reason for the change, which may name someone."""
        cleared = 0
        for model in apps.get_models():
            if issubclass(model, HistoricalChanges) and hasattr(model, "history_change_reason"):
                cleared += (
                    QuerySet(model=model)
                    .filter(history_change_reason__isnull=False)
                    .update(history_change_reason=None)
                )
        return cleared

    @staticmethod
    def rename_admin_log_entries() -> int:
        """The admin's log keeps each object's str() (a post's is its holder's name): entries
        for models with personal data are renamed to the model and id."""
        if not apps.is_installed("django.contrib.admin"):
            return 0
        from django.contrib.admin.models import LogEntry
        from django.contrib.contenttypes.models import ContentType

        renamed = 0
        for model, _, _ in personal_models():
            content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
            renamed += LogEntry.objects.filter(content_type=content_type).update(
                object_repr=Concat(Value(f"{model._meta.verbose_name} "), F("object_id"))
            )
        return renamed
