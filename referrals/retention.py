"""The end of a referral's retention period: its identifying details are removed and the facts
the dashboards count (source, reasons, dates, status, outcome, wellbeing scores) stay.

Health and care records are usually kept for eight years after the last contact (Records
Management Code of Practice 2023, retention schedule: adult health records, eight years after
the conclusion of treatment). A referral's closing date is its last contact;
REFERRAL_RETENTION_YEARS sets the period.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Case, QuerySet, Value, When
from django.db.models.functions import TruncYear
from django.utils import timezone

from pcn_admin.models import User

from .models import ENDED_STATUSES, AuditEvent, Referral
from .services import audit_records

REMOVED = "Removed at the end of the retention period."
AUDIT_DETAIL = "anonymised at the end of the retention period"
# Referrals per transaction: each chunk locks, changes and audits its rows and commits.
CHUNK_SIZE = 500

# A referral's name reads as what happened to it; the year of birth stays for age bands.
REFERRAL_VALUES = {
    "given_name": Value("Anonymised"),
    "family_name": Value("referral"),
    "date_of_birth": TruncYear("date_of_birth"),
}


def retention_cutoff(*, today: dt.date) -> dt.date:
    """Referrals that closed before this date have passed the retention period."""
    years = settings.REFERRAL_RETENTION_YEARS
    if years < 1:
        raise ImproperlyConfigured(
            f"REFERRAL_RETENTION_YEARS must be at least 1, not {years}: records are kept for "
            "eight years after the last contact."
        )
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February, in a year without one
        return today.replace(year=today.year - years, day=28)


def referrals_expired(*, today: dt.date) -> QuerySet[Referral]:
    """Ended referrals closed more than the retention period ago and not yet anonymised."""
    return Referral.objects.filter(
        status__in=ENDED_STATUSES,
        closed_on__lt=retention_cutoff(today=today),
        anonymised_at__isnull=True,
    )


def referrals_anonymise_expired(*, today: dt.date, by: User | None = None) -> int:
    """Anonymise every expired referral, with its status changes, contacts and onward referrals;
    returns how many. Safe to run twice, or twice at once: each chunk takes only rows no other
    run holds, and an anonymised referral is no longer expired."""
    total = 0
    while changed := _anonymise_chunk(today=today, by=by):
        total += changed
    return total


@transaction.atomic
def _anonymise_chunk(*, today: dt.date, by: User | None) -> int:
    ids = list(
        referrals_expired(today=today)
        .select_for_update(skip_locked=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:CHUNK_SIZE]
    )
    if not ids:
        return 0
    changed = Referral.objects.filter(pk__in=ids, anonymised_at__isnull=True).update(
        anonymised_at=timezone.now(), **anonymised_values(Referral)
    )
    for model in _child_models_with_personal_data():
        model.objects.filter(referral_id__in=ids).update(**anonymised_values(model))
    audit_records(
        user=by,
        action=AuditEvent.Action.CHANGE,
        instances=[Referral(pk=pk) for pk in ids],
        detail=AUDIT_DETAIL,
    )
    return changed


def _child_models_with_personal_data() -> list[type[models.Model]]:
    """The records hanging off a referral that list identifying fields (contacts' notes and
    so on), found from the model so that a new one is not forgotten."""
    return [
        relation.related_model
        for relation in Referral._meta.related_objects
        if relation.one_to_many and hasattr(relation.related_model, "PERSONAL_DATA_FIELDS")
    ]


def anonymised_values(model: type[models.Model]) -> dict:
    """What replaces each of a model's PERSONAL_DATA_FIELDS, as update() arguments."""
    overrides = REFERRAL_VALUES if model is Referral else {}
    values = {}
    for name in model.PERSONAL_DATA_FIELDS:
        field = model._meta.get_field(name)
        if name in overrides:
            values[name] = overrides[name]
        elif isinstance(field, models.TextField):
            # Say that there was text, not what it said; a decline must keep a reason.
            values[name] = Case(When(**{name: ""}, then=Value("")), default=Value(REMOVED))
        elif isinstance(field, models.CharField) and field.blank:
            values[name] = Value("")
        else:
            raise ImproperlyConfigured(
                f"{model.__name__}.{name} is personal data with no anonymised value: "
                "add one to referrals/retention.py."
            )
    return values
