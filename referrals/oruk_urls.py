"""The Open Referral UK feed; the project mounts it at /openreferral/."""

from django.urls import path

from . import oruk

urlpatterns = [
    path("services", oruk.services, name="oruk-services"),
    path("services/<str:pk>", oruk.service_detail, name="oruk-service"),
    path("taxonomies", oruk.taxonomies, name="oruk-taxonomies"),
    path("taxonomy_terms", oruk.taxonomy_terms, name="oruk-taxonomy-terms"),
    path("service_at_locations", oruk.service_at_locations, name="oruk-service-at-locations"),
]
