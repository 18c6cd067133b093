"""No Django or DRF stock message reaches a user: every form and API field says, in plain
English, what is wrong and what to type (pcn_admin/plain_errors.py)."""

import datetime as dt

import pytest
from django.core import validators
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from evidence.forms import AttachmentForm
from networks.api import NominatedPayeeSerializer, PCNSerializer, PracticeSerializer
from networks.forms import NationalFileForm
from networks.models import PCN, Practice
from pcn_admin.auth_views import CodeForm, TokenRequestSerializer
from referrals import forms as referral_forms
from referrals.api import OrganisationSerializer, ServiceSerializer
from reimbursement import forms as claim_forms
from reimbursement import payroll, payroll_forms, review_forms, services
from reimbursement.api.claims import (
    ClaimCreateSerializer,
    ClaimLineSerializer,
    QuerySerializer,
    ReasonSerializer,
    SubmitSerializer,
)
from reimbursement.reconciliation_forms import ReconciliationForm
from roles.api import PostEndSerializer, PostSerializer, RateSerializer
from roles.forms import PostEndForm, PostForm
from roles.models import Role
from tests.maturity.factories import maturity_forms
from tests.networks.factories import MembershipFactory, PCNFactory
from tests.pcn_admin.factories import (
    ClinicalDirectorUserFactory,
    LinkWorkerUserFactory,
    UserFactory,
)
from tests.referrals.factories import AssignedReferralFactory, ReferralSourceFactory
from tests.reimbursement.factories import JUNE, ClaimLineFactory
from tests.roles.factories import PostFactory

pytestmark = pytest.mark.django_db


def _form_stock(field) -> dict:
    stock = {}
    for cls in reversed(type(field).__mro__):
        stock.update(getattr(cls, "default_error_messages", {}))
    return stock


# The codes a form field's own validators raise: a field without a message of its own for them
# shows Django's ("Ensure this value has at most 100 characters (it has 101).").
FORM_VALIDATOR_CODES = {
    validators.MaxLengthValidator: ["max_length"],
    validators.MinLengthValidator: ["min_length"],
    validators.MaxValueValidator: ["max_value"],
    validators.MinValueValidator: ["min_value"],
    validators.DecimalValidator: ["max_digits", "max_decimal_places", "max_whole_digits"],
    validators.EmailValidator: ["invalid"],
    validators.ProhibitNullCharactersValidator: ["null_characters_not_allowed"],
}


def _payroll_match_form():
    cells = {"row": 2, "name": "Priya Shah", "month": "2025-06", "salary": "1", "employer_ni": "1"}
    rows, _ = payroll.check_rows([{**cells, "employer_pension": "1"}], JUNE)
    staff = [payroll.StaffMember(1, "Priya Shah", "", "Clinical pharmacist")]
    return payroll_forms.PayrollMatchForm(matching=payroll.match_rows(rows, staff), staff=staff)


def _every_form():
    pcn = PCNFactory()
    practices = Practice.objects.filter(pk=MembershipFactory(pcn=pcn).practice.pk)
    line = ClaimLineFactory()
    referral = AssignedReferralFactory()
    return [
        PostForm(pcns=PCN.objects.filter(pk=pcn.pk)),
        PostEndForm(),
        claim_forms.ClaimStartForm(pcns=PCN.objects.filter(pk=pcn.pk)),
        claim_forms.ClaimLineForm(line=line),
        claim_forms.LineCostsPreviewForm(),
        claim_forms.ClaimDeclarationForm(),
        claim_forms.LineDecisionForm(),
        claim_forms.ClaimReturnForm(),
        payroll_forms.PayrollUploadForm(),
        _payroll_match_form(),
        review_forms.BulkReviewForm(user=UserFactory(is_superuser=True)),
        review_forms.BulkApproveForm(),
        ReconciliationForm(years=[2022], imported={2022}),
        AttachmentForm(),
        referral_forms.ReferralForm(pcn=pcn, practices=practices),
        referral_forms.StatusChangeForm(referral=referral),
        referral_forms.ContactForm(),
        referral_forms.OnwardReferralForm(),
        referral_forms.OutcomeForm(),
        referral_forms.GPAppointmentsForm(instance=referral),
        referral_forms.CaseStudyForm(),
        referral_forms.OnwardResponseForm(),
        referral_forms.SelfReferralForm(),
        NationalFileForm(),
        CodeForm(),
        *maturity_forms(pcn),
    ]


def test_no_form_field_is_left_with_a_stock_message():
    stock_left = []
    for form in _every_form():
        for name, field in form.fields.items():
            stock = _form_stock(field)
            codes = set(stock)
            for validator in field.validators:
                codes.update(FORM_VALIDATOR_CODES.get(type(validator), []))
            for code in codes:
                message = field.error_messages.get(code)
                if message is None or message == stock.get(code):
                    stock_left.append(f"{type(form).__name__}.{name}: {code}")
    assert stock_left == []


SERIALIZERS = [
    PostSerializer,
    PostEndSerializer,
    RateSerializer,
    ClaimLineSerializer,
    ClaimCreateSerializer,
    SubmitSerializer,
    ReasonSerializer,
    QuerySerializer,
    ServiceSerializer,
    OrganisationSerializer,
    PracticeSerializer,
    PCNSerializer,
    NominatedPayeeSerializer,
    TokenRequestSerializer,
]
STOCK_API_WORDS = (
    "Ensure ",
    "A valid",
    "valid integer",
    "not a valid",
    "Invalid pk",
    "Object with",
)


def _api_stock(field) -> dict:
    stock = {}
    for cls in reversed(type(field).__mro__):
        stock.update(getattr(cls, "default_error_messages", {}))
    return stock


def test_no_api_field_is_left_with_a_stock_message():
    stock_left = []
    for serializer_class in SERIALIZERS:
        for name, field in serializer_class().fields.items():
            if field.read_only:
                continue
            fields = [field, getattr(field, "child_relation", None)]
            for each in filter(None, fields):
                stock = _api_stock(each)
                for code, message in each.error_messages.items():
                    if str(message) == str(stock.get(code)):
                        stock_left.append(f"{serializer_class.__name__}.{name}: {code}")
                for validator in each.validators:
                    text = str(getattr(validator, "message", ""))
                    if any(words in text for words in STOCK_API_WORDS):
                        stock_left.append(f"{serializer_class.__name__}.{name}: {text}")
    assert stock_left == []


def test_a_stock_message_a_form_chose_itself_is_kept():
    form = claim_forms.LineCostsPreviewForm({"salary": "NaN"})
    assert not form.is_valid()
    assert form.errors["salary"] == ["Enter an amount in pounds and pence, for example 3500.00."]


# What people see --------------------------------------------------------------------------


@pytest.fixture
def area():
    pcn = PCNFactory()
    return pcn, MembershipFactory(pcn=pcn).practice


def _post_data(pcn, practice, **overrides):
    return {
        "pcn": pcn.pk,
        "role": Role.objects.get(code="social_prescribing_link_worker").pk,
        "person_name": "New Worker",
        "employing_practice": practice.pk,
        "subcontractor_name": "",
        "start_date": "2025-05-01",
        "region": "national",
        "hours": "30",
        **overrides,
    }


@pytest.mark.parametrize(
    "field, typed, message",
    [
        ("hours", "lots", "Enter the contracted hours a week as a number, for example 37.5."),
        ("hours", "1000", "The contracted hours a week must be less than 1,000. Check the number."),
        (
            "hours",
            "37.125",
            "Enter the contracted hours a week with no more than 2 decimal places, for example "
            "37.5.",
        ),
        ("hours", "0", "The contracted hours a week must be more than 0."),
        ("hours", "", "Enter the contracted hours a week."),
        (
            "start_date",
            "2025-02-30",
            "Enter the start date as a real date, for example 31/03/2025.",
        ),
        ("role", "999999", "Choose the role from the list: the choice sent is not offered."),
    ],
)
def test_the_post_form_says_what_to_type(client, area, field, typed, message):
    pcn, practice = area
    client.force_login(ClinicalDirectorUserFactory(pcn=pcn))
    response = client.post(
        reverse("roles:post_create"), _post_data(pcn, practice, **{field: typed})
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]


def test_the_referral_form_says_what_to_type(client):
    member = MembershipFactory()
    worker = LinkWorkerUserFactory(pcn=member.pcn)
    client.force_login(worker)
    response = client.post(
        reverse("referrals:create"),
        {
            "given_name": "Jean",
            "family_name": "Robson",
            "date_of_birth": "1948-02-30",
            "preferred_contact_method": "by pigeon",
            "practice": member.practice.pk,
            "source": ReferralSourceFactory().pk,
            "reasons": ["not a reason"],
            "consent_given": "on",
        },
    )
    errors = response.context["form"].errors
    assert errors["date_of_birth"] == [
        "Enter the date of birth as a real date, for example 31/03/2025."
    ]
    assert errors["preferred_contact_method"] == [
        "Choose the preferred contact method from the list: the choice sent is not offered."
    ]
    assert errors["reasons"] == ["Choose from the list: one of the choices sent is not offered."]


def test_the_wellbeing_form_asks_for_scores_from_0_to_10(client):
    referral = AssignedReferralFactory()
    client.force_login(referral.link_worker)
    response = client.post(
        reverse("referrals:outcome_add", args=[referral.pk]),
        {
            "instrument": "ons4",
            "time_point": "baseline",
            "date": "2025-06-02",
            "self_completed": "on",
            "life_satisfaction": "11",
            "worthwhile": "seven",
            "happy": "-1",
            "anxious": "3",
        },
    )
    errors = response.context["outcome_form"].errors
    assert errors["life_satisfaction"] == ["Enter a score from 0 to 10."]
    assert errors["worthwhile"][0] == (
        "Enter the score as a whole number from 0 to 10, for example 7."
    )
    assert errors["happy"] == ["Enter a score from 0 to 10."]


@pytest.mark.parametrize(
    "minutes, message",
    [
        ("half an hour", "Enter how long the contact took in whole minutes, for example 30."),
        ("601", "Enter 600 minutes or fewer. Check the minutes."),
        ("", "Enter how long the contact took, in minutes."),
    ],
)
def test_the_contact_form_asks_for_minutes(client, minutes, message):
    referral = AssignedReferralFactory()
    client.force_login(referral.link_worker)
    response = client.post(
        reverse("referrals:contact_add", args=[referral.pk]),
        {"date": "2025-06-02", "kind": "phone", "duration_minutes": minutes},
    )
    assert response.context["contact_form"].errors["duration_minutes"] == [message]


def test_the_public_form_speaks_to_the_person(client):
    from django.core.cache import cache

    cache.clear()
    response = client.post(
        reverse("referrals:self_referral"),
        {"given_name": "", "preferred_contact_method": "", "reasons": [], "email": "ivy@"},
    )
    errors = response.context["form"].errors
    assert errors["given_name"] == ["Enter your first name."]
    assert errors["preferred_contact_method"] == ["Choose how we should contact you."]
    assert errors["reasons"] == ["Choose at least one thing you would like help with."]
    assert errors["email"] == [
        "Enter an email address in the correct format, like name@example.com."
    ]
    cache.clear()


def test_a_claim_month_before_pcns_began_says_so_on_the_page(client, area):
    pcn, _ = area
    client.force_login(ClinicalDirectorUserFactory(pcn=pcn))
    response = client.post(
        reverse("reimbursement:claim_create"), {"pcn": pcn.pk, "month": "2019-06", "kind": "normal"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["month"] == [
        "June 2019 is before PCNs existed. PCNs began on 1 July 2019: choose July 2019 or later."
    ]
    assert 'min="2019-07"' in response.content.decode()


def test_a_claim_for_july_2019_can_be_started(area):
    pcn, _ = area
    claim = services.claim_create(
        pcn=pcn, month=dt.date(2019, 7, 1), by=ClinicalDirectorUserFactory(pcn=pcn)
    )
    assert claim.month == dt.date(2019, 7, 1)


# The API ----------------------------------------------------------------------------------


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_says_what_to_send(area):
    pcn, practice = area
    api = _api(ClinicalDirectorUserFactory(pcn=pcn))
    payload = {
        "pcn": "U99999",
        "role": "social_prescribing_link_worker",
        "person_name": "Api Worker",
        "employing_practice": practice.code,
        "start_date": "1 April",
        "hours": "1000",
        "region": "mars",
    }
    errors = api.post("/api/v1/posts/", payload, format="json").json()
    assert errors["pcn"] == ["There is no “pcn” with the code “U99999”. Check the code."]
    assert errors["hours"] == ["“hours” must be less than 1,000. Check the number."]
    assert errors["start_date"] == ["Give “start_date” as a date, for example 2025-03-31."]
    assert errors["region"] == [
        "“mars” is not one of the choices for “region”: national, outer_london, inner_london."
    ]


def test_the_api_says_what_to_send_for_a_claim_line(area):
    pcn, _ = area
    director = ClinicalDirectorUserFactory(pcn=pcn)
    PostFactory(pcn=pcn, employing_practice=area[1])
    claim = services.claim_create(pcn=pcn, month=JUNE, by=director)
    line = claim.lines.get()
    url = f"/api/v1/claims/{claim.pk}/lines/{line.pk}/"
    response = _api(director).patch(url, {"salary": "lots", "employer_ni": "1.234"}, format="json")
    assert response.json()["salary"] == ["Give “salary” as a number, for example 3500.00."]
    assert response.json()["employer_ni"] == [
        "Give “employer_ni” with no more than 2 decimal places, for example 400.00."
    ]
    response = _api(director).patch(url, {"salary": "2000000"}, format="json")
    assert response.json()["salary"] == ["“salary” must be 1,000,000 or less."]


def test_a_limit_drf_sets_at_start_up_is_in_plain_english_too():
    admin = UserFactory(is_superuser=True, is_staff=True)
    payload = {
        "role": "dietitian",
        "region": "national",
        "effective_from": timezone.localdate().replace(day=1).isoformat(),
        "annual_max": "0",
        "provenance": "published",
        "basis": "Test",
    }
    response = _api(admin).post("/api/v1/rates/", payload, format="json")
    assert response.json()["annual_max"] == ["“annual_max” must be more than 0."]
