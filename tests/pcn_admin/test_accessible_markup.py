"""The forms' markup, as assistive technology reads it (WCAG 2.2, 1.3.1 and 4.1.2): every id a
field names in aria-describedby, aria-labelledby or a label's `for` is on the page, and no id
is on it twice. Django points a field with help text at `<id>_helptext` (and at `<id>_error`
once it has errors), so a template that shows the hint must give it that id; the referral
page's forms, two of them with a `date`, each name their ids after themselves. The browser
test (tests/browser/test_accessibility_browser.py) checks every page in Chromium; this one
needs no browser."""

import io
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse

from pcn_admin.models import User
from referrals.models import Referral
from reimbursement.models import Claim
from tests.referrals.factories import AssignedReferralFactory

pytestmark = pytest.mark.django_db

REFERENCES = ("aria-describedby", "aria-labelledby", "aria-controls")


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.references: list[tuple[str, str, str]] = []  # (tag, attribute, id)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids[attrs["id"]] += 1
        for name in REFERENCES:
            for target in (attrs.get(name) or "").split():
                self.references.append((tag, name, target))
        if tag == "label" and attrs.get("for"):
            self.references.append((tag, "for", attrs["for"]))


def problems(html: str) -> list[str]:
    """Each reference to an id that is not on the page, and each id used more than once."""
    parser = _Ids()
    parser.feed(html)
    dangling = [
        f"<{tag} {name}={target!r}> names no element"
        for tag, name, target in parser.references
        if target not in parser.ids
    ]
    twice = [f"id={name!r} is on the page {n} times" for name, n in parser.ids.items() if n > 1]
    return dangling + twice


def test_the_checker_finds_a_missing_hint_and_a_repeated_id():
    page = (
        '<label for="id_date">Date</label><input id="id_date" aria-describedby="id_date_helptext">'
        '<label for="id_date">Date</label><input id="id_date">'
    )
    assert problems(page) == [
        "<input aria-describedby='id_date_helptext'> names no element",
        "id='id_date' is on the page 2 times",
    ]


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    return {user.username: user for user in User.objects.filter(username__startswith="demo-")}


def _pages(demo) -> list[tuple[str, str, dict | None]]:
    """(user, URL, data to post or None): the form pages, empty and sent back with errors."""
    draft = Claim.objects.filter(status=Claim.Status.DRAFT).order_by("month").first()
    submitted = Claim.objects.filter(status=Claim.Status.SUBMITTED).first()
    worker = demo["demo-linkworker"]
    referral = Referral.objects.filter(link_worker=worker).exclude(status="closed").first()
    line = draft.lines.first()
    return [
        ("demo-practice", reverse("roles:post_create"), None),
        ("demo-practice", reverse("roles:post_create"), {}),
        ("demo-practice", reverse("roles:post_edit", args=[line.post_id]), None),
        ("demo-practice", reverse("roles:post_end", args=[line.post_id]), None),
        ("demo-practice", reverse("reimbursement:claim_list"), None),
        ("demo-practice", reverse("reimbursement:claim_create"), None),
        ("demo-practice", reverse("reimbursement:claim_create"), {"month": "not a month"}),
        ("demo-practice", reverse("reimbursement:claim_edit", args=[draft.pk]), None),
        (
            "demo-practice",
            reverse("reimbursement:claim_edit", args=[draft.pk]),
            {f"line-{line.pk}-salary": "lots", "action": "submit"},
        ),
        ("demo-commissioner", reverse("reimbursement:claim_detail", args=[submitted.pk]), None),
        ("demo-linkworker", reverse("referrals:detail", args=[referral.pk]), None),
        ("demo-linkworker", reverse("referrals:contact_add", args=[referral.pk]), {}),
        ("demo-linkworker", reverse("referrals:create"), None),
    ]


def test_every_id_a_form_field_names_is_on_its_page_and_no_id_is_repeated(client, demo):
    found, described = {}, 0
    for username, url, data in _pages(demo):
        client.force_login(demo[username])
        response = client.get(url) if data is None else client.post(url, data)
        assert response.status_code in (200, 400), (url, response.status_code)
        html = response.content.decode()
        described += html.count("aria-describedby=")
        if found_here := problems(html):
            found[f"{'POST' if data is not None else 'GET'} {url} as {username}"] = found_here
    assert found == {}
    assert described > 50  # the hints and errors are there to be named, not dropped


def test_the_referral_pages_two_dates_each_have_their_own_label(client):
    referral = AssignedReferralFactory()
    client.force_login(referral.link_worker)
    html = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()

    assert 'id="id_date"' not in html
    assert '<label class="nhsuk-label" for="id_contact-date">' in html
    assert '<label class="nhsuk-label" for="id_outcome-date">' in html
    assert 'name="date"' in html  # what is posted is unchanged
