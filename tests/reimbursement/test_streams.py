"""The Network Contract DES streams: what a PCN and its practices are paid each month, how the
pennies of twelve monthly payments add up to the year, and the streams in the monthly batch."""

import datetime as dt
import importlib
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError

from reimbursement import batches
from reimbursement.calculations import stream_month_amount
from reimbursement.models import (
    Batch,
    BatchPayee,
    DeclaredPayment,
    PaymentStream,
    StreamPayment,
    StreamRate,
)
from reimbursement.streams import rate_stream_amounts, year_months
from tests.networks.factories import (
    CommissionerFactory,
    ListSizeFactory,
    MembershipFactory,
    NominatedPayeeFactory,
    PCNFactory,
    PracticeFactory,
)
from tests.reimbursement.factories import ApprovedClaimLineFactory, ClaimFactory
from tests.roles.factories import PostFactory

pytestmark = pytest.mark.django_db

PENNY = Decimal("0.01")
# 2023/24 has a published rate for each of participation, core and clinical director.
YEAR = 2023
JANUARY = dt.date(YEAR, 1, 1)


def whole_year(per_patient: str, population) -> Decimal:
    return (Decimal(per_patient) * Decimal(population)).quantize(PENNY, ROUND_HALF_UP)


def streams_as_migrated():
    """The streams and rates the migration loads, which a transactional test's flush empties."""
    from django.apps import apps

    migration = importlib.import_module("reimbursement.migrations.0006_payment_streams")
    migration.load_streams(apps, None)


def network(*, practices=((10_007, "10433.37"), (6_113, "5987.91")), commissioner=None):
    """A PCN with a payee and members whose 1 January list sizes make awkward pennies."""
    streams_as_migrated()
    pcn = PCNFactory(commissioner=commissioner or CommissionerFactory())
    members = []
    for registered, weighted in practices:
        practice = PracticeFactory(commissioner=pcn.commissioner)
        MembershipFactory(pcn=pcn, practice=practice)
        ListSizeFactory(
            practice=practice,
            date=JANUARY,
            registered_patients=registered,
            weighted_patients=Decimal(weighted),
        )
        # A later figure that must not be used for the year: only 1 January counts.
        ListSizeFactory(
            practice=practice, date=dt.date(YEAR, 4, 1), registered_patients=1, weighted_patients=1
        )
        members.append(practice)
    NominatedPayeeFactory(pcn=pcn, practice=members[0], start_date=dt.date(2019, 7, 1))
    return pcn, members


def totals(amounts, code, practice_id=None):
    return sum(
        (
            row.amount
            for row in amounts.amounts
            if row.stream.code == code and (practice_id is None or row.practice_id == practice_id)
        ),
        Decimal("0"),
    )


def test_twelve_monthly_payments_add_up_to_the_annual_rate_times_the_january_population():
    pcn, (first, second) = network()
    amounts = rate_stream_amounts(pcns=[pcn], months=year_months(YEAR))

    registered = 10_007 + 6_113
    assert totals(amounts, "core") == whole_year("1.50", registered) == Decimal("24180.00")
    assert totals(amounts, "clinical_director") == whole_year("0.729", registered)
    # Participation is paid to each practice on its own weighted list: each practice's year
    # is rounded once, and the PCN's is the sum of its practices'.
    assert totals(amounts, "participation", first.pk) == whole_year("1.761", "10433.37")
    assert totals(amounts, "participation", second.pk) == whole_year("1.761", "5987.91")
    assert totals(amounts, "participation") == (
        whole_year("1.761", "10433.37") + whole_year("1.761", "5987.91")
    )


def test_each_month_is_within_a_penny_of_a_twelfth_and_the_months_share_the_years_pennies():
    annual = Decimal("0.729") * 16_121  # £11,752.209 a year: not whole pence, nor a month
    months = [stream_month_amount(Decimal("0.729"), Decimal(16_121), m) for m in year_months(YEAR)]

    assert all(abs(month - annual / 12) < PENNY for month in months)
    assert len(set(months)) == 2  # some months carry the extra penny
    assert sum(months) == annual.quantize(PENNY, ROUND_HALF_UP)


def test_a_practice_that_joins_in_october_is_paid_for_the_six_months_it_is_a_member():
    pcn, _ = network(practices=((8_000, "8000.00"),))
    joiner = PracticeFactory(commissioner=pcn.commissioner)
    MembershipFactory(pcn=pcn, practice=joiner, start_date=dt.date(YEAR, 10, 1))
    ListSizeFactory(
        practice=joiner, date=JANUARY, registered_patients=4_000, weighted_patients=Decimal("4000")
    )

    amounts = rate_stream_amounts(pcns=[pcn], months=year_months(YEAR))

    paid_months = {row.month for row in amounts.amounts if row.practice_id == joiner.pk}
    assert paid_months == {m for m in year_months(YEAR) if m >= dt.date(YEAR, 10, 1)}
    assert totals(amounts, "participation", joiner.pk) == whole_year("1.761", 4000) / 2
    # The PCN's core funding counts the joiner from October only.
    assert totals(amounts, "core") == whole_year("1.50", 8_000) + whole_year("1.50", 4_000) / 2


def test_a_year_with_no_published_rate_pays_nothing_rather_than_a_guess():
    pcn, members = network()
    for practice in members:
        ListSizeFactory(practice=practice, date=dt.date(2022, 1, 1))
    amounts = rate_stream_amounts(pcns=[pcn], months=year_months(2022))

    # No clinical director rate is published for 2022/23; extended hours ended in September.
    assert totals(amounts, "clinical_director") == 0
    assert {row.month for row in amounts.amounts if row.stream.code == "extended_hours"} == {
        m for m in year_months(2022) if m <= dt.date(2022, 9, 1)
    }


def test_a_member_with_no_january_list_size_is_named_as_a_gap_and_left_out():
    pcn, _ = network(practices=((9_000, "9000.00"),))
    MembershipFactory(pcn=pcn, practice=PracticeFactory(commissioner=pcn.commissioner))

    amounts = rate_stream_amounts(pcns=[pcn], months=[dt.date(YEAR, 5, 1)])

    assert totals(amounts, "core") == stream_month_amount(
        Decimal("1.50"), Decimal(9_000), dt.date(YEAR, 5, 1)
    )
    assert any("no registered list size" in gap.reason for gap in amounts.gaps)


def test_the_amounts_take_the_same_number_of_queries_for_one_pcn_or_many(
    django_assert_num_queries,
):
    one, _ = network()
    many = [network(commissioner=one.commissioner)[0] for _ in range(5)]
    with django_assert_num_queries(3):
        rate_stream_amounts(pcns=[one], months=year_months(YEAR))
    with django_assert_num_queries(3):
        rate_stream_amounts(pcns=many, months=year_months(YEAR))


# In the monthly batch ---------------------------------------------------------------------

MAY = dt.date(YEAR, 5, 1)


def build(pcn, month=MAY):
    return batches.batch_build(commissioner_id=pcn.commissioner_id, month=month)


def test_the_batch_pays_each_stream_to_its_payee_beside_the_arrs_lines():
    pcn, (payee, other) = network()
    claim = ClaimFactory(pcn=pcn, month=MAY)
    ApprovedClaimLineFactory(
        claim=claim, post=PostFactory(pcn=pcn), reimbursable=Decimal("1234.56")
    )

    result = build(pcn)

    payments = StreamPayment.objects.filter(batch=result.batch)
    by_stream = {(p.stream.code, p.practice_id): p.amount for p in payments}
    assert set(by_stream) == {
        ("core", payee.pk),
        ("clinical_director", payee.pk),
        ("participation", payee.pk),
        ("participation", other.pk),
    }
    assert by_stream["core", payee.pk] == stream_month_amount(Decimal("1.50"), Decimal(16_120), MAY)
    subtotal = BatchPayee.objects.get(batch=result.batch, pcn=pcn)
    assert subtotal.arrs_amount == Decimal("1234.56")
    assert subtotal.amount == Decimal("1234.56") + sum(by_stream.values())
    assert result.batch.total == subtotal.amount


def test_building_again_pays_no_stream_twice():
    pcn, _ = network()
    first = build(pcn)
    count = first.batch.stream_payment_count
    assert count == 4

    again = build(pcn)

    again.batch.refresh_from_db()
    assert again.batch.stream_payment_count == count
    assert StreamPayment.objects.count() == count
    assert again.batch.total == first.batch.total


def test_a_batch_of_streams_alone_can_be_finalised_and_locks_the_rates_it_used(admin_user):
    pcn, _ = network()
    batch = build(pcn).batch

    batches.batch_finalise(batch=batch, by=admin_user)

    core = StreamRate.objects.get(stream__code="core", start_date=dt.date(2019, 7, 1))
    assert core.locked_at is not None
    core.per_patient = Decimal("9.99")
    with pytest.raises(ValidationError, match="cannot change"):
        core.save()
    unused = StreamRate.objects.get(stream__code="extended_hours")
    assert unused.locked_at is None


def test_an_approved_declared_amount_is_paid_once_and_late_when_its_month_has_passed():
    pcn, (payee, _) = network()
    iif = PaymentStream.objects.get(code="iif")
    declared = DeclaredPayment.objects.create(
        stream=iif,
        pcn=pcn,
        month=dt.date(YEAR, 4, 1),
        amount=Decimal("3210.99"),
        status=DeclaredPayment.Status.APPROVED,
    )
    waiting = DeclaredPayment.objects.create(
        stream=PaymentStream.objects.get(code="care_home_premium"),
        pcn=pcn,
        month=MAY,
        amount=Decimal("50.00"),
    )

    build(pcn)
    build(pcn)
    june = build(pcn, month=dt.date(YEAR, 6, 1))

    paid = StreamPayment.objects.get(declared=declared)
    assert (paid.batch.month, paid.late, paid.amount, paid.practice) == (
        MAY,
        True,
        Decimal("3210.99"),
        payee,
    )
    assert not StreamPayment.objects.filter(declared=waiting).exists()  # not yet approved
    assert not StreamPayment.objects.filter(batch=june.batch, stream=iif).exists()


def test_a_closed_pcn_gets_no_stream_payments_after_it_closes():
    pcn, _ = network()
    pcn.close_date = dt.date(YEAR, 4, 30)
    pcn.save()

    result = build(pcn)

    assert result.batch is None
    assert not Batch.objects.exists()


def test_a_demo_pcns_year_equals_the_annual_rates_times_its_january_population():
    """issue 15: a year of participation, core and clinical director payments for a demo PCN
    equals the annual rate x the population on 1 January, to the penny. The population comes
    from the register's own read (populations_on), not from the stream code."""
    from django.core.management import call_command

    from networks.models import PCN
    from networks.selectors import populations_on

    call_command("seed_demo", stdout=io.StringIO())
    pcn = PCN.objects.get(code="U05512")
    population = populations_on([pcn.pk], on=JANUARY)[pcn.pk]
    assert population.members and not population.members_without_weighted

    amounts = rate_stream_amounts(pcns=[pcn], months=year_months(YEAR))

    assert totals(amounts, "core") == whole_year("1.50", population.registered)
    assert totals(amounts, "clinical_director") == whole_year("0.729", population.registered)
    assert totals(amounts, "participation") == sum(
        (whole_year("1.761", member.weighted) for member in population.members), Decimal("0")
    )
    for member in population.members:
        assert totals(amounts, "participation", member.practice_id) == whole_year(
            "1.761", member.weighted
        )


def test_a_locked_rate_that_runs_on_can_be_ended_but_not_before_a_month_it_paid(admin_user):
    pcn, _ = network()
    batches.batch_finalise(batch=build(pcn).batch, by=admin_user)
    participation = StreamRate.objects.get(stream__code="participation")
    assert participation.locked_at and participation.end_date is None

    participation.end_date = dt.date(YEAR, 4, 30)
    with pytest.raises(ValidationError, match="cannot end before 01 May 2023"):
        participation.save()

    participation.end_date = dt.date(YEAR, 5, 31)
    participation.save()
    participation.refresh_from_db()
    assert participation.end_date == dt.date(YEAR, 5, 31)
