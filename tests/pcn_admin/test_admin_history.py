"""History pages in the admin: each answers only inside the user's area, as its change page
does, and an earlier version can be looked at but never restored (claims, posts, batches and
the register change only through their own pages)."""

from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from reimbursement.models import Batch, Claim
from tests.pcn_admin.factories import UserFactory
from tests.reimbursement import factories as reimbursement_factories
from tests.reimbursement.factories import BatchFactory, submitted_claim
from tests.roles.factories import RateFactory

pytestmark = pytest.mark.django_db

# The claims tests' set-up: a PCN of area A, its users, and staff of area A and of area B.
claim_world = reimbursement_factories.world


@dataclass
class Target:
    """A row of area A with an earlier version, and what the probe posted to that version."""

    obj: object
    post: dict

    def _name(self, page: str) -> str:
        return f"admin:{self.obj._meta.app_label}_{self.obj._meta.model_name}_{page}"

    def history_url(self) -> str:
        return reverse(self._name("history"), args=[self.obj.pk])

    def version_url(self) -> str:
        earliest = self.obj.history.order_by("history_date", "history_id").first()
        return reverse(self._name("simple_history"), args=[self.obj.pk, earliest.history_id])

    def stored(self) -> dict:
        """Every column of the row as the database holds it now."""
        fresh = type(self.obj).objects.get(pk=self.obj.pk)
        return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}


def _finalised_batch(commissioner) -> Batch:
    batch = BatchFactory(commissioner=commissioner, line_count=1, total="1000.00")
    batch.status = Batch.Status.FINALISED
    batch.finalised_at = timezone.now()
    batch.save()  # a second version: the first is the draft
    return batch


def _paid_batch(commissioner) -> Batch:
    batch = _finalised_batch(commissioner)
    batch.status = Batch.Status.PAID
    batch.paid_on = timezone.localdate()
    batch.payment_reference = "BACS-0001"
    batch.save()
    return batch


def _target(claim_world, kind: str) -> Target:
    if kind in ("claim", "claim line"):
        claim = submitted_claim(claim_world)
        assert claim.status == Claim.Status.SUBMITTED
        if kind == "claim":
            return Target(claim, {"return_query": "Where is the payslip?"})
        return Target(claim.lines.first(), {"decision": "reject", "reason": "Not in post."})
    if kind == "post":
        post = claim_world.pharmacist
        post.person_name = "Priya Shah-Lee"
        post.save()  # the earlier version has the old name
        return Target(post, {"person_name": "Renamed"})
    if kind == "batch":
        return Target(_finalised_batch(claim_world.pcn.commissioner), {})
    register = {
        "practice": claim_world.payee_practice,
        "pcn": claim_world.pcn,
        "commissioner": claim_world.pcn.commissioner,
    }
    row = register[kind]
    original = row.name
    row.name = f"{original} (renamed)"
    row.save()  # the earlier version has the old name
    return Target(row, {"name": original, "code": row.code})


# Every admin whose rows keep their versions (django-simple-history).
KINDS = ["claim", "claim line", "post", "batch", "practice", "pcn", "commissioner"]


# Another area's staff ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_another_areas_staff_get_404_on_the_history_list(client, claim_world, kind):
    target = _target(claim_world, kind)
    client.force_login(claim_world.other_reviewer)

    assert client.get(target.history_url()).status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_another_areas_staff_get_404_on_a_version_page(client, claim_world, kind):
    target = _target(claim_world, kind)
    client.force_login(claim_world.other_reviewer)

    response = client.get(target.version_url())

    assert response.status_code == 404
    assert str(target.obj) not in response.content.decode()


@pytest.mark.parametrize("kind", KINDS)
def test_another_areas_staff_cannot_restore_a_version(client, claim_world, kind):
    target = _target(claim_world, kind)
    before = target.stored()
    client.force_login(claim_world.other_reviewer)

    response = client.post(target.version_url(), target.post)

    assert response.status_code == 404
    assert target.stored() == before


# The area's own staff ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_own_area_staff_see_the_history_list(client, claim_world, kind):
    target = _target(claim_world, kind)
    client.force_login(claim_world.reviewer)

    response = client.get(target.history_url())

    assert response.status_code == 200
    assert "revert" not in response.content.decode().lower()


@pytest.mark.parametrize("kind", KINDS)
def test_own_area_staff_see_an_earlier_version_without_a_revert_button(client, claim_world, kind):
    target = _target(claim_world, kind)
    client.force_login(claim_world.reviewer)

    response = client.get(target.version_url())

    assert response.status_code == 200
    assert 'value="Revert"' not in response.content.decode()


@pytest.mark.parametrize("kind", KINDS)
def test_a_version_page_is_text_and_lists_no_other_areas_organisations(client, claim_world, kind):
    target = _target(claim_world, kind)
    elsewhere = claim_world.other_director.pcn  # a PCN of another commissioner
    client.force_login(claim_world.reviewer)

    html = client.get(target.version_url()).content.decode()

    assert "<select" not in html and "<textarea" not in html
    assert elsewhere.name not in html and elsewhere.code not in html


@pytest.mark.parametrize("kind", KINDS)
def test_own_area_staff_cannot_restore_a_version(client, claim_world, kind):
    target = _target(claim_world, kind)
    before = target.stored()
    client.force_login(claim_world.reviewer)

    response = client.post(target.version_url(), target.post)

    assert response.status_code == 403
    assert target.stored() == before


def test_national_rates_cannot_be_restored_either(client, claim_world):
    rate = RateFactory(annual_max="40000.00")
    rate.annual_max = "41000.00"
    rate.save()
    target = Target(rate, {})
    client.force_login(claim_world.reviewer)

    assert client.get(target.version_url()).status_code == 200
    assert client.post(target.version_url(), {}).status_code == 403
    rate.refresh_from_db()
    assert str(rate.annual_max) == "41000.00"


# Superusers -------------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.mark.parametrize("make_batch", [_finalised_batch, _paid_batch], ids=["finalised", "paid"])
def test_a_superuser_cannot_revert_a_finalised_or_paid_batch_to_draft(
    client,
    claim_world,
    superuser,
    make_batch,
):
    target = Target(make_batch(claim_world.pcn.commissioner), {})
    before = target.stored()
    client.force_login(superuser)

    assert client.get(target.version_url()).status_code == 200
    response = client.post(target.version_url(), {})

    assert response.status_code == 403
    assert target.stored() == before
    assert target.stored()["status"] != Batch.Status.DRAFT


def test_a_superuser_sees_any_areas_history(client, claim_world, superuser):
    target = _target(claim_world, "claim")
    client.force_login(superuser)

    assert client.get(target.history_url()).status_code == 200
    assert client.get(target.version_url()).status_code == 200


def test_history_of_a_row_that_does_not_exist_is_a_404(client, claim_world):
    client.force_login(claim_world.reviewer)
    url = reverse("admin:reimbursement_batch_history", args=[987654])

    assert client.get(url).status_code == 404
