"""The evidence pages: a file opens only through its download view, for those who may see the
claim (404 outside it, 403 without the permission), as a download that is never sniffed, and
each view is in the audit log; the practice attaches and removes files on its draft."""

import pytest
from django.urls import reverse

from evidence import services
from evidence.models import Attachment
from referrals.models import AuditEvent
from reimbursement import services as claims
from tests.evidence.factories import PDF, AttachmentFactory, upload
from tests.pcn_admin.factories import UserFactory
from tests.reimbursement.factories import LINK_WORKER_COSTS, ClaimLineFactory, filled_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment(world):
    claim = filled_claim(world)
    line = claim.lines.get(post=world.pharmacist)
    return services.attachment_add(
        line=line, kind="payslip", upload=upload("payslip priya.pdf"), by=world.director
    )


def _download(client, attachment):
    return client.get(reverse("evidence:attachment_download", args=[attachment.pk]))


def _views(attachment):
    return AuditEvent.objects.filter(
        model="evidence.Attachment", record_id=str(attachment.pk), action=AuditEvent.Action.VIEW
    )


@pytest.mark.parametrize(
    "persona, status",
    [
        ("director", 200),
        ("practice_manager", 200),  # the payee practice's
        ("reviewer", 200),
        ("superuser", 200),
        ("other_director", 404),  # another PCN's
        ("other_reviewer", 404),  # another area's
        ("other_practice_manager", 404),  # a member practice, not the payee
        ("link_worker", 403),  # the PCN's, but claims are not theirs to see
    ],
)
def test_a_file_opens_for_those_who_may_see_the_claim(client, world, attachment, persona, status):
    user = (
        UserFactory(is_superuser=True, is_staff=True)
        if persona == "superuser"
        else getattr(world, persona)
    )
    client.force_login(user)

    response = _download(client, attachment)

    assert response.status_code == status
    assert _views(attachment).count() == (1 if status == 200 else 0)


def test_the_file_comes_as_a_download_that_the_browser_may_not_sniff(client, world, attachment):
    client.force_login(world.reviewer)

    response = _download(client, attachment)

    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "payslip" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_each_view_is_a_row_in_the_audit_log_naming_who_and_never_the_file(
    client, world, attachment
):
    client.force_login(world.reviewer)
    _download(client, attachment)
    client.force_login(world.director)
    _download(client, attachment)

    views = list(_views(attachment).order_by("at", "pk"))
    assert [(v.user, v.role) for v in views] == [
        (world.reviewer, "commissioner_staff"),
        (world.director, "clinical_director"),
    ]
    assert all("priya" not in v.detail.lower() for v in views)
    assert views[0].detail == f"Payslip for claim line {attachment.line_id} downloaded"


def test_signed_out_the_file_url_asks_to_sign_in(client, attachment):
    response = _download(client, attachment)

    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert not _views(attachment).exists()


def test_a_file_missing_from_storage_is_a_404_not_an_error(client, world, attachment):
    attachment.file.storage.delete(attachment.file.name)
    client.force_login(world.reviewer)

    assert _download(client, attachment).status_code == 404
    assert not _views(attachment).exists()


# Attaching and removing ------------------------------------------------------------------


def _add_url(line):
    return reverse("evidence:attachment_add", args=[line.claim_id, line.pk])


def test_the_practice_attaches_a_payslip_and_returns_to_the_claim(client, world):
    claim = filled_claim(world)
    line = claim.lines.get(post=world.pharmacist)
    client.force_login(world.practice_manager)
    assert client.get(_add_url(line)).status_code == 200

    response = client.post(_add_url(line), {"kind": "payslip", "file": upload("june.pdf")})

    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("reimbursement:claim_edit", args=[claim.pk]) + f"#line-{line.pk}"
    )
    attachment = Attachment.objects.get()
    assert (attachment.line, attachment.uploaded_by) == (line, world.practice_manager)
    page = client.get(reverse("reimbursement:claim_edit", args=[claim.pk])).content.decode()
    assert "june.pdf" in page
    assert reverse("evidence:attachment_download", args=[attachment.pk]) in page


def test_a_file_that_is_not_what_it_says_is_refused_on_the_page_keeping_the_choice(client, world):
    line = filled_claim(world).lines.get(post=world.pharmacist)
    client.force_login(world.practice_manager)

    response = client.post(
        _add_url(line), {"kind": "contract", "file": upload("contract.pdf", b"GIF89a...")}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "contract.pdf is named as a PDF but its content is not one" in page
    assert 'value="contract" checked' in page
    assert not Attachment.objects.exists()


def test_choosing_no_file_says_so(client, world):
    line = filled_claim(world).lines.get(post=world.pharmacist)
    client.force_login(world.practice_manager)

    response = client.post(_add_url(line), {"kind": "payslip"})

    assert "Choose a file." in response.content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    "persona, status",
    [
        ("director", 200),
        ("practice_manager", 200),
        ("reviewer", 403),  # reviews, does not prepare
        ("link_worker", 403),
        ("other_director", 404),
        ("other_reviewer", 403),
        ("other_practice_manager", 404),  # a member practice, not the payee: not their claim
    ],
)
def test_only_those_who_prepare_the_claim_may_attach(client, world, persona, status):
    line = filled_claim(world).lines.get(post=world.pharmacist)
    client.force_login(getattr(world, persona))

    assert client.get(_add_url(line)).status_code == status
    response = client.post(_add_url(line), {"kind": "payslip", "file": upload()})

    assert response.status_code == (302 if status == 200 else status)
    assert Attachment.objects.exists() == (status == 200)


def test_a_line_of_another_claim_is_not_found(client, world):
    claim = filled_claim(world)
    elsewhere = ClaimLineFactory()
    client.force_login(world.director)

    url = reverse("evidence:attachment_add", args=[claim.pk, elsewhere.pk])

    assert client.get(url).status_code == 404


def test_a_submitted_claim_sends_the_practice_back_to_it(client, world):
    claim = filled_claim(world)
    line = claim.lines.get(post=world.pharmacist)
    claims.claim_submit(
        claim=claim, declared_additional=True, declared_costs_paid=True, by=world.director
    )
    client.force_login(world.practice_manager)

    response = client.post(_add_url(line), {"kind": "payslip", "file": upload()})

    assert response.status_code == 302
    assert reverse("reimbursement:claim_detail", args=[claim.pk]) in response["Location"]
    assert not Attachment.objects.exists()


def test_the_practice_removes_a_file_from_its_draft(client, world, attachment):
    client.force_login(world.practice_manager)

    response = client.post(reverse("evidence:attachment_remove", args=[attachment.pk]))

    assert response.status_code == 302
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    "persona, status", [("reviewer", 403), ("other_director", 404), ("link_worker", 403)]
)
def test_others_cannot_remove_a_file(client, world, attachment, persona, status):
    client.force_login(getattr(world, persona))

    response = client.post(reverse("evidence:attachment_remove", args=[attachment.pk]))

    assert response.status_code == status
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_a_file_sent_with_the_claim_is_shown_without_a_remove_button(client, world):
    claim = filled_claim(world)
    line = claim.lines.get(post=world.pharmacist)
    services.attachment_add(line=line, kind="payslip", upload=upload(), by=world.director)
    claims.claim_submit(
        claim=claim, declared_additional=True, declared_costs_paid=True, by=world.director
    )
    claims.claim_return(claim=claim, query="Which month?", by=world.reviewer)
    client.force_login(world.practice_manager)

    page = client.get(_add_url(line)).content.decode()

    assert "Sent with the claim" in page
    assert "Remove" not in page


# The review page ---------------------------------------------------------------------------


def _claim_with_evidence(world, files_per_line: int, extra_lines: int):
    claim = filled_claim(world)
    for _ in range(extra_lines):
        line = ClaimLineFactory(claim=claim, post__employing_practice=world.payee_practice)
        claims.claim_line_update(line=line, by=world.director, **LINK_WORKER_COSTS)
    for line in claim.lines.all():
        for number in range(files_per_line):
            AttachmentFactory(line=line, original_name=f"payslip-{line.pk}-{number}.pdf")
    claims.claim_submit(
        claim=claim, declared_additional=True, declared_costs_paid=True, by=world.director
    )
    return claim


@pytest.mark.parametrize("extra_lines, files_per_line", [(0, 1), (8, 3)])
def test_the_reviewer_sees_each_lines_files_in_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries, extra_lines, files_per_line
):
    claim = _claim_with_evidence(world, files_per_line, extra_lines)
    client.force_login(world.reviewer)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("reimbursement:claim_detail", args=[claim.pk]))

    page = response.content.decode()
    for attachment in Attachment.objects.all():
        assert attachment.original_name in page
        assert reverse("evidence:attachment_download", args=[attachment.pk]) in page
    assert "Attach evidence" not in page  # the reviewer only reads
