"""Fair scheduling: a council sending several returns at once cannot hold up the others. Task
workers claim the queue in its own order (priority, then age); another council's first check
goes ahead of the first council's second and third."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from alliance.returns import queue
from alliance.returns.models import Upload
from alliance.returns.services import uploading
from tests import factories

pytestmark = pytest.mark.django_db


def _queued(organisation, kind: str, year: int) -> Upload:  # type: ignore[no-untyped-def]
    upload = Upload.objects.create(organisation=organisation, kind=kind, year=year)
    uploading.enqueue(upload.pk)
    return upload


def test_another_councils_first_check_goes_ahead_of_a_busy_councils_next(reference_data):
    busy = factories.council("392").organisation
    other = factories.council("393").organisation
    first = _queued(busy, "ssda903", 2025)
    second = _queued(busy, "ssda903", 2024)
    third = _queued(busy, "cin", 2025)
    theirs = _queued(other, "cin", 2025)
    claimed = [
        row.args_kwargs["args"][0]
        for row in DBTaskResult.objects.ready().filter(task_path__endswith="check_upload")
    ]
    assert claimed == [first.pk, theirs.pk, second.pk, third.pk]
    # the next worker takes the highest priority it can lock, as a real worker does
    assert DBTaskResult.objects.ready().get_locked().args_kwargs["args"][0] == first.pk


def test_a_council_whose_checks_finished_is_not_held_back():
    assert queue.fair_priority(0) == queue.DEFAULT
    assert queue.fair_priority(3) < queue.fair_priority(1) < queue.DEFAULT
    assert queue.fair_priority(1000) == queue.LOWEST
