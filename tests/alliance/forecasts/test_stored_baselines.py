"""The baseline forecast from returns is simulated once and stored for every web process: read back
exactly, read instead of simulating again (a process with an empty cache), and made again when the
council's accepted returns or its unit costs change."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.cache import cache
from polars.testing import assert_frame_equal

from alliance.accounts.models import Role
from alliance.forecasts import from_returns, stored_baselines, unit_costs
from alliance.forecasts.models import StoredBaseline
from forecast.bottom_up.simulate import project
from statutory.ssda903.generator.multi_year import generate_years
from tests.alliance.forecasts.conftest import store_returns

pytestmark = pytest.mark.django_db


def _same(a, b) -> None:  # type: ignore[no-untyped-def]
    assert a.years == b.years
    assert a.seed == b.seed
    for name in ("populations", "totals", "spend"):
        if getattr(b, name) is None:
            assert getattr(a, name) is None, name
        else:
            assert_frame_equal(getattr(a, name), getattr(b, name))
    for name in ("total_draws", "spend_draws", "population_draws", "spend_state_draws"):
        if getattr(b, name) is None:
            assert getattr(a, name) is None, name
        else:
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_a_stored_baseline_comes_back_exactly(four_years):
    made = from_returns.council_forecast(four_years).projection
    _same(stored_baselines.from_bytes(stored_baselines.to_bytes(made)), made)
    row = StoredBaseline.objects.get()
    assert row.organisation == four_years
    assert row.horizon == from_returns.DEFAULT_HORIZON
    assert len(bytes(row.projection)) < 2_000_000  # compressed: a few hundred kilobytes


def test_a_process_with_an_empty_cache_reads_the_stored_baseline(four_years):
    from_returns.council_forecast(four_years)
    model = from_returns.council_model(four_years)[0]
    # put a different simulation (another seed) in its place: only reading it can show it
    other = project(model, from_returns.DEFAULT_HORIZON, seed=7, simulations=50)
    StoredBaseline.objects.update(projection=stored_baselines.to_bytes(other))
    cache.clear()  # as a web process that has not made it
    _same(from_returns.council_forecast(four_years).projection, other)


def test_a_changed_unit_cost_gives_a_new_forecast(people, four_years):
    before = from_returns.council_forecast(four_years).projection
    first = StoredBaseline.objects.get()
    unit_costs.set_costs(four_years, {"residential": 1_000_000}, user=people[Role.COUNCIL_ANALYST])
    after = from_returns.council_forecast(four_years).projection
    assert after.spend is not None
    assert before.spend is not None
    assert after.spend["mean"].sum() != pytest.approx(before.spend["mean"].sum())
    stored = StoredBaseline.objects.get()  # the older one deleted
    assert stored.inputs != first.inputs
    cache.clear()
    _same(from_returns.council_forecast(four_years).projection, after)


def test_a_newly_accepted_return_gives_a_new_forecast(four_years, tmp_path):
    before = from_returns.council_forecast(four_years)
    first = StoredBaseline.objects.get()
    versions = from_returns.accepted_versions(four_years)
    # a corrected 2026 return: the children placed with agency foster carers at 31 March were
    # with the council's own (the same children, placements and dates otherwise)
    (folder,) = [
        f for f in generate_years(tmp_path / "v2", 120, 2026, 4, seed=3, la_number=392)
        if f.name == "2026"
    ]  # fmt: skip
    episodes = folder / "episodes.csv"
    lines = episodes.read_text().splitlines()
    head = lines[0].split(",")
    place, dec, provider = head.index("PLACE"), head.index("DEC"), head.index("PLACE_PROVIDER")
    changed = 0
    for i, line in enumerate(lines[1:], start=1):
        cells = line.split(",")
        fostering = cells[place] in ("U1", "U2", "U3", "U4", "U5", "U6")
        if cells[dec] == "" and fostering and cells[provider] in ("PR4", "PR5"):
            cells[provider] = "PR1"
            lines[i] = ",".join(cells)
            changed += 1
    assert changed > 5
    episodes.write_text("\n".join(lines) + "\n")
    store_returns(four_years, [folder])
    assert from_returns.accepted_versions(four_years)[2026] != versions[2026]  # the new one
    after = from_returns.council_forecast(four_years)  # no cache cleared: the inputs changed
    assert after.years_used == before.years_used
    assert StoredBaseline.objects.get().inputs != first.inputs
    agency = "agency"
    was = before.projection.totals.filter(state=agency)["mean"].to_list()
    now = after.projection.totals.filter(state=agency)["mean"].to_list()
    assert now[0] < was[0]
