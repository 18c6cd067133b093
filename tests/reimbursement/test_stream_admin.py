"""The payment streams and their rates in the admin: national figures that superusers keep and
commissioner staff read, each rate showing its provenance and basis as the ARRS maxima do; a
rate a finalised batch has paid with cannot be changed, here or anywhere."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from reimbursement import services
from reimbursement.models import PaymentStream, StreamRate
from roles.models import Provenance
from tests.pcn_admin.factories import CommissionerStaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(model: str, page: str, *args) -> str:
    return reverse(f"admin:reimbursement_{model}_{page}", args=args)


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def staff(db):
    return CommissionerStaffFactory(is_staff=True)


def core_2025() -> StreamRate:
    return StreamRate.objects.get(stream__code="core", start_date=dt.date(2025, 4, 1))


def test_the_rates_list_shows_each_rates_provenance_and_basis(client, staff):
    client.force_login(staff)

    html = client.get(url("streamrate", "changelist")).content.decode()

    assert "Core PCN funding" in html and "2.9990" in html
    assert "Published (start date inferred)" in html  # the participation rate's
    assert "£2.999 per registered patient for 2025/26." in html  # its basis


def test_commissioner_staff_read_but_do_not_change_add_delete_or_confirm(client, staff):
    rate = core_2025()
    client.force_login(staff)

    assert client.get(url("streamrate", "change", rate.pk)).status_code == 200
    response = client.post(
        url("streamrate", "change", rate.pk),
        {"stream": rate.stream_id, "per_patient": "9.9990", "start_date": "2025-04-01"},
    )
    assert response.status_code == 403
    assert client.get(url("streamrate", "add")).status_code == 403
    assert client.get(url("streamrate", "delete", rate.pk)).status_code == 403
    html = client.get(url("streamrate", "changelist")).content.decode()
    assert "confirm_as_published" not in html
    rate.refresh_from_db()
    assert rate.per_patient == Decimal("2.9990")


def test_a_superuser_adds_a_rate_and_its_history_names_them(client, superuser):
    client.force_login(superuser)
    clinical_director = PaymentStream.objects.get(code="clinical_director")

    response = client.post(
        url("streamrate", "add"),
        {
            "stream": clinical_director.pk,
            "per_patient": "0.7360",
            "start_date": "2025-04-01",
            "end_date": "2026-03-31",
            "provenance": Provenance.PUBLISHED,
            "basis": "Matrix test figure.",
        },
    )

    assert response.status_code == 302
    rate = StreamRate.objects.get(stream=clinical_director, start_date=dt.date(2025, 4, 1))
    assert rate.history.get().history_user == superuser


def test_a_rate_for_a_declared_stream_or_overlapping_another_is_refused(client, superuser):
    client.force_login(superuser)
    html = client.get(url("streamrate", "add")).content.decode()
    assert "Investment and Impact Fund" not in html  # declared: no rate offered

    core = PaymentStream.objects.get(code="core")
    response = client.post(
        url("streamrate", "add"),
        {
            "stream": core.pk,
            "per_patient": "3.0000",
            "start_date": "2025-10-01",
            "provenance": Provenance.PUBLISHED,
        },
    )
    assert response.status_code == 200
    assert "Another rate of this stream covers some of these dates" in response.content.decode()


def test_a_locked_rate_is_read_only_says_why_and_the_model_refuses_a_change(client, superuser):
    rate = core_2025()
    StreamRate.objects.filter(pk=rate.pk).update(locked_at=timezone.now())
    client.force_login(superuser)

    page = client.get(url("streamrate", "change", rate.pk))
    html = page.content.decode()
    assert "used by a finalised payment batch, so it cannot change" in html
    assert 'name="per_patient"' not in html  # shown, not editable
    assert client.get(url("streamrate", "delete", rate.pk)).status_code == 403

    rate.refresh_from_db()
    rate.per_patient = Decimal("9.9990")
    with pytest.raises(ValidationError) as refused:
        services.stream_rate_save(rate=rate, by=superuser)
    assert "A finalised batch was paid with this rate" in " ".join(refused.value.messages)
    assert core_2025().per_patient == Decimal("2.9990")


def test_a_superuser_confirms_a_rate_as_published_with_their_name(client, superuser):
    rate = StreamRate.objects.get(stream__code="participation")
    assert rate.provenance == Provenance.PUBLISHED_DATE_INFERRED
    client.force_login(superuser)

    client.post(
        url("streamrate", "changelist"),
        {"action": "confirm_as_published", "_selected_action": [rate.pk]},
    )

    rate.refresh_from_db()
    assert (rate.provenance, rate.confirmed_by) == (Provenance.PUBLISHED, superuser)
    assert rate.per_patient == Decimal("1.7610")


def test_a_streams_code_and_basis_are_fixed_and_it_is_never_deleted(client, superuser):
    core = PaymentStream.objects.get(code="core")
    client.force_login(superuser)

    html = client.get(url("paymentstream", "change", core.pk)).content.decode()

    assert 'name="code"' not in html and 'name="basis"' not in html
    assert 'name="name"' in html
    assert client.get(url("paymentstream", "delete", core.pk)).status_code == 403
