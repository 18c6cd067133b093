"""Demo data for social prescribing: an invented Northumberland directory (directory.py),
forty invented people's referrals in every state and two waiting in the new-referrals queue,
one a self-referral (caseload.py). Safe to run twice: the second run changes nothing.

Every person is invented; NHS numbers come from the never-issued 999 range and pass modulus 11.
"""

from pcn_admin.models import User

from .caseload import demo_nhs_numbers, seed_referrals, seed_waiting_referrals
from .directory import DEMO_CHARITY, seed_directory

__all__ = ["DEMO_CHARITY", "demo_nhs_numbers", "seed_demo"]


def seed_demo(*, stdout) -> None:
    directory = seed_directory(stdout)
    if not User.objects.filter(username="demo-linkworker").exists():
        stdout.write("No demo link worker: skipped social prescribing referrals.")
        return
    seed_referrals(stdout, directory)
    seed_waiting_referrals(stdout)
