"""The monthly payment batch as plain functions: what it gathers, how it subtotals, its
lifecycle, and the command that runs it."""

import datetime as dt
from decimal import Decimal

import pytest
from celery.exceptions import Retry
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from reimbursement import batches, tasks
from reimbursement.models import Batch, BatchLine, BatchPayee, BatchRun, Claim, ClaimLine
from tests.networks.factories import (
    CommissionerFactory,
    NominatedPayeeFactory,
    PCNFactory,
    PracticeFactory,
)
from tests.reimbursement.factories import (
    ApprovedClaimLineFactory,
    ClaimFactory,
    ClaimLineFactory,
)
from tests.roles.factories import PostFactory, RateFactory, RoleFactory

pytestmark = pytest.mark.django_db

APRIL, MAY, JUNE, JULY = (dt.date(2025, m, 1) for m in (4, 5, 6, 7))


def pcn_with_payee(commissioner=None, **kwargs):
    pcn = PCNFactory(commissioner=commissioner or CommissionerFactory(), **kwargs)
    NominatedPayeeFactory(pcn=pcn, practice=PracticeFactory(), start_date=dt.date(2019, 7, 1))
    return pcn


def approved(pcn, month=JUNE, amount="1000.00", **kwargs):
    claim = Claim.objects.filter(pcn=pcn, month=month, kind=Claim.Kind.NORMAL).first()
    claim = claim or ClaimFactory(pcn=pcn, month=month, status=Claim.Status.APPROVED)
    return ApprovedClaimLineFactory(claim=claim, reimbursable=Decimal(amount), **kwargs)


def build(pcn_or_commissioner, month=JUNE):
    commissioner = getattr(pcn_or_commissioner, "commissioner", pcn_or_commissioner)
    return batches.batch_build(commissioner_id=commissioner.pk, month=month)


def test_a_batch_subtotals_each_pcn_for_its_payee_and_the_total_reconciles():
    north = pcn_with_payee(code="U00001")
    south = pcn_with_payee(commissioner=north.commissioner, code="U00002")
    for amount in ("1234.56", "0.01", "99.99"):
        approved(north, amount=amount)
    approved(south, amount="4465.80")

    result = build(north)

    batch = result.batch
    assert result.added == 4
    assert batch.reference == f"{north.commissioner.code}-2025-06"
    subtotals = {p.pcn.code: p for p in batch.payees.select_related("pcn", "payee_practice")}
    assert subtotals["U00001"].amount == Decimal("1334.56")
    assert subtotals["U00002"].amount == Decimal("4465.80")
    assert subtotals["U00001"].payee_practice == north.payees.get().practice
    assert subtotals["U00001"].payee_name == north.payees.get().practice.name
    assert batch.total == Decimal("5800.36")
    assert batch.total == sum(p.amount for p in subtotals.values())
    assert batch.total == sum(line.amount for line in batch.lines.all())
    assert batch.line_count == 4


def test_only_approved_lines_of_the_commissioners_pcns_up_to_the_month_are_taken():
    pcn = pcn_with_payee()
    taken = approved(pcn)
    claim = taken.claim
    ClaimLineFactory(claim=claim, status=ClaimLine.Status.PENDING, reimbursable=Decimal("5"))
    ClaimLineFactory(
        claim=claim,
        status=ClaimLine.Status.REJECTED,
        decision_reason="Wrong month",
        reimbursable=Decimal("7"),
    )
    later = approved(pcn, month=JULY)
    elsewhere = approved(pcn_with_payee())

    batch = build(pcn).batch

    assert list(batch.lines.values_list("line_id", flat=True)) == [taken.pk]
    assert not BatchLine.objects.filter(line__in=[later, elsewhere]).exists()


def test_lines_of_earlier_months_approved_late_join_and_are_marked():
    pcn = pcn_with_payee()
    approved(pcn, month=JUNE, amount="100.00")
    late = approved(pcn, month=APRIL, amount="40.00")

    batch = build(pcn).batch

    assert batch.lines.get(line=late).late is True
    assert batch.late_line_count == 1
    assert batch.payees.get().late_line_count == 1
    assert batch.total == Decimal("140.00")


def test_running_twice_gives_the_same_batch():
    pcn = pcn_with_payee()
    approved(pcn, amount="10.00")
    approved(pcn, amount="20.00")
    first = build(pcn)
    before = list(first.batch.payees.values_list("pcn_id", "amount", "line_count"))

    again = build(pcn)

    assert again.added == 0
    assert again.batch.pk == first.batch.pk
    assert Batch.objects.count() == 1
    assert BatchLine.objects.count() == 2
    assert list(again.batch.payees.values_list("pcn_id", "amount", "line_count")) == before
    assert again.batch.total == Decimal("30.00")


def test_a_draft_batch_takes_lines_approved_since_it_was_built():
    pcn = pcn_with_payee()
    approved(pcn, amount="10.00")
    build(pcn)
    approved(pcn, amount="5.50")

    batch = build(pcn).batch

    assert batch.line_count == 2
    assert batch.total == Decimal("15.50")


def test_lines_approved_after_finalising_wait_for_next_months_batch_marked_late():
    pcn = pcn_with_payee()
    approved(pcn, amount="10.00")
    june = batches.batch_finalise(batch=build(pcn).batch, by=None)
    straggler = approved(pcn, amount="3.00")

    rerun = build(pcn)
    july = build(pcn, month=JULY).batch

    assert rerun.added == 0 and "finalised" in rerun.message
    june.refresh_from_db()
    assert june.total == Decimal("10.00")
    assert july.lines.get().line == straggler
    assert july.lines.get().late is True


def test_an_adjustment_pays_only_its_difference_which_may_be_negative():
    pcn = pcn_with_payee()
    original = approved(pcn, month=APRIL, amount="1000.00")
    build(pcn, month=APRIL)
    adjustment_claim = ClaimFactory(
        pcn=pcn,
        month=APRIL,
        kind=Claim.Kind.ADJUSTMENT,
        original=original.claim,
        status=Claim.Status.APPROVED,
    )
    ApprovedClaimLineFactory(
        claim=adjustment_claim,
        post=original.post,
        original_line=original,
        reimbursable=Decimal("940.25"),
    )

    batch = build(pcn, month=MAY).batch

    assert batch.total == Decimal("-59.75")
    assert batch.payees.get().amount == Decimal("-59.75")


def test_the_payee_is_the_one_in_force_at_the_end_of_the_month():
    pcn = PCNFactory()
    old = NominatedPayeeFactory(
        pcn=pcn, practice=PracticeFactory(), start_date=dt.date(2019, 7, 1), end_date=JUNE
    )
    new = NominatedPayeeFactory(pcn=pcn, practice=PracticeFactory(), start_date=dt.date(2025, 6, 2))
    approved(pcn, month=MAY)
    approved(pcn, month=JUNE)

    may = build(pcn, month=MAY).batch
    june = build(pcn, month=JUNE).batch

    assert may.payees.get().payee_practice == old.practice
    assert june.payees.get().payee_practice == new.practice


def test_a_pcn_without_a_payee_is_named_when_finalising_is_refused():
    pcn = PCNFactory(code="U09999")
    approved(pcn)
    batch = build(pcn).batch
    assert batch.payees.get().has_payee is False

    with pytest.raises(ValidationError, match="No nominated payee is recorded for U09999"):
        batches.batch_finalise(batch=batch, by=None)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DRAFT


def test_no_lines_waiting_makes_no_empty_batch():
    pcn = pcn_with_payee()
    ClaimLineFactory(claim__pcn=pcn, status=ClaimLine.Status.PENDING)

    result = build(pcn)

    assert result.batch is None
    assert "No approved claim lines" in result.message
    assert not Batch.objects.exists()


def test_finalising_locks_the_rates_the_lines_used_and_no_others():
    role = RoleFactory()
    used = RateFactory(role=role, effective_from=dt.date(2025, 4, 1))
    older = RateFactory(role=role, effective_from=dt.date(2024, 4, 1))
    pcn = pcn_with_payee()
    post = PostFactory(pcn=pcn, role=role, afc_band="")
    approved(pcn, post=post, rate_effective_from=dt.date(2025, 4, 1), rate_used=used)
    batch = build(pcn).batch
    used.refresh_from_db()
    assert used.locked_at is None  # a draft can still change

    batches.batch_finalise(batch=batch, by=None)

    used.refresh_from_db()
    older.refresh_from_db()
    assert used.locked_at is not None
    assert older.locked_at is None


def test_a_batch_goes_draft_to_finalised_to_paid_and_paid_cannot_be_reopened():
    pcn = pcn_with_payee()
    approved(pcn)
    batch = build(pcn).batch
    with pytest.raises(ValidationError, match="only a finalised batch"):
        batches.batch_mark_paid(
            batch=batch, paid_on=timezone.localdate(), payment_reference="X", by=None
        )

    batch = batches.batch_finalise(batch=batch, by=None)
    batch = batches.batch_mark_paid(
        batch=batch, paid_on=timezone.localdate(), payment_reference=" BACS 123 ", by=None
    )

    assert batch.status == Batch.Status.PAID
    assert batch.payment_reference == "BACS 123"
    with pytest.raises(ValidationError, match="already paid"):
        batches.batch_finalise(batch=batch, by=None)
    batch.status = Batch.Status.DRAFT
    with pytest.raises(ValidationError, match="cannot be changed or reopened"):
        batch.save()
    assert Batch.objects.get().status == Batch.Status.PAID


def test_marking_paid_needs_a_reference_and_a_date_not_in_the_future():
    pcn = pcn_with_payee()
    approved(pcn)
    batch = batches.batch_finalise(batch=build(pcn).batch, by=None)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    with pytest.raises(ValidationError) as error:
        batches.batch_mark_paid(batch=batch, paid_on=tomorrow, payment_reference="  ", by=None)

    assert "payment_reference" in error.value.message_dict
    assert "cannot be in the future" in error.value.message_dict["paid_on"][0]
    assert Batch.objects.get().status == Batch.Status.FINALISED


def test_the_database_refuses_a_line_in_two_batches_and_two_batches_for_one_month():
    pcn = pcn_with_payee()
    line = approved(pcn)
    batch = build(pcn).batch
    other = Batch.objects.create(
        commissioner=pcn.commissioner, month=JULY, reference="X-2025-07", built_at=timezone.now()
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        BatchLine.objects.create(
            batch=other, line=line, pcn=pcn, claim_month=JUNE, amount=Decimal("1")
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Batch.objects.create(
            commissioner=batch.commissioner, month=JUNE, reference="Y", built_at=timezone.now()
        )


def test_building_takes_the_same_number_of_queries_for_few_or_many_lines(
    django_assert_max_num_queries,
):
    # 22: the ARRS lines and subtotals, and the payment streams (rates, members, list sizes,
    # declared amounts, what is already paid), each a fixed number whatever the size.
    small = pcn_with_payee()
    approved(small)
    with django_assert_max_num_queries(22):
        build(small)

    large = pcn_with_payee()
    for _ in range(3):
        extra = pcn_with_payee(commissioner=large.commissioner)
        for month in (APRIL, MAY, JUNE):
            approved(extra, month=month)
    with django_assert_max_num_queries(22):
        result = build(large)
    assert result.added == 9


def test_one_commissioners_failure_leaves_no_half_batch_and_the_others_are_built(monkeypatch):
    good = pcn_with_payee()
    bad = pcn_with_payee()
    approved(good)
    approved(bad)
    refresh = batches._refresh_subtotals

    def fail_for_bad(batch):
        refresh(batch)  # lines and subtotals written, then the failure
        if batch.commissioner_id == bad.commissioner_id:
            raise RuntimeError("disk full")

    monkeypatch.setattr(batches, "_refresh_subtotals", fail_for_bad)

    results = batches.batches_build(month=JUNE)

    by_code = {r.commissioner_code: r for r in results}
    assert by_code[bad.commissioner.code].failed
    assert "disk full" in by_code[bad.commissioner.code].message
    assert not Batch.objects.filter(commissioner=bad.commissioner).exists()
    assert not BatchLine.objects.filter(pcn=bad).exists()
    assert not BatchPayee.objects.filter(pcn=bad).exists()
    assert Batch.objects.get(commissioner=good.commissioner).line_count == 1


def test_batches_build_refuses_an_unknown_commissioner_code():
    with pytest.raises(ValidationError, match="No commissioner has the code ZZZ"):
        batches.batches_build(month=JUNE, commissioner_codes=["ZZZ"])


def test_default_month_is_the_month_before_and_months_parse_as_yyyy_mm():
    assert batches.default_month(dt.date(2026, 1, 5)) == dt.date(2025, 12, 1)
    assert batches.parse_month("2025-09") == dt.date(2025, 9, 1)
    with pytest.raises(ValidationError, match="YYYY-MM"):
        batches.parse_month("Sept 2025")


def test_the_command_builds_the_named_commissioners_month(capsys):
    pcn = pcn_with_payee()
    other = pcn_with_payee()
    approved(pcn)
    approved(other)

    call_command("generate_claim_batches", month="2025-06", commissioners=[pcn.commissioner.code])

    out = capsys.readouterr().out
    assert f"{pcn.commissioner.code}-2025-06: 1 line(s) added" in out
    assert list(Batch.objects.values_list("commissioner", flat=True)) == [pcn.commissioner_id]


def test_the_command_explains_a_bad_month():
    with pytest.raises(CommandError, match="is not a month"):
        call_command("generate_claim_batches", month="June")


def test_the_scheduled_task_builds_last_months_batches(monkeypatch):
    pcn = pcn_with_payee()
    approved(pcn, month=dt.date(2025, 10, 1))
    monkeypatch.setattr(batches, "default_month", lambda: dt.date(2025, 10, 1))

    messages = tasks.generate_claim_batches.delay().get()

    assert Batch.objects.get().month == dt.date(2025, 10, 1)
    assert "1 line(s) added" in messages[0]


def test_the_task_tries_again_when_the_database_connection_drops(monkeypatch):
    pcn = pcn_with_payee()
    approved(pcn)
    real = batches.batches_build
    calls = []

    def drop_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(batches, "batches_build", drop_once)

    # Celery answers the dropped connection with a retry for later, not a failure...
    with pytest.raises(Retry) as retry:
        tasks.generate_claim_batches.delay(month="2025-06").get()
    assert isinstance(retry.value.exc, OperationalError)
    assert not Batch.objects.exists()

    # ...and the retry, when the worker runs it, builds the batch.
    tasks.generate_claim_batches.apply(kwargs={"month": "2025-06"}, retries=1).get()

    assert len(calls) == 2
    assert Batch.objects.get().line_count == 1


def test_the_task_does_not_retry_a_mistake_that_would_fail_again():
    with pytest.raises(ValidationError, match="is not a month"):
        tasks.generate_claim_batches.delay(month="June").get()


def test_a_requested_run_records_its_progress_and_result(django_capture_on_commit_callbacks):
    pcn = pcn_with_payee()
    approved(pcn, amount="12.34")

    with django_capture_on_commit_callbacks(execute=True):
        run = tasks.batch_run_request(commissioner=pcn.commissioner, month=JUNE, by=None)

    run.refresh_from_db()
    assert run.status == BatchRun.Status.DONE
    assert run.batch.total == Decimal("12.34")
    assert run.started_at and run.finished_at
    assert "1 line(s) added" in run.message


def test_a_failed_run_says_so_and_changes_nothing(monkeypatch):
    pcn = pcn_with_payee()
    approved(pcn)
    run = BatchRun.objects.create(commissioner=pcn.commissioner, month=JUNE)

    def broken(batch):
        raise RuntimeError("no payee table")

    monkeypatch.setattr(batches, "_refresh_subtotals", broken)
    with pytest.raises(RuntimeError):
        batches.batch_run_execute(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == BatchRun.Status.FAILED
    assert "nothing was changed" in run.message
    assert not Batch.objects.exists()


def test_the_schedule_names_the_batch_task_at_six_on_the_fifth(settings):
    from pcn_admin.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["generate-claim-batches"]

    assert app.tasks[entry["task"]].name == tasks.generate_claim_batches.name
    assert entry["schedule"].hour == {6}
    assert entry["schedule"].minute == {0}
    assert entry["schedule"].day_of_month == {5}


def test_the_database_rule_for_what_a_line_is_owed_matches_adjustment_due():
    from reimbursement.calculations import adjustment_due, amount_due

    pcn = pcn_with_payee()
    approved_original = approved(pcn, month=APRIL, amount="1000.00")
    rejected_original = ClaimLineFactory(
        claim=approved_original.claim,
        status=ClaimLine.Status.REJECTED,
        decision_reason="Wrong person",
        reimbursable=Decimal("300.00"),
    )
    adjustment = ClaimFactory(
        pcn=pcn,
        month=APRIL,
        kind=Claim.Kind.ADJUSTMENT,
        original=approved_original.claim,
        status=Claim.Status.APPROVED,
    )
    for original, amount in ((approved_original, "1040.10"), (rejected_original, "280.00")):
        ApprovedClaimLineFactory(
            claim=adjustment, post=original.post, original_line=original, reimbursable=amount
        )
    ClaimLineFactory(claim=adjustment, reimbursable=None)

    lines = ClaimLine.objects.annotate(due=amount_due()).select_related("original_line")

    # SQLite does decimal sums in floating point; the pence column rounds them back on saving.
    dues = {line.pk: Decimal(line.due).quantize(Decimal("0.01")) for line in lines}
    assert len(lines) == 5
    for line in lines:
        assert dues[line.pk] == adjustment_due(line), line
    assert sorted(dues.values()) == [
        Decimal("0"),
        Decimal("40.10"),
        Decimal("280.00"),
        Decimal("300.00"),
        Decimal("1000.00"),
    ]
