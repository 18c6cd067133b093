"""Keeps personal data out of the logs: every handler in settings.LOGGING runs this filter, which
removes NHS numbers, sums of money and the values of identifying fields before a record is
written anywhere.

Names cannot be recognised in free text, so they are caught by the field they were logged under
(`given_name=...`, `'family_name': ...`, a dict of arguments): each model holding personal data
lists its identifying fields in PERSONAL_DATA_FIELDS, and those names are the keys redacted here.
"""

import logging
import re
from collections.abc import Mapping

from django.apps import apps

REDACTED = "[redacted]"

# An NHS number as people write it: 9434765919, 943 476 5919, 943-476-5919. Every such run of
# ten digits goes, valid check digit or not: a mistyped number still points at a person.
NHS_NUMBER = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")
# Sums of money (a salary, a line's cost): £32,000.00, £ 2500, GBP 1,200.50.
MONEY = re.compile(r"(?:£|\bGBP)\s?-?\d[\d,]*(?:\.\d+)?")

# Identifying keys whatever the models say: the people's fields, credentials, and pay.
ALWAYS_PERSONAL_KEYS = frozenset(
    {
        "nhs_number",
        "given_name",
        "family_name",
        "first_name",
        "last_name",
        "full_name",
        "name",
        "person_name",
        "username",
        "email",
        "phone",
        "address",
        "postcode",
        "date_of_birth",
        "dob",
        "password",
        "token",
    }
)
# A key with one of these words in it holds pay: salary, employer_ni, monthly_pay, ni_number.
PAY_WORDS = frozenset({"salary", "salaries", "pay", "wage", "wages", "pension", "ni"})

# `key=value` or `key: value`, the key bare or quoted (as in a dict's repr), the value quoted,
# a call such as Decimal('32000.00') or datetime.date(1950, 5, 17), or a bare word.
KEY_VALUE = re.compile(
    r"""(?P<key>(?P<quote>['"]?)(?P<name>[A-Za-z_][\w.]*)(?P=quote)\s*[=:]\s*)"""
    r"""(?P<value>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[\w.]+\([^()]*\)|[^\s,;&)}\]]+)"""
)

# Keys a library logs for its own, impersonal values: Celery's "name" is the task's.
LIBRARY_KEYS = {"celery": frozenset({"name"})}

# A LogRecord's own attributes; anything else on a record came in through `extra=`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class PersonalDataFilter(logging.Filter):
    """Rewrites each record in place (message, arguments, traceback, extras) and lets it pass."""

    def __init__(self, name: str = ""):
        super().__init__(name)
        self._keys: frozenset[str] | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self._redact_record(record)
        except Exception:
            # Better a record that says little than one that might carry a name.
            record.msg, record.args = "[log message removed: it could not be checked]", None
        return True

    def _redact_record(self, record: logging.LogRecord) -> None:
        record.msg = self.redact(self._message(record))
        record.args = None
        if record.exc_info and not record.exc_text:
            # Formatters use exc_text when it is set, so the traceback is written redacted.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for attribute in set(vars(record)) - _RECORD_ATTRIBUTES:
            if self.is_personal(attribute):
                setattr(record, attribute, REDACTED)
        if getattr(record, "request", None) is not None:
            # django.request passes the request along; a handler that reads it (error e-mails,
            # error trackers) would copy out the POST body and cookies.
            record.request = None

    def _message(self, record: logging.LogRecord) -> str:
        if not record.args:
            return str(record.msg)
        library_keys = LIBRARY_KEYS.get(record.name.split(".", 1)[0], frozenset())
        args = self._redact_structure(record.args, keep=library_keys)
        try:
            return str(record.msg) % args
        except (TypeError, ValueError, KeyError):
            # A redacted value no longer fits its %d: keep the template, not the values.
            return f"{record.msg} [arguments removed]"

    def _redact_structure(self, value, *, keep: frozenset[str] = frozenset()):
        """Dicts lose their identifying keys' values, at any depth; other values stay for the
        text patterns to check once the message is formatted."""
        if isinstance(value, Mapping):
            return {
                key: REDACTED
                if isinstance(key, str) and key not in keep and self.is_personal(key)
                else self._redact_structure(item, keep=keep)
                for key, item in value.items()
            }
        if type(value) in (tuple, list):
            return type(value)(self._redact_structure(item, keep=keep) for item in value)
        return value

    def redact(self, text: str) -> str:
        text = KEY_VALUE.sub(self._redact_pair, text)
        text = NHS_NUMBER.sub(REDACTED, text)
        return MONEY.sub(f"£{REDACTED}", text)

    def _redact_pair(self, match: re.Match) -> str:
        if not self.is_personal(match["name"]):
            return match[0]
        return f"{match['key']}{REDACTED}"

    def is_personal(self, key: str) -> bool:
        key = key.rsplit(".", 1)[-1].lower()
        return key in self.personal_keys() or not PAY_WORDS.isdisjoint(key.split("_"))

    def personal_keys(self) -> frozenset[str]:
        """The fixed keys and every model's PERSONAL_DATA_FIELDS. Logging is set up before the
        models load, so until they have, only the fixed keys are known."""
        if self._keys is not None:
            return self._keys
        if not apps.models_ready:
            return ALWAYS_PERSONAL_KEYS
        keys = set(ALWAYS_PERSONAL_KEYS)
        for model in apps.get_models():
            keys.update(field.lower() for field in getattr(model, "PERSONAL_DATA_FIELDS", ()))
        self._keys = frozenset(keys)
        return self._keys
