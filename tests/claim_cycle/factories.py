"""One factory per claim_cycle model."""

import datetime as dt

import factory

from claim_cycle import models


class ClaimWindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ClaimWindow

    commissioner = factory.SubFactory("tests.networks.factories.CommissionerFactory")
    rule = models.ClaimWindow.Rule.WORKING_DAY
    day = 3
    reminder_working_days = 3
    review_wait_working_days = 5


class FinanceLayoutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.FinanceLayout

    commissioner = factory.SubFactory("tests.networks.factories.CommissionerFactory")


class FinanceLayoutColumnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.FinanceLayoutColumn

    layout = factory.SubFactory(FinanceLayoutFactory)
    position = factory.Sequence(lambda n: n + 1)
    field = models.FinanceField.PCN_CODE


class ReminderMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ReminderMessage

    kind = models.ReminderMessage.Kind.DEADLINE
    key = factory.Sequence(lambda n: f"test:{n}")
    commissioner = factory.SubFactory("tests.networks.factories.CommissionerFactory")
    month = dt.date(2025, 6, 1)
    recipient = factory.SubFactory("tests.pcn_admin.factories.PracticeManagerFactory")
    address = factory.LazyAttribute(lambda o: o.recipient.email)
    subject = "ARRS claim due"
    body = "Your claim is due."
