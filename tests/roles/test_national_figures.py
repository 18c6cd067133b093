"""National figures belong to national administrators (issue 13, items 6 and 9): commissioner
staff read maxima, percentages and ARR sum rates but change none of them, in the admin or the
API; a superuser changes, confirms and imports them (preview, then confirm; all or nothing)."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from import_export.formats.base_formats import CSV
from rest_framework.test import APIClient

from roles.models import EntitlementRate, Provenance, Rate, ReimbursementPercentage
from roles.resources import RateResource
from tests.pcn_admin.factories import CommissionerStaffFactory, UserFactory
from tests.roles.factories import (
    EntitlementRateFactory,
    RateFactory,
    ReimbursementPercentageFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db

MAXIMA = Path(__file__).resolve().parents[2] / "roles" / "data" / "maxima.csv"
HEADER = "role,region,afc_band,effective_from,annual_max,provenance,basis\n"


@pytest.fixture
def staff():
    return CommissionerStaffFactory()


@pytest.fixture
def superuser():
    return UserFactory(is_superuser=True, is_staff=True)


def _rate():
    return RateFactory(role=RoleFactory(code="dietitian"), effective_from=dt.date(2031, 4, 1))


def _percentage():
    return ReimbursementPercentageFactory(
        role=RoleFactory(code="dietitian"), effective_from=dt.date(2031, 4, 1)
    )


# model name, how to make one, what a change page would post, the field it would change
FIGURES = [
    pytest.param(
        "rate",
        _rate,
        lambda r: {
            "role": r.role_id,
            "region": r.region,
            "afc_band": r.afc_band,
            "effective_from": "2031-04-01",
            "annual_max": "1.00",
            "provenance": r.provenance,
            "basis": r.basis,
        },
        "annual_max",
        id="maximum",
    ),
    pytest.param(
        "reimbursementpercentage",
        _percentage,
        lambda p: {
            "role": p.role_id,
            "afc_band": "",
            "effective_from": "2031-04-01",
            "percentage": "1",
            "provenance": p.provenance,
            "basis": "",
        },
        "percentage",
        id="percentage",
    ),
    pytest.param(
        "entitlementrate",
        lambda: EntitlementRateFactory(year=2031),
        lambda e: {
            "year": "2031",
            "per_weighted_patient": "1.000",
            "provenance": e.provenance,
            "basis": "",
        },
        "per_weighted_patient",
        id="ARR sum rate",
    ),
]


def url(model, page, *args):
    return reverse(f"admin:roles_{model}_{page}", args=args)


class TestCommissionerStaffReadOnly:
    @pytest.mark.parametrize(("model", "make", "changes", "field"), FIGURES)
    def test_the_change_page_is_read_only_and_a_post_is_refused(
        self, client, staff, model, make, changes, field
    ):
        figure = make()
        before = getattr(figure, field)
        client.force_login(staff)
        page = client.get(url(model, "change", figure.pk))
        assert page.status_code == 200
        html = page.content.decode()
        assert f'name="{field}"' not in html
        assert 'name="_save"' not in html
        assert url(model, "delete", figure.pk) not in html
        response = client.post(url(model, "change", figure.pk), changes(figure))
        assert response.status_code == 403
        figure.refresh_from_db()
        assert getattr(figure, field) == before

    @pytest.mark.parametrize(("model", "make", "changes", "field"), FIGURES)
    def test_delete_and_add_are_refused(self, client, staff, model, make, changes, field):
        figure = make()
        client.force_login(staff)
        assert client.get(url(model, "delete", figure.pk)).status_code == 403
        assert client.post(url(model, "delete", figure.pk), {"post": "yes"}).status_code == 403
        assert type(figure).objects.filter(pk=figure.pk).exists()
        count = type(figure).objects.count()
        assert client.get(url(model, "add")).status_code == 403
        assert client.post(url(model, "add"), changes(figure)).status_code == 403
        assert type(figure).objects.count() == count

    @pytest.mark.parametrize("model", ["rate", "reimbursementpercentage", "entitlementrate"])
    def test_the_list_offers_no_add_import_delete_or_confirm(self, client, staff, model):
        client.force_login(staff)
        page = client.get(url(model, "changelist"))
        assert page.status_code == 200
        html = page.content.decode()
        assert url(model, "add") not in html
        assert url(model, "import") not in html
        assert "delete_selected" not in html
        assert "confirm_as_published" not in html
        assert client.get(url(model, "import")).status_code == 403

    def test_the_confirm_action_posted_by_hand_changes_nothing(self, client, staff):
        derived = Rate.objects.filter(provenance=Provenance.DERIVED_BAND).first()
        client.force_login(staff)
        client.post(
            url("rate", "changelist"),
            {"action": "confirm_as_published", "_selected_action": [derived.pk]},
        )
        derived.refresh_from_db()
        assert derived.provenance == Provenance.DERIVED_BAND
        assert derived.confirmed_by is None

    def test_the_bulk_delete_posted_by_hand_is_refused(self, client, staff):
        rate = _rate()
        client.force_login(staff)
        client.post(
            url("rate", "changelist"),
            {"action": "delete_selected", "_selected_action": [rate.pk], "post": "yes"},
        )
        assert Rate.objects.filter(pk=rate.pk).exists()


class TestAPI:
    def test_commissioner_staff_read_rates_but_cannot_write_them(self, staff):
        api = APIClient()
        api.force_authenticate(staff)
        rate = _rate()
        new = {
            "role": "dietitian",
            "region": "national",
            "effective_from": "2032-04-01",
            "annual_max": "60000.00",
        }
        assert api.get("/api/v1/rates/").status_code == 200
        assert api.get(f"/api/v1/rates/{rate.pk}/").status_code == 200
        response = api.post("/api/v1/rates/", new, format="json")
        assert response.status_code == 403
        assert "national administrator" in response.json()["detail"]
        detail = f"/api/v1/rates/{rate.pk}/"
        assert (
            api.put(detail, {**new, "effective_from": "2031-04-01"}, format="json").status_code
            == 403
        )
        assert api.patch(detail, {"annual_max": "1.00"}, format="json").status_code == 403
        assert api.delete(detail).status_code == 403
        rate.refresh_from_db()
        assert rate.annual_max == Decimal("40000.00")
        assert not Rate.objects.filter(effective_from=dt.date(2032, 4, 1)).exists()

    def test_a_superuser_writes_rates(self, superuser):
        api = APIClient()
        api.force_authenticate(superuser)
        rate = _rate()
        response = api.patch(f"/api/v1/rates/{rate.pk}/", {"annual_max": "41000.00"}, format="json")
        assert response.status_code == 200
        assert api.delete(f"/api/v1/rates/{rate.pk}/").status_code == 204


class TestSuperuser:
    @pytest.mark.parametrize(("model", "make", "changes", "field"), FIGURES)
    def test_a_superuser_changes_a_figure_in_the_admin(
        self, client, superuser, model, make, changes, field
    ):
        figure = make()
        client.force_login(superuser)
        response = client.post(url(model, "change", figure.pk), changes(figure))
        assert response.status_code == 302, response.context["adminform"].form.errors
        figure.refresh_from_db()
        assert getattr(figure, field) == Decimal(changes(figure)[field])
        assert figure.history.first().history_user == superuser


class TestConfirmAsPublished:
    def confirm(self, client, *rates):
        return client.post(
            url("rate", "changelist"),
            {"action": "confirm_as_published", "_selected_action": [r.pk for r in rates]},
            follow=True,
        )

    def test_a_derived_figure_becomes_published_with_who_and_when(self, client, superuser):
        derived = Rate.objects.filter(provenance=Provenance.DERIVED_BAND).first()
        amount = derived.annual_max
        client.force_login(superuser)
        response = self.confirm(client, derived)
        assert "1 figure confirmed as published" in response.content.decode()
        derived.refresh_from_db()
        assert derived.provenance == Provenance.PUBLISHED
        assert derived.confirmed_by == superuser
        assert derived.confirmed_at is not None
        assert derived.annual_max == amount
        latest, earlier = derived.history.all()[:2]
        assert latest.history_user == superuser
        assert "Confirmed as published" in latest.history_change_reason
        assert earlier.provenance == Provenance.DERIVED_BAND  # the history keeps what it was

    def test_a_locked_derived_figure_can_still_be_confirmed(self, client, superuser):
        rate = RateFactory(
            role=RoleFactory(code="podiatrist"),
            effective_from=dt.date(2031, 4, 1),
            provenance=Provenance.DERIVED_UPLIFT,
        )
        rate.lock()
        client.force_login(superuser)
        self.confirm(client, rate)
        rate.refresh_from_db()
        assert rate.provenance == Provenance.PUBLISHED and rate.is_locked

    def test_a_published_figure_is_left_alone(self, client, superuser):
        published = Rate.objects.filter(provenance=Provenance.PUBLISHED).first()
        versions = published.history.count()
        client.force_login(superuser)
        response = self.confirm(client, published)
        assert "already published" in response.content.decode()
        published.refresh_from_db()
        assert published.confirmed_by is None
        assert published.history.count() == versions

    def test_a_percentage_can_be_confirmed_too(self, client, superuser):
        share = _percentage()
        ReimbursementPercentage.objects.filter(pk=share.pk).update(
            provenance=Provenance.DERIVED_BAND
        )
        client.force_login(superuser)
        client.post(
            url("reimbursementpercentage", "changelist"),
            {"action": "confirm_as_published", "_selected_action": [share.pk]},
        )
        share.refresh_from_db()
        assert share.provenance == Provenance.PUBLISHED and share.confirmed_by == superuser


# --- Import and export -----------------------------------------------------------------------

NEXT_YEAR = (
    HEADER + "dietitian,national,7,2031-04-01,71000,published,DES 2031/32 table\n"
    "gp,london,,2031-04-01,120000,derived-uplift,DDRB award 2031/32\n"
)


def preview(client, content: str, name="maxima-2031.csv", model="rate"):
    form = client.get(url(model, "import")).context["form"]
    labels = [label for _, label in form.fields["format"].choices]
    csv_index = next(i for i, label in enumerate(labels) if label == "csv") - 1
    return client.post(
        url(model, "import"),
        {
            "resource": "0",
            "format": str(csv_index),
            "import_file": SimpleUploadedFile(name, content.encode()),
        },
    )


def confirm(client, preview_response, model="rate"):
    form = preview_response.context["confirm_form"]
    return client.post(url(model, "process_import"), form.initial)


def messages_of(result) -> str:
    """Every error of an import's preview, as a person reading it would see them."""
    lines = [str(error.error) for error in result.base_errors]
    for invalid in result.invalid_rows:
        for column, messages in invalid.field_specific_errors.items():
            lines += [f"Row {invalid.number}: {column}: {m}" for m in messages]
        lines += [f"Row {invalid.number}: {m}" for m in invalid.non_field_specific_errors]
    return "\n".join(lines)


class TestAdminImport:
    def test_the_preview_writes_nothing_and_the_confirmation_creates_the_rows(
        self, client, superuser
    ):
        client.force_login(superuser)
        shown = preview(client, NEXT_YEAR)
        assert shown.status_code == 200
        result = shown.context["result"]
        assert result.totals["new"] == 2 and not result.has_validation_errors()
        assert not Rate.objects.filter(effective_from=dt.date(2031, 4, 1)).exists()

        done = confirm(client, shown)
        assert done.status_code == 302
        dietitian = Rate.objects.get(role__code="dietitian", effective_from=dt.date(2031, 4, 1))
        assert dietitian.annual_max == Decimal("71000")
        assert dietitian.afc_band == "7"
        assert dietitian.basis == "DES 2031/32 table"
        gp = Rate.objects.get(role__code="gp", effective_from=dt.date(2031, 4, 1))
        assert gp.region == "london" and gp.provenance == Provenance.DERIVED_UPLIFT
        version = dietitian.history.first()
        assert version.history_user == superuser
        assert version.history_change_reason == "Imported from maxima-2031.csv"

    def test_importing_the_same_file_again_adds_nothing(self, client, superuser):
        client.force_login(superuser)
        confirm(client, preview(client, NEXT_YEAR))
        count, versions = Rate.objects.count(), Rate.history.count()
        again = preview(client, NEXT_YEAR)
        assert again.context["result"].totals["new"] == 0
        assert again.context["result"].totals["skip"] == 2
        confirm(client, again)
        assert Rate.objects.count() == count
        assert Rate.history.count() == versions

    def test_a_bad_file_names_each_row_and_value_and_writes_nothing(self, client, superuser):
        content = (
            HEADER + "dietitian,national,7,2031-04-01,71000,published,a good row\n"
            "dietician,national,7,2031-04-01,71000,published,\n"
            "dietitian,midlands,7,2031-04-01,71000,published,\n"
            "dietitian,national,7,31st March,71000,published,\n"
            "dietitian,national,7,2032-04-01,seventy thousand,published,\n"
            "dietitian,national,7,2033-04-01,0,published,\n"
            "dietitian,national,7,2034-04-01,71000,guessed,\n"
        )
        client.force_login(superuser)
        response = preview(client, content)
        text = messages_of(response.context["result"])
        assert "Row 2: role: No ARRS role has the code 'dietician'" in text
        assert "Row 3: region: 'midlands' is not a region" in text
        assert "Row 4: effective_from: '31st March' is not a date" in text
        assert "Row 5: annual_max: 'seventy thousand' is not an annual maximum" in text
        assert "Row 6: annual_max: '0' is not an annual maximum" in text
        assert "Row 7: provenance: 'guessed' is not a provenance" in text
        assert "Row 1" not in text
        assert "confirm_form" not in response.context or not response.context["confirm_form"]
        page = response.content.decode()
        assert "dietician" in page and "midlands" in page
        assert not Rate.objects.filter(effective_from__year__gte=2031).exists()

    def test_a_file_repeating_a_row_is_refused(self, client, superuser):
        content = (
            HEADER + "dietitian,national,7,2031-04-01,71000,published,\n"
            "dietitian,national,7,2031-04-01,72000,published,\n"
        )
        client.force_login(superuser)
        text = messages_of(preview(client, content).context["result"])
        assert "Row 2 repeats row 1" in text

    def test_a_rate_used_by_a_batched_claim_is_not_changed_by_an_import(self, client, superuser):
        rate = _rate()
        rate.lock()
        content = HEADER + "dietitian,national,,2031-04-01,45000,published,Test figure.\n"
        client.force_login(superuser)
        text = messages_of(preview(client, content).context["result"])
        assert "£40,000.00 has been used by a batched claim" in text
        rate.refresh_from_db()
        assert rate.annual_max == Decimal("40000.00")

    def test_a_percentage_table_imports_too(self, client, superuser):
        content = (
            "role,afc_band,effective_from,percentage,provenance,basis\n"
            "mental_health_practitioner,7,2031-04-01,50,published,DES 2031/32\n"
        )
        client.force_login(superuser)
        confirm(
            client,
            preview(client, content, model="reimbursementpercentage"),
            "reimbursementpercentage",
        )
        share = ReimbursementPercentage.objects.get(effective_from=dt.date(2031, 4, 1))
        assert share.afc_band == "7" and share.percentage == Decimal("50")

    def test_an_arr_sum_rate_imports_too(self, client, superuser):
        content = (
            "year,per_weighted_patient,gp_per_weighted_patient,gp_pot_from,gp_pot_to,"
            "provenance,basis\n2031,30.123,,,,published,DES 2031/32\n"
        )
        client.force_login(superuser)
        confirm(client, preview(client, content, model="entitlementrate"), "entitlementrate")
        assert EntitlementRate.objects.get(year=2031).per_weighted_patient == Decimal("30.123")


class TestReimportAndExport:
    def test_the_seeded_table_imports_as_unchanged(self):
        count = Rate.objects.count()
        call_command("load_arrs_figures", str(MAXIMA))
        assert Rate.objects.count() == count

    def test_what_is_exported_imports_back_unchanged(self):
        exported = RateResource().export()
        assert exported.headers == HEADER.strip().split(",")
        result = RateResource().import_data(exported, dry_run=True)
        assert not result.has_errors() and not result.has_validation_errors()
        assert result.totals["new"] == result.totals["update"] == 0

    def test_a_figure_a_pay_award_superseded_is_recognised_not_overwritten(self):
        role = RoleFactory(code="podiatrist")
        published = RateFactory(role=role, afc_band="7", effective_from=dt.date(2031, 4, 1))
        # As apply_pay_award leaves it: the award's figure of the same date is in force and
        # the published one is kept, superseded (made a day apart, then moved, because two
        # figures in force may not share a date).
        award = RateFactory(
            role=role,
            afc_band="7",
            effective_from=dt.date(2031, 4, 2),
            annual_max=Decimal("41000.00"),
            provenance=Provenance.DERIVED_UPLIFT,
        )
        Rate.objects.filter(pk=published.pk).update(superseded_by=award)
        Rate.objects.filter(pk=award.pk).update(effective_from=dt.date(2031, 4, 1))
        text = HEADER + "podiatrist,national,7,2031-04-01,40000,published,Test figure.\n"
        result = RateResource().import_data(CSV().create_dataset(text))
        assert result.totals["skip"] == 1 and result.totals["update"] == 0
        award.refresh_from_db()
        assert award.annual_max == Decimal("41000.00")


class TestCommand:
    def write(self, tmp_path, text, name="maxima-2031.csv"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    def test_a_dry_run_lists_the_new_rows_and_writes_nothing(self, tmp_path, capsys):
        call_command("load_arrs_figures", str(self.write(tmp_path, NEXT_YEAR)), "--dry-run")
        out = capsys.readouterr().out
        assert "New: Dietitian" in out and "2 new" in out and "Nothing written" in out
        assert not Rate.objects.filter(effective_from=dt.date(2031, 4, 1)).exists()

    def test_loading_twice_adds_rows_once(self, tmp_path, capsys):
        path = self.write(tmp_path, NEXT_YEAR)
        call_command("load_arrs_figures", str(path))
        assert "2 new" in capsys.readouterr().out
        count = Rate.objects.count()
        call_command("load_arrs_figures", str(path))
        assert "0 new, 0 changed, 2 unchanged" in capsys.readouterr().out
        assert Rate.objects.count() == count

    def test_a_bad_row_is_named_and_nothing_is_written(self, tmp_path, capsys):
        text = NEXT_YEAR + "dietitian,national,7,2032-04-01,-5,published,\n"
        with pytest.raises(CommandError, match="Nothing was written"):
            call_command("load_arrs_figures", str(self.write(tmp_path, text)))
        err = capsys.readouterr().err
        assert "Row 3 (line 4" in err and "'-5' is not an annual maximum" in err
        assert not Rate.objects.filter(effective_from__year__gte=2031).exists()
