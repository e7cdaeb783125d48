"""The forecast from published figures and its backtest: who sees them, that they show the
library's own figures (recomputed here, not read back from the stored file), and how fast the
backtest page answers."""

from __future__ import annotations

import csv
import io
import json
import statistics
import time

import numpy as np
import pytest
from django.urls import reverse

from alliance.accounts.models import Role
from alliance.forecasts import published_figures
from forecast import backtest, spending
from forecast.model import forecast, load_panel
from forecast.precomputed import VERSION, load
from tests.factories import body_of

pytestmark = pytest.mark.django_db

SEES_PUBLISHED = {Role.COUNCIL_ANALYST, Role.COUNCIL_LEADER, Role.ALLIANCE_LEAD, Role.DFE_ANALYST}


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_who_sees_the_published_forecast(client, people, figures_cache, role):
    client.force_login(people[role])
    for name, args in (
        ("forecasts:index", ()),
        ("forecasts:published", ("392",)),
        ("forecasts:backtest", ()),
        ("forecasts:published-csv", ()),
        ("forecasts:published-spending-csv", ()),
    ):
        response = client.get(reverse(name, args=args))
        if response.streaming:
            body_of(response)
        assert response.status_code == (200 if role in SEES_PUBLISHED else 403), (name, role)


def test_signed_out_visitors_are_sent_to_sign_in(client, figures_cache):
    response = client.get(reverse("forecasts:published", args=["392"]))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_a_councils_page_shows_the_forecast_the_library_makes(client, people, figures_cache):
    panel = load_panel()
    expected = forecast(panel, panel.last_year, 3).filter(la_number="392").to_dicts()
    client.force_login(people[Role.DFE_ANALYST])
    text = client.get(reverse("forecasts:published", args=["392"])).content.decode()
    assert "North Tyneside" in text
    for row in expected:
        assert f"31 March {row['year']}" in text
        assert f"{row['forecast']:,.0f}" in text
        assert f"{row['lower80']:,.0f} to {row['upper80']:,.0f}" in text
        assert f"{row['lower95']:,.0f} to {row['upper95']:,.0f}" in text
    assert '<svg class="app-chart"' in text
    assert "80% range" in text
    assert "95% range" in text


def thousands(pounds: float) -> str:
    return f"£{round(pounds / 1000) * 1000:,}"


def test_a_councils_page_shows_the_spending_forecast_the_library_makes(
    client, people, figures_cache
):
    panel = spending.load_spending_panel()
    expected = spending.forecast(panel, panel.last_year, 3).filter(la_number="392").to_dicts()
    scores = backtest.run(
        panel, [2019, 2020, 2021, 2022], 3, spending.METHODS, spending.forecast
    ).to_dicts()
    client.force_login(people[Role.COUNCIL_LEADER])
    text = client.get(reverse("forecasts:published", args=["392"])).content.decode()
    spent = float(np.exp(panel.log_count[panel.codes.index("392"), -1]))
    assert f"spent {thousands(spent)} on children looked after" in text
    for row in expected:
        assert f"Year ending 31 March {row['year']}" in text
        assert thousands(row["forecast"]) in text
        assert f"{thousands(row['lower80'])} to {thousands(row['upper80'])}" in text
        assert f"{thousands(row['lower95'])} to {thousands(row['upper95'])}" in text
    assert text.count('<svg class="app-chart"') == 2  # children, then spending
    # its accuracy beside it: the backtest of the method it uses, with naive persistence's
    for row in scores:
        if row["method"] == "typical council's rise":
            ahead = f"{row['horizon']} year{'s' if row['horizon'] > 1 else ''} ahead"
            assert f"{ahead}: {row['mape']:.1f}% away from what was spent" in text
        if row["method"] == "naive persistence":
            assert f"(assuming no change: {row['mape']:.1f}%)" in text
    assert reverse("forecasts:published-spending-csv") in text


def _north_tyneside_rows(client, people, name: str, expected) -> tuple[list, dict]:  # type: ignore[no-untyped-def]
    """A download's rows for North Tyneside beside the library's, after checking it has every
    council's; and the response's headers."""
    client.force_login(people[Role.COUNCIL_ANALYST])
    response = client.get(reverse(name))
    rows = list(csv.DictReader(io.StringIO(body_of(response).decode())))
    assert len(rows) == expected.height
    north = [r for r in rows if r["la_number"] == "392"]
    assert [r["council"] for r in north] == ["North Tyneside"] * 3
    pairs = list(zip(north, expected.filter(la_number="392").to_dicts(), strict=True))
    for got, want in pairs:
        assert int(got["year"]) == want["year"]
    return pairs, dict(response.headers)


def test_the_spending_download_has_every_councils_spending_forecast(client, people, figures_cache):
    panel = spending.load_spending_panel()
    expected = spending.forecast(panel, panel.last_year, 3)
    pairs, headers = _north_tyneside_rows(
        client, people, "forecasts:published-spending-csv", expected
    )
    assert (
        "spending-on-children-looked-after-forecast-from-2025.csv"
        in (headers["Content-Disposition"])
    )
    for got, want in pairs:
        for column in ("forecast", "lower80", "upper80", "lower95", "upper95"):
            assert int(got[column]) == round(want[column])


def test_the_backtest_page_shows_the_spending_backtest(client, people, figures_cache):
    expected = backtest.run(
        spending.load_spending_panel(),
        [2019, 2020, 2021, 2022],
        3,
        spending.METHODS,
        spending.forecast,
    )
    client.force_login(people[Role.DFE_ANALYST])
    text = client.get(reverse("forecasts:backtest")).content.decode()
    section = text[text.index("data-spending-backtest") :]
    for row in expected.iter_rows(named=True):
        assert f"{row['mape']:.1f}%" in section
        assert f"{row['coverage80']:.1f}%" in section
    assert "the typical council&#39;s recent yearly rise" in section
    assert "alliance forecast backtest --measure spending" in section


def test_a_council_without_a_figure_at_the_origin_is_told_so(client, people, figures_cache):
    client.force_login(people[Role.DFE_ANALYST])
    text = client.get(reverse("forecasts:published", args=["201"])).content.decode()
    assert "There is no forecast for City of London" in text


def test_an_unknown_council_code_is_a_clear_404(client, people, figures_cache):
    client.force_login(people[Role.DFE_ANALYST])
    response = client.get(reverse("forecasts:published", args=["999"]))
    assert response.status_code == 404
    assert "There is no council with the DfE code 999" in response.content.decode()
    chooser = client.get(reverse("forecasts:choose") + "?council=<script>")
    assert chooser.status_code == 302
    assert "unknown=1" in chooser["Location"]


def test_the_download_has_every_councils_forecast(client, people, figures_cache):
    panel = load_panel()
    expected = forecast(panel, panel.last_year, 3)
    pairs, _headers = _north_tyneside_rows(client, people, "forecasts:published-csv", expected)
    for got, want in pairs:
        assert float(got["forecast"]) == pytest.approx(want["forecast"], abs=0.051)
        assert float(got["upper95"]) == pytest.approx(want["upper95"], abs=0.051)


def test_the_backtest_page_shows_the_commands_figures_with_their_date(
    client, people, figures_cache
):
    expected = backtest.run(load_panel(), [2019, 2020, 2021, 2022], 3)
    client.force_login(people[Role.DFE_ANALYST])
    text = client.get(reverse("forecasts:backtest")).content.decode()
    for row in expected.iter_rows(named=True):
        assert f"{row['mape']:.1f}%" in text
        assert f"{row['coverage80']:.1f}%" in text
    stored = load(figures_cache / published_figures.FILE_NAME)
    assert stored is not None
    assert f"Computed {stored.computed_on.day} {stored.computed_on:%B %Y}" in text
    assert "Naive persistence" in text
    assert "Previous year&#39;s trend continued" in text
    # honest about the goal, whichever way it falls
    naive = {
        r["horizon"]: r["mape"] for r in expected.to_dicts() if r["method"] == "naive persistence"
    }
    model = {r["horizon"]: r["mape"] for r in expected.to_dicts() if r["method"] == "model"}
    met = all((naive[h] - model[h]) / naive[h] >= 0.10 for h in (2, 3))
    assert ("It meets the goal for its error" in text) == met
    assert ("It does not meet the goal for its error" in text) == (not met)


def test_the_backtest_page_answers_within_200_ms(client, people, figures_cache):
    client.force_login(people[Role.DFE_ANALYST])
    url = reverse("forecasts:backtest")
    client.get(url)  # the first read of the stored file
    times = []
    for _ in range(20):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        times.append(time.perf_counter() - started)
    p95 = statistics.quantiles(times, n=20)[18]
    assert p95 < 0.2, f"p95 {p95 * 1000:.0f} ms"


def test_with_nothing_stored_the_first_page_computes_and_stores_it(
    client, people, settings, tmp_path
):
    settings.CACHE_DIR = tmp_path
    client.force_login(people[Role.DFE_ANALYST])
    assert client.get(reverse("forecasts:backtest")).status_code == 200
    assert load(tmp_path / published_figures.FILE_NAME) is not None


def test_a_file_from_an_older_version_is_computed_again(client, people, figures_cache):
    target = figures_cache / published_figures.FILE_NAME
    document = json.loads(target.read_text())
    document["version"] = VERSION - 1
    document["forecasts"] = {"392": [{"year": 2026, "forecast": 1.0}]}
    target.write_text(json.dumps(document))
    client.force_login(people[Role.DFE_ANALYST])
    text = client.get(reverse("forecasts:published", args=["392"])).content.decode()
    assert "The forecast for 31 March" in text
    assert json.loads(target.read_text())["version"] == VERSION
