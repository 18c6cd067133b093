"""The evidence rule in the admin: a commissioner's own staff (and superusers) set it; another
area's staff neither see nor change it; PCN users have no admin."""

import pytest
from django.urls import reverse

from evidence.models import EvidenceSetting
from tests.evidence.factories import EvidenceSettingFactory
from tests.pcn_admin.factories import UserFactory

pytestmark = pytest.mark.django_db

ADD = "admin:evidence_evidencesetting_add"
CHANGE = "admin:evidence_evidencesetting_change"
LIST = "admin:evidence_evidencesetting_changelist"


def test_the_commissioners_staff_set_their_areas_rule(client, world):
    commissioner = world.pcn.commissioner
    client.force_login(world.reviewer)

    response = client.post(
        reverse(ADD), {"commissioner": commissioner.pk, "required": "first_claim"}
    )

    assert response.status_code == 302
    setting = EvidenceSetting.objects.get()
    assert (setting.commissioner, setting.required) == (commissioner, "first_claim")
    assert setting.updated_by == world.reviewer
    assert setting.history.get().history_user == world.reviewer


def test_the_rule_is_changed_and_its_commissioner_stays(client, world):
    setting = EvidenceSettingFactory(commissioner=world.pcn.commissioner, required="none")
    client.force_login(world.reviewer)

    response = client.post(
        reverse(CHANGE, args=[setting.pk]),
        {"required": "every_line", "commissioner": world.other_reviewer.commissioner_id},
    )

    assert response.status_code == 302
    setting.refresh_from_db()
    assert (setting.commissioner, setting.required) == (world.pcn.commissioner, "every_line")


def test_another_areas_staff_cannot_add_a_rule_for_this_area(client, world):
    client.force_login(world.other_reviewer)

    response = client.post(
        reverse(ADD), {"commissioner": world.pcn.commissioner_id, "required": "every_line"}
    )

    assert response.status_code == 200  # shown again: that area is not offered
    assert not EvidenceSetting.objects.exists()


def test_another_areas_staff_neither_see_nor_change_the_rule(client, world):
    setting = EvidenceSettingFactory(commissioner=world.pcn.commissioner, required="none")
    client.force_login(world.other_reviewer)

    listed = client.get(reverse(LIST))
    changed = client.post(reverse(CHANGE, args=[setting.pk]), {"required": "every_line"})

    assert list(listed.context["cl"].result_list) == []
    assert changed.status_code == 302  # the admin's "not found": back to its index
    setting.refresh_from_db()
    assert setting.required == "none"


def test_a_superuser_sets_any_areas_rule(client, world):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    client.post(reverse(ADD), {"commissioner": world.pcn.commissioner_id, "required": "every_line"})

    assert EvidenceSetting.objects.get().required == "every_line"


@pytest.mark.parametrize("persona", ["director", "practice_manager", "link_worker"])
def test_pcn_users_have_no_admin_for_it(client, world, persona):
    client.force_login(getattr(world, persona))

    response = client.get(reverse(LIST))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
