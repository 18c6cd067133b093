"""Where evidence files are kept (pcn_admin/env.py, settings.STORAGES["evidence"]): private local
files by default, an S3-compatible bucket when configured; never served from a public URL."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from pcn_admin.env import evidence_storage

ROOT = Path("/srv/pcn-admin/private/evidence")


def test_by_default_evidence_is_local_files_outside_media_and_static():
    config = evidence_storage({}, default_root=ROOT)

    assert config == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(ROOT)},
    }
    default = evidence_storage({}, default_root=settings.BASE_DIR / "private" / "evidence")
    location = Path(default["OPTIONS"]["location"])
    assert settings.BASE_DIR / "static" not in location.parents
    assert Path(settings.STATIC_ROOT) not in location.parents
    assert settings.BASE_DIR / "media" not in location.parents


def test_evidence_root_moves_the_folder():
    config = evidence_storage({"EVIDENCE_ROOT": "/data/evidence"}, default_root=ROOT)

    assert config["OPTIONS"]["location"] == "/data/evidence"


def test_a_bucket_is_private_and_never_overwritten():
    from storages.backends.s3 import S3Storage

    env = {
        "EVIDENCE_S3_BUCKET": "pcn-evidence",
        "EVIDENCE_S3_ENDPOINT_URL": "https://s3.example.nhs.uk",
        "EVIDENCE_S3_REGION": "eu-west-2",
        "EVIDENCE_S3_ACCESS_KEY_ID": "key-id",
        "EVIDENCE_S3_SECRET_ACCESS_KEY": "secret",
    }

    config = evidence_storage(env, default_root=ROOT)
    storage = S3Storage(**config["OPTIONS"])  # no request is made until a file is used

    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage.bucket_name == "pcn-evidence"
    assert storage.location == "evidence"
    assert storage.default_acl == "private"
    assert storage.file_overwrite is False
    assert storage.querystring_auth is True
    assert storage.endpoint_url == "https://s3.example.nhs.uk"
    assert storage.region_name == "eu-west-2"


def test_without_keys_the_bucket_uses_the_servers_own_credentials():
    config = evidence_storage({"EVIDENCE_S3_BUCKET": "pcn-evidence"}, default_root=ROOT)

    assert "access_key" not in config["OPTIONS"]
    assert "endpoint_url" not in config["OPTIONS"]


def test_one_key_without_the_other_stops_start_up():
    env = {"EVIDENCE_S3_BUCKET": "pcn-evidence", "EVIDENCE_S3_ACCESS_KEY_ID": "key-id"}

    with pytest.raises(ImproperlyConfigured, match="go together"):
        evidence_storage(env, default_root=ROOT)
