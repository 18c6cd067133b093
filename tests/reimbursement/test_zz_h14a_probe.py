import sqlite3
import pytest
from django.db import connections
from tests.networks.factories import PCNFactory

@pytest.mark.django_db
def test_probe(tmp_path):
    PCNFactory(name="Probe PCN")
    db = connections["default"]
    db.ensure_connection()
    print("in_atomic", db.in_atomic_block)
    copy = sqlite3.connect(tmp_path / "c.sqlite3")
    db.connection.backup(copy)
    rows = copy.execute("select name from networks_pcn").fetchall()
    print(rows)
    assert ("Probe PCN",) in rows
