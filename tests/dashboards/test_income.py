"""Income by payment stream on the dashboards: the PCN's month by month for the year (what is in
batches, by the batch's month and status, and what the rates are expected to pay for months not
yet batched, marked as such), with its table and CSV; and the commissioner's totals by stream
across its PCNs. The figures are the batches' own, to the penny."""

import csv
import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from reimbursement import batches, services
from reimbursement.income import year_income
from reimbursement.models import Batch, PaymentStream, StreamPayment
from tests.networks.factories import (
    CommissionerFactory,
    ListSizeFactory,
    MembershipFactory,
    NominatedPayeeFactory,
    PCNFactory,
)
from tests.pcn_admin.factories import ClinicalDirectorUserFactory, CommissionerStaffFactory
from tests.reimbursement.factories import ApprovedClaimLineFactory, ClaimFactory

pytestmark = pytest.mark.django_db

YEAR = 2025  # 2025/26: core PCN funding £2.999, participation £1.761; no clinical director rate
APRIL, MAY = dt.date(2025, 4, 1), dt.date(2025, 5, 1)
REGISTERED = (10_007, 6_113)
WEIGHTED = (Decimal("10433.37"), Decimal("5987.91"))


def network(commissioner):
    pcn = PCNFactory(commissioner=commissioner)
    practices = []
    for registered, weighted in zip(REGISTERED, WEIGHTED, strict=True):
        practice = MembershipFactory(pcn=pcn).practice
        ListSizeFactory(
            practice=practice,
            date=dt.date(2025, 1, 1),
            registered_patients=registered,
            weighted_patients=weighted,
        )
        practices.append(practice)
    NominatedPayeeFactory(pcn=pcn, practice=practices[0])
    return pcn


@pytest.fixture
def income_area(db):
    """Two PCNs; April's batch paid with an ARRS line, May's a draft with an IIF amount; the
    other ten months not yet batched."""
    commissioner = CommissionerFactory()
    pcn, other = network(commissioner), network(commissioner)
    staff = CommissionerStaffFactory(commissioner=commissioner)
    claim = ClaimFactory(pcn=pcn, month=APRIL, status="approved")
    ApprovedClaimLineFactory(claim=claim, reimbursable=Decimal("2345.67"))
    april = batches.batch_build(commissioner_id=commissioner.pk, month=APRIL).batch
    april = batches.batch_finalise(batch=april, by=staff)
    today = timezone.localdate()
    batches.batch_mark_paid(batch=april, paid_on=today, payment_reference="B1", by=staff)
    iif = services.declared_enter(
        stream=PaymentStream.objects.get(code="iif"),
        pcn=pcn,
        month=MAY,
        amount=Decimal("4210.57"),
        by=staff,
    )
    services.declared_approve(declared=iif, by=staff)
    batches.batch_build(commissioner_id=commissioner.pk, month=MAY)
    return commissioner, pcn, other, staff


def income_csv(client, user, url) -> list[dict]:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def pcn_csv(client, user, pcn):
    url = reverse("dashboards:pcn_dashboard_csv", args=[pcn.code, "income"]) + f"?year={YEAR}"
    return income_csv(client, user, url)


def batched(pcn, month, code) -> Decimal:
    return sum(
        StreamPayment.objects.filter(pcn=pcn, batch__month=month, stream__code=code).values_list(
            "amount", flat=True
        ),
        Decimal("0.00"),
    )


def test_the_pcn_dashboard_shows_each_months_income_by_stream(client, income_area):
    commissioner, pcn, _, _ = income_area
    rows = pcn_csv(client, ClinicalDirectorUserFactory(pcn=pcn), pcn)

    months = [row["Month"] for row in rows[:-1]]
    assert months[:2] == ["April 2025", "May 2025"]
    assert months[2:] == [
        f"{dt.date(2025 + (m < 4), m, 1):%B %Y} (expected)"
        for m in (6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
    ]
    april, may, june = rows[0], rows[1], rows[2]
    assert (april["Status"], may["Status"], june["Status"]) == (
        "Paid",
        "Draft batch",
        "Expected (not yet batched)",
    )
    arrs = "Additional Roles Reimbursement Scheme (£)"
    assert april[arrs] == "2345.67" and may[arrs] == "0.00"
    assert may["Investment and Impact Fund (£)"] == "4210.57"
    assert Decimal(april["Core PCN funding (£)"]) == batched(pcn, APRIL, "core")
    assert Decimal(april["Network participation payment (£)"]) == batched(
        pcn, APRIL, "participation"
    )
    # Each month's total is its streams'.
    streams = [name for name in rows[0] if name.endswith("(£)") and name != "Total (£)"]
    for row in rows:
        assert Decimal(row["Total (£)"]) == sum(Decimal(row[name]) for name in streams)
    assert "Clinical director (£)" not in rows[0]  # no rate for 2025/26: no column of noughts


def test_a_year_of_core_funding_adds_up_to_the_rate_times_the_january_list(client, income_area):
    """Batched and expected months together: twelve monthly roundings that add up to the year's
    one rounding (reimbursement.calculations.stream_month_amount carries the pennies)."""
    _, pcn, _, _ = income_area
    rows = pcn_csv(client, ClinicalDirectorUserFactory(pcn=pcn), pcn)

    total = rows[-1]
    assert total["Month"] == "Total"
    year = (Decimal("2.999") * sum(REGISTERED)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert Decimal(total["Core PCN funding (£)"]) == year
    participation = sum(
        (Decimal("1.761") * w).quantize(Decimal("0.01"), ROUND_HALF_UP) for w in WEIGHTED
    )
    assert Decimal(total["Network participation payment (£)"]) == participation


def test_the_page_shows_the_chart_table_and_says_what_is_expected(client, income_area):
    _, pcn, _, _ = income_area
    client.force_login(ClinicalDirectorUserFactory(pcn=pcn))

    html = client.get(
        reverse("dashboards:pcn_dashboard", args=[pcn.code]) + f"?year={YEAR}"
    ).content.decode()

    section = html.split('id="income-by-stream"', 1)[1]
    assert 'data-testid="chart-income"' in section
    assert 'data-testid="income-table"' in section
    assert "Expected from the rates, not yet batched" in section  # the chart's light bars
    assert "June 2025 (expected)" in section
    assert "No rate is recorded for some or all of 2025/26 for: Clinical director" in section
    assert 'data-testid="income-csv"' in section


def test_the_commissioner_dashboard_totals_each_stream_across_its_pcns(client, income_area):
    commissioner, pcn, other, staff = income_area
    url = reverse("dashboards:commissioner_dashboard_csv", args=["income"]) + f"?year={YEAR}"
    rows = {row["Payment stream"]: row for row in income_csv(client, staff, url)}

    core = rows["Core PCN funding"]
    in_batches = sum(
        StreamPayment.objects.filter(
            stream__code="core", batch__commissioner=commissioner
        ).values_list("amount", flat=True),
    )
    assert Decimal(core["In batches"]) == in_batches
    paid_batch = Batch.objects.get(commissioner=commissioner, month=APRIL)
    assert Decimal(core["Of which paid"]) == batched(pcn, APRIL, "core") + batched(
        other, APRIL, "core"
    )
    assert paid_batch.status == "paid"
    income = year_income(pcns=[pcn, other], year=YEAR)
    expected = sum(t.expected for t in income.stream_totals() if t.stream.code == "core")
    assert Decimal(core["Expected"]) == expected > 0
    assert rows["Investment and Impact Fund"]["In batches"] == "4210.57"
    assert rows["Additional Roles Reimbursement Scheme"]["Of which paid"] == "2345.67"
    total = rows["All streams"]
    assert Decimal(total["In batches"]) == sum(
        Batch.objects.filter(commissioner=commissioner).values_list("total", flat=True)
    )


def test_a_year_with_nothing_batched_shows_what_is_expected_only(client, db):
    commissioner = CommissionerFactory()
    pcn = network(commissioner)

    income = year_income(pcns=[pcn], year=YEAR)

    months = income.pcn_months(pcn.pk)
    assert all(month.is_expected for month in months)
    assert all("arrs" not in month.amounts for month in months)


@pytest.mark.parametrize("pcns", [1, 5])
def test_the_income_costs_the_same_queries_for_one_pcn_or_many(
    db, django_assert_max_num_queries, pcns
):
    commissioner = CommissionerFactory()
    networks = [network(commissioner) for _ in range(pcns)]
    batches.batch_build(commissioner_id=commissioner.pk, month=APRIL)

    # the streams and their rates (2), the stream amounts, the ARRS lines, the batches, and
    # the expected amounts' rates, members and list sizes
    with django_assert_max_num_queries(8):
        income = year_income(pcns=networks, year=YEAR)

    assert len(income.batched) == pcns
