"""Remittance pages: each PCN's lines and subtotal in a batch, printable, for the PCN, its payee
practice and the commissioner's staff only; and the list of remittances a user may see."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reimbursement import batches
from reimbursement.models import Claim
from tests.pcn_admin.factories import UserFactory
from tests.reimbursement.factories import (
    BATCH_MONTH,
    ApprovedClaimLineFactory,
    BatchPayeeFactory,
    make_batch_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch_world(db):
    return make_batch_world()


def _remittance_url(batch, pcn):
    return reverse("reimbursement:batch_remittance", args=[batch.reference, pcn.code])


LINK_WORKER = ["Social", "prescribing", "link", "worker"]


def _rows(html: str) -> list[str]:
    """The remittances' rows: the page's last table (staff see their batches' table first)."""
    body = html.rsplit("<tbody", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr.*?</tr>", body, flags=re.S)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("reviewer", 200),
        ("other_reviewer", 404),
        ("director", 200),
        ("other_director", 404),  # their PCN is in the same batch, but this is not theirs
        ("outside_director", 404),
        ("practice_manager", 200),
        ("other_practice_manager", 404),  # a member practice, not the payee
        # Roles without the permission are refused before any batch is looked up.
        ("link_worker", 403),
        ("community_user", 403),
    ],
)
def test_a_remittance_is_for_the_pcn_its_payee_and_the_commissioner(
    client, batch_world, persona, status
):
    client.force_login(getattr(batch_world, persona))

    response = client.get(_remittance_url(batch_world.batch, batch_world.pcn))

    assert response.status_code == status


def test_the_remittance_shows_the_pcns_lines_and_subtotal(client, batch_world):
    batch, pcn = batch_world.batch, batch_world.pcn
    client.force_login(batch_world.director)

    html = client.get(_remittance_url(batch, pcn)).content.decode()

    text = _text(html)
    assert f"Commissioner {batch_world.commissioner.display_name}" in text
    assert f"Batch reference {batch.reference}" in text
    assert "Batch month June 2025: the claim month this batch pays" in text
    assert "Claim months of these lines May 2025 (late), June 2025" in text
    assert "Status Draft" in text and "This batch is a draft" in text
    assert "PCN U" in text and "Coquet Valley PCN" in text
    payee = batch_world.payee_practice
    assert f"Nominated payee {payee.code} {payee.name}" in text
    rows = _rows(html)
    assert len(rows) == 4  # the other PCN's lines are not on it
    assert all(batch_world.other_pcn.code not in row for row in rows)
    (late,) = [_text(row) for row in rows if ">Late</strong>" in row]
    assert late.split() == [
        *("May", "2025", "June", "2025"),  # its claim month beside the batch's month
        *LINK_WORKER,
        *("Ann", "Mayhew", "Late", "£333.33"),
    ]
    assert any("(adjustment)" in row and "£100.01" in row for row in rows)
    assert "Subtotal for" in text and "£2,655.55" in text.split("Subtotal for", 1)[1]


def test_the_remittance_of_a_paid_batch_shows_the_date_and_reference(client, batch_world):
    batch = batches.batch_finalise(batch=batch_world.batch, by=batch_world.reviewer)
    batches.batch_mark_paid(
        batch=batch,
        paid_on=timezone.localdate(),
        payment_reference="BACS-0042",
        by=batch_world.reviewer,
    )
    client.force_login(batch_world.practice_manager)

    text = _text(client.get(_remittance_url(batch, batch_world.pcn)).content.decode())

    assert "Status Paid" in text
    assert f"Paid on {timezone.localdate():%-d %B %Y}" in text
    assert "Payment reference BACS-0042" in text
    assert "This batch is a draft" not in text


def test_the_remittance_prints_without_the_navigation(client, batch_world):
    client.force_login(batch_world.reviewer)

    html = client.get(_remittance_url(batch_world.batch, batch_world.pcn)).content.decode()

    assert "Print this page" in html and "data-print" in html  # static/js/print-buttons.js
    print_rules = html.split("@media print", 1)[1].split("</style>", 1)[0]
    assert ".nhsuk-header" in print_rules and "display: none" in print_rules
    assert 'class="nhsuk-table"' in html and "<caption" in html


def test_a_remittance_for_a_pcn_not_in_the_batch_is_not_found(client, batch_world):
    client.force_login(batch_world.outside_director)

    url = _remittance_url(batch_world.batch, batch_world.outside_director.pcn)

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("extra_lines", [0, 40])
def test_the_remittance_costs_the_same_queries_whatever_the_number_of_lines(
    client, django_assert_max_num_queries, extra_lines
):
    world = make_batch_world(extra_lines=extra_lines)
    client.force_login(world.director)

    # session, user, the user's PCN (page header), subtotal, lines, and the payment streams
    # (the streams, and the PCN's stream amounts)
    with django_assert_max_num_queries(7):
        response = client.get(_remittance_url(world.batch, world.pcn))

    assert len(_rows(response.content.decode())) == 4 + extra_lines


@pytest.mark.parametrize(
    ("persona", "pcns"),
    [
        ("reviewer", ["pcn", "other_pcn"]),
        ("other_reviewer", []),
        ("director", ["pcn"]),
        ("other_director", ["other_pcn"]),
        ("outside_director", []),
        ("practice_manager", ["pcn"]),
        ("other_practice_manager", []),
    ],
)
def test_the_list_shows_the_remittances_the_user_may_see(client, batch_world, persona, pcns):
    client.force_login(getattr(batch_world, persona))

    response = client.get(reverse("reimbursement:batch_list"))

    assert response.status_code == 200
    html = response.content.decode()
    links = [_remittance_url(batch_world.batch, getattr(batch_world, name)) for name in pcns]
    assert re.findall(r'href="(/reimbursement/batches/[^"]+/remittance/[^"]+/)"', html) == links
    if not pcns:
        assert "There are no payment batches for you yet" in html


@pytest.mark.parametrize("persona", ["link_worker", "community_user"])
def test_roles_without_payments_may_not_open_the_list(client, batch_world, persona):
    client.force_login(getattr(batch_world, persona))

    assert client.get(reverse("reimbursement:batch_list")).status_code == 403


def test_the_list_is_paginated_and_links_staff_to_the_batch_pages(client, batch_world):
    for _ in range(25):
        BatchPayeeFactory(batch=batch_world.batch)
    client.force_login(batch_world.reviewer)

    first = client.get(reverse("reimbursement:batch_list")).content.decode()
    second = client.get(reverse("reimbursement:batch_list") + "?page=2").content.decode()

    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert len(_rows(first)) == 25 and len(_rows(second)) == 2
    assert reverse("reimbursement:batch_build") in first
    assert reverse("reimbursement:batch_detail", args=[batch_world.batch.reference]) in first


def test_a_superuser_sees_every_remittance(client, batch_world):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    html = client.get(reverse("reimbursement:batch_list")).content.decode()

    assert len(_rows(html)) == 2


@pytest.mark.parametrize("more_batches", [0, 5])
def test_the_list_costs_the_same_queries_whatever_the_number_of_batches(
    client, django_assert_max_num_queries, batch_world, more_batches
):
    for number in range(more_batches):
        BatchPayeeFactory(
            batch__commissioner=batch_world.commissioner,
            batch__month=dt.date(2024, number + 1, 1),
            pcn=batch_world.pcn,
        )
    client.force_login(batch_world.director)

    with django_assert_max_num_queries(5):  # session, user, user's PCN (header), count, page
        response = client.get(reverse("reimbursement:batch_list"))

    assert len(_rows(response.content.decode())) == 1 + more_batches


def test_a_line_approved_after_its_batch_is_final_is_paid_late_in_the_next_with_its_month(
    client, batch_world
):
    batches.batch_finalise(batch=batch_world.batch, by=batch_world.reviewer)
    june = Claim.objects.get(pcn=batch_world.pcn, month=BATCH_MONTH, kind=Claim.Kind.NORMAL)
    straggler = ApprovedClaimLineFactory(
        claim=june, reimbursable="12.34", post__person_name="Lena Straggler"
    )
    july = batches.batch_build(
        commissioner_id=batch_world.commissioner.pk, month=dt.date(2025, 7, 1)
    ).batch
    client.force_login(batch_world.director)

    html = client.get(_remittance_url(july, batch_world.pcn)).content.decode()

    assert july.lines.get().line == straggler
    text = _text(html)
    assert "Batch month July 2025: the claim month this batch pays" in text
    assert "Claim months of these lines June 2025 (late)" in text
    (row,) = [_text(row).split() for row in _rows(html)]
    assert row[:4] == ["June", "2025", "July", "2025"] and "Late" in row
