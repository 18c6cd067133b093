"""Load the demo: one commissioner's real PCNs and practices, one user of each role, and each
app's own demo data. Safe to run again: it changes nothing the second time."""

from django.core.management.base import BaseCommand
from django.db import transaction

from claim_cycle import seed as claim_cycle_seed
from development import seed as development_seed
from evidence import seed as evidence_seed
from maturity import seed as maturity_seed
from networks import demo as register_demo
from referrals import seed as referrals_seed
from reimbursement import seed as reimbursement_seed
from reimbursement import seed_payroll as payroll_seed
from reimbursement import seed_reported as reported_payments_seed
from roles import seed as roles_seed
from workforce import seed as workforce_seed

from ... import demo


class Command(BaseCommand):
    help = "Load demo data (Northumberland's real PCNs and invented people). Safe to repeat."

    def handle(self, *args, **options):
        with transaction.atomic():
            register_demo.seed_register(stdout=self.stdout)
            users = demo.seed_users()
            for app_seed in (
                roles_seed,
                referrals_seed,
                reimbursement_seed,
                reported_payments_seed,
                payroll_seed,
                evidence_seed,
                workforce_seed,
                development_seed,
                maturity_seed,
                claim_cycle_seed,  # after the claims and batches it reminds about
            ):
                app_seed.seed_demo(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/"))
        self.stdout.write(f"Every demo login uses the password: {demo.DEMO_PASSWORD}")
        for user in users:
            self.stdout.write(
                f"  {user.username:<20} {user.get_role_display() or 'superuser':<32}"
                f" {user.organisation_name}"
            )
