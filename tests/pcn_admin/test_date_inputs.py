"""Every date field round-trips: `<input type="date">` is filled with an ISO date (2021-06-01),
the only form the browser shows, so a saved date appears in its edit form and saving the form
unchanged works. (Filled as 01/06/2021 the box showed empty, and saving failed.)"""

import datetime as dt
import importlib
from html.parser import HTMLParser

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from pcn_admin.widgets import DateInput
from referrals.forms import ContactForm, OutcomeForm
from roles.models import Post
from tests.networks.factories import MembershipFactory
from tests.pcn_admin.factories import ClinicalDirectorUserFactory
from tests.referrals.factories import AssignedReferralFactory
from tests.roles.factories import PostFactory

# The project's apps. Loading the URLs loads every view and admin module, and the forms they use.
PACKAGES = ("pcn_admin.", "networks.", "roles.", "reimbursement.", "referrals.", "dashboards.")


def _project_forms():
    importlib.import_module(settings.ROOT_URLCONF)
    seen, stack = set(), [forms.BaseForm]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return sorted(
        (form for form in seen if form.__module__.startswith(PACKAGES)),
        key=lambda form: f"{form.__module__}.{form.__name__}",
    )


def _date_pickers():
    found = []
    for form in _project_forms():
        for name, field in form.base_fields.items():
            widget = field.widget
            if getattr(widget, "input_type", "") == "date" or widget.attrs.get("type") == "date":
                found.append(pytest.param(widget, id=f"{form.__name__}.{name}"))
    return found


@pytest.mark.parametrize("widget", _date_pickers())
def test_every_date_picker_is_filled_with_an_iso_date(widget):
    assert widget.format_value(dt.date(2021, 6, 1)) == "2021-06-01"


def test_the_date_pickers_found_include_the_ones_users_met():
    ids = {param.id for param in _date_pickers()}
    assert {"PostForm.start_date", "ContactForm.date", "OutcomeForm.date"} <= ids


def test_the_shared_widget_renders_a_date_picker_with_the_iso_value():
    html = DateInput().render("start_date", dt.date(2021, 6, 1))
    assert 'type="date"' in html and 'value="2021-06-01"' in html


# As a user meets them -----------------------------------------------------------------------


class _FormReader(HTMLParser):
    """The fields of the forms on a page, as a browser would send them unchanged."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "data": {}, "inputs": {}})
            return
        if not self.forms:
            return
        data = self.forms[-1]["data"]
        name = attrs.get("name")
        if tag == "input" and name:
            self.forms[-1]["inputs"][name] = attrs
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button"):
                data.setdefault(name, []).append(
                    attrs.get("value", "on" if kind == "checkbox" else "")
                )
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in attrs or self._select not in data:
                data[self._select] = [attrs.get("value", "")]
        elif tag == "textarea" and name:
            self._textarea = name
            data[name] = [""]

    def handle_data(self, text):
        if self._textarea and self.forms:
            self.forms[-1]["data"][self._textarea][0] += text

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_on(page: bytes) -> list[dict]:
    reader = _FormReader()
    reader.feed(page.decode())
    for form in reader.forms:
        # The page's leading newline inside a textarea is not part of its value.
        form["data"] = {k: [v.removeprefix("\n") for v in vs] for k, vs in form["data"].items()}
    return reader.forms


@pytest.mark.django_db
def test_a_post_saved_unchanged_keeps_its_dates(client):
    member = MembershipFactory()
    post = PostFactory(
        pcn=member.pcn,
        employing_practice=member.practice,
        start_date=dt.date(2021, 6, 1),
        person_name="Ruth Bell",
    )
    client.force_login(ClinicalDirectorUserFactory(pcn=member.pcn))
    url = reverse("roles:post_edit", args=[post.pk])

    page = client.get(url)
    [form] = [f for f in forms_on(page.content) if "start_date" in f["inputs"]]
    assert form["inputs"]["start_date"]["value"] == "2021-06-01"
    response = client.post(url, form["data"])

    assert response.status_code == 302, response.content.decode()
    post = Post.objects.get(pk=post.pk)
    assert post.start_date == dt.date(2021, 6, 1)


@pytest.mark.django_db
def test_ending_a_post_shows_the_end_date_already_recorded(client):
    member = MembershipFactory()
    post = PostFactory(
        pcn=member.pcn, employing_practice=member.practice, end_date=dt.date(2025, 9, 30)
    )
    client.force_login(ClinicalDirectorUserFactory(pcn=member.pcn))
    page = client.get(reverse("roles:post_end", args=[post.pk]))
    [form] = [f for f in forms_on(page.content) if "end_date" in f["inputs"]]
    assert form["inputs"]["end_date"]["value"] == "2025-09-30"


@pytest.mark.django_db
def test_a_contact_is_recorded_with_the_date_the_form_is_filled_with(client):
    referral = AssignedReferralFactory()
    client.force_login(referral.link_worker)
    page = client.get(reverse("referrals:detail", args=[referral.pk]))
    action = reverse("referrals:contact_add", args=[referral.pk])
    [form] = [f for f in forms_on(page.content) if f["action"] == action]
    today = timezone.localdate()
    assert form["data"]["date"] == [today.isoformat()]

    form["data"].update({"kind": ["phone"], "duration_minutes": ["15"]})
    response = client.post(action, form["data"])

    assert response.status_code == 302, response.content.decode()
    assert referral.contacts.get().date == today


@pytest.mark.django_db
def test_the_ons4_form_is_filled_with_todays_date():
    html = OutcomeForm().as_div()
    assert f'value="{timezone.localdate().isoformat()}"' in html
    assert f'value="{timezone.localdate().isoformat()}"' in ContactForm().as_div()
