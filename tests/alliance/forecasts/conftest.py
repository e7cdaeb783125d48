"""Fixtures for the forecast pages: the published-figures forecast computed once a session, and a
person of each role at North Tyneside, its alliance and the DfE."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.cache import cache

from alliance.accounts.models import Role
from alliance.forecasts import published_figures
from alliance.organisations.models import Organisation
from alliance.returns.models import Upload
from alliance.returns.services import checking, uploading
from forecast.model import load_panel
from forecast.precomputed import build, save
from forecast.spending import load_spending_panel
from statutory.ssda903.generator.multi_year import generate_years
from tests import factories


@pytest.fixture(scope="session")
def stored_figures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The forecasts and backtests from the real published figures, saved once."""
    target = tmp_path_factory.mktemp("forecast") / published_figures.FILE_NAME
    panel = load_panel()
    save(build(panel, spending_panel=load_spending_panel(panel)), target)
    return target


@pytest.fixture
def figures_cache(settings, tmp_path: Path, stored_figures: Path) -> Path:
    """A cache folder of the test's own holding the stored figures."""
    settings.CACHE_DIR = tmp_path
    shutil.copy(stored_figures, tmp_path / published_figures.FILE_NAME)
    return tmp_path


@pytest.fixture
def people(reference_data):  # type: ignore[no-untyped-def]
    """One person for each role, at the organisation the role belongs to."""
    north = factories.council("392").organisation
    alliance = factories.alliance("392", "393", name="Test Tyneside Alliance")
    dfe = factories.organisation(Organisation.Kind.DFE, "Test DfE")
    employer = factories.organisation(Organisation.Kind.EMPLOYER, "Test Employer Ltd")
    at = {
        Role.COUNCIL_ANALYST: north,
        Role.COUNCIL_PRACTITIONER: north,
        Role.COUNCIL_LEADER: north,
        Role.ALLIANCE_LEAD: alliance,
        Role.DFE_ANALYST: dfe,
        Role.ADMINISTRATOR: dfe,
        Role.ORGANISATION_ADMINISTRATOR: north,
        Role.EMPLOYER: employer,
        Role.YOUNG_PERSON: north,
    }
    return {role: factories.user(role, org) for role, org in at.items()}


class _File:
    def __init__(self, path: Path) -> None:
        self.name = path.name
        self._path = path

    def chunks(self, chunk_size: int | None = None) -> list[bytes]:
        return [self._path.read_bytes()]


def store_returns(organisation, folders: list[Path]) -> None:  # type: ignore[no-untyped-def]
    """Upload and check a council's returns, a folder a year, as an analyst would."""
    for folder in folders:
        upload = uploading.start_upload(
            organisation=organisation, user=None, kind="ssda903", year=int(folder.name),
            current=[_File(p) for p in sorted(folder.glob("*.csv"))],
        )  # fmt: skip
        checking.check(upload.pk, "test")


@pytest.fixture
def four_years(people, tmp_path):  # type: ignore[no-untyped-def]
    """North Tyneside with four years of accepted returns (2023-2026)."""
    cache.clear()
    north = factories.council("392").organisation
    store_returns(north, generate_years(tmp_path / "north", 120, 2026, 4, seed=3, la_number=392))
    assert Upload.objects.accepted().filter(organisation=north, kind="ssda903").count() == 4
    return north
