"""The migration that gives directory rows their Open Referral UK UUIDs fills the rows that
were already there, each with its own, and then requires one (referrals 0006)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("referrals", "0005_referral_anonymised_at")]
AFTER = [("referrals", "0006_oruk_uuids")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_directory_rows_each_get_their_own_uuid():
    old = migrate(BEFORE)
    organisation_model = old.get_model("referrals", "Organisation")
    service_model = old.get_model("referrals", "Service")
    taxonomy = old.get_model("referrals", "Taxonomy").objects.create(name="Migration test")
    term_model = old.get_model("referrals", "TaxonomyTerm")
    for n in range(3):
        organisation = organisation_model.objects.create(name=f"Group {n}")
        service_model.objects.create(organisation=organisation, name=f"Walk {n}", description="-")
        term_model.objects.create(taxonomy=taxonomy, name=f"Term {n}")
    try:
        new = migrate(AFTER)
        for name in ("Organisation", "Service", "Taxonomy", "TaxonomyTerm"):
            rows = new.get_model("referrals", name).objects.values_list("uuid", flat=True)
            uuids = list(rows)
            assert uuids and None not in uuids, name
            assert len(set(uuids)) == len(uuids), name
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
