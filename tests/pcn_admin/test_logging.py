"""What reaches the logs: no NHS numbers, names or salaries, whatever the code logs.

Each test writes through handlers built from settings.LOGGING, exactly as Django builds them,
with their stream pointed at a buffer (pytest's caplog handler is not one of ours).
"""

import copy
import io
import logging

import pytest
from django.conf import settings
from django.urls import path
from django.utils.log import configure_logging

from pcn_admin.logfilters import PersonalDataFilter


def failing_save(request):
    # Code that logs what it was given: the request's fields end up in the traceback.
    raise ValueError(f"could not save {request.POST.dict()}")


urlpatterns = [path("save/", failing_save)]


@pytest.fixture
def log_output():
    stream = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    for handler in config["handlers"].values():
        assert handler["class"] == "logging.StreamHandler", "a new kind of handler: test it too"
        handler["stream"] = stream
    configure_logging(settings.LOGGING_CONFIG, config)
    yield stream
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


def logger():
    return logging.getLogger("referrals.services")


def test_every_handler_runs_the_personal_data_filter(log_output):
    for name, handler in settings.LOGGING["handlers"].items():
        assert "personal_data" in handler.get("filters", []), name
    # Django's own default handlers (the error e-mail among them) are gone from its loggers.
    for name in ("", "django", "django.request", "django.server", "celery.task", "referrals"):
        log = logging.getLogger(name)
        handlers = []
        while log:
            handlers += log.handlers
            log = log.parent if log.propagate else None
        ours = [h for h in handlers if not type(h).__module__.startswith("_pytest")]
        assert ours, name
        for handler in ours:
            assert any(isinstance(f, PersonalDataFilter) for f in handler.filters), (name, handler)


def test_nhs_numbers_are_removed_however_they_are_written(log_output):
    logger().warning("Looked up 999 123 4567, then 9434765919 and 943-476-5919 for PCN U12345")

    written = log_output.getvalue()
    assert "Looked up [redacted], then [redacted] and [redacted] for PCN U12345" in written
    for digits in ("4567", "5919"):
        assert digits not in written


def test_sums_of_money_are_removed(log_output):
    logger().info("Claim line: salary £32,000.00, fee £ 2500 and GBP 1,200.50 for 2025-06")

    written = log_output.getvalue()
    for amount in ("32,000", "2500", "1,200"):
        assert amount not in written
    assert "for 2025-06" in written


def test_identifying_fields_are_removed_by_their_names(log_output):
    logger().warning(
        "Saved given_name=Margaret family_name='Elliot' status=closed person_name: \"Priya R\"; %s",
        {"first_name": "Henrietta", "salary": "32000.00", "employer_ni": 3100, "pcn": "U12345"},
    )

    written = log_output.getvalue()
    for value in ("Margaret", "Elliot", "Priya", "Henrietta", "32000", "3100"):
        assert value not in written, value
    assert "status=closed" in written and "'pcn': 'U12345'" in written
    assert "given_name=[redacted]" in written


def test_dict_arguments_lose_their_identifying_values(log_output):
    logger().info(
        "Referral for %(given_name)s %(family_name)s at %(pcn)s, NI %(ni)s",
        {"given_name": "Margaret", "family_name": "Elliot", "pcn": "U12345", "ni": "310.00"},
    )

    assert "Referral for [redacted] [redacted] at U12345, NI [redacted]" in log_output.getvalue()


def test_celery_task_names_stay_readable(log_output):
    logging.getLogger("celery.app.trace").info(
        "Task %(name)s[%(id)s] succeeded", {"name": "referrals.tasks.nightly", "id": "abc-1"}
    )

    assert "Task referrals.tasks.nightly[abc-1] succeeded" in log_output.getvalue()


def test_tracebacks_are_redacted(log_output):
    try:
        raise ValueError("duplicate {'nhs_number': '9434765919', 'given_name': 'Margaret'}")
    except ValueError:
        logger().exception("Import failed")

    written = log_output.getvalue()
    assert "Import failed" in written and "ValueError: duplicate" in written
    assert "9434765919" not in written and "Margaret" not in written


@pytest.mark.urls(__name__)
def test_a_server_error_logs_and_e_mails_no_posted_personal_data(
    client, log_output, settings, mailoutbox
):
    # With Django's default logging, ADMINS would be e-mailed a report holding the POST body.
    settings.ADMINS = [("Support", "support@example.org")]
    client.raise_request_exception = False

    response = client.post(
        "/save/",
        {"given_name": "Margaret", "nhs_number": "943 476 5919", "salary": "£32,000.00"},
    )

    assert response.status_code == 500
    written = log_output.getvalue()
    assert "Internal Server Error: /save/" in written
    for value in ("Margaret", "943 476 5919", "32,000"):
        assert value not in written, value
    assert mailoutbox == []


def test_a_handler_reading_the_request_gets_none():
    record = logging.makeLogRecord({"msg": "Internal Server Error: /save/", "request": object()})

    PersonalDataFilter().filter(record)

    assert record.request is None
