"""The development funding pages as people use them: the commissioner's allocation reconciles to
the penny and warns while clinical director development is under 10%; bad input is refused with
a clear message, nothing saved and what was typed kept; practices claim backfill and commissioner
staff review it; each page keeps to its scope and to a fixed number of queries."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from development.models import BackfillClaim, Commitment, Domain
from tests.networks.factories import MembershipFactory, PCNFactory
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    PracticeManagerFactory,
)

from .factories import (
    YEAR,
    AllocationFactory,
    BackfillClaimFactory,
    BackfillCommitmentFactory,
    BaselinePostFactory,
    CommitmentFactory,
    EarmarkFactory,
    SpendFactory,
)

pytestmark = pytest.mark.django_db


def pounds(page: str, testid: str) -> Decimal:
    match = re.search(rf'data-testid="{testid}">£([\d,]+\.\d\d)<', page)
    assert match, f"no {testid} on the page"
    return Decimal(match.group(1).replace(",", ""))


@pytest.fixture
def allocation():
    # Shaped like seed paper 003's: £1.293m, £400k earmarked.
    allocation = AllocationFactory(amount=Decimal("1293000.00"))
    EarmarkFactory(allocation=allocation, name="Analysts and backfill", amount=Decimal("400000"))
    return allocation


@pytest.fixture
def staff(allocation):
    return CommissionerStaffFactory(commissioner=allocation.commissioner)


def _commit(allocation, amount, domain=Domain.ORGANISATIONAL, **fields):
    return CommitmentFactory(allocation=allocation, amount=Decimal(amount), domain=domain, **fields)


def test_the_funding_page_reconciles_to_the_penny_and_the_ten_percent_warning_clears(
    client, allocation, staff
):
    organisational = _commit(allocation, "359000.00")
    leadership = _commit(
        allocation, "129299.99", Domain.LEADERSHIP, clinical_director_development=True
    )
    _commit(allocation, "0.03", Domain.COLLABORATIVE)
    SpendFactory(commitment=organisational, amount=Decimal("12345.67"))
    SpendFactory(commitment=leadership, amount=Decimal("0.01"))
    client.force_login(staff)
    url = reverse("development:allocation_detail", args=[allocation.pk])

    page = client.get(url).content.decode()
    allocated, committed = pounds(page, "allocated"), pounds(page, "committed")
    remaining, spent = pounds(page, "remaining"), pounds(page, "spent")
    assert allocated == Decimal("1293000.00")
    assert committed == Decimal("488300.02")
    assert allocated == committed + remaining
    assert spent == Decimal("12345.68") and spent <= committed
    # £129,299.99 is a penny short of 10%: the warning says so.
    assert 'data-testid="cd-warning"' in page
    assert "commit a further £0.01" in page

    # One more penny, committed on the page, and the warning clears.
    response = client.post(
        reverse("development:commitment_create", args=[allocation.pk]),
        {
            "pcn": "",
            "programme": "Clinical directors' coaching",
            "description": "Coaching",
            "domain": Domain.LEADERSHIP,
            "clinical_director_development": "on",
            "earmark": "",
            "amount": "0.01",
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'data-testid="cd-warning"' not in page
    assert 'data-testid="cd-met"' in page
    assert pounds(page, "allocated") == pounds(page, "committed") + pounds(page, "remaining")


def test_a_commitment_above_what_remains_is_refused_on_the_page_and_what_was_typed_kept(
    client, allocation, staff
):
    _commit(allocation, "1292000.00")
    client.force_login(staff)
    response = client.post(
        reverse("development:commitment_create", args=[allocation.pk]),
        {
            "pcn": "",
            "programme": "Leadership course",
            "description": "Cohort two",
            "domain": Domain.LEADERSHIP,
            "earmark": "",
            "amount": "1000.01",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Only £1,000.00" in page and "is left to commit" in page
    assert 'value="1000.01"' in page and 'value="Cohort two"' in page
    assert Commitment.objects.filter(allocation=allocation).count() == 1


def test_spend_above_the_commitment_is_refused_on_the_page(client, allocation, staff):
    commitment = _commit(allocation, "500.00")
    client.force_login(staff)
    response = client.post(
        reverse("development:spend_create", args=[commitment.pk]),
        {"amount": "500.01", "date": f"{YEAR}-10-01", "note": "Facilitator"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Only £500.00" in page
    assert 'value="500.01"' in page and 'value="Facilitator"' in page
    assert not commitment.spend.exists()


def test_a_negative_allocation_is_refused_in_plain_english(client, allocation, staff):
    client.force_login(staff)
    response = client.post(
        reverse("development:allocation_create"),
        {
            "commissioner": allocation.commissioner.pk,
            "name": "Second allocation",
            "source": "ICS",
            "year": "2025",
            "amount": "-5",
            "clinical_director_percent": "10",
        },
    )
    assert "The amount allocated must be more than 0." in response.content.decode()


# Backfill claims -------------------------------------------------------------------------


@pytest.fixture
def claim_world():
    commitment = BackfillCommitmentFactory(amount=Decimal("2000.00"))
    practice = MembershipFactory(pcn=commitment.pcn).practice
    manager = PracticeManagerFactory(practice=practice)
    staff = CommissionerStaffFactory(commissioner=commitment.allocation.commissioner)
    director = ClinicalDirectorUserFactory(pcn=commitment.pcn)
    return commitment, manager, staff, director


def _claim_data(commitment, **overrides):
    return {
        "commitment": commitment.pk,
        "person_name": "Dr Sam Patel",
        "activity": "Maturity matrix workshop",
        "date": f"{YEAR}-09-18",
        "hours": "3.5",
        "hourly_rate": "95.00",
        **overrides,
    }


def test_a_practice_claims_backfill_and_the_commissioner_approves_it(client, claim_world):
    commitment, manager, staff, director = claim_world
    client.force_login(manager)
    response = client.post(reverse("development:backfill_create"), _claim_data(commitment))
    assert response.status_code == 302
    claim = BackfillClaim.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "£332.50" in page and "Review the claim" not in page

    client.force_login(director)
    assert client.get(reverse("development:backfill_detail", args=[claim.pk])).status_code == 200
    review = reverse("development:backfill_review", args=[claim.pk])
    assert client.post(review, {"decision": "approve"}).status_code == 403

    client.force_login(staff)
    page = client.get(reverse("development:backfill_detail", args=[claim.pk])).content.decode()
    assert "Review the claim" in page
    assert client.post(review, {"decision": "reject", "reason": ""}).status_code == 200
    claim.refresh_from_db()
    assert claim.status == BackfillClaim.Status.SUBMITTED
    response = client.post(review, {"decision": "approve"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == BackfillClaim.Status.APPROVED
    page = client.get(response["Location"]).content.decode()
    assert "next monthly batch" in page and 'data-testid="backfill-payment"' in page


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"hours": "25"}, "25 hours is more than the 24 hours in a day"),
        ({"date": f"{YEAR + 1}-04-02"}, "is outside 2025/26"),
        ({"hourly_rate": "-10.00"}, "The hourly rate must be more than 0."),
    ],
)
def test_backfill_that_cannot_be_right_is_refused_on_the_form(
    client, claim_world, overrides, message
):
    commitment, manager, _, _ = claim_world
    client.force_login(manager)
    data = _claim_data(commitment, **overrides)
    response = client.post(reverse("development:backfill_create"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'value="Dr Sam Patel"' in page and 'value="Maturity matrix workshop"' in page
    for field in ("hours", "date", "hourly_rate"):
        assert f'value="{data[field]}"' in page
    assert not BackfillClaim.objects.exists()


def test_a_practice_with_no_backfill_funding_is_told_so(client):
    client.force_login(PracticeManagerFactory())
    page = client.get(reverse("development:backfill_create")).content.decode()
    assert 'data-testid="no-backfill-funding"' in page


def test_each_role_sees_only_its_own_backfill_claims(client, claim_world):
    commitment, manager, staff, director = claim_world
    own = BackfillClaimFactory(commitment=commitment, practice=manager.practice, person_name="Own")
    other_practice = BackfillClaimFactory(commitment=commitment, person_name="Neighbour")
    elsewhere = BackfillClaimFactory(person_name="Elsewhere")
    expected = {
        manager: {"Own"},
        director: {"Own", "Neighbour"},
        staff: {"Own", "Neighbour"},
    }
    for user, names in expected.items():
        client.force_login(user)
        page = client.get(reverse("development:backfill_list")).content.decode()
        shown = {name for name in ("Own", "Neighbour", "Elsewhere") if f">{name}<" in page}
        assert shown == names, user
    client.force_login(manager)
    assert (
        client.get(reverse("development:backfill_detail", args=[other_practice.pk])).status_code
        == 404
    )
    client.force_login(staff)
    assert (
        client.get(reverse("development:backfill_detail", args=[elsewhere.pk])).status_code == 404
    )
    assert client.get(reverse("development:backfill_detail", args=[own.pk])).status_code == 200


# Scope ------------------------------------------------------------------------------------


def test_a_clinical_director_reads_only_their_own_pcns_funding(client, allocation):
    own = _commit(allocation, "1000.00", description="Our OD sessions")
    neighbour = _commit(allocation, "2000.00", description="Their OD sessions")
    director = ClinicalDirectorUserFactory(pcn=own.pcn)
    client.force_login(director)
    page = client.get(reverse("development:pcn_funding", args=[own.pcn.code])).content.decode()
    assert "Our OD sessions" in page and "Their OD sessions" not in page
    assert pounds(page, "pcn-committed") == Decimal("1000.00")
    assert (
        client.get(reverse("development:pcn_funding", args=[neighbour.pcn.code])).status_code == 404
    )
    assert (
        client.get(reverse("development:commitment_detail", args=[neighbour.pk])).status_code == 404
    )
    assert client.get(reverse("development:commitment_detail", args=[own.pk])).status_code == 200
    # The allocation (every PCN's figures) is the commissioner's page.
    url = reverse("development:allocation_detail", args=[allocation.pk])
    assert client.get(url).status_code == 403


def test_another_areas_allocation_is_not_found(client, allocation):
    client.force_login(CommissionerStaffFactory())
    url = reverse("development:allocation_detail", args=[allocation.pk])
    assert client.get(url).status_code == 404


# A fixed number of queries, whatever the data ---------------------------------------------


def _grow(allocation, count):
    for index in range(count):
        commitment = _commit(allocation, "100.00", description=f"Item {index}")
        SpendFactory(commitment=commitment, amount=Decimal("10.00"))
        BackfillClaimFactory(
            commitment=BackfillCommitmentFactory(
                allocation=allocation, pcn=commitment.pcn, amount=Decimal("1000")
            ),
            person_name=f"Person {index}",
        )
        BaselinePostFactory(pcn=commitment.pcn)


@pytest.mark.parametrize("count", [1, 12])
def test_the_pages_keep_to_a_fixed_number_of_queries(
    client, allocation, staff, count, django_assert_max_num_queries
):
    _grow(allocation, count)
    pcn = allocation.commitments.first().pcn
    client.force_login(staff)
    pages = {
        reverse("development:allocation_list"): 6,
        reverse("development:allocation_detail", args=[allocation.pk]): 10,
        reverse("development:commitment_detail", args=[allocation.commitments.first().pk]): 5,
        reverse("development:pcn_funding", args=[pcn.code]): 7,
        reverse("development:backfill_list"): 5,
        reverse("development:backfill_detail", args=[BackfillClaim.objects.first().pk]): 6,
        reverse("development:baseline_post_list"): 5,
        reverse("roles:post_list"): 5,
    }
    for url, most in pages.items():
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200, url


def test_pages_have_empty_states(client):
    staff = CommissionerStaffFactory()
    client.force_login(staff)
    assert (
        "No development funding is recorded yet"
        in client.get(reverse("development:allocation_list")).content.decode()
    )
    assert "No backfill claims" in client.get(reverse("development:backfill_list")).content.decode()
    assert (
        "No commissioner-funded baseline posts"
        in client.get(reverse("development:baseline_post_list")).content.decode()
    )
    pcn = PCNFactory(commissioner=staff.commissioner)
    page = client.get(reverse("development:pcn_funding", args=[pcn.code])).content.decode()
    assert "No development funding is committed" in page


def test_the_index_offers_each_role_its_work(client, claim_world):
    commitment, manager, staff, director = claim_world
    for user, present, absent in [
        (staff, ["allocation_list", "baseline_post_list"], []),
        (director, ["pcn_funding", "baseline_post_list"], ["allocation_list"]),
        (manager, ["backfill_list"], ["allocation_list", "baseline_post_list"]),
    ]:
        client.force_login(user)
        page = client.get(reverse("development:index")).content.decode()
        for name in present:
            args = [commitment.pcn.code] if name == "pcn_funding" else []
            assert reverse(f"development:{name}", args=args) in page
        for name in absent:
            assert reverse(f"development:{name}") not in page
