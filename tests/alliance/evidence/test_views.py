"""The public Insight page: no sign-in, the stored figures, dated, and every choice stated."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from django.urls import reverse

from alliance.accounts.models import Role
from alliance.common.numbers import number
from alliance.evidence import figures
from insight.judgements import load_history
from insight.precomputed import build, save
from tests import factories


def test_signed_out_visitors_see_the_figures_with_their_date(
    client, settings, tmp_path: Path
) -> None:
    settings.CACHE_DIR = tmp_path
    history = load_history(settings.SHARED_DATA_DIR)
    stored = build(history)
    save(stored, figures.path())
    response = client.get(reverse("insight:improvement"))
    assert response.status_code == 200
    text = response.content.decode()
    assert f"Computed on {stored.computed_on.day} {stored.computed_on:%B %Y}" in text
    assert f"{stored.data_until.day} {stored.data_until:%B %Y}" in text
    # One table per pair of frameworks, then one per group of the time-to-good estimates.
    assert text.count("<table") == 4 + len(
        {(e.start_judgement, e.framework) for e in stored.by_framework}
    )
    assert "SIF to ILACS" in text
    # A chart for each starting judgement, both frameworks together, and every region in a table.
    assert text.count("Judged good or better: starting at") == 3
    for region in {e.region for e in stored.by_region}:
        assert region in text
    assert "censored at the latest publication" in text
    assert "they do not explain it" in text
    # every choice the library makes (insight.improvement's docstring) is on the page
    assert "framework of the judgement that started it" in text
    assert "the council&#39;s Ofsted region" in text or "the council's Ofsted region" in text
    assert "365.25 days" in text
    assert "log(-log) scale" in text


def test_before_the_figures_are_computed_the_page_says_so(client, settings, tmp_path: Path) -> None:
    settings.CACHE_DIR = tmp_path
    response = client.get(reverse("insight:improvement"))
    assert response.status_code == 503
    assert "alliance load-reference" in response.content.decode()


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_every_signed_in_role_sees_the_same_public_page(db, client, settings, tmp_path: Path, role):
    settings.CACHE_DIR = tmp_path
    save(build(load_history(settings.SHARED_DATA_DIR)), figures.path())
    client.force_login(factories.user(role, factories.organisation()))
    response = client.get(reverse("insight:improvement"))
    assert response.status_code == 200
    assert "Time to good or better" in response.content.decode()


def test_measures_page_shows_each_stored_association_with_its_warning(
    client, settings, tmp_path: Path
) -> None:
    settings.CACHE_DIR = tmp_path
    history = load_history(settings.SHARED_DATA_DIR)
    stored = build(history)
    save(stored, figures.path())
    response = client.get(reverse("insight:measures"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "These are associations, not causes." in text
    assert f"Computed on {stored.computed_on.day} {stored.computed_on:%B %Y}" in text
    assert len(stored.associations) == 4
    for found in stored.associations:
        assert found.label in text
        assert f"{found.improved} inspections" in text
        assert f"{found.not_improved} inspections" in text
        if math.isfinite(found.lower95):
            # a fall is written with a minus sign ("−3.5"), not a hyphen
            shown = (number(v, 1) for v in (found.difference, found.lower95, found.upper95))
            assert "{} ({} to {})".format(*shown) in text
    # the improvement page links here, and this page back
    assert (
        reverse("insight:measures") in client.get(reverse("insight:improvement")).content.decode()
    )
    assert reverse("insight:improvement") in text


def test_measures_page_before_the_figures_are_computed(client, settings, tmp_path: Path) -> None:
    settings.CACHE_DIR = tmp_path
    assert client.get(reverse("insight:measures")).status_code == 503
