"""Every route that changes the register goes through networks.services, and the history names
who made each change: the admin's forms and inlines, the API, and the admin's imports.

The nominated payee matters most: the monthly batches pay whoever is recorded for the month.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from networks import services
from networks.models import PCN, ImportRecord, ListSize, NominatedPayee, Practice
from tests.networks.factories import (
    CommissionerFactory,
    MembershipFactory,
    NominatedPayeeFactory,
    PCNFactory,
)
from tests.pcn_admin.factories import ClinicalDirectorUserFactory, CommissionerStaffFactory

pytestmark = pytest.mark.django_db

FIXTURES = "tests/fixtures"
APRIL = dt.date(2025, 4, 1)


@pytest.fixture
def world():
    """A PCN of 00L paid through A11111 since July 2019, with A22222 another member."""
    ours, theirs = CommissionerFactory(code="00L"), CommissionerFactory(code="99Z")
    pcn = PCNFactory(code="U11111", commissioner=ours, name="Blyth PCN")
    first = MembershipFactory(pcn=pcn, practice__code="A11111").practice
    second = MembershipFactory(pcn=pcn, practice__code="A22222").practice
    payee = NominatedPayeeFactory(pcn=pcn, practice=first, start_date=dt.date(2019, 7, 1))
    return SimpleNamespace(
        ours=ours,
        theirs=theirs,
        pcn=pcn,
        first=first,
        second=second,
        payee=payee,
        staff=CommissionerStaffFactory(commissioner=ours, username="sam.staff"),
    )


def _payees(pcn) -> list[tuple[str, dt.date, dt.date | None]]:
    rows = NominatedPayee.objects.filter(pcn=pcn).order_by("start_date")
    return [(str(p), p.start_date, p.end_date) for p in rows]


def _changed_over_in_april(world) -> bool:
    return _payees(world.pcn) == [
        ("A11111", dt.date(2019, 7, 1), dt.date(2025, 3, 31)),
        ("A22222", APRIL, None),
    ]


def _last_changed_by(row):
    return row.history.order_by("history_id").last().history_user


# --- The admin: the PCN's page, with its nominated-payee inline -------------------------------


def _as_posted(value):
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return "on" if value is True else str(value)


def change_form_data(page) -> dict:
    """What a browser would post back from an admin change page: every field as shown."""
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None and value is not False:
                data[form.add_prefix(name)] = _as_posted(value)
    return data


def post_new_payee(client, pcn, **row):
    url = f"/admin/networks/pcn/{pcn.pk}/change/"
    data = change_form_data(client.get(url))
    index = int(data["payees-TOTAL_FORMS"])
    data["payees-TOTAL_FORMS"] = str(index + 1)
    data.update({f"payees-{index}-{name}": value for name, value in row.items()})
    return client.post(url, data)


def test_a_new_payee_in_the_admin_ends_the_current_one_and_the_history_names_who(client, world):
    client.force_login(world.staff)

    response = post_new_payee(
        client, world.pcn, practice=world.second.pk, start_date=APRIL.isoformat()
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    assert _changed_over_in_april(world)
    new = NominatedPayee.objects.get(pcn=world.pcn, end_date__isnull=True)
    assert _last_changed_by(new) == world.staff
    world.payee.refresh_from_db()
    assert _last_changed_by(world.payee) == world.staff


def test_the_admin_refuses_a_payee_starting_before_the_current_one(client, world):
    client.force_login(world.staff)

    response = post_new_payee(
        client, world.pcn, practice=world.second.pk, start_date=dt.date(2019, 6, 1).isoformat()
    )

    assert response.status_code == 200
    assert "A11111 has been the nominated payee since 1 July 2019" in response.content.decode()
    assert _payees(world.pcn) == [("A11111", dt.date(2019, 7, 1), None)]
    assert world.payee.history.count() == 1  # its creation only: nothing written


def test_the_admin_refuses_a_past_payee_whose_dates_overlap_another(client, world):
    client.force_login(world.staff)

    response = post_new_payee(
        client,
        world.pcn,
        practice=world.second.pk,
        start_date="2020-01-01",
        end_date="2020-12-31",
    )

    assert response.status_code == 200
    assert "overlap A11111&#x27;s time as nominated payee" in response.content.decode()
    assert NominatedPayee.objects.filter(pcn=world.pcn).count() == 1


def test_the_agreement_and_clinical_director_inlines_record_who(client, world):
    client.force_login(world.staff)
    url = f"/admin/networks/pcn/{world.pcn.pk}/change/"
    data = change_form_data(client.get(url))
    data.update(
        {
            "agreement-TOTAL_FORMS": "1",
            "agreement-0-signed_date": "2019-06-30",
            "agreement-0-core_members": [str(world.first.pk), str(world.second.pk)],
            "clinical_directors-TOTAL_FORMS": "1",
            "clinical_directors-0-name": "Dr Aisha Kerr",
            "clinical_directors-0-is_gp": "on",
            "clinical_directors-0-start_date": "2024-04-01",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    agreement = world.pcn.agreement
    latest = agreement.history.order_by("history_id").last()
    assert latest.history_user == world.staff
    assert {m.practice for m in latest.core_members.all()} == {world.first, world.second}
    director = world.pcn.clinical_directors.get()
    assert director.history.get().history_user == world.staff


def test_renaming_a_pcn_in_the_admin_is_in_its_history_page(client, world):
    client.force_login(world.staff)
    url = f"/admin/networks/pcn/{world.pcn.pk}/change/"
    data = change_form_data(client.get(url))
    data["name"] = "Blyth and Seaton PCN"

    assert client.post(url, data).status_code == 302

    assert _last_changed_by(PCN.objects.get(pk=world.pcn.pk)) == world.staff
    history = client.get(f"/admin/networks/pcn/{world.pcn.pk}/history/")
    assert history.status_code == 200
    assert "sam.staff" in history.content.decode()
    assert "Blyth and Seaton PCN" in history.content.decode()


def test_a_payees_history_page_is_shown_in_the_area_only(client, world):
    services.nominated_payee_set(
        pcn=world.pcn, practice=world.second, start_date=APRIL, by=world.staff
    )
    new = NominatedPayee.objects.get(pcn=world.pcn, end_date__isnull=True)
    url = f"/admin/networks/nominatedpayee/{new.pk}/history/"

    client.force_login(world.staff)
    page = client.get(url)
    assert page.status_code == 200
    assert "sam.staff" in page.content.decode()

    client.force_login(CommissionerStaffFactory(commissioner=world.theirs))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("size", [2, 20])
def test_the_payee_list_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, world, size
):
    for _ in range(size):
        pcn = PCNFactory(commissioner=world.ours)
        NominatedPayeeFactory(pcn=pcn, practice=MembershipFactory(pcn=pcn).practice)
    client.force_login(world.staff)
    with django_assert_max_num_queries(12):
        page = client.get("/admin/networks/nominatedpayee/")
    assert page.status_code == 200


# --- The API: POST /api/v1/pcns/{code}/nominated-payee/ ---------------------------------------


def api_client(user):
    client = APIClient()
    client.force_authenticate(user)  # token-style: Django's own request.user stays anonymous
    return client


def test_setting_the_payee_through_the_api_records_who(world):
    response = api_client(world.staff).post(
        "/api/v1/pcns/U11111/nominated-payee/",
        {"practice": "a22222", "start_date": "2025-04-01"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json() == {
        "pcn": "U11111",
        "practice": "A22222",
        "account_name": "",
        "start_date": "2025-04-01",
        "end_date": None,
    }
    assert _changed_over_in_april(world)
    new = NominatedPayee.objects.get(pcn=world.pcn, end_date__isnull=True)
    assert _last_changed_by(new) == world.staff
    world.payee.refresh_from_db()
    assert _last_changed_by(world.payee) == world.staff
    assert api_client(world.staff).get("/api/v1/pcns/U11111/").json()["nominated_payee"] == (
        "A22222"
    )


def test_the_api_refuses_an_overlapping_payee_naming_the_field(world):
    NominatedPayeeFactory(
        pcn=world.pcn,
        practice=world.second,
        start_date=dt.date(2018, 1, 1),
        end_date=dt.date(2019, 6, 30),
    )

    response = api_client(world.staff).post(
        "/api/v1/pcns/U11111/nominated-payee/",
        {"practice": "A22222", "start_date": "2019-05-01"},
        format="json",
    )

    assert response.status_code == 400
    message = response.json()["start_date"][0]
    assert "A11111 has been the nominated payee since 1 July 2019" in message
    assert NominatedPayee.objects.current().get(pcn=world.pcn).practice == world.first


def test_the_api_refuses_a_start_inside_an_earlier_payees_time(world):
    world.payee.end_date = dt.date(2024, 12, 31)
    world.payee.save()

    response = api_client(world.staff).post(
        "/api/v1/pcns/U11111/nominated-payee/",
        {"practice": "A22222", "start_date": "2024-06-01"},
        format="json",
    )

    assert response.status_code == 400
    assert (
        "overlap A11111's time as nominated payee (1 July 2019 to 31 December 2024)"
        in (response.json()["start_date"][0])
    )


def test_the_api_asks_for_a_practice_or_an_account(world):
    response = api_client(world.staff).post(
        "/api/v1/pcns/U11111/nominated-payee/", {"start_date": "2025-04-01"}, format="json"
    )
    assert response.status_code == 400
    assert "member practice" in response.json()["practice"][0]


def test_the_api_refuses_a_practice_outside_the_area(world):
    MembershipFactory(pcn=PCNFactory(commissioner=world.theirs), practice__code="B99999")

    response = api_client(world.staff).post(
        "/api/v1/pcns/U11111/nominated-payee/",
        {"practice": "B99999", "start_date": "2025-04-01"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["practice"] == ["No practice in your area has the code B99999."]


def test_a_bank_account_can_be_the_payee(world):
    response = api_client(world.staff).post(
        "/api/v1/pcns/U11111/nominated-payee/",
        {"account_name": "Blyth PCN Ltd", "start_date": "2025-04-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert NominatedPayee.objects.current().get(pcn=world.pcn).account_name == "Blyth PCN Ltd"


def test_staff_of_another_area_cannot_find_the_pcn(world):
    response = api_client(CommissionerStaffFactory(commissioner=world.theirs)).post(
        "/api/v1/pcns/U11111/nominated-payee/",
        {"practice": "A22222", "start_date": "2025-04-01"},
        format="json",
    )
    assert response.status_code == 404
    assert NominatedPayee.objects.filter(pcn=world.pcn).count() == 1


def test_the_pcns_own_clinical_director_cannot_change_its_payee(world):
    response = api_client(ClinicalDirectorUserFactory(pcn=world.pcn)).post(
        "/api/v1/pcns/U11111/nominated-payee/",
        {"practice": "A22222", "start_date": "2025-04-01"},
        format="json",
    )
    assert response.status_code == 403
    assert NominatedPayee.objects.filter(pcn=world.pcn).count() == 1


@pytest.mark.parametrize("earlier", [0, 10])
def test_setting_the_payee_runs_a_fixed_number_of_queries(
    django_assert_max_num_queries, world, earlier
):
    world.payee.start_date = dt.date(2024, 1, 1)
    world.payee.save()
    for year in range(earlier):
        start = dt.date(2005 + year, 1, 1)
        NominatedPayeeFactory(
            pcn=world.pcn, practice=world.first, start_date=start, end_date=start.replace(month=12)
        )
    client = api_client(world.staff)
    with django_assert_max_num_queries(30):
        response = client.post(
            "/api/v1/pcns/U11111/nominated-payee/",
            {"practice": "A22222", "start_date": "2025-04-01"},
            format="json",
        )
    assert response.status_code == 201


def test_renaming_a_practice_through_the_api_records_who(world):
    response = api_client(world.staff).patch(
        "/api/v1/practices/A11111/", {"name": "Railway Surgery"}, format="json"
    )

    assert response.status_code == 200
    latest = Practice.objects.get(code="A11111").history.order_by("history_id").last()
    assert (latest.name, latest.history_type, latest.history_user) == (
        "Railway Surgery",
        "~",
        world.staff,
    )


def test_creating_a_pcn_through_the_api_records_who(world):
    response = api_client(world.staff).post(
        "/api/v1/pcns/",
        {
            "code": "U33333",
            "name": "Cramlington PCN",
            "commissioner": "00L",
            "open_date": "2024-04-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = PCN.objects.get(code="U33333").history.get()
    assert (created.history_type, created.history_user) == ("+", world.staff)


# --- The admin's import of PCNs, with their nominated payee -----------------------------------


def admin_import(client, model: str, name: str, text: str):
    """Upload a CSV on the admin's import page, then confirm it as a person would."""
    url = f"/admin/networks/{model}/import/"
    choices = client.get(url).context["form"].fields["format"].choices
    csv_format = next(value for value, label in choices if label.lower() == "csv")
    upload = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    preview = client.post(url, {"import_file": upload, "format": csv_format})
    assert preview.status_code == 200
    result = preview.context["result"]
    if result.has_errors() or result.has_validation_errors():
        return preview
    confirm = preview.context["confirm_form"]
    return client.post(f"/admin/networks/{model}/process_import/", confirm.initial)


def test_importing_a_pcns_new_payee_in_the_admin_records_who_and_the_import(client, world):
    client.force_login(world.staff)
    text = (
        "code,name,commissioner,open_date,nominated_payee,nominated_payee_from\n"
        "u11111,Blyth PCN,00L,2019-07-01,a22222,2025-04-01\n"
    )

    response = admin_import(client, "pcn", "payees-april.csv", text)

    assert response.status_code == 302
    assert _changed_over_in_april(world)
    new = NominatedPayee.objects.get(pcn=world.pcn, end_date__isnull=True)
    assert _last_changed_by(new) == world.staff
    # Only the payee changed: the PCN's own row, and its history, are left as they were.
    assert not world.pcn.history.filter(history_user=world.staff).exists()
    record = ImportRecord.objects.get()
    assert (record.kind, record.file_name, record.created_by) == (
        ImportRecord.Kind.PCNS,
        "payees-april.csv",
        world.staff,
    )
    assert record.counts == {
        "created": 0,
        "updated": 1,
        "unchanged": 0,
        "nominated_payees_set": 1,
    }


def test_an_import_refuses_an_overlapping_payee_and_writes_nothing(client, world):
    client.force_login(world.staff)
    text = (
        "code,name,commissioner,open_date,nominated_payee,nominated_payee_from\n"
        "U11111,Blyth PCN,00L,2019-07-01,A22222,2019-01-01\n"
    )

    response = admin_import(client, "pcn", "payees.csv", text)

    assert response.status_code == 200
    assert "A11111 has been the nominated payee since 1 July 2019" in response.content.decode()
    assert _payees(world.pcn) == [("A11111", dt.date(2019, 7, 1), None)]
    assert not ImportRecord.objects.exists()


def test_an_import_of_pcns_counts_what_it_created_updated_and_left_alone(client, world):
    PCNFactory(code="U22222", commissioner=world.ours, name="Morpeth PCN")
    PCNFactory(code="U44444", commissioner=world.ours, name="Alnwick PCN")
    client.force_login(world.staff)
    text = (
        "code,name,commissioner,open_date\n"
        "U22222,Morpeth PCN,00L,2019-07-01\n"
        "U44444,Alnwick and Rothbury PCN,00L,2019-07-01\n"
        "U55555,Hexham PCN,00L,2024-04-01\n"
    )

    assert admin_import(client, "pcn", "pcns.csv", text).status_code == 302

    record = ImportRecord.objects.get()
    assert record.created_by == world.staff
    assert record.counts == {
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "nominated_payees_set": 0,
    }
    renamed = PCN.objects.get(code="U44444").history.order_by("history_id").last()
    assert (renamed.name, renamed.history_user) == ("Alnwick and Rothbury PCN", world.staff)
    assert PCN.objects.get(code="U55555").history.get().history_user == world.staff


def test_the_import_preview_records_nothing(client, world):
    client.force_login(world.staff)
    url = "/admin/networks/pcn/import/"
    choices = client.get(url).context["form"].fields["format"].choices
    csv_format = next(value for value, label in choices if label.lower() == "csv")
    upload = SimpleUploadedFile(
        "pcns.csv", b"code,name,commissioner,open_date\nU55555,Hexham PCN,00L,2024-04-01\n"
    )

    assert client.post(url, {"import_file": upload, "format": csv_format}).status_code == 200

    assert not ImportRecord.objects.exists()
    assert not PCN.history.filter(code="U55555").exists()


def test_the_pcn_export_shows_the_current_payee(client, world):
    client.force_login(world.staff)
    url = "/admin/networks/pcn/export/"
    choices = client.get(url).context["form"].fields["format"].choices
    csv_format = next(value for value, label in choices if label.lower() == "csv")

    response = client.post(url, {"format": csv_format, "pcnresource_nominated_payee": "on"})

    lines = response.content.decode().splitlines()
    assert "nominated_payee" in lines[0]
    assert "A11111" in lines[1]


def test_a_list_size_import_in_the_admin_records_who(client, world):
    client.force_login(world.staff)
    text = "practice,date,registered_patients\nA11111,2025-01-01,12345\n"

    assert admin_import(client, "listsize", "sizes.csv", text).status_code == 302

    size = ListSize.objects.get(practice=world.first)
    assert size.history.get().history_user == world.staff
    record = ImportRecord.objects.get()
    assert (record.kind, record.counts["created"]) == (ImportRecord.Kind.LIST_SIZES, 1)


# --- The national files: written in bulk, with a history row for each change -----------------


def test_the_epcn_import_writes_history_naming_the_user_and_the_file():
    superuser = CommissionerStaffFactory(is_superuser=True, username="ana.admin")

    outcome = services.epcn_import(path=f"{FIXTURES}/epcn-2019-12.xlsx", by=superuser)

    created = PCN.history.filter(history_type="+")
    assert created.count() == outcome.counts["pcns_created"] > 0
    assert set(created.values_list("history_user", "history_change_reason")) == {
        (superuser.pk, "ePCN import of epcn-2019-12.xlsx")
    }
    assert Practice.history.filter(history_type="+").count() == outcome.counts["practices_created"]


def test_reimporting_the_same_epcn_file_adds_no_history():
    services.epcn_import(path=f"{FIXTURES}/epcn-2019-12.xlsx")
    before = PCN.history.count() + Practice.history.count()

    services.epcn_import(path=f"{FIXTURES}/epcn-2019-12.xlsx")

    assert PCN.history.count() + Practice.history.count() == before
