"""Demo payroll upload: the demo PCN's September 2025 draft filled from a payroll file, as its
payee practice's manager would, through the services (upload, then confirm). Uses the claims
reimbursement/seed.py makes; safe to run again (a claim with a confirmed upload is left
alone)."""

import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from pcn_admin.models import User

from . import emails, payroll, services
from .models import Claim, PayrollUpload
from .seed import PLAN

# The draft month of the demo's claims (reimbursement/seed.py's PLAN).
DEMO_MONTH = next(month for month, plan in PLAN if plan == "draft")
FILE_NAME = f"payroll-{DEMO_MONTH:%Y-%m}.csv"


def _payroll_csv(claim: Claim) -> SimpleUploadedFile:
    """The month's payroll as the practice's payroll bureau would send it: one row a person,
    surname first, with the figures already on the draft (invented by reimbursement/seed.py)."""
    out = io.StringIO()
    out.write(",".join(payroll.TEMPLATE_HEADERS) + "\r\n")
    for line in claim.lines.select_related("post__role").order_by("post__person_name"):
        if line.salary is None:
            continue
        forenames, _, surname = line.post.person_name.rpartition(" ")
        name = f"{surname.upper()}, {forenames}" if forenames else surname
        fee = f"{line.subcontract_fee:.2f}" if line.subcontract_fee else ""
        cells = [
            f'"{name}"',
            line.post.registration_number,
            line.post.role.name,
            f"{DEMO_MONTH:%Y-%m}",
            f"{line.salary:.2f}",
            f"{line.employer_ni:.2f}",
            f"{line.employer_pension:.2f}",
            fee,
        ]
        out.write(",".join(cells) + "\r\n")
    return SimpleUploadedFile(FILE_NAME, out.getvalue().encode())


def seed_demo(*, stdout) -> None:
    director = User.objects.filter(username="demo-director").select_related("pcn").first()
    if director is None:
        stdout.write("Payroll: demo users not found; load the register first. Skipped.")
        return
    manager = User.objects.filter(username="demo-practice").first() or director
    claim = Claim.objects.filter(pcn=director.pcn, month=DEMO_MONTH, kind=Claim.Kind.NORMAL).first()
    if (
        claim is None
        or claim.payroll_uploads.filter(status=PayrollUpload.Status.CONFIRMED).exists()
    ):
        stdout.write("Payroll: 0 demo payroll uploads added.")
        return
    if not claim.is_editable:
        stdout.write(f"Payroll: {claim} is no longer a draft; no demo payroll upload.")
        return
    try:
        with emails.muted():
            upload = services.payroll_upload_receive(
                claim=claim, file=_payroll_csv(claim), by=manager
            )
            services.payroll_upload_confirm(upload=upload, by=manager)
    except ValidationError as error:
        stdout.write(f"Payroll: no demo payroll upload: {' '.join(error.messages)}")
        return
    stdout.write(f"Payroll: 1 demo payroll upload added for {claim}.")
