"""The workforce forms speak plain English (decision 0013): no field is left with Django's
stock message."""

import pytest

from networks.models import PCN
from tests.pcn_admin.test_plain_errors import FORM_VALIDATOR_CODES, _form_stock
from workforce.forms import PlannedPostForm, PlanStartForm, RecruitForm

from .factories import PlannedPostFactory

pytestmark = pytest.mark.django_db


def test_no_workforce_form_field_is_left_with_a_stock_message():
    planned = PlannedPostFactory()
    forms = [
        PlanStartForm(pcns=PCN.objects.all(), years=[2025, 2026]),
        PlannedPostForm(plan=planned.plan),
        PlannedPostForm(plan=planned.plan, instance=planned),
        RecruitForm(planned=planned),
    ]
    stock_left = []
    for form in forms:
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


def test_a_month_outside_the_plans_year_is_refused_in_words(db):
    planned = PlannedPostFactory()
    form = PlannedPostForm(
        {
            "role": planned.role_id,
            "hours": "37.5",
            "region": "national",
            "start_month": "June 2025",
        },
        plan=planned.plan,
    )
    assert not form.is_valid()
    assert form.errors["start_month"] == ["Enter the month as month and year, for example 2025-06."]
