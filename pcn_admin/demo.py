"""The demo's people: one user of each role, for `seed_demo`. On the roof with the seed command,
since a community organisation's user needs the referrals app's directory. Every person is
invented."""

from networks import demo
from networks.models import Commissioner, NominatedPayee
from referrals.models import Organisation

from .models import Role, User

DEMO_PASSWORD = "pcn-demo-2026"


def _user(username: str, first: str, last: str, **fields) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@example.nhs.uk",
            **fields,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
    return user


def seed_users() -> list[User]:
    """One user of each role, in the demo area and its largest PCN."""
    commissioner = Commissioner.objects.get(code=demo.DEMO_COMMISSIONER)
    pcn = demo.demo_pcn()
    payee = NominatedPayee.objects.current().get(pcn=pcn).practice
    charity, _ = Organisation.objects.get_or_create(
        name="Northumberland Community Connect", defaults={"kind": Organisation.Kind.CHARITY}
    )
    return [
        _user("admin", "Demo", "Administrator", is_staff=True, is_superuser=True),
        _user(
            "demo-commissioner",
            "Carol",
            "Hindmarsh",
            role=Role.COMMISSIONER_STAFF,
            commissioner=commissioner,
            is_staff=True,
        ),
        _user("demo-director", "Aisha", "Kerr", role=Role.CLINICAL_DIRECTOR, pcn=pcn),
        _user("demo-practice", "Mark", "Elliott", role=Role.PRACTICE_MANAGER, practice=payee),
        _user("demo-linkworker", "Jess", "Pattinson", role=Role.LINK_WORKER, pcn=pcn),
        _user(
            "demo-charity", "Olu", "Adeyemi", role=Role.COMMUNITY_ORGANISATION, organisation=charity
        ),
    ]
