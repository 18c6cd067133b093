"""Declared Network Contract DES amounts (IIF, care home premium, enhanced access, capacity and
access): the commissioner's staff enter or import them per PCN and month and review them like
claims; bad input is refused with a clear message and nothing saved; an approved amount is
paid once, in the batch for its month or the next one built; the PCN's people read theirs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from networks.importers import FileNotRecognised, ImportFailed
from reimbursement import batches, services
from reimbursement.declared_forms import DeclaredEnterForm, DeclaredImportForm, DeclaredRejectForm
from reimbursement.models import Batch, DeclaredPayment, PaymentStream, StreamPayment
from tests.networks.factories import (
    CommissionerFactory,
    MembershipFactory,
    NominatedPayeeFactory,
    PCNFactory,
)
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    CommunityOrganisationUserFactory,
    LinkWorkerUserFactory,
    PracticeManagerFactory,
    UserFactory,
)
from tests.reimbursement.factories import BatchFactory

pytestmark = pytest.mark.django_db

SEPTEMBER = dt.date(2025, 9, 1)


class Area:
    """A commissioner with two PCNs, its staff, and a PCN of another area."""

    def __init__(self):
        self.commissioner = CommissionerFactory()
        self.pcn = PCNFactory(commissioner=self.commissioner, name="Coquet Valley PCN")
        self.payee = MembershipFactory(pcn=self.pcn).practice
        NominatedPayeeFactory(pcn=self.pcn, practice=self.payee)
        self.other_pcn = PCNFactory(commissioner=self.commissioner)
        self.staff = CommissionerStaffFactory(commissioner=self.commissioner)
        self.director = ClinicalDirectorUserFactory(pcn=self.pcn)
        self.practice_manager = PracticeManagerFactory(practice=self.payee)
        self.foreign_pcn = PCNFactory(name="Brookmoor Central PCN")
        self.foreign_staff = CommissionerStaffFactory(commissioner=self.foreign_pcn.commissioner)


@pytest.fixture
def area(db) -> Area:
    return Area()


def stream(code: str) -> PaymentStream:
    return PaymentStream.objects.get(code=code)


def enter(area, *, code="iif", pcn=None, month=SEPTEMBER, amount="1250.00", note="", by=None):
    return services.declared_enter(
        stream=stream(code),
        pcn=pcn or area.pcn,
        month=month,
        amount=Decimal(amount) if isinstance(amount, str) else amount,
        note=note,
        by=by or area.staff,
    )


def batched(commissioner, month, status=Batch.Status.PAID):
    """A batch of the month already finalised (or paid), as the lifecycle leaves it."""
    extra = {"finalised_at": timezone.now()}
    if status == Batch.Status.PAID:
        extra |= {"paid_on": month, "payment_reference": "BACS 1"}
    return BatchFactory(commissioner=commissioner, month=month, status=status, **extra)


def refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


# Entering one amount ------------------------------------------------------------------------


def test_an_amount_entered_waits_for_review_with_who_entered_it(area):
    declared = enter(area, note="IIF 2024/25 achievement statement")

    assert declared.status == DeclaredPayment.Status.ENTERED
    assert (declared.amount, declared.month, declared.entered_by) == (
        Decimal("1250.00"),
        SEPTEMBER,
        area.staff,
    )
    assert declared.history.get().history_user == area.staff


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"amount": "-10.00"}, "amount", "cannot be negative"),
        ({"amount": "10.005"}, "amount", "at most 2 decimal places"),
        ({"amount": "1000000.01"}, "amount", "more than £1,000,000"),
        ({"code": "core"}, "stream", "not entered as a declared amount"),
        ({"code": "arrs"}, "stream", "approved ARRS claims"),
        ({"month": dt.date(2019, 6, 1)}, "month", "PCNs began on 1 July 2019"),
        ({"month": dt.date(2031, 4, 1)}, "month", "more than a year ahead"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(area, kwargs, field, words):
    with pytest.raises(ValidationError) as refused:
        enter(area, **kwargs)

    assert words in " ".join(refused.value.message_dict[field])
    assert not DeclaredPayment.objects.exists()


def test_backfill_is_not_entered_here_it_comes_from_its_own_claims(area):
    backfill = PaymentStream.objects.filter(paid_to=PaymentStream.PaidTo.PRACTICE).first()
    if backfill is None:
        pytest.skip("No stream paid to a named practice is installed.")

    with pytest.raises(ValidationError) as refused:
        services.declared_enter(
            stream=backfill, pcn=area.pcn, month=SEPTEMBER, amount=Decimal("1"), by=area.staff
        )

    assert "not entered here" in refused.value.message_dict["stream"][0]
    assert backfill not in services.declared_streams()


@pytest.mark.parametrize("status", [Batch.Status.FINALISED, Batch.Status.PAID])
def test_a_month_already_batched_is_refused_saying_so(area, status):
    batch = batched(area.commissioner, SEPTEMBER, status)

    with pytest.raises(ValidationError) as refused:
        enter(area)

    message = refusal(refused.value)
    assert "September 2025 is already batched" in message and batch.reference in message
    assert not DeclaredPayment.objects.exists()


def test_a_month_with_a_draft_batch_takes_the_amount_and_the_next_build_pays_it(area):
    BatchFactory(commissioner=area.commissioner, month=SEPTEMBER, status=Batch.Status.DRAFT)
    declared = enter(area)
    services.declared_approve(declared=declared, by=area.staff)

    batch = batches.batch_build(commissioner_id=area.commissioner.pk, month=SEPTEMBER).batch

    payment = StreamPayment.objects.get(declared=declared)
    assert (payment.batch, payment.amount, payment.late) == (batch, Decimal("1250.00"), False)
    assert payment.practice == area.payee  # the nominated payee


def test_another_areas_batch_does_not_stop_an_amount(area):
    batched(area.foreign_pcn.commissioner, SEPTEMBER)

    assert enter(area).pk


def test_a_second_amount_for_the_same_pcn_stream_and_month_is_refused_until_rejected(area):
    first = enter(area, amount="100.00")

    with pytest.raises(ValidationError) as refused:
        enter(area, amount="200.00")
    assert "already has Investment and Impact Fund for September 2025 (£100.00" in refusal(
        refused.value
    )

    services.declared_reject(declared=first, reason="Wrong figure.", by=area.staff)
    assert enter(area, amount="200.00").amount == Decimal("200.00")
    # Other streams and months are separate amounts.
    assert enter(area, code="care_home_premium", amount="300.00").pk
    assert enter(area, month=dt.date(2025, 10, 1), amount="300.00").pk


def test_a_month_the_pcn_was_closed_in_is_refused(area):
    area.pcn.close_date = dt.date(2025, 6, 30)
    area.pcn.save()

    with pytest.raises(ValidationError) as refused:
        enter(area)

    assert "closed on 30/06/2025, before September 2025" in refused.value.message_dict["month"][0]


# Reviewing ----------------------------------------------------------------------------------


def test_approving_and_rejecting_record_who_and_when_and_happen_once(area):
    approved = services.declared_approve(declared=enter(area), by=area.staff)
    rejected = services.declared_reject(
        declared=enter(area, code="care_home_premium"), reason=" Not on the list. ", by=area.staff
    )

    assert approved.status == DeclaredPayment.Status.APPROVED and approved.reviewed_at
    assert approved.reviewed_by == area.staff
    assert (rejected.status, rejected.rejection_reason) == ("rejected", "Not on the list.")
    for declared in (approved, rejected):
        with pytest.raises(ValidationError) as refused:
            services.declared_approve(declared=declared, by=area.staff)
        assert "already been" in refusal(refused.value)


def test_rejecting_needs_a_reason(area):
    declared = enter(area)

    with pytest.raises(ValidationError) as refused:
        services.declared_reject(declared=declared, reason="  ", by=area.staff)

    assert "Give the reason" in refused.value.message_dict["reason"][0]
    declared.refresh_from_db()
    assert declared.status == DeclaredPayment.Status.ENTERED


def test_an_amount_approved_after_its_months_batch_is_paid_late_in_the_next(area):
    declared = enter(area)
    batches.batch_build(commissioner_id=area.commissioner.pk, month=SEPTEMBER)
    services.declared_approve(declared=declared, by=area.staff)

    october = batches.batch_build(
        commissioner_id=area.commissioner.pk, month=dt.date(2025, 10, 1)
    ).batch
    batches.batch_build(commissioner_id=area.commissioner.pk, month=dt.date(2025, 10, 1))

    payment = StreamPayment.objects.get(declared=declared)  # once, however often it is built
    assert (payment.batch, payment.late) == (october, True)


# Importing a file ---------------------------------------------------------------------------


def csv_file(*rows: str, header="PCN code,Stream code,Month,Amount,Note", name="iif.csv"):
    return SimpleUploadedFile(name, "\n".join([header, *rows]).encode("utf-8-sig"))


def import_file(area, upload, by=None):
    from pcn_admin import access

    user = by or area.staff
    return services.declared_import(
        file=upload, pcns=access.declared_payment_pcns(user), by=user, file_name=upload.name
    )


def test_a_good_file_imports_every_row_awaiting_review_with_its_history(area):
    done = import_file(
        area,
        csv_file(
            f"{area.pcn.code},iif,2025-09,4210.50,IIF 2024/25",
            f'{area.other_pcn.code.lower()},care_home_premium,2025-09,"£1,830.00",',
            "",  # a blank line, as spreadsheets leave
        ),
    )

    assert len(done.added) == 2 and done.total == Decimal("6040.50")
    rows = DeclaredPayment.objects.order_by("pcn__code")
    assert {(r.pcn, r.stream.code, r.amount, r.status) for r in rows} == {
        (area.pcn, "iif", Decimal("4210.50"), "entered"),
        (area.other_pcn, "care_home_premium", Decimal("1830.00"), "entered"),
    }
    assert all(r.source == "Imported from iif.csv" and r.entered_by == area.staff for r in rows)
    assert all(r.history.count() == 1 for r in rows)


def test_a_file_with_bad_rows_names_every_one_and_imports_nothing(area):
    enter(area, code="care_home_premium")  # already there: a duplicate
    batched(area.commissioner, dt.date(2025, 5, 1), Batch.Status.FINALISED)
    upload = csv_file(
        f"{area.pcn.code},iif,2025-09,100.00,good",  # 2
        f"{area.pcn.code},iif,2025-13,100.00,",  # 3: not a month
        f"{area.pcn.code},core,2025-09,100.00,",  # 4: not declared
        f"{area.pcn.code},iif,2025-10,-5,",  # 5: negative
        f"{area.foreign_pcn.code},iif,2025-09,100.00,",  # 6: another area's PCN
        f"{area.pcn.code},iif,2025-05,100.00,",  # 7: May already batched
        f"{area.pcn.code},care_home_premium,2025-09,100.00,",  # 8: already entered
        f"{area.pcn.code},iif,2025-09,99.00,",  # 9: the same as row 2
        f"{area.pcn.code},iif,2025-11,lots,",  # 10: not a number
    )

    with pytest.raises(ImportFailed) as failed:
        import_file(area, upload)

    lines = failed.value.lines()
    assert [error.row for error in failed.value.errors] == [3, 4, 5, 6, 7, 8, 9, 10]
    text = "\n".join(lines)
    assert "row 3, Month: '2025-13': Give the month as YYYY-MM" in text
    assert "row 4, Stream code: 'core': Core PCN funding is worked out from its rate" in text
    assert "row 5, Amount: '-5': The amount cannot be negative" in text
    assert f"row 6, PCN code: '{area.foreign_pcn.code}': No PCN in your area has it." in text
    assert "row 7, Month: '2025-05': May 2025 is already batched" in text
    assert "row 8, PCN code" in text and "already has Care home premium" in text
    assert "row 9, PCN code" in text and "Row 2 already has Investment and Impact Fund" in text
    assert "row 10, Amount: 'lots': Give the amount as a number" in text
    assert "nothing was imported" in str(failed.value)
    assert DeclaredPayment.objects.count() == 1  # only the one entered before


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (csv_file("U1,iif,2025-09,1", header="PCN,Stream,Amount"), "has no Month column"),
        (csv_file(header=""), "is empty"),
        (csv_file(), "has a header row but no amounts"),
        (SimpleUploadedFile("x.xlsx", b"PK\x03\x04rest"), "looks like an Excel workbook"),
        (SimpleUploadedFile("x.csv", "Month\n".encode("utf-16")), "not a UTF-8 CSV"),
    ],
)
def test_a_file_that_is_not_the_expected_csv_is_refused_saying_why(area, upload, words):
    with pytest.raises(FileNotRecognised) as refused:
        import_file(area, upload)

    assert words in str(refused.value)
    assert not DeclaredPayment.objects.exists()


# The pages ----------------------------------------------------------------------------------


def _url(name, *args):
    return reverse(f"reimbursement:declared_{name}", args=args)


def test_the_enter_page_saves_and_sends_you_to_the_amount(client, area):
    client.force_login(area.staff)
    response = client.post(
        _url("enter"),
        {
            "pcn": area.pcn.pk,
            "stream": stream("iif").pk,
            "month": "2025-09",
            "amount": "£4,210.50",
            "note": "IIF",
        },
    )

    declared = DeclaredPayment.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("detail", declared.pk)
    assert declared.amount == Decimal("4210.50")


def test_the_enter_page_shows_a_refusal_on_its_field_and_keeps_what_was_typed(client, area):
    batched(area.commissioner, SEPTEMBER)
    client.force_login(area.staff)

    response = client.post(
        _url("enter"),
        {
            "pcn": area.pcn.pk,
            "stream": stream("iif").pk,
            "month": "2025-09",
            "amount": "4210.50",
            "note": "Typed note",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "September 2025 is already batched" in html
    assert 'value="4210.50"' in html and 'value="Typed note"' in html
    assert not DeclaredPayment.objects.exists()


def test_the_enter_page_offers_only_the_users_areas_pcns_and_declared_streams(client, area):
    client.force_login(area.staff)
    html = client.get(_url("enter")).content.decode()

    assert area.pcn.code in html and area.other_pcn.code in html
    assert area.foreign_pcn.code not in html
    assert "Investment and Impact Fund" in html and "Core PCN funding" not in html
    response = client.post(
        _url("enter"),
        {"pcn": area.foreign_pcn.pk, "stream": stream("iif").pk, "month": "2025-09", "amount": "1"},
    )
    assert response.status_code == 200 and not DeclaredPayment.objects.exists()


def test_the_import_page_lists_every_bad_row_and_imports_nothing(client, area):
    client.force_login(area.staff)
    upload = csv_file(f"{area.pcn.code},iif,2025-09,10.00,", f"{area.pcn.code},core,2025-09,1,")

    response = client.post(_url("import"), {"file": upload})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported: correct these rows" in html
    assert "row 3, Stream code" in html
    assert not DeclaredPayment.objects.exists()


def test_the_import_page_imports_a_good_file(client, area):
    client.force_login(area.staff)
    upload = csv_file(f"{area.pcn.code},iif,2025-09,10.00,")

    response = client.post(_url("import"), {"file": upload}, follow=True)

    assert DeclaredPayment.objects.count() == 1
    assert "1 amount (£10.00 in all) imported from iif.csv" in response.content.decode()


def test_reviewing_on_the_page_approves_or_rejects_with_a_reason(client, area):
    first, second = enter(area), enter(area, code="care_home_premium")
    client.force_login(area.staff)

    client.post(_url("approve", first.pk))
    page = client.post(_url("reject", second.pk), {"reason": ""})
    assert "Give the reason" in page.content.decode()
    client.post(_url("reject", second.pk), {"reason": "Not on the statement."})

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("approved", "rejected")
    html = client.get(_url("detail", second.pk)).content.decode()
    assert "Not on the statement." in html and "Not paid: rejected" in html


def test_the_list_filters_by_month_stream_and_status(client, area):
    enter(area)
    enter(area, code="care_home_premium")
    services.declared_approve(declared=enter(area, month=dt.date(2025, 10, 1)), by=area.staff)
    client.force_login(area.staff)

    def shown(query: str) -> int:
        html = client.get(_url("list") + query).content.decode()
        return html.count('data-testid="declared-row"')

    assert shown("") == 3
    assert shown("?month=2025-09") == 2
    assert shown("?stream=care_home_premium") == 1
    assert shown("?status=approved") == 1
    assert shown("?month=2025-09&stream=iif&status=entered") == 1
    assert shown("?month=not-a-month") == 3  # said, and ignored


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("staff", True),
        ("foreign_staff", False),
        ("director", True),  # read-only: their PCN's
        ("practice_manager", True),
    ],
)
def test_the_list_shows_only_the_users_area_or_pcn(client, area, persona, sees):
    enter(area, note="Ours")
    client.force_login(getattr(area, persona))

    html = client.get(_url("list")).content.decode()

    assert (area.pcn.code in html) is sees
    can_manage = persona in ("staff", "foreign_staff")
    assert ('data-testid="declared-enter-link"' in html) is can_manage


@pytest.mark.parametrize(
    ("persona", "read", "approve"),
    [
        ("staff", 200, 302),
        ("foreign_staff", 404, 404),
        ("director", 200, 403),
        ("practice_manager", 200, 403),
        ("link_worker", 403, 403),
        ("community", 403, 403),
    ],
)
def test_who_may_read_and_review_an_amount(client, area, persona, read, approve):
    declared = enter(area)
    users = {
        "link_worker": LinkWorkerUserFactory(pcn=area.pcn),
        "community": CommunityOrganisationUserFactory(),
    }
    client.force_login(users.get(persona) or getattr(area, persona))

    assert client.get(_url("detail", declared.pk)).status_code == read
    assert client.post(_url("approve", declared.pk)).status_code == approve
    declared.refresh_from_db()
    assert (declared.status == "approved") is (approve == 302)


def test_a_superuser_enters_for_any_area(client, area):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    client.post(
        _url("enter"),
        {"pcn": area.foreign_pcn.pk, "stream": stream("iif").pk, "month": "2025-09", "amount": "1"},
    )
    assert DeclaredPayment.objects.get().pcn == area.foreign_pcn


@pytest.mark.parametrize("count", [2, 40])
def test_the_list_costs_the_same_queries_whatever_the_number_of_amounts(
    client, area, django_assert_max_num_queries, count
):
    months = [dt.date(2023 + (m // 12), m % 12 + 1, 1) for m in range(count)]
    for month in months:
        enter(area, month=month)
    client.force_login(area.staff)

    # session, user, the user's PCN (page header), the streams, count and total, the page
    with django_assert_max_num_queries(7):
        response = client.get(_url("list"))

    assert response.status_code == 200


def test_the_forms_speak_plain_english():
    """As tests/pcn_admin/test_plain_errors.py asks of every form: no stock message left."""
    from django.core import validators

    forms = [
        DeclaredEnterForm(pcns=PCNFactory._meta.model.objects.none()),
        DeclaredImportForm(),
        DeclaredRejectForm(),
    ]
    codes_of = {
        validators.MaxLengthValidator: ["max_length"],
        validators.MaxValueValidator: ["max_value"],
        validators.DecimalValidator: ["max_digits", "max_decimal_places", "max_whole_digits"],
    }
    left = []
    for form in forms:
        for name, field in form.fields.items():
            stock = {}
            for cls in reversed(type(field).__mro__):
                stock.update(getattr(cls, "default_error_messages", {}))
            codes = set(stock)
            for validator in field.validators:
                codes.update(codes_of.get(type(validator), []))
            for code in codes:
                if field.error_messages.get(code) in (None, stock.get(code)):
                    left.append(f"{type(form).__name__}.{name}: {code}")
    assert left == []
