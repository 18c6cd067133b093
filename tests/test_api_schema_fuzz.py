"""Every API operation, fuzzed from the API's own OpenAPI schema: whatever a client sends, the
answer is never a server error (5xx).

Schemathesis reads /api/schema/ from the Django app through WSGI (no server) and, for each
operation, sends valid and invalid requests built from the schema, as a superuser and as a
commissioner's staff. Path ids are pointed at seeded rows, so writes meet real claims, posts
and PCNs rather than 404s.

The superuser, who reaches every write, also gets the coverage phase (every boundary and
wrong-type case the schema implies); commissioner staff get the random examples only, to keep
the run near two and a half minutes. API_FUZZ_EXAMPLES sets the random examples per operation
(25 by default), API_FUZZ_COVERAGE=all gives both personas the coverage phase, and
API_FUZZ_RANDOM=true explores fresh inputs instead of the same ones each run.
"""

import datetime as dt
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error

from pcn_admin.wsgi import application
from reimbursement.models import Claim, ClaimLine
from tests.networks.factories import ListSizeFactory, PracticeFactory
from tests.pcn_admin.factories import UserFactory
from tests.referrals.factories import AssignedReferralFactory, OrganisationFactory, ServiceFactory
from tests.reimbursement.factories import ClaimFactory, ClaimLineFactory, make_batch_world
from tests.roles.factories import RateFactory

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "25"))
RANDOM = os.environ.get("API_FUZZ_RANDOM", "").lower() in ("1", "true", "yes")
COVERAGE_FOR_ALL = os.environ.get("API_FUZZ_COVERAGE", "").lower() == "all"

pytestmark = pytest.mark.django_db(transaction=True)


def _load_schema(*, coverage: bool):
    # The coverage phase sends every boundary and wrong-type case the schema implies (a JSON
    # array for an object body, say) whatever max_examples is: thorough, and most of the cost.
    config = schemathesis.config.SchemathesisConfig.from_dict(
        {"phases": {"coverage": {"enabled": coverage}}}
    )
    return schemathesis.openapi.from_wsgi("/api/schema/", application, config=config)


@pytest.fixture
def schema_with_coverage(transactional_db):
    return _load_schema(coverage=True)


@pytest.fixture
def schema_fuzz_only(transactional_db):
    return _load_schema(coverage=COVERAGE_FOR_ALL)


schema_covered = schemathesis.pytest.from_fixture("schema_with_coverage")
schema_fuzzed = schemathesis.pytest.from_fixture("schema_fuzz_only")


@pytest.fixture
def seeded(transactional_db):
    """A commissioner's area with a payment batch, a draft and a submitted claim, a post, a
    rate, the directory and a referral: one row behind each id in the API's paths."""
    world = make_batch_world()
    july = dt.date(2025, 7, 1)
    draft = ClaimFactory(pcn=world.pcn, month=july, status=Claim.Status.DRAFT)
    draft_line = ClaimLineFactory(claim=draft, post__employing_practice=world.payee_practice)
    submitted = ClaimFactory(pcn=world.other_pcn, month=july, status=Claim.Status.SUBMITTED)
    submitted_line = ClaimLineFactory(
        claim=submitted,
        post__employing_practice=world.other_payee_practice,
        status=ClaimLine.Status.PENDING,
    )
    ListSizeFactory(practice=world.payee_practice, date=dt.date(2025, 1, 1))
    organisation = OrganisationFactory()
    return {
        "world": world,
        "unused_practice": PracticeFactory(commissioner=world.commissioner),
        "draft": draft,
        "draft_line": draft_line,
        "submitted": submitted,
        "submitted_line": submitted_line,
        "rate": RateFactory(),
        "organisation": organisation,
        "service": ServiceFactory(organisation=organisation),
        "referral": AssignedReferralFactory(pcn=world.pcn),
    }


def path_ids(seeded, path: str, method: str) -> dict:
    """Real ids for the operation's path: a claim in the state its action needs."""
    world = seeded["world"]
    reviewing = any(word in path for word in ("approve", "reject", "return"))
    claim, line = (
        (seeded["submitted"], seeded["submitted_line"])
        if reviewing
        else (seeded["draft"], seeded["draft_line"])
    )
    if path.startswith("/api/v1/claims/"):
        return {"id": claim.pk, "line_pk": line.pk}
    practice = seeded["unused_practice"] if method == "DELETE" else world.payee_practice
    by_collection = {
        "batches": {"reference": world.batch.reference},
        "commissioners": {"code": world.commissioner.code},
        "organisations": {"id": seeded["organisation"].pk},
        "pcns": {"code": world.pcn.code, "pcn_code": world.pcn.code},
        "posts": {"id": seeded["draft_line"].post_id},
        "practices": {"code": practice.code},
        "rates": {"id": seeded["rate"].pk},
        "referrals": {"id": seeded["referral"].pk},
        "roles": {"code": seeded["draft_line"].post.role.code},
        "services": {"id": seeded["service"].pk},
    }
    return by_collection.get(path.split("/")[3], {})


_tokens: dict[int, str] = {}


def token_for(user) -> str:
    """The user's API token; a new one when the fuzzed revoke endpoints have revoked it."""
    token = _tokens.get(user.pk)
    if token is None or not AuthToken.objects.filter(user=user, token_key=token[:15]).exists():
        _, token = AuthToken.objects.create(user)
        _tokens[user.pk] = token
    return token


def fuzz(case, seeded, user):
    if case.path_parameters:
        ids = path_ids(seeded, case.path, case.method.upper())
        case.path_parameters = {
            name: ids.get(name, value) for name, value in case.path_parameters.items()
        }
    case.call_and_validate(
        headers={"Authorization": f"Token {token_for(user)}"}, checks=[not_a_server_error]
    )


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    suppress_health_check=list(HealthCheck),
)


@schema_covered.parametrize()
@FUZZ_SETTINGS
def test_no_request_is_a_server_error_for_a_superuser(case, seeded):
    superuser = UserFactory(username="fuzz-superuser", is_superuser=True, is_staff=True)
    fuzz(case, seeded, superuser)


@schema_fuzzed.parametrize()
@FUZZ_SETTINGS
def test_no_request_is_a_server_error_for_commissioner_staff(case, seeded):
    fuzz(case, seeded, seeded["world"].reviewer)
