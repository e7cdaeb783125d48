"""ALLIANCE_STORAGE_BUCKET and ALLIANCE_S3_* make Django's STORAGES the S3 backend for the returns'
files and attachments; without them (make run) files stay on the local disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SHOW = (
    "import json, alliance.config.settings as s;"
    "print(json.dumps({k: {'BACKEND': v['BACKEND'], 'OPTIONS': {o: str(x) for o, x in"
    " v.get('OPTIONS', {}).items()}} for k, v in s.STORAGES.items()}))"
)


def _storages(tmp_path, **env: str) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ALLIANCE_", "AWS_"))}
    clean.pop("PYTEST_VERSION", None)
    clean |= {"ALLIANCE_VAR_DIR": str(tmp_path), **env}
    done = subprocess.run(
        [sys.executable, "-c", SHOW],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded: dict[str, dict[str, object]] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_without_a_bucket_files_stay_on_the_local_disk(tmp_path):
    storages = _storages(tmp_path)
    assert "returns" not in storages
    assert storages["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_a_bucket_puts_the_returns_and_attachments_on_s3(tmp_path):
    storages = _storages(
        tmp_path,
        ALLIANCE_STORAGE_BUCKET="council-alliance",
        ALLIANCE_S3_ENDPOINT_URL="https://objects.example.test",
        ALLIANCE_S3_REGION="eu-west-2",
        ALLIANCE_S3_ACCESS_KEY_ID="id",
        ALLIANCE_S3_SECRET_ACCESS_KEY="secret",
        ALLIANCE_S3_ADDRESSING_STYLE="path",
    )
    for name, location in (("returns", "returns"), ("default", "media")):
        entry = storages[name]
        assert entry["BACKEND"] == "storages.backends.s3.S3Storage"
        options = entry["OPTIONS"]
        assert isinstance(options, dict)
        assert options["bucket_name"] == "council-alliance"
        assert options["location"] == location
        assert options["endpoint_url"] == "https://objects.example.test"
        assert options["region_name"] == "eu-west-2"
        assert options["addressing_style"] == "path"
        assert options["default_acl"] == "None"  # private: no public ACL
        assert options["querystring_auth"] == "True"
