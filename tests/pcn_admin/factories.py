"""Users of each role, each tied to its organisation."""

import factory

from pcn_admin.models import Role, User
from tests.networks.factories import CommissionerFactory, PCNFactory, PracticeFactory


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.nhs.uk")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class CommissionerStaffFactory(UserFactory):
    role = Role.COMMISSIONER_STAFF
    commissioner = factory.SubFactory(CommissionerFactory)
    is_staff = True


class ClinicalDirectorUserFactory(UserFactory):
    role = Role.CLINICAL_DIRECTOR
    pcn = factory.SubFactory(PCNFactory)


class LinkWorkerUserFactory(UserFactory):
    role = Role.LINK_WORKER
    pcn = factory.SubFactory(PCNFactory)


class PracticeManagerFactory(UserFactory):
    role = Role.PRACTICE_MANAGER
    practice = factory.SubFactory(PracticeFactory)


class CommunityOrganisationUserFactory(UserFactory):
    role = Role.COMMUNITY_ORGANISATION
    organisation = factory.SubFactory("tests.referrals.factories.OrganisationFactory")
