"""The Open Referral UK read-only feed of the directory (HSDS 3.0, UK profile).

Open to anyone: no key, any origin (CORS for ^/openreferral/ is set in settings), only
directory data (organisations' public contact details, never a referral or a person).

What the ORUK validator checks, and how this feed meets it:
- `/` answers with the HSDS version, the profile and the OpenAPI file the feed follows;
- every id is a UUID, stable across requests: organisations, services, taxonomies and terms
  keep one in their `uuid` column; what the feed derives from a service (its location,
  address, phones, contact, schedule, each service area, its attributes) gets a UUID made
  from the service's and the part's name (uuid5), so it is stable too and never reuses
  another's id;
- lists come in the ORUK page envelope (total_items, total_pages, page_number, size,
  first_page, last_page, empty, contents), and each listed id opens at `<list>/<id>`;
- the profile's required fields are always sent (an empty description as ""); empty optional
  fields are left out rather than sent as null.
"""

import uuid

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from .models import Service, Taxonomy, TaxonomyTerm

DEFAULT_PAGE_SIZE = 50
MAXIMUM_PAGE_SIZE = 200

# What `/` says: the version the ORUK validator reads to choose its checks, and where the
# profile and its OpenAPI description are published.
HSDS_VERSION = "HSDS-UK-3.0"
PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile"
OPENAPI_URL = "https://raw.githubusercontent.com/OpenReferralUK/uk-profile/main/schema/openapi.json"

# UK addresses have no state or province; the profile requires one, so the nation is given.
STATE_PROVINCE = "England"

SERVICE_STATUS = {
    Service.Capacity.OPEN: "active",
    Service.Capacity.WAITING_LIST: "active",
    Service.Capacity.CLOSED: "temporarily closed",
}

# Sent even when empty: the UK profile requires them (service, organisation, taxonomy, term,
# address). Everything else empty is left out.
REQUIRED = frozenset(
    {
        "id",
        "name",
        "description",
        "status",
        "url",
        "taxonomy",
        "address_1",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    }
)


def _compact(value):
    """Drop empty optional fields (None, "", [] and {}), at every depth."""
    if isinstance(value, dict):
        cleaned = {k: _compact(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if k in REQUIRED or v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


def part_id(owner: uuid.UUID, part: str) -> str:
    """A stable UUID for something the feed derives from a directory entry ("location",
    "service_area:blyth", ...): the same entry and part always give the same id."""
    return str(uuid.uuid5(owner, part))


def _json(data, status=200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _not_found(what: str) -> JsonResponse:
    return _json({"error": f"No such {what}."}, status=404)


def _bad_request(message: str) -> JsonResponse:
    return _json({"error": message}, status=400)


def _uuid_or_none(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def _positive_int(request, name: str, default: int) -> int | None:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    try:
        number = int(raw)
    except ValueError:
        return None
    return number if number >= 1 else None


def _paginated(request, queryset: QuerySet, render) -> JsonResponse:
    page_number = _positive_int(request, "page", 1)
    size = _positive_int(request, "per_page", DEFAULT_PAGE_SIZE)
    if page_number is None or size is None:
        return _bad_request("page and per_page must be whole numbers of 1 or more.")
    size = min(size, MAXIMUM_PAGE_SIZE)
    paginator = Paginator(queryset, size, allow_empty_first_page=True)
    try:
        items = list(paginator.page(page_number).object_list)
    except EmptyPage:
        items = []
    total_pages = paginator.num_pages if paginator.count else 0
    return _json(
        {
            "total_items": paginator.count,
            "total_pages": total_pages,
            "page_number": page_number,
            "size": size,
            "first_page": page_number == 1,
            "last_page": page_number >= total_pages,
            "empty": not items,
            "contents": [_compact(render(item)) for item in items],
        }
    )


def _services() -> QuerySet[Service]:
    return (
        Service.objects.filter(is_active=True)
        .select_related("organisation")
        .prefetch_related(
            Prefetch("taxonomy_terms", queryset=TaxonomyTerm.objects.select_related("taxonomy"))
        )
        .order_by("pk")
    )


def _terms() -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.select_related("taxonomy", "parent").order_by("pk")


def _taxonomy_term(term: TaxonomyTerm) -> dict:
    return {
        "id": str(term.uuid),
        "code": term.code,
        "name": term.name,
        "term": term.name,  # the UK profile's name for it
        "description": term.description,
        "parent_id": str(term.parent.uuid) if term.parent_id else None,
        "taxonomy_id": str(term.taxonomy.uuid),
        "taxonomy": term.taxonomy.name,
    }


def _taxonomy(taxonomy: Taxonomy) -> dict:
    return {
        "id": str(taxonomy.uuid),
        "name": taxonomy.name,
        "description": taxonomy.description,
        "uri": taxonomy.uri,
        "version": taxonomy.version,
    }


def _has_location(service: Service) -> bool:
    return bool(service.address.strip() or service.postcode.strip())


def _location(service: Service) -> dict | None:
    if not _has_location(service):
        return None
    lines = [line.strip() for line in service.address.splitlines() if line.strip()]
    location_id = part_id(service.uuid, "location")
    return {
        "id": location_id,
        "name": service.venue_name or service.name,
        "location_type": "physical",
        "addresses": [
            {
                "id": part_id(service.uuid, "address"),
                "location_id": location_id,
                "address_1": lines[0] if lines else service.venue_name or service.name,
                "address_2": ", ".join(lines[1:-1]) if len(lines) > 2 else "",
                "city": lines[-1] if len(lines) > 1 else "",
                "state_province": STATE_PROVINCE,
                "postal_code": service.postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ],
    }


def _eligibility(service: Service) -> str:
    parts = [service.conditions.strip()]
    if service.must_be_accompanied_by_carer:
        parts.append("Must be accompanied by a carer.")
    return " ".join(p for p in parts if p)


def _organisation(service: Service) -> dict:
    organisation = service.organisation
    return {
        "id": str(organisation.uuid),
        "name": organisation.name,
        "description": organisation.description,
        "email": organisation.email,
        "website": organisation.website,
    }


def service_summary(service: Service, request) -> dict:
    """A service with its one-to-one fields and organisation, as /services lists it."""
    # The profile requires a URL: the service's website, else its organisation's, else this
    # feed's own page for it.
    url = (
        service.website
        or service.organisation.website
        or request.build_absolute_uri(reverse("oruk-service", args=[service.uuid]))
    )
    return {
        "id": str(service.uuid),
        "organization_id": str(service.organisation.uuid),
        "name": service.name,
        "description": service.description,
        "url": url,
        "email": service.email,
        "status": SERVICE_STATUS[service.capacity],
        "wait_time": "Waiting list" if service.capacity == Service.Capacity.WAITING_LIST else "",
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "eligibility_description": _eligibility(service),
        "assured_date": service.last_reviewed.isoformat(),
        "organization": _organisation(service),
    }


def _phones(service: Service, part: str) -> list[dict]:
    if not service.phone:
        return []
    return [{"id": part_id(service.uuid, part), "number": service.phone}]


def _service_at_location(service: Service) -> dict | None:
    location = _location(service)
    if location is None:
        return None
    return {
        "id": part_id(service.uuid, "service_at_location"),
        "service_id": str(service.uuid),
        "location_id": location["id"],
        "location": location,
    }


def service_full(service: Service, request) -> dict:
    """A service fully nested, as /services/{id} returns it."""
    organisation = service.organisation
    data = service_summary(service, request)
    if organisation.phone:
        data["organization"]["phones"] = [
            {"id": part_id(organisation.uuid, "phone"), "number": organisation.phone}
        ]
    at_location = _service_at_location(service)
    terms = [_taxonomy_term(term) for term in service.taxonomy_terms.all()]
    data.update(
        {
            "application_process": service.how_to_refer,
            "alert": service.not_offered and f"Not offered: {service.not_offered}",
            # Each area its own id, made from its name: stable while the area is listed.
            "service_areas": [
                {
                    "id": part_id(service.uuid, f"service_area:{area.casefold()}"),
                    "service_id": str(service.uuid),
                    "name": area,
                }
                for area in dict.fromkeys(
                    area.strip() for area in service.areas_served.split(",") if area.strip()
                )
            ],
            "phones": _phones(service, "phone"),
            "contacts": [
                {
                    "id": part_id(service.uuid, "contact"),
                    "service_id": str(service.uuid),
                    "name": organisation.name,
                    "email": service.email,
                    "phones": _phones(service, "contact_phone"),
                }
            ]
            if service.email or service.phone
            else [],
            "schedules": [
                {
                    "id": part_id(service.uuid, "schedule"),
                    "service_id": str(service.uuid),
                    "description": service.surgery_attendance,
                }
            ]
            if service.surgery_attendance
            else [],
            "service_at_locations": [at_location] if at_location else [],
            "attributes": [
                {
                    "id": part_id(service.uuid, f"attribute:{term['id']}"),
                    "link_id": str(service.uuid),
                    "link_entity": "service",
                    "taxonomy_term_id": term["id"],
                    "taxonomy_term": term,
                }
                for term in terms
            ],
        }
    )
    return data


# The endpoints -------------------------------------------------------------------------------


@require_GET
def api_details(request):
    """The API's root: which HSDS version and profile it serves, and its OpenAPI file."""
    return _json({"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL})


@require_GET
def services(request):
    return _paginated(request, _services(), lambda service: service_summary(service, request))


@require_GET
def service_detail(request, pk: str):
    if pk.isdigit():
        # Before the feed published UUIDs it used the integer key: send those links on.
        service = Service.objects.filter(pk=int(pk), is_active=True).only("uuid").first()
        if service is None:
            return _not_found("service")
        return HttpResponsePermanentRedirect(reverse("oruk-service", args=[service.uuid]))
    key = _uuid_or_none(pk)
    service = _services().filter(uuid=key).first() if key else None
    if service is None:
        return _not_found("service")
    return _json(_compact(service_full(service, request)))


@require_GET
def taxonomies(request):
    return _paginated(request, Taxonomy.objects.order_by("pk"), _taxonomy)


@require_GET
def taxonomy_detail(request, pk: str):
    key = _uuid_or_none(pk)
    taxonomy = Taxonomy.objects.filter(uuid=key).first() if key else None
    if taxonomy is None:
        return _not_found("taxonomy")
    data = _taxonomy(taxonomy)
    data["taxonomy_terms"] = [_taxonomy_term(term) for term in _terms().filter(taxonomy=taxonomy)]
    return _json(_compact(data))


@require_GET
def taxonomy_terms(request):
    return _paginated(request, _terms(), _taxonomy_term)


@require_GET
def taxonomy_term_detail(request, pk: str):
    key = _uuid_or_none(pk)
    term = _terms().filter(uuid=key).first() if key else None
    if term is None:
        return _not_found("taxonomy term")
    return _json(_compact(_taxonomy_term(term)))


def _located_services() -> QuerySet[Service]:
    return _services().exclude(address="", postcode="")


@require_GET
def service_at_locations(request):
    return _paginated(request, _located_services(), _service_at_location)


@require_GET
def service_at_location_detail(request, pk: str):
    """A service at its location, fully nested. Its id is derived from the service's, so the
    service is found by recomputing the ids of the located services."""
    key = _uuid_or_none(pk)
    if key is None:
        return _not_found("service at location")
    located = Service.objects.filter(is_active=True).exclude(address="", postcode="")
    for service_uuid in located.values_list("uuid", flat=True).iterator(chunk_size=2000):
        if part_id(service_uuid, "service_at_location") == str(key):
            service = _located_services().get(uuid=service_uuid)
            data = _service_at_location(service)
            data["service"] = service_full(service, request)
            return _json(_compact(data))
    return _not_found("service at location")
