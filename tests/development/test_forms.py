"""The development funding forms speak plain English: no field is left with Django's stock
message (decision 0013)."""

import pytest

from development import forms
from development.models import Commitment
from networks.models import PCN
from tests.pcn_admin.test_plain_errors import FORM_VALIDATOR_CODES, _form_stock

from .factories import AllocationFactory

pytestmark = pytest.mark.django_db


def test_no_development_form_field_is_left_with_a_stock_message():
    allocation = AllocationFactory()
    every_form = [
        forms.AllocationForm(commissioners=type(allocation.commissioner).objects.all()),
        forms.EarmarkForm(),
        forms.CommitmentForm(allocation=allocation),
        forms.SpendForm(),
        forms.BackfillClaimForm(funding=Commitment.objects.all()),
        forms.BackfillReviewForm(),
        forms.BaselinePostForm(pcns=PCN.objects.all()),
    ]
    stock_left = []
    for form in every_form:
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
