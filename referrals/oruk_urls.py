"""The Open Referral UK feed; the project mounts it at /openreferral/."""

from django.urls import path

from . import oruk

urlpatterns = [
    path("", oruk.api_details, name="oruk-root"),
    path("services", oruk.services, name="oruk-services"),
    path("services/<str:pk>", oruk.service_detail, name="oruk-service"),
    path("taxonomies", oruk.taxonomies, name="oruk-taxonomies"),
    path("taxonomies/<str:pk>", oruk.taxonomy_detail, name="oruk-taxonomy"),
    path("taxonomy_terms", oruk.taxonomy_terms, name="oruk-taxonomy-terms"),
    path("taxonomy_terms/<str:pk>", oruk.taxonomy_term_detail, name="oruk-taxonomy-term"),
    path("service_at_locations", oruk.service_at_locations, name="oruk-service-at-locations"),
    path(
        "service_at_locations/<str:pk>",
        oruk.service_at_location_detail,
        name="oruk-service-at-location",
    ),
]
