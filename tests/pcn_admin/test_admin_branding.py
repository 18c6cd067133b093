"""The admin is PCN Admin's, in the NHS look: one service, one name, wherever staff work."""

import pytest
from django.urls import reverse

from tests.pcn_admin.factories import CommissionerStaffFactory, UserFactory

pytestmark = pytest.mark.django_db

STOCK_WORDS = ("Django administration", "Django site admin", "Site administration", "View site")


@pytest.mark.parametrize(
    "who", [lambda: UserFactory(is_superuser=True, is_staff=True), CommissionerStaffFactory]
)
def test_the_admin_says_pcn_admin_not_django_administration(client, who):
    client.force_login(who())

    for url in (
        reverse("admin:index"),
        reverse("admin:reimbursement_batch_changelist"),
        reverse("admin:networks_pcn_changelist"),
    ):
        html = client.get(url).content.decode()
        assert "PCN Admin" in html, url
        assert "<title>" in html and "| PCN Admin</title>" in html, url
        for words in STOCK_WORDS:
            assert words not in html, (url, words)
        # The NHS header and colours, and a way back to the service's own pages.
        assert "css/admin-nhs.css" in html and 'aria-hidden="true"' in html
        assert f'href="{reverse("home")}">PCN Admin home</a>' in html
        assert "Sign out" in html


def test_the_admins_sign_in_page_is_pcn_admins_too(client):
    html = client.get(reverse("admin:login")).content.decode()

    assert "PCN Admin" in html and "Django administration" not in html


def test_the_admin_index_is_for_the_register_and_reference_data(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    html = client.get(reverse("admin:index")).content.decode()

    assert "<h1>Register and reference data</h1>" in html
