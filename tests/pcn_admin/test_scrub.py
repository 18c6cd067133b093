"""scrub_personal_data: a copy of the database that can be shared keeps no one's details."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from simple_history.utils import update_change_reason

from pcn_admin.models import User
from referrals.models import AuditEvent, Referral
from referrals.validators import is_valid_nhs_number
from reimbursement.models import Claim, ClaimLine
from roles.models import Post
from tests.networks.factories import ClinicalDirectorFactory
from tests.pcn_admin.factories import LinkWorkerUserFactory, UserFactory
from tests.referrals.factories import (
    AssignedReferralFactory,
    ContactFactory,
    OnwardReferralFactory,
    ReferralStatusChangeFactory,
)
from tests.reimbursement.factories import ClaimLineFactory
from tests.roles.factories import PostFactory

pytestmark = pytest.mark.django_db

NHS_NUMBER = "9434765919"  # a valid number the invented ones (999 range) can never repeat
# Everything identifying the world below holds; none of it may survive the scrub.
ORIGINALS = (
    "Margaret",
    "Elliot",
    NHS_NUMBER,
    "12 Quay Road",
    "Henrietta",
    "Blackwood",
    "hblackwood",
    "Priya",
    "Ramanathan",
    "GPHC2233445",
    "2873.17",
    "311.42",
    "402.88",
    "Oluwaseun",
    "Adeyemi",
)


@pytest.fixture
def world(client):
    worker = LinkWorkerUserFactory(
        username="hblackwood",
        first_name="Henrietta",
        last_name="Blackwood",
        email="henrietta.blackwood@nhs.net",
    )
    referral = AssignedReferralFactory(
        link_worker=worker,
        pcn=worker.pcn,
        given_name="Margaret",
        family_name="Elliot",
        nhs_number=NHS_NUMBER,
        date_of_birth=dt.date(1950, 5, 17),
        email="margaret.elliot@example.com",
        address="12 Quay Road, Blyth",
        what_matters="Margaret misses her allotment.",
    )
    ReferralStatusChangeFactory(referral=referral, note="Margaret Elliot called back.")
    ContactFactory(referral=referral, notes="Margaret was tearful.")
    OnwardReferralFactory(referral=referral, message="Margaret Elliot uses a stick.")
    AuditEvent.objects.create(
        user=worker,
        username=worker.username,
        action="view",
        model="referrals.Referral",
        record_id=str(referral.pk),
    )
    post = PostFactory(person_name="Priya Ramanathan", registration_number="GPHC2233445")
    update_change_reason(post, "Priya Ramanathan's hours corrected")
    ClaimLineFactory(
        post=post,
        claim__pcn=post.pcn,
        salary=Decimal("2873.17"),
        employer_ni=Decimal("311.42"),
        employer_pension=Decimal("402.88"),
        cost=Decimal("3587.47"),
    )
    ClinicalDirectorFactory(name="Dr Oluwaseun Adeyemi")
    LogEntry.objects.create(
        user=worker,
        content_type=ContentType.objects.get_for_model(Post),
        object_id=str(post.pk),
        object_repr=str(post)[:200],
        action_flag=CHANGE,
    )
    admin = UserFactory(username="root-admin", is_superuser=True, is_staff=True)
    client.force_login(worker)  # a session
    AuthToken.objects.create(user=worker)
    TOTPDevice.objects.create(user=admin, name="Henrietta's phone")
    return {"worker": worker, "admin": admin, "referral": referral}


def everything_in_the_database() -> str:
    """Every row of every table (history, sessions and the admin's log included), as text."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(rows)


def scrub(*options) -> str:
    out = StringIO()
    call_command("scrub_personal_data", "--yes-this-is-a-copy", *options, stdout=out)
    return out.getvalue()


def test_no_name_nhs_number_or_salary_survives_anywhere(world, settings):
    settings.DEBUG = True
    before = everything_in_the_database()
    assert all(value in before for value in ORIGINALS)  # the search can find them

    scrub()

    after = everything_in_the_database()
    survivors = [value for value in ORIGINALS if value in after]
    assert survivors == []


def test_the_invented_values_are_usable(world, settings):
    settings.DEBUG = True
    scrub()

    referral = Referral.objects.get(pk=world["referral"].pk)
    assert referral.nhs_number.startswith("999") and is_valid_nhs_number(referral.nhs_number)
    assert referral.given_name and referral.family_name
    assert referral.date_of_birth.year == 1950
    line = ClaimLine.objects.get()
    assert line.salary + line.employer_ni + line.employer_pension == line.cost
    worker = User.objects.get(pk=world["worker"].pk)
    assert worker.email.endswith("@example.org")
    assert AuditEvent.objects.get().username == worker.username  # the log still matches


def test_counts_of_referrals_and_claims_are_unchanged(world, settings):
    settings.DEBUG = True
    models = (Referral, Claim, ClaimLine, Post, User, AuditEvent, Post.history.model)
    before = {model: model.objects.count() for model in models}

    scrub()

    assert {model: model.objects.count() for model in models} == before


def test_passwords_sessions_tokens_and_devices_go(world, settings):
    settings.DEBUG = True
    output = scrub()

    assert not any(user.has_usable_password() for user in User.objects.all())
    assert not AuthToken.objects.exists() and not TOTPDevice.objects.exists()
    assert "sessions.Session: deleted: 1" in output


def test_superusers_may_keep_their_sign_in(world, settings):
    settings.DEBUG = True
    scrub("--keep-superusers")

    admin = User.objects.get(pk=world["admin"].pk)
    assert admin.username == "root-admin" and admin.check_password("correct-horse-battery")
    assert not User.objects.get(pk=world["worker"].pk).has_usable_password()


def test_it_refuses_without_being_told_it_is_a_copy(world, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="--yes-this-is-a-copy"):
        call_command("scrub_personal_data")
    assert Referral.objects.get(pk=world["referral"].pk).given_name == "Margaret"


def test_it_refuses_with_debug_off_unless_forced(world, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off.*--force"):
        scrub()
    assert Referral.objects.get(pk=world["referral"].pk).given_name == "Margaret"

    scrub("--force")
    assert Referral.objects.get(pk=world["referral"].pk).given_name != "Margaret"
