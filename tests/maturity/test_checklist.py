"""The prospectus checklist: the March 2020 expectations per PCN (status, evidence, date), with
"used 100% of its ARRS entitlement" worked out from the app's own figures, never typed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maturity import selectors, services
from maturity.models import Expectation, ExpectationStatus
from tests.networks.factories import ListSizeFactory, MembershipFactory, PCNFactory
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    PracticeManagerFactory,
)
from tests.reimbursement.factories import ApprovedClaimLineFactory, ClaimFactory

pytestmark = pytest.mark.django_db

# 2020/21's ARR sum rate, as the roles migration seeds it: £7.131 per weighted patient.
YEAR = 2020


@pytest.fixture
def pcn():
    pcn = PCNFactory(code="U88001", name="Riverside PCN")
    membership = MembershipFactory(pcn=pcn)
    ListSizeFactory(
        practice=membership.practice, date=dt.date(2020, 1, 1), weighted_patients=Decimal("1000")
    )
    return pcn


def _approved(pcn, amount: str, month=dt.date(2020, 6, 1)):
    claim = ClaimFactory(pcn=pcn, month=month, status="approved")
    ApprovedClaimLineFactory(claim=claim, reimbursable=Decimal(amount))


def test_2019_20_had_no_arr_sum_so_the_use_is_not_known(pcn):
    use = selectors.arrs_use(pcn, 2019)
    assert use.text == "Not known"
    assert "2019/20 had no Additional Roles Reimbursement Sum" in use.detail


def test_a_year_without_a_rate_is_not_known(pcn):
    use = selectors.arrs_use(pcn, 2021)
    assert use.text == "Not known"
    assert "No ARR sum rate" in use.detail


def test_a_pcn_that_claimed_less_than_its_sum_has_not_met_it(pcn):
    _approved(pcn, "1000.00")
    use = selectors.arrs_use(pcn, YEAR)
    assert (use.text, use.arr_sum, use.spend, use.percent) == (
        "Not met",
        Decimal("7131.00"),
        Decimal("1000.00"),
        Decimal("14.0"),
    )
    assert use.detail == ("In 2020/21: approved claims £1,000.00 of its ARR sum £7,131.00 (14.0%).")


def test_a_pcn_that_claimed_its_whole_sum_has_met_it(pcn):
    _approved(pcn, "4000.00")
    _approved(pcn, "3131.00", month=dt.date(2021, 3, 1))
    assert selectors.arrs_use(pcn, YEAR).text == "Met"


def test_without_weighted_lists_the_sum_is_not_known():
    use = selectors.arrs_use(PCNFactory(), YEAR)
    assert use.text == "Not known"
    assert "No weighted list sizes" in use.detail


def test_the_arrs_expectation_cannot_be_typed(pcn):
    arrs = Expectation.objects.get(key="arrs-entitlement-used")
    with pytest.raises(ValidationError, match="worked out from the PCN's ARRS claims"):
        services.expectation_status_save(pcn=pcn, expectation=arrs, status="met", by=None)
    assert not ExpectationStatus.objects.exists()


def _post(rows, **changes):
    data = {}
    for row in rows:
        if row.worked_out is None:
            prefix = f"expectation-{row.expectation.pk}"
            data[f"{prefix}-status"] = "not_started"
            data[f"{prefix}-evidence"] = ""
            data[f"{prefix}-date"] = ""
    data.update(changes)
    return data


def test_the_director_records_the_checklist(client, pcn):
    _approved(pcn, "1000.00")
    director = ClinicalDirectorUserFactory(pcn=pcn)
    client.force_login(director)
    url = reverse("maturity:checklist", args=[pcn.code])
    page = client.get(url + "?year=2020").content.decode()
    assert "Not met" in page and "£7,131.00" in page

    journey = Expectation.objects.get(key="five-year-journey")
    prefix = f"expectation-{journey.pk}"
    rows = selectors.checklist(pcn, year=YEAR)
    data = _post(
        rows,
        **{
            f"{prefix}-status": "met",
            f"{prefix}-evidence": "Five-year plan agreed by the board.",
            f"{prefix}-date": "2020-02-14",
        },
    )
    response = client.post(url + "?year=2020", data)
    assert response.status_code == 302
    status = ExpectationStatus.objects.get(pcn=pcn, expectation=journey)
    assert (status.status, status.date, status.updated_by) == (
        "met",
        dt.date(2020, 2, 14),
        director,
    )
    assert status.history.latest().history_user == director
    # Unchanged lines make no rows.
    assert ExpectationStatus.objects.filter(pcn=pcn).count() == 1


def test_met_without_a_date_saves_nothing_and_keeps_what_was_typed(client, pcn):
    client.force_login(ClinicalDirectorUserFactory(pcn=pcn))
    journey = Expectation.objects.get(key="five-year-journey")
    team = Expectation.objects.get(key="single-team")
    rows = selectors.checklist(pcn, year=2019)
    data = _post(
        rows,
        **{
            f"expectation-{team.pk}-status": "in_progress",
            f"expectation-{team.pk}-evidence": "Weekly huddles started.",
            f"expectation-{journey.pk}-status": "met",
        },
    )
    response = client.post(reverse("maturity:checklist", args=[pcn.code]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Give the date it was met." in page
    assert "Weekly huddles started." in page
    assert not ExpectationStatus.objects.exists()


def test_commissioner_staff_of_another_area_cannot_see_the_checklist(client, pcn):
    client.force_login(CommissionerStaffFactory())
    assert client.get(reverse("maturity:checklist", args=[pcn.code])).status_code == 404


def test_a_practice_manager_is_refused_the_checklist(client, pcn):
    client.force_login(PracticeManagerFactory())
    assert client.get(reverse("maturity:checklist", args=[pcn.code])).status_code == 403


def test_the_checklist_takes_a_fixed_number_of_queries(client, pcn, django_assert_max_num_queries):
    _approved(pcn, "1000.00")
    client.force_login(CommissionerStaffFactory(commissioner=pcn.commissioner))
    url = reverse("maturity:checklist", args=[pcn.code]) + "?year=2020"
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200


def test_a_year_still_running_is_not_met_yet(pcn):
    _approved(pcn, "1000.00")
    use = selectors.arrs_use(pcn, YEAR, today=dt.date(2021, 1, 15))
    assert use.text == "Not met yet"
    assert use.detail.endswith("The year runs to 31 March 2021.")
