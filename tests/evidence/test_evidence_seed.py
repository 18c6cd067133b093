"""The demo's evidence: real small files on the demo PCN's draft and returned claims, and the
demo commissioner's rule; safe to run twice."""

import io

import pytest

from evidence.models import Attachment, EvidenceSetting
from evidence.seed import minimal_pdf, minimal_png, seed_demo
from reimbursement.seed import seed_demo as seed_claims
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    CommissionerStaffFactory,
    PracticeManagerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_claims(world):
    ClinicalDirectorUserFactory(username="demo-director", pcn=world.pcn)
    PracticeManagerFactory(username="demo-practice", practice=world.payee_practice)
    CommissionerStaffFactory(username="demo-commissioner", commissioner=world.pcn.commissioner)
    seed_claims(stdout=io.StringIO())
    return world


def test_the_demo_attaches_files_to_the_claims_the_practice_may_still_change(demo_claims):
    seed_demo(stdout=io.StringIO())

    attachments = Attachment.objects.select_related("line__claim")
    assert attachments.exists()
    assert {a.line.claim.status for a in attachments} == {"draft", "returned"}
    for attachment in attachments:
        with attachment.file.open("rb") as stored:
            assert stored.read(4) in (b"%PDF", b"\x89PNG")
    setting = EvidenceSetting.objects.get(commissioner=demo_claims.pcn.commissioner)
    assert setting.required == EvidenceSetting.Required.FIRST_CLAIM


def test_running_the_demo_twice_changes_nothing(demo_claims):
    seed_demo(stdout=io.StringIO())
    before = list(Attachment.objects.order_by("pk").values_list("pk", "file", "sha256"))

    out = io.StringIO()
    seed_demo(stdout=out)

    assert list(Attachment.objects.order_by("pk").values_list("pk", "file", "sha256")) == before
    assert "0 demo file(s) attached" in out.getvalue()


def test_a_rule_the_commissioner_changed_is_kept(demo_claims):
    EvidenceSetting.objects.create(commissioner=demo_claims.pcn.commissioner, required="none")

    seed_demo(stdout=io.StringIO())

    assert EvidenceSetting.objects.get().required == "none"


def test_the_made_files_are_well_formed():
    pdf = minimal_pdf(["Payslip (June) \\ test"])
    png = minimal_png(4, 3)

    assert pdf.startswith(b"%PDF-1.4\n") and pdf.endswith(b"%%EOF\n")
    start = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[start:].startswith(b"xref\n0 6\n")
    assert b"(Payslip \\(June\\) \\\\ test)" in pdf
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png.endswith(b"IEND\xaeB`\x82")
