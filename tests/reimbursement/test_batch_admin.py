"""Payment batches in the admin: commissioner staff see their area's batches, build them with a
button and watch the build, finalise them, record the payment, and reach the files."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reimbursement import batches
from reimbursement.models import Batch, BatchLine, BatchRun
from tests.pcn_admin.factories import UserFactory
from tests.reimbursement.factories import (
    BATCH_MONTH,
    BatchFactory,
    BatchPayeeFactory,
    BatchRunFactory,
    make_batch_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch_world(db):
    return make_batch_world()


def _change(batch):
    return reverse("admin:reimbursement_batch_change", args=[batch.pk])


def _finalise(batch):
    return reverse("admin:reimbursement_batch_finalise", args=[batch.pk])


def _mark_paid(batch):
    return reverse("admin:reimbursement_batch_mark_paid", args=[batch.pk])


def _text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _finalised(world) -> Batch:
    return batches.batch_finalise(batch=world.batch, by=world.reviewer)


# The list -------------------------------------------------------------------------------------


def test_the_commissioner_sees_only_their_areas_batches(client, batch_world):
    client.force_login(batch_world.reviewer)
    response = client.get(reverse("admin:reimbursement_batch_changelist"))
    assert list(response.context["cl"].result_list) == [batch_world.batch]
    text = _text(response)
    assert batch_world.batch.reference in text and "June 2025" in text and "£5,155.56" in text

    client.force_login(batch_world.other_reviewer)
    response = client.get(reverse("admin:reimbursement_batch_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert client.get(_change(batch_world.batch)).status_code == 302  # admin: "not found"


def test_batches_filter_by_status_and_month_and_search_by_pcn(client, batch_world):
    may = BatchPayeeFactory(
        batch__commissioner=batch_world.commissioner,
        batch__month=dt.date(2025, 5, 1),
        batch__status=Batch.Status.FINALISED,
        batch__finalised_at=timezone.now(),
        pcn=batch_world.other_pcn,
    ).batch
    client.force_login(batch_world.reviewer)
    url = reverse("admin:reimbursement_batch_changelist")

    def shown(query):
        return list(client.get(url + query).context["cl"].result_list)

    assert shown("") == [batch_world.batch, may]
    assert shown("?status__exact=finalised") == [may]
    assert shown("?month=2025-06") == [batch_world.batch]
    assert shown(f"?q={batch_world.pcn.code}") == [batch_world.batch]
    assert "May 2025" in _text(client.get(url))  # a month to choose in the filter


def test_nothing_is_added_changed_or_deleted_by_hand(client, batch_world):
    client.force_login(batch_world.reviewer)
    batch = batch_world.batch

    assert client.get(reverse("admin:reimbursement_batch_add")).status_code == 403
    assert (
        client.get(reverse("admin:reimbursement_batch_delete", args=[batch.pk])).status_code == 403
    )
    assert client.post(_change(batch), {"status": "paid", "total": "1.00"}).status_code == 403
    batch.refresh_from_db()
    assert (batch.status, batch.total) == (Batch.Status.DRAFT, batch_world.batch.total)
    assert "Add batch" not in _text(client.get(reverse("admin:reimbursement_batch_changelist")))


# The change page ------------------------------------------------------------------------------


def test_the_change_page_shows_each_payees_subtotal_and_the_late_lines(client, batch_world):
    batch = batch_world.batch
    client.force_login(batch_world.reviewer)

    response = client.get(_change(batch))

    assert response.status_code == 200
    text = _text(response)
    pcn, payee = batch_world.pcn, batch_world.payee_practice
    # Each PCN's claim months, beside the batch's month (June 2025).
    assert (
        f"{pcn.code} Coquet Valley PCN {payee.code} {payee.name} May 2025, Jun 2025 £2,655.55 4 "
        "1 late" in text
    )
    other, other_payee = batch_world.other_pcn, batch_world.other_payee_practice
    assert (
        f"{other.code} {other.name} {other_payee.code} {other_payee.name} Jun 2025 £2,500.01 2 0"
        in text
    )
    assert "Batch month June 2025: the claim month this batch pays" in text
    assert "Late lines (1)" in text
    assert f"Late {pcn.code} May 2025 Social prescribing link worker Ann Mayhew £333.33" in text
    html = response.content.decode()
    for code in (pcn.code, other.code):
        assert reverse("reimbursement:batch_remittance", args=[batch.reference, code]) in html


def test_the_change_page_offers_the_actions_and_files_of_a_draft(client, batch_world):
    batch = batch_world.batch
    client.force_login(batch_world.reviewer)

    html = client.get(_change(batch)).content.decode()

    assert _finalise(batch) in html
    assert _mark_paid(batch) not in html  # not finalised yet
    for name in ("batch_payment_file", "batch_line_detail"):
        for fmt in ("csv", "xlsx"):
            assert reverse(f"reimbursement:{name}", args=[batch.reference, fmt]) in html


def test_a_drafts_files_are_offered_as_drafts_not_for_payment(client, batch_world):
    client.force_login(batch_world.reviewer)

    draft = _text(client.get(_change(batch_world.batch)))
    final = _text(client.get(_change(_finalised(batch_world))))

    assert "Draft payment file, not for payment (CSV)" in draft
    assert "its files say DRAFT and are not for payment" in draft
    assert "Payment file (CSV)" in final and "Draft payment file" not in final


@pytest.mark.parametrize("extra_lines", [0, 40])
def test_the_change_page_costs_the_same_queries_whatever_the_number_of_lines(
    client, django_assert_max_num_queries, extra_lines
):
    world = make_batch_world(extra_lines=extra_lines)
    client.force_login(world.reviewer)

    # session, user, the batch (twice), admin permissions and content types, payees, late lines,
    # and two for the payment streams: the streams and the batch's total in each
    with django_assert_max_num_queries(11):
        response = client.get(_change(world.batch))

    assert response.status_code == 200


@pytest.mark.parametrize("more", [0, 8])
def test_the_list_costs_the_same_queries_whatever_the_number_of_batches(
    client, django_assert_max_num_queries, batch_world, more
):
    for number in range(more):
        BatchPayeeFactory(
            batch__commissioner=batch_world.commissioner,
            batch__month=dt.date(2024, number + 1, 1),
            pcn=batch_world.pcn,
        )
    client.force_login(batch_world.reviewer)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("admin:reimbursement_batch_changelist"))

    assert len(response.context["cl"].result_list) == 1 + more


# Finalise and mark as paid ---------------------------------------------------------------------


def test_finalise_then_mark_as_paid_through_the_admin(client, batch_world):
    batch = batch_world.batch
    client.force_login(batch_world.reviewer)

    confirm = client.get(_finalise(batch))
    assert confirm.status_code == 200
    assert "Finalise " + batch.reference in _text(confirm) and "£5,155.56" in _text(confirm)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DRAFT  # asking is not doing

    response = client.post(_finalise(batch), follow=True)
    batch.refresh_from_db()
    assert (batch.status, batch.finalised_by) == (Batch.Status.FINALISED, batch_world.reviewer)
    assert any("finalised" in message for message in _messages(response))
    assert _mark_paid(batch) in response.content.decode()
    assert _finalise(batch) not in response.content.decode()

    form = client.get(_mark_paid(batch))
    assert form.status_code == 200 and "Date paid" in _text(form)
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
    assert _mark_paid(batch) not in response.content.decode()


def test_a_refused_payment_keeps_what_was_typed_and_says_what_is_wrong(client, batch_world):
    batch = _finalised(batch_world)
    client.force_login(batch_world.reviewer)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = client.post(
        _mark_paid(batch), {"paid_on": tomorrow.isoformat(), "payment_reference": "  "}
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["paid_on"] == ["The payment date cannot be in the future."]
    assert form.errors["payment_reference"] == ["Enter the payment reference finance used."]
    assert f'value="{tomorrow.isoformat()}"' in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == Batch.Status.FINALISED


def test_a_date_that_is_not_a_date_is_refused_with_the_text_kept(client, batch_world):
    batch = _finalised(batch_world)
    client.force_login(batch_world.reviewer)

    response = client.post(_mark_paid(batch), {"paid_on": "31/02/2025", "payment_reference": "X1"})

    assert "Enter the date as day/month/year" in _text(response)
    assert 'value="31/02/2025"' in response.content.decode()
    assert 'value="X1"' in response.content.decode()


def test_a_paid_batch_cannot_be_finalised_again_or_changed(client, batch_world):
    batch = _finalised(batch_world)
    batches.batch_mark_paid(
        batch=batch,
        paid_on=timezone.localdate(),
        payment_reference="BACS-1",
        by=batch_world.reviewer,
    )
    client.force_login(batch_world.reviewer)

    response = client.post(_finalise(batch), follow=True)
    assert any("only a draft batch can be finalised" in m for m in _messages(response))
    response = client.post(
        _mark_paid(batch), {"paid_on": timezone.localdate().isoformat(), "payment_reference": "B2"}
    )
    assert "only a finalised batch can be marked as paid" in _text(response)
    response = client.get(_mark_paid(batch), follow=True)
    assert any("only a finalised batch" in m for m in _messages(response))

    batch.refresh_from_db()
    assert (batch.status, batch.payment_reference) == (Batch.Status.PAID, "BACS-1")
    html = client.get(_change(batch)).content.decode()
    assert _finalise(batch) not in html and _mark_paid(batch) not in html


def test_finalising_an_empty_batch_says_why_not(client, batch_world):
    empty = BatchFactory(commissioner=batch_world.commissioner, month=dt.date(2025, 7, 1))
    client.force_login(batch_world.reviewer)

    response = client.post(_finalise(empty), follow=True)

    assert any("has no lines: there is nothing to pay" in m for m in _messages(response))
    empty.refresh_from_db()
    assert empty.status == Batch.Status.DRAFT


@pytest.mark.parametrize("url", [_finalise, _mark_paid])
def test_another_commissioners_batch_is_not_found(client, batch_world, url):
    batch = _finalised(batch_world) if url is _mark_paid else batch_world.batch
    client.force_login(batch_world.other_reviewer)

    response = client.post(
        url(batch), {"paid_on": timezone.localdate().isoformat(), "payment_reference": "X"}
    )

    assert response.status_code == 404
    assert Batch.objects.get(pk=batch.pk).status == batch.status


@pytest.mark.parametrize("url", [_finalise, _mark_paid])
def test_a_role_without_the_right_is_refused(client, batch_world, url):
    batch = _finalised(batch_world) if url is _mark_paid else batch_world.batch
    director = batch_world.director
    director.is_staff = True  # even let into the admin, a director may not pay a batch
    director.save()
    client.force_login(director)
    data = {"paid_on": timezone.localdate().isoformat(), "payment_reference": "X"}

    assert client.post(url(batch), data).status_code == 403

    client.force_login(batch_world.practice_manager)  # not admin staff at all
    assert client.post(url(batch), data).status_code == 302  # to the admin's sign-in
    assert Batch.objects.get(pk=batch.pk).status == batch.status


# Build batches now, and watch --------------------------------------------------------------------


def test_the_build_button_queues_a_run_and_the_progress_page_shows_it_done(
    client, batch_world, django_capture_on_commit_callbacks
):
    BatchLine.objects.all().delete()  # the lines are waiting again
    Batch.objects.all().delete()
    client.force_login(batch_world.reviewer)
    changelist = client.get(reverse("admin:reimbursement_batch_changelist")).content.decode()
    assert reverse("admin:reimbursement_batch_build") in changelist
    form = client.get(reverse("admin:reimbursement_batch_build"))
    assert f'value="{batches.default_month():%Y-%m}"' in form.content.decode()
    assert "commissioner" not in form.context["form"].fields  # staff build their own area's

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("admin:reimbursement_batch_build"), {"month": "2025-06"})

    assert len(callbacks) == 1
    run = BatchRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:reimbursement_batchrun_progress", args=[run.pk])
    assert (run.commissioner, run.month, run.requested_by) == (
        batch_world.commissioner,
        BATCH_MONTH,
        batch_world.reviewer,
    )
    progress = client.get(response["Location"])
    text = _text(progress)
    assert "Status: Done" in text
    batch = Batch.objects.get()
    assert batch.line_count == 6
    assert _change(batch) in progress.content.decode()
    assert 'http-equiv="refresh"' not in progress.content.decode()


def test_the_build_page_says_which_claim_month_it_pays_by_default_and_why(client, batch_world):
    BatchLine.objects.all().delete()  # the May and June 2025 lines are waiting again
    Batch.objects.all().delete()
    client.force_login(batch_world.reviewer)

    text = _text(client.get(reverse("admin:reimbursement_batch_build")))

    default, today = batches.default_month(), timezone.localdate()
    assert f"Batch month {default:%B %Y}." in text
    assert (
        f"the batch pays the claims for {default:%B %Y}: the month before this one "
        f"({today:%B %Y}), because a month" in text
    )
    assert "claims are made and reviewed after the month ends" in text
    # What a build would gather now: 2025 lines, paid late in a batch of a later month.
    assert "May 2025 1 Paid, marked late" in text
    assert "June 2025 5 Paid, marked late" in text


def test_the_progress_page_refreshes_itself_until_the_run_is_finished(client, batch_world):
    run = BatchRunFactory(commissioner=batch_world.commissioner, status=BatchRun.Status.RUNNING)
    client.force_login(batch_world.reviewer)
    url = reverse("admin:reimbursement_batchrun_progress", args=[run.pk])

    html = client.get(url).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html and "Running" in html

    BatchRun.objects.filter(pk=run.pk).update(
        status=BatchRun.Status.FAILED, message="The batch could not be built: no database."
    )
    html = client.get(url).content.decode()
    assert 'http-equiv="refresh"' not in html
    assert "Failed" in html and "The batch could not be built: no database." in html


def test_a_build_for_a_month_still_to_come_is_refused(client, batch_world):
    client.force_login(batch_world.reviewer)
    next_month = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)

    response = client.post(
        reverse("admin:reimbursement_batch_build"), {"month": f"{next_month:%Y-%m}"}
    )

    assert response.status_code == 200
    assert "That month has not started yet" in _text(response)
    assert f'value="{next_month:%Y-%m}"' in response.content.decode()
    assert not BatchRun.objects.exists()


def test_a_superuser_chooses_the_commissioner(
    client, batch_world, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert (
        "commissioner"
        in client.get(reverse("admin:reimbursement_batch_build")).context["form"].fields
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:reimbursement_batch_build"),
            {"commissioner": batch_world.commissioner.pk, "month": "2025-07"},
        )

    run = BatchRun.objects.get()
    assert (run.commissioner, run.status) == (batch_world.commissioner, BatchRun.Status.DONE)
    assert run.batch is None and "No approved claim lines are waiting" in run.message


def test_a_director_may_not_build_batches(client, batch_world):
    director = batch_world.director
    director.is_staff = True
    director.save()
    client.force_login(director)

    assert client.get(reverse("admin:reimbursement_batch_build")).status_code == 403
    assert (
        client.post(reverse("admin:reimbursement_batch_build"), {"month": "2025-06"}).status_code
        == 403
    )
    assert not BatchRun.objects.exists()


def test_batch_runs_are_listed_and_followed_only_in_their_own_area(client, batch_world):
    own = BatchRunFactory(commissioner=batch_world.commissioner)
    other = BatchRunFactory(commissioner=batch_world.other_reviewer.commissioner)
    client.force_login(batch_world.reviewer)

    response = client.get(reverse("admin:reimbursement_batchrun_changelist"))

    assert list(response.context["cl"].result_list) == [own]
    assert reverse("admin:reimbursement_batchrun_progress", args=[own.pk]) in (
        response.content.decode()
    )
    url = reverse("admin:reimbursement_batchrun_progress", args=[other.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("admin:reimbursement_batchrun_add")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_a_failed_build_shows_on_the_progress_page(client, monkeypatch):
    # Committed for real, so the eager task runs inside the request, as under `make run`.
    from tests.pcn_admin.factories import CommissionerStaffFactory

    def broken_build(**kwargs):
        raise RuntimeError("the register is being imported")

    monkeypatch.setattr(batches, "batch_build", broken_build)
    client.force_login(CommissionerStaffFactory())

    response = client.post(reverse("admin:reimbursement_batch_build"), {"month": "2025-06"})

    run = BatchRun.objects.get()
    assert response.status_code == 302 and run.status == BatchRun.Status.FAILED
    text = _text(client.get(response["Location"]))
    assert "Status: Failed" in text and "the register is being imported" in text
    assert "nothing was changed" in text
