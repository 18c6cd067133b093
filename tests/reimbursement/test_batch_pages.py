"""The NHS-styled pages where commissioner staff build, finalise and pay their area's payment
batches (/reimbursement/batches/...): the same services and access checks as the admin's
buttons, a 404 outside their area and a 403 for a role without the right."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from pcn_admin.submissions import ALREADY_DONE, FIELD
from reimbursement import batches
from reimbursement.models import Batch, BatchLine, BatchRun
from tests.pcn_admin.factories import UserFactory
from tests.pcn_admin.test_submissions import messages_of, post_twice, token_on
from tests.reimbursement.factories import BATCH_MONTH, BatchRunFactory, make_batch_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch_world(db):
    return make_batch_world()


def _detail(batch) -> str:
    return reverse("reimbursement:batch_detail", args=[batch.reference])


def _finalise(batch) -> str:
    return reverse("reimbursement:batch_finalise", args=[batch.reference])


def _mark_paid(batch) -> str:
    return reverse("reimbursement:batch_mark_paid", args=[batch.reference])


BUILD = "/reimbursement/batches/build/"


def _text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _empty_the_batches():
    BatchLine.objects.all().delete()  # the lines are waiting again
    Batch.objects.all().delete()


# Building ------------------------------------------------------------------------------------


def test_staff_build_a_batch_and_follow_it_to_the_batch_page(
    client, batch_world, django_capture_on_commit_callbacks
):
    _empty_the_batches()
    client.force_login(batch_world.reviewer)
    page = client.get(BUILD)
    assert page.status_code == 200
    assert f'value="{batches.default_month():%Y-%m}"' in page.content.decode()
    assert "commissioner" not in page.context["form"].fields  # staff build their own area's
    assert f"Batch month {batches.default_month():%B %Y}." in _text(page)
    assert "June 2025 5 Paid, marked late" in _text(page)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BUILD, {"month": "2025-06", FIELD: token_on(page.content)})

    run = BatchRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reimbursement:batch_run_progress", args=[run.pk])
    assert (run.commissioner, run.month, run.requested_by) == (
        batch_world.commissioner,
        BATCH_MONTH,
        batch_world.reviewer,
    )
    progress = client.get(response["Location"])
    assert "Status: Done" in _text(progress)
    assert 'http-equiv="refresh"' not in progress.content.decode()
    batch = Batch.objects.get()
    assert batch.line_count == 6
    assert f'href="{_detail(batch)}"' in progress.content.decode()


def test_a_build_sent_twice_queues_one_run(client, batch_world):
    _empty_the_batches()
    client.force_login(batch_world.reviewer)
    data = {"month": "2025-06", FIELD: token_on(client.get(BUILD).content)}

    first, second = post_twice(client, BUILD, data)

    run = BatchRun.objects.get()
    progress = reverse("reimbursement:batch_run_progress", args=[run.pk])
    assert (first.status_code, first.url) == (302, progress)
    assert (second.status_code, second.url) == (302, progress)
    assert ALREADY_DONE in messages_of(second)


def test_a_build_for_a_month_still_to_come_is_refused_with_the_error_summary(client, batch_world):
    client.force_login(batch_world.reviewer)
    next_month = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)

    response = client.post(BUILD, {"month": f"{next_month:%Y-%m}"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and 'href="#id_month"' in html
    assert "That month has not started yet" in _text(response)
    assert f'value="{next_month:%Y-%m}"' in html
    assert not BatchRun.objects.exists()


def test_a_superuser_chooses_the_commissioner_to_build_for(client, batch_world):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    assert "commissioner" in client.get(BUILD).context["form"].fields


def test_the_progress_page_refreshes_itself_until_the_run_is_finished(client, batch_world):
    run = BatchRunFactory(commissioner=batch_world.commissioner, status=BatchRun.Status.RUNNING)
    client.force_login(batch_world.reviewer)
    url = reverse("reimbursement:batch_run_progress", args=[run.pk])

    html = client.get(url).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html and "nhsuk-tag--blue" in html

    BatchRun.objects.filter(pk=run.pk).update(
        status=BatchRun.Status.FAILED, message="The batch could not be built: no database."
    )
    html = client.get(url).content.decode()
    assert 'http-equiv="refresh"' not in html
    assert "nhsuk-tag--red" in html and "The batch could not be built: no database." in html


# The batch page, finalising and paying ---------------------------------------------------------


def test_the_batch_page_shows_payees_late_lines_files_and_the_finalise_button(client, batch_world):
    batch = batch_world.batch
    client.force_login(batch_world.reviewer)

    response = client.get(_detail(batch))

    html, text = response.content.decode(), _text(response)
    assert response.status_code == 200
    assert "Draft: not for payment" in text and "nhsuk-tag--yellow" in html
    assert "£5,155.56" in text
    assert "Coquet Valley PCN" in text and "Jun 2025" in text and "May 2025 (late)" in text
    assert "Ann Mayhew" in text  # the late line, from May
    assert "Draft payment file, not for payment (CSV)" in text
    assert f'action="{_finalise(batch)}"' in html
    assert f'action="{_mark_paid(batch)}"' not in html  # a draft is finalised first


def test_staff_finalise_then_mark_a_batch_as_paid(client, batch_world):
    batch = batch_world.batch
    client.force_login(batch_world.reviewer)

    response = client.post(_finalise(batch), follow=True)

    batch.refresh_from_db()
    assert (batch.status, batch.finalised_by) == (Batch.Status.FINALISED, batch_world.reviewer)
    html = response.content.decode()
    assert "finalised: its lines are in it for good" in html
    assert f'action="{_mark_paid(batch)}"' in html and f'action="{_finalise(batch)}"' not in html
    assert "Payment file (CSV)" in _text(response) and "Draft payment file" not in html

    today = timezone.localdate()
    response = client.post(
        _mark_paid(batch),
        {"paid_on": today.isoformat(), "payment_reference": "BACS 2025-07-15"},
        follow=True,
    )

    batch.refresh_from_db()
    assert (batch.status, batch.paid_on, batch.payment_reference) == (
        Batch.Status.PAID,
        today,
        "BACS 2025-07-15",
    )
    assert batch.paid_recorded_by == batch_world.reviewer
    text = _text(response)
    assert "recorded as paid" in text and "BACS 2025-07-15" in text
    assert f'action="{_mark_paid(batch)}"' not in response.content.decode()


def test_finalising_twice_says_it_is_already_final(client, batch_world):
    batch = batch_world.batch
    client.force_login(batch_world.reviewer)

    first, second = post_twice(client, _finalise(batch), {})

    assert first.status_code == second.status_code == 302
    assert any("already finalised" in message for message in messages_of(second))
    batch.refresh_from_db()
    assert batch.status == Batch.Status.FINALISED


def test_a_refused_payment_keeps_what_was_typed_and_links_each_error(client, batch_world):
    batch = batches.batch_finalise(batch=batch_world.batch, by=batch_world.reviewer)
    client.force_login(batch_world.reviewer)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = client.post(
        _mark_paid(batch), {"paid_on": tomorrow.isoformat(), "payment_reference": "  "}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert '<a href="#id_paid_on">Date paid: The payment date cannot be in the future.</a>' in html
    assert 'href="#id_payment_reference"' in html
    assert f'value="{tomorrow.isoformat()}"' in html
    batch.refresh_from_db()
    assert batch.status == Batch.Status.FINALISED


def test_paying_twice_records_the_first_payment_only(client, batch_world):
    batch = batches.batch_finalise(batch=batch_world.batch, by=batch_world.reviewer)
    client.force_login(batch_world.reviewer)
    today = timezone.localdate().isoformat()

    client.post(_mark_paid(batch), {"paid_on": today, "payment_reference": "BACS-1"})
    second = client.post(_mark_paid(batch), {"paid_on": today, "payment_reference": "BACS-2"})

    assert second.status_code == 302
    assert any("already recorded as paid" in message for message in messages_of(second))
    batch.refresh_from_db()
    assert (batch.status, batch.payment_reference) == (Batch.Status.PAID, "BACS-1")


@pytest.mark.parametrize("extra_lines", [0, 40])
def test_the_batch_page_costs_the_same_queries_whatever_the_number_of_lines(
    client, django_assert_max_num_queries, extra_lines
):
    world = make_batch_world(extra_lines=extra_lines)
    client.force_login(world.reviewer)

    # session, user, the batch, its commissioner, claim months, payees, late lines, and two
    # for the payment streams: the streams and the batch's total in each
    with django_assert_max_num_queries(10):
        response = client.get(_detail(world.batch))

    assert response.status_code == 200


# Who may ------------------------------------------------------------------------------------


def _pages(batch):
    return [
        ("get", BUILD),
        ("post", BUILD),
        ("get", _detail(batch)),
        ("post", _finalise(batch)),
        ("post", _mark_paid(batch)),
    ]


@pytest.mark.parametrize("who", ["director", "practice_manager", "link_worker", "community_user"])
def test_a_role_without_the_right_is_refused_every_batch_page(client, batch_world, who):
    client.force_login(getattr(batch_world, who))
    batch = batch_world.batch

    for method, url in _pages(batch):
        data = {"month": "2025-06", "paid_on": "2025-07-01", "payment_reference": "X"}
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 403, (method, url)

    batch.refresh_from_db()
    assert batch.status == Batch.Status.DRAFT
    assert not BatchRun.objects.exists()


def test_another_commissioners_batch_is_not_found(client, batch_world):
    client.force_login(batch_world.other_reviewer)
    batch = batch_world.batch

    assert client.get(_detail(batch)).status_code == 404
    assert client.post(_finalise(batch)).status_code == 404
    assert client.post(_mark_paid(batch), {"paid_on": "2025-07-01"}).status_code == 404
    run = BatchRunFactory(commissioner=batch_world.commissioner)
    url = reverse("reimbursement:batch_run_progress", args=[run.pk])
    assert client.get(url).status_code == 404
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DRAFT


def test_signed_out_people_are_sent_to_sign_in(client, batch_world):
    for method, url in _pages(batch_world.batch):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# Where the work is offered --------------------------------------------------------------------


def test_the_home_page_and_batch_list_lead_staff_to_the_batch_pages(client, batch_world):
    client.force_login(batch_world.reviewer)

    home = client.get(reverse("home")).content.decode()
    listing = client.get(reverse("reimbursement:batch_list")).content.decode()

    assert f'href="{BUILD}"' in home
    assert "admin/reimbursement/batch" not in home
    assert f'href="{BUILD}"' in listing and f'href="{_detail(batch_world.batch)}"' in listing
    assert "admin/reimbursement/batch" not in listing


def test_a_director_is_not_offered_the_batch_pages(client, batch_world):
    client.force_login(batch_world.director)

    home = client.get(reverse("home")).content.decode()
    listing = client.get(reverse("reimbursement:batch_list")).content.decode()

    assert BUILD not in home and BUILD not in listing
    assert f'href="{_detail(batch_world.batch)}"' not in listing
