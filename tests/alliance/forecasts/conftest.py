"""Fixtures for the forecast pages: the published-figures forecast computed once a session, and a
person of each role at North Tyneside, its alliance and the DfE."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from alliance.accounts.models import Role
from alliance.forecasts import published_figures
from alliance.organisations.models import Organisation
from forecast.model import load_panel
from forecast.precomputed import build, save
from forecast.spending import load_spending_panel
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
