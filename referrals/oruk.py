"""The Open Referral UK read-only feed of the directory (ORUK v3 field names).

Open to anyone: no key, any origin (CORS for ^/openreferral/ is set in settings), only
directory data (organisations' public contact details, never a referral or a person), and
empty optional fields left out rather than sent as null.
"""

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .models import Service, Taxonomy, TaxonomyTerm

DEFAULT_PAGE_SIZE = 50
MAXIMUM_PAGE_SIZE = 200

SERVICE_STATUS = {
    Service.Capacity.OPEN: "active",
    Service.Capacity.WAITING_LIST: "active",
    Service.Capacity.CLOSED: "temporarily closed",
}


def _compact(value):
    """Drop empty optional fields (None, "", [] and {}), at every depth."""
    if isinstance(value, dict):
        cleaned = {k: _compact(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


def _bad_request(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


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
    return JsonResponse(
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


def _taxonomy_term(term: TaxonomyTerm) -> dict:
    return {
        "id": str(term.pk),
        "code": term.code,
        "name": term.name,
        "description": term.description,
        "parent_id": str(term.parent_id) if term.parent_id else None,
        "taxonomy_id": str(term.taxonomy_id),
        "taxonomy": term.taxonomy.name,
    }


def _location(service: Service) -> dict | None:
    if not (service.address or service.postcode):
        return None
    lines = [line.strip() for line in service.address.splitlines() if line.strip()]
    return {
        "id": str(service.pk),
        "name": service.venue_name or service.name,
        "addresses": [
            {
                "id": str(service.pk),
                "address_1": lines[0] if lines else "",
                "address_2": ", ".join(lines[1:-1]) if len(lines) > 2 else "",
                "city": lines[-1] if len(lines) > 1 else "",
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


def service_summary(service: Service) -> dict:
    organisation = service.organisation
    return {
        "id": str(service.pk),
        "name": service.name,
        "description": service.description,
        "url": service.website,
        "email": service.email,
        "status": SERVICE_STATUS[service.capacity],
        "wait_time": "Waiting list" if service.capacity == Service.Capacity.WAITING_LIST else "",
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "eligibility_description": _eligibility(service),
        "assured_date": service.last_reviewed.isoformat(),
        "organization": {
            "id": str(organisation.pk),
            "name": organisation.name,
            "description": organisation.description,
            "email": organisation.email,
            "website": organisation.website,
        },
        "taxonomy_terms": [_taxonomy_term(term) for term in service.taxonomy_terms.all()],
    }


def service_full(service: Service) -> dict:
    organisation = service.organisation
    location = _location(service)
    data = service_summary(service)
    data["organization"].update(
        {
            "phones": [{"id": f"organisation-{organisation.pk}", "number": organisation.phone}]
            if organisation.phone
            else [],
        }
    )
    data.update(
        {
            "application_process": service.how_to_refer,
            "alert": service.not_offered and f"Not offered: {service.not_offered}",
            "service_areas": [
                {"id": str(service.pk), "name": area.strip()}
                for area in service.areas_served.split(",")
                if area.strip()
            ],
            "phones": [{"id": str(service.pk), "number": service.phone}] if service.phone else [],
            "contacts": [
                {
                    "id": str(service.pk),
                    "name": organisation.name,
                    "email": service.email,
                    "phones": [{"id": str(service.pk), "number": service.phone}]
                    if service.phone
                    else [],
                }
            ]
            if service.email or service.phone
            else [],
            "schedules": [{"id": str(service.pk), "description": service.surgery_attendance}]
            if service.surgery_attendance
            else [],
            "service_at_locations": [
                {"id": str(service.pk), "service_id": str(service.pk), "location": location}
            ]
            if location
            else [],
            "attributes": [
                {
                    "id": f"{service.pk}-{term['id']}",
                    "taxonomy_term_id": term["id"],
                    "taxonomy_term": term,
                }
                for term in data.pop("taxonomy_terms")
            ],
        }
    )
    return data


@require_GET
def services(request):
    return _paginated(request, _services(), service_summary)


@require_GET
def service_detail(request, pk: str):
    if not pk.isdigit():
        return JsonResponse({"error": "No such service."}, status=404)
    service = _services().filter(pk=int(pk)).first()
    if service is None:
        return JsonResponse({"error": "No such service."}, status=404)
    return JsonResponse(_compact(service_full(service)))


@require_GET
def taxonomies(request):
    def render(taxonomy):
        return {
            "id": str(taxonomy.pk),
            "name": taxonomy.name,
            "description": taxonomy.description,
            "uri": taxonomy.uri,
            "version": taxonomy.version,
        }

    return _paginated(request, Taxonomy.objects.order_by("pk"), render)


@require_GET
def taxonomy_terms(request):
    terms = TaxonomyTerm.objects.select_related("taxonomy").order_by("pk")
    return _paginated(request, terms, _taxonomy_term)


@require_GET
def service_at_locations(request):
    located = _services().exclude(address="", postcode="")

    def render(service):
        return {
            "id": str(service.pk),
            "service_id": str(service.pk),
            "location": _location(service),
        }

    return _paginated(request, located, render)
