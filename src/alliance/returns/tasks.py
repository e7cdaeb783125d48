"""Background work for returns, on Django's tasks framework (database backend: `alliance worker`).

`check_upload` is safe to run more than once for the same upload: `checking.claim` takes the
upload under a row lock, and a second run finds it finished (or being checked, with a live
heartbeat) and does nothing. A run that died half-way is taken over once its heartbeat is stale.
"""

from __future__ import annotations

import uuid

from django.tasks import task

from alliance.returns.models import Upload
from alliance.returns.services import checking, findings_workbook, retention


@task()
def check_upload(upload_id: int, request_id: str = "") -> str:
    """`request_id`: the upload's web request, put on the task worker's log lines."""
    token = uuid.uuid4().hex
    result = checking.check(upload_id, token)
    if result == "accepted":
        # the findings workbook is built next, as its own task, so it is ready when asked for
        findings_workbook.request_excel_report(Upload.objects.get(pk=upload_id))
    return result


@task()
def prepare_findings_workbook(upload_id: int, request_id: str = "") -> str:
    """The findings workbook of an accepted upload, built here rather than in a web request."""
    return findings_workbook.prepare_excel_report(upload_id)


@task()
def remove_expired_findings() -> int:
    """The scheduler's daily retention clean-up of returns' findings (see docs/returns.md), and,
    with a bucket, of files there that no upload should still have."""
    return retention.remove_expired_findings() + retention.remove_orphaned_files()
