"""Statuses as NHS.UK tags: each status of claims, claim lines, batches, batch runs, referrals
and onward referrals has its colour, and the pages show them so."""

import pytest
from django.apps import apps
from django.template import Context, Template
from django.urls import reverse

from pcn_admin.templatetags.nhsuk import TAG_COLOURS, tag_colour_for
from reimbursement.models import Batch

# The colours the design system's tag component offers.
NHSUK_COLOURS = {
    "white",
    "grey",
    "green",
    "aqua-green",
    "blue",
    "purple",
    "pink",
    "red",
    "orange",
    "yellow",
}


@pytest.mark.parametrize("label", sorted(TAG_COLOURS))
def test_every_status_of_each_model_has_an_nhsuk_colour(label):
    model = apps.get_model(label)
    statuses = {value for value, _ in model._meta.get_field("status").choices}

    assert set(TAG_COLOURS[label]) == statuses  # a new status must be given its colour
    assert set(TAG_COLOURS[label].values()) <= NHSUK_COLOURS


@pytest.mark.parametrize(
    ("label", "status", "colour"),
    [
        ("reimbursement.claim", "draft", "grey"),
        ("reimbursement.claim", "submitted", "blue"),
        ("reimbursement.claim", "returned", "orange"),
        ("reimbursement.claim", "approved", "green"),
        ("reimbursement.claim", "rejected", "red"),
        ("reimbursement.claimline", "pending", "yellow"),
        ("reimbursement.claimline", "rejected", "red"),
        ("reimbursement.batch", "draft", "yellow"),
        ("reimbursement.batch", "finalised", "blue"),
        ("reimbursement.batch", "paid", "green"),
        ("reimbursement.batchrun", "failed", "red"),
        ("referrals.referral", "received", "yellow"),
        ("referrals.referral", "connected", "green"),
        ("referrals.referral", "closed", "grey"),
        ("referrals.onwardreferral", "declined", "red"),
    ],
)
def test_each_status_has_the_colour_of_what_it_means(label, status, colour):
    assert tag_colour_for(label, status) == colour


def test_an_unknown_status_is_grey_not_an_error():
    assert tag_colour_for("reimbursement.batch", "mislaid") == "grey"


def test_the_tag_shows_the_status_in_words_and_colour():
    batch = Batch(status="paid")

    html = Template('{% load nhsuk %}{% status_tag batch testid="s" %}').render(
        Context({"batch": batch})
    )

    assert html == (
        '<strong class="nhsuk-tag nhsuk-tag--green" data-testid="s" data-status="paid">'
        "Paid</strong>"
    )


@pytest.mark.django_db
def test_a_claims_tag_says_where_it_is_in_the_claims_colour(client):
    from tests.reimbursement.factories import make_batch_world

    world = make_batch_world()
    client.force_login(world.reviewer)

    html = client.get(reverse("reimbursement:claim_list")).content.decode()

    assert 'class="nhsuk-tag nhsuk-tag--green" data-testid="claim-status"' in html
    assert 'class="tag"' not in html
