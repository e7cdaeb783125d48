"""The S3-compatible object storage settings (django-storages) used when a deployer gives a bucket:
the returns' files (uploads while checked, stored versions, findings, workbooks) and the files
people attach (Django's default storage) then live in the bucket, which every machine sees.

Without a bucket (the embedded default, `make run`) nothing here is used: files stay under
`ALLIANCE_VAR_DIR` on the local disk."""

from __future__ import annotations

from typing import Any

from botocore.config import Config

# A file larger than this is held on disk, not in memory, while it is read from or written to the
# bucket (django-storages keeps a whole object in memory by default).
SPOOL_BYTES = 8 * 1024 * 1024


def s3_storage(
    *,
    bucket: str,
    location: str,
    endpoint_url: str = "",
    region: str = "",
    access_key: str = "",
    secret_key: str = "",
    addressing_style: str = "",
    connect_timeout: int = 5,
    read_timeout: int = 60,
    attempts: int = 3,
) -> dict[str, Any]:
    """One entry of Django's STORAGES for django-storages' S3 backend. Keys left empty are taken
    the usual AWS ways (environment, instance role); objects are private (no public ACL, addresses
    signed); a bucket that cannot be reached fails within seconds, not minutes."""
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": location,
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": True,
        "max_memory_size": SPOOL_BYTES,
        "client_config": Config(
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"max_attempts": attempts, "mode": "standard"},
        ),
    }
    if endpoint_url:
        options["endpoint_url"] = endpoint_url
    if region:
        options["region_name"] = region
    if addressing_style:
        options["addressing_style"] = addressing_style
    if access_key:
        options["access_key"] = access_key
    if secret_key:
        options["secret_key"] = secret_key
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
