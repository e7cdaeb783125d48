"""Fixtures for the whole suite.

Service tests get a test database with the real public reference data loaded once per session
(councils, neighbours, judgements, indicators), as the running service has it.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    with django_db_blocker.unblock(), open(os.devnull, "w") as quiet:
        call_command("load_reference", data_dir=settings.SHARED_DATA_DIR, stdout=quiet)


@pytest.fixture
def reference_data(db):  # type: ignore[no-untyped-def]
    """The public reference data (loaded once per session; named for readability in tests)."""
    from alliance.organisations.models import Council

    assert Council.objects.count() == 153
    return Council.objects
