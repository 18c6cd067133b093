"""The claim cycle in the admin: each commissioner's staff set their own area's claim window and
finance layout and read the reminders sent there; nobody else's."""

import pytest
from django.urls import reverse

from claim_cycle.models import ClaimWindow, FinanceLayout
from tests.claim_cycle.factories import (
    ClaimWindowFactory,
    FinanceLayoutColumnFactory,
    FinanceLayoutFactory,
    ReminderMessageFactory,
)
from tests.networks.factories import CommissionerFactory
from tests.pcn_admin.factories import ClinicalDirectorUserFactory, CommissionerStaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return CommissionerStaffFactory(commissioner=CommissionerFactory(code="01A"))


@pytest.fixture
def other_staff():
    return CommissionerStaffFactory(commissioner=CommissionerFactory(code="02B"))


def _window_form(**changes) -> dict:
    return {
        "rule": "working_day",
        "day": "3",
        "reminder_working_days": "3",
        "review_wait_working_days": "5",
        **changes,
    }


def test_staff_set_their_own_deadline(client, staff):
    window = ClaimWindowFactory(commissioner=staff.commissioner)
    client.force_login(staff)

    response = client.post(
        reverse("admin:claim_cycle_claimwindow_change", args=[window.pk]),
        _window_form(rule="fixed_day", day="10"),
    )

    assert response.status_code == 302
    window.refresh_from_db()
    assert (window.rule, window.day) == ("fixed_day", 10)
    assert window.history.first().history_user == staff


def test_a_day_missing_from_some_months_is_refused_and_what_was_typed_kept(client, staff):
    window = ClaimWindowFactory(commissioner=staff.commissioner)
    client.force_login(staff)

    response = client.post(
        reverse("admin:claim_cycle_claimwindow_change", args=[window.pk]),
        _window_form(rule="fixed_day", day="31"),
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "There is no 31st in February, April, June, September and November" in text
    assert 'name="day" value="31"' in text
    window.refresh_from_db()
    assert (window.rule, window.day) == ("working_day", 3)


def test_the_page_shows_the_deadlines_the_rule_gives(client, staff):
    window = ClaimWindowFactory(commissioner=staff.commissioner)
    client.force_login(staff)

    text = client.get(reverse("admin:claim_cycle_claimwindow_change", args=[window.pk])).content

    assert b"claim: due by" in text and b"practices reminded from" in text


def test_staff_may_add_a_window_only_for_their_own_commissioner(client, staff, other_staff):
    client.force_login(staff)

    response = client.post(
        reverse("admin:claim_cycle_claimwindow_add"),
        _window_form(commissioner=str(other_staff.commissioner.pk)),
    )

    assert response.status_code == 200  # shown again: that commissioner is not a choice
    assert not ClaimWindow.objects.exists()
    client.post(
        reverse("admin:claim_cycle_claimwindow_add"),
        _window_form(commissioner=str(staff.commissioner.pk)),
    )
    assert ClaimWindow.objects.get().commissioner == staff.commissioner


def test_another_areas_window_is_not_found(client, staff, other_staff):
    window = ClaimWindowFactory(commissioner=other_staff.commissioner)
    client.force_login(staff)

    response = client.post(
        reverse("admin:claim_cycle_claimwindow_change", args=[window.pk]),
        _window_form(day="9"),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    window.refresh_from_db()
    assert window.day == 3


def test_a_clinical_director_cannot_open_the_admin(client):
    window = ClaimWindowFactory()
    director = ClinicalDirectorUserFactory()
    client.force_login(director)

    response = client.get(reverse("admin:claim_cycle_claimwindow_change", args=[window.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def _layout_form(*columns, **changes) -> dict:
    data = {
        "delimiter": "comma",
        "date_format": "%d/%m/%Y",
        "month_format": "%Y-%m",
        "encoding": "utf-8",
        "include_header": "on",
        "columns-TOTAL_FORMS": str(len(columns)),
        "columns-INITIAL_FORMS": "0",
        "columns-MIN_NUM_FORMS": "1",
        "columns-MAX_NUM_FORMS": "1000",
        **changes,
    }
    for index, (position, field, header, text) in enumerate(columns):
        data |= {
            f"columns-{index}-position": str(position),
            f"columns-{index}-field": field,
            f"columns-{index}-header": header,
            f"columns-{index}-text": text,
        }
    return data


def test_staff_lay_out_their_finance_file(client, staff):
    client.force_login(staff)

    response = client.post(
        reverse("admin:claim_cycle_financelayout_add"),
        _layout_form(
            (1, "pcn_code", "Supplier", ""),
            (2, "amount", "Value", ""),
            commissioner=str(staff.commissioner.pk),
            delimiter="pipe",
        ),
    )

    assert response.status_code == 302
    layout = FinanceLayout.objects.get()
    assert [(c.field, c.header) for c in layout.columns.all()] == [
        ("pcn_code", "Supplier"),
        ("amount", "Value"),
    ]
    page = client.get(reverse("admin:claim_cycle_financelayout_change", args=[layout.pk]))
    assert "Supplier|Value" in page.content.decode()


def test_a_fixed_text_column_needs_its_text(client, staff):
    client.force_login(staff)

    response = client.post(
        reverse("admin:claim_cycle_financelayout_add"),
        _layout_form((1, "fixed_text", "Cost centre", ""), commissioner=str(staff.commissioner.pk)),
    )

    assert response.status_code == 200
    assert "Enter the text this column holds on every row." in response.content.decode()
    assert not FinanceLayout.objects.exists()


def test_a_layout_needs_a_column(client, staff):
    client.force_login(staff)

    response = client.post(
        reverse("admin:claim_cycle_financelayout_add"),
        _layout_form(commissioner=str(staff.commissioner.pk)),
    )

    assert response.status_code == 200
    assert not FinanceLayout.objects.exists()


def test_another_areas_layout_is_not_listed(client, staff, other_staff):
    FinanceLayoutColumnFactory(
        layout=FinanceLayoutFactory(commissioner=other_staff.commissioner), header="Secret col"
    )
    FinanceLayoutColumnFactory(
        layout=FinanceLayoutFactory(commissioner=staff.commissioner), header="Own col"
    )
    client.force_login(staff)

    text = client.get(reverse("admin:claim_cycle_financelayout_changelist")).content.decode()

    assert "Own col" in text and "Secret col" not in text


def test_staff_read_their_areas_reminders_and_cannot_change_them(client, staff, other_staff):
    own = ReminderMessageFactory(commissioner=staff.commissioner, subject="Own area reminder")
    ReminderMessageFactory(commissioner=other_staff.commissioner, subject="Other area reminder")
    client.force_login(staff)

    listing = client.get(reverse("admin:claim_cycle_remindermessage_changelist")).content.decode()
    page = client.get(reverse("admin:claim_cycle_remindermessage_change", args=[own.pk]))
    client.post(
        reverse("admin:claim_cycle_remindermessage_change", args=[own.pk]), {"subject": "Changed"}
    )

    assert "Own area reminder" in listing and "Other area reminder" not in listing
    assert page.status_code == 200 and 'name="subject"' not in page.content.decode()
    own.refresh_from_db()
    assert own.subject == "Own area reminder"
    assert client.get(reverse("admin:claim_cycle_remindermessage_add")).status_code == 403
