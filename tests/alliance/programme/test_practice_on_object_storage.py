"""With a bucket (ALLIANCE_STORAGE_BUCKET) a practice item's attachment is kept in it (Django's
default storage, under `media/`), so every machine serves it; tested against the local S3 server."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alliance.programme.models import PracticeItem
from tests.alliance.programme.test_practice import _publish
from tests.alliance.programme.test_views import _as, world  # noqa: F401 - the shared fixture
from tests.object_storage import bucket, local_s3  # noqa: F401 - the local S3 server

pytestmark = pytest.mark.django_db


def test_an_attachment_is_kept_in_the_bucket_and_served_from_it(client, world, bucket, local_s3):  # noqa: F811
    response = _publish(
        client,
        world["lead"],
        attachment=SimpleUploadedFile(
            "offer.pdf", b"%PDF-1.4 test", content_type="application/pdf"
        ),
    )
    assert response.status_code == 302
    item = PracticeItem.objects.get()
    assert local_s3.keys(bucket, "media/") == [f"media/{item.attachment.name}"]
    download = _as(client, world["other_lead"]).get(f"/programme/practice/{item.pk}/attachment/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
