"""Which maximum priced a claim line, and where it comes from, wherever the line is shown: the
claim form (saved and live), the reviewer's page, the remittance and its file, and the API. A
line priced on a derived figure is marked as such; a reviewer can still approve it."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from reimbursement import batches, exports, services
from reimbursement.models import Claim, ClaimLine
from roles.models import Provenance, Rate, Region
from tests.pcn_admin.factories import UserFactory
from tests.reimbursement.factories import (
    JUNE,
    ClaimFactory,
    ClaimLineFactory,
    filled_claim,
    make_batch_world,
    submitted_claim,
)
from tests.roles.factories import RateFactory, RoleFactory

pytestmark = pytest.mark.django_db

UPLIFT_BASIS = "2025/26 AfC pay award of 3.6% applied to £66,972 (arrs.md on-cost formula)"
DERIVED = "Maximum £69,410 a year from 1 June 2025 – derived by a pay award"
PUBLISHED = "Maximum £43,352 a year from 1 June 2025 – published"


@pytest.fixture
def figures(world):
    """June 2025's figures for the world's two roles, dated so no seeded figure competes: the
    pharmacist's derived by a pay award, the link worker's published."""
    return {
        "derived": RateFactory(
            role=RoleFactory(code="clinical_pharmacist"),
            afc_band="7-8a",
            effective_from=JUNE,
            annual_max=Decimal("69410"),
            provenance=Provenance.DERIVED_UPLIFT,
            basis=UPLIFT_BASIS,
        ),
        "published": RateFactory(
            role=RoleFactory(code="social_prescribing_link_worker"),
            afc_band="5",
            effective_from=JUNE,
            annual_max=Decimal("43352"),
            provenance=Provenance.PUBLISHED,
            basis="Network Contract DES 2025/26, Annex B",
        ),
    }


def _provenance_of(html: str, person: str) -> str:
    """The provenance mark shown in the named person's row."""
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{person}(?:(?!</tr>).)*</tr>", html, flags=re.S)
    assert row, f"No row for {person}"
    mark = re.search(r'data-provenance="([^"]+)"', row.group(0))
    assert mark, f"{person}'s row names no provenance"
    return mark.group(1)


def _squash(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


# The figure that priced the line ------------------------------------------------------------


def test_a_figure_reads_as_plain_english():
    london = RateFactory.build(
        region=Region.LONDON,
        effective_from=dt.date(2025, 4, 1),
        annual_max=Decimal("110147.50"),
        provenance=Provenance.PUBLISHED_DATE_INFERRED,
    )

    assert (
        london.summary
        == "Maximum £110,147.50 a year for London (inner and outer) from 1 April 2025"
    )
    assert london.provenance_text == "published (start date inferred)"


def test_each_line_records_the_figure_that_priced_it(world, figures):
    claim = filled_claim(world)

    rates = {line.post_id: line.rate_used for line in claim.lines.select_related("rate_used")}

    assert rates == {
        world.pharmacist.pk: figures["derived"],
        world.link_worker_post.pk: figures["published"],
    }


def test_the_claim_form_names_each_lines_maximum_and_marks_the_derived_one(client, world, figures):
    claim = filled_claim(world)
    client.force_login(world.director)

    html = client.get(reverse("reimbursement:claim_edit", args=[claim.pk])).content.decode()

    text = _squash(html)
    assert DERIVED in text
    assert PUBLISHED in text
    assert _provenance_of(html, "Priya Shah") == "derived-uplift"
    assert _provenance_of(html, "Tom Robson") == "published"
    assert f'title="{UPLIFT_BASIS}"' in html  # the basis, on hover and for screen readers
    assert "nhsuk-tag--yellow" in html


def test_the_live_breakdown_names_the_maximum_its_provenance_and_basis(client, world, figures):
    claim = services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)
    line = claim.lines.get(post=world.pharmacist)
    client.force_login(world.director)

    response = client.get(
        reverse("reimbursement:claim_line_breakdown", args=[claim.pk, line.pk]),
        {"salary": "3500.00", "employer_ni": "465.80", "employer_pension": "500.00"},
    )

    assert response.status_code == 200
    assert response.json()["breakdown"]["provenance"] == {
        "summary": "Maximum £69,410 a year from 1 June 2025",
        "provenance": "derived-uplift",
        "text": "derived by a pay award",
        "derived": True,
        "basis": UPLIFT_BASIS,
    }


def test_the_live_breakdown_of_a_published_figure_says_published(client, world, figures):
    claim = services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)
    line = claim.lines.get(post=world.link_worker_post)
    client.force_login(world.director)

    response = client.get(
        reverse("reimbursement:claim_line_breakdown", args=[claim.pk, line.pk]),
        {"salary": "1200.00", "employer_ni": "120.00", "employer_pension": "172.56"},
    )

    provenance = response.json()["breakdown"]["provenance"]
    assert (provenance["text"], provenance["derived"]) == ("published", False)


# The reviewer -------------------------------------------------------------------------------


def test_the_review_page_marks_the_derived_line_and_says_it_can_still_be_approved(
    client, world, figures
):
    claim = submitted_claim(world)
    client.force_login(world.reviewer)

    html = client.get(reverse("reimbursement:claim_detail", args=[claim.pk])).content.decode()

    assert _provenance_of(html, "Priya Shah") == "derived-uplift"
    assert _provenance_of(html, "Tom Robson") == "published"
    warning = _squash(html.split('data-testid="derived-lines"', 1)[1].split("</div>", 1)[0])
    assert "1 line priced on a derived maximum, not a published one." in warning
    assert "a line on a derived figure can still be approved" in warning
    assert f"Priya Shah: {DERIVED}. {UPLIFT_BASIS}" in warning
    assert "Tom Robson" not in warning


def test_a_reviewer_can_approve_a_line_priced_on_a_derived_figure(client, world, figures):
    claim = submitted_claim(world)
    line = claim.lines.get(post=world.pharmacist)
    client.force_login(world.reviewer)

    response = client.post(
        reverse("reimbursement:claim_line_decide", args=[claim.pk, line.pk]),
        {"decision": "approve", "reason": "Checked against the pay award."},
    )

    assert response.status_code == 302
    line.refresh_from_db()
    assert line.status == ClaimLine.Status.APPROVED


def test_a_claim_priced_only_on_published_figures_has_no_derived_warning(client, world, figures):
    Rate.objects.filter(pk=figures["derived"].pk).update(provenance=Provenance.PUBLISHED)
    claim = submitted_claim(world)
    client.force_login(world.reviewer)

    html = client.get(reverse("reimbursement:claim_detail", args=[claim.pk])).content.decode()

    assert 'data-testid="derived-lines"' not in html
    assert _provenance_of(html, "Priya Shah") == "published"


@pytest.mark.parametrize("count", [5, 60])
def test_the_review_page_costs_the_same_queries_with_a_figure_on_every_line(
    client, world, django_assert_max_num_queries, count
):
    claim = ClaimFactory(pcn=world.pcn, month=dt.date(2025, 5, 1), status=Claim.Status.SUBMITTED)
    for index in range(count):
        ClaimLineFactory(
            claim=claim,
            post__employing_practice=world.payee_practice,
            cost=Decimal("100"),
            cap=Decimal("80"),
            reimbursable=Decimal("80"),
            rate_used=RateFactory(
                effective_from=dt.date(2025, 5, 1),
                provenance=Provenance.DERIVED_BAND if index % 2 else Provenance.PUBLISHED,
            ),
        )
    client.force_login(world.reviewer)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("reimbursement:claim_detail", args=[claim.pk]))

    assert response.content.decode().count('data-testid="rate-provenance"') == count
    assert response.context["derived_line_count"] == count // 2


# The remittance -----------------------------------------------------------------------------


@pytest.fixture
def paid_june(world, figures):
    """June's claim approved and batched."""
    claim = submitted_claim(world)
    services.claim_approve_remaining(claim=claim, by=world.reviewer)
    return batches.batch_build(commissioner_id=world.pcn.commissioner_id, month=JUNE).batch


def test_the_remittance_names_each_lines_maximum_and_marks_the_derived_one(
    client, world, paid_june
):
    client.force_login(world.director)

    html = client.get(
        reverse("reimbursement:batch_remittance", args=[paid_june.reference, world.pcn.code])
    ).content.decode()

    assert _provenance_of(html, "Priya Shah") == "derived-uplift"
    assert _provenance_of(html, "Tom Robson") == "published"
    text = _squash(html)
    assert DERIVED in text and PUBLISHED in text
    assert "1 line was priced on a derived maximum" in text


@pytest.mark.parametrize("extra_lines", [0, 40])
def test_the_remittance_costs_the_same_queries_with_a_figure_on_every_line(
    client, django_assert_max_num_queries, extra_lines
):
    world = make_batch_world(extra_lines=extra_lines)
    derived = RateFactory(provenance=Provenance.DERIVED_BAND)
    ClaimLine.objects.filter(batch_lines__batch=world.batch).update(rate_used=derived)
    client.force_login(world.director)

    # As before, and two for the payment streams: the streams and the PCN's stream amounts.
    with django_assert_max_num_queries(7):
        html = client.get(
            reverse("reimbursement:batch_remittance", args=[world.batch.reference, world.pcn.code])
        ).content.decode()

    assert html.count('data-provenance="derived-band"') == 4 + extra_lines


def test_the_line_detail_file_names_each_lines_maximum_and_provenance(world, paid_june):
    export = exports.line_detail_file(paid_june, fmt="csv")

    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    used = {row["Staff member"]: row["Maximum used"] for row in rows}
    assert used == {
        "Priya Shah": "Maximum £69,410 a year from 1 June 2025 - derived by a pay award",
        "Tom Robson": "Maximum £43,352 a year from 1 June 2025 - published",
    }


# The API ------------------------------------------------------------------------------------


def test_the_claim_api_gives_each_lines_provenance_read_only(world, figures):
    claim = filled_claim(world)
    api = APIClient()
    api.force_authenticate(world.director)
    url = f"/api/v1/claims/{claim.pk}/"

    lines = {row["person_name"]: row for row in api.get(url).json()["lines"]}

    assert lines["Priya Shah"]["rate_provenance"] == "derived-uplift"
    assert lines["Tom Robson"]["rate_provenance"] == "published"
    line = claim.lines.get(post=world.pharmacist)
    patched = api.patch(f"{url}lines/{line.pk}/", {"rate_provenance": "published"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["rate_provenance"] == "derived-uplift"


def test_a_line_not_yet_priced_has_no_provenance_in_the_api(world, figures):
    claim = services.claim_create(pcn=world.pcn, month=JUNE, by=world.director)
    api = APIClient()
    api.force_authenticate(world.director)

    lines = api.get(f"/api/v1/claims/{claim.pk}/").json()["lines"]

    assert [row["rate_provenance"] for row in lines] == [None, None]


# The rates admin ----------------------------------------------------------------------------


def test_the_rates_admin_shows_a_figures_provenance_and_basis(client, figures):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    rate = figures["derived"]

    listing = client.get(reverse("admin:roles_rate_changelist"), {"role__id__exact": rate.role_id})
    change = client.get(reverse("admin:roles_rate_change", args=[rate.pk]))

    assert "Derived by a pay award" in listing.content.decode()
    assert change.status_code == 200
    assert UPLIFT_BASIS in change.content.decode()
