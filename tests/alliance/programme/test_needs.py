"""Who needs support and why, and the matching suggestions, on the real reference data."""

from __future__ import annotations

import datetime as dt

import pytest

from alliance.nationalpicture.loaders import KEY_INDICATORS
from alliance.nationalpicture.services import concerns, latest_judgements
from alliance.programme import needs
from tests import factories
from tests.alliance.programme import factories as pf

pytestmark = pytest.mark.django_db
MARCH_2018 = dt.date(2018, 3, 16)


def test_every_point_has_a_reason_and_the_list_is_ranked(reference_data):
    assessed = needs.assess(MARCH_2018)
    assert len(assessed) == 153
    scores = [n.score for n in assessed]
    assert scores == sorted(scores, reverse=True)
    for need in assessed:
        assert need.score == round(sum(r.points for r in need.reasons), 1)
        assert all(r.text for r in need.reasons)


def test_judgements_as_at_the_date_give_the_reasons(reference_data):
    latest = latest_judgements(MARCH_2018)
    assessed = {n.council.pk: n for n in needs.assess(MARCH_2018)}
    inadequate = [cid for cid, j in latest.items() if j.overall == "inadequate"]
    good = [cid for cid, j in latest.items() if j.overall in ("good", "outstanding")]
    assert inadequate
    assert good
    for cid in inadequate:
        texts = [r.text for r in assessed[cid].reasons]
        assert any(t.startswith("Overall judgement inadequate") for t in texts)
    for cid in good:
        assert not any(r.text.startswith("Overall judgement") for r in assessed[cid].reasons)
    below = sum(1 for n in assessed.values() if n.below_good)
    assert below == sum(
        1 for j in latest.values() if j.overall in ("inadequate", "requires-improvement")
    )


def test_weights_change_the_scores_and_zero_leaves_a_reason_out(reference_data):
    default = {n.council.pk: n for n in needs.assess(MARCH_2018)}
    weights, errors = needs.Weights.from_query({"overall_inadequate": "0", "area_inadequate": "10"})
    assert not errors
    changed = {n.council.pk: n for n in needs.assess(MARCH_2018, weights)}
    some_inadequate = next(
        n for n in default.values() if n.judgement and n.judgement.overall == "inadequate"
    )
    before = default[some_inadequate.council.pk]
    after = changed[some_inadequate.council.pk]
    areas = sum(1 for r in before.reasons if r.text.endswith(": inadequate"))
    assert after.score == pytest.approx(before.score - 40 + 2 * areas, abs=0.11)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"declined": "abc"}, "must be a number"),
        ({"declined": "-1"}, "between 0 and 100"),
        ({"declined": "1e9"}, "between 0 and 100"),
        ({"declined": "nan"}, "between 0 and 100"),
    ],
)
def test_unreadable_weights_are_refused_with_a_message(query, message):
    weights, errors = needs.Weights.from_query(query)
    assert message in errors["declined"]
    assert weights.declined == needs.Weights().declined


@pytest.mark.parametrize("dfe_code", ["394", "201", "330", "926"])
def test_indicator_findings_agree_with_the_national_pictures_concerns(reference_data, dfe_code):
    """The bulk version must say what nationalpicture.services.concerns says for the key indicators."""
    council = factories.council(dfe_code)
    ours = needs.indicator_findings([council], dt.date(2100, 1, 1))[council.pk]
    theirs = [c for c in concerns(council) if c.indicator.code in KEY_INDICATORS]
    assert {(f.code, f.worsening, f.far) for f in ours} == {
        (c.indicator.code, c.worsening, c.far_from_neighbours) for c in theirs
    }


def test_findings_use_only_figures_published_before_the_date(reference_data):
    council = factories.council("394")
    for finding in needs.indicator_findings([council], MARCH_2018)[council.pk]:
        assert int(finding.period[:4]) < 2018


def test_distance_between_council_centres_is_straight_line_km(reference_data):
    north, south, cornwall = (
        factories.council("392"),
        factories.council("393"),
        factories.council("908"),
    )
    assert needs.distance_km(north, south) < 20
    assert 400 < needs.distance_km(north, cornwall) < 700


def test_matching_prefers_strength_in_the_area_of_need_then_nearness(reference_data):
    prog = pf.programme()
    latest = latest_judgements(MARCH_2018)
    assessed = needs.assess(MARCH_2018)
    need = next(
        n
        for n in assessed
        if n.below_good and n.judgement and n.judgement.care_leavers == "inadequate"
    )
    strong = next(cid for cid, j in latest.items() if j.care_leavers == "outstanding")
    from alliance.organisations.models import Council

    strong_code = Council.objects.get(pk=strong).dfe_code
    strong_partner = pf.partner(prog, strong_code, name="Strong in care leavers")
    weak_code = next(
        Council.objects.get(pk=cid).dfe_code
        for cid, j in latest.items()
        if j.overall == "inadequate" and cid != need.council.pk
    )
    weak_partner = pf.partner(prog, weak_code, name="Not strong")
    partners = [strong_partner, weak_partner]
    suggestion = next(
        s
        for s in needs.suggest(assessed, partners, MARCH_2018, set())
        if s.need.council.pk == need.council.pk
    )
    by_partner = {o.partner: o for o in suggestion.options}
    strong_option, weak_option = by_partner[strong_partner], by_partner[weak_partner]
    assert any("outstanding for care leavers" in r for r in strong_option.reasons)
    assert not any("for care leavers" in r for r in weak_option.reasons)
    assert any("km between council centres" in r for r in strong_option.reasons)
    assert any("10 of 10 places left" in r for r in strong_option.reasons)


def test_a_partner_with_no_places_left_is_not_suggested(reference_data):
    prog = pf.programme()
    full = pf.partner(prog, "392", capacity=1, name="Full")
    open_ = pf.partner(prog, "881", capacity=5, name="Open")
    pf.match(full, "394")
    assessed = needs.assess(MARCH_2018)
    suggestions = needs.suggest(assessed, [full, open_], MARCH_2018, {factories.council("394").pk})
    assert suggestions
    assert all(o.partner == open_ for s in suggestions for o in s.options)
    assert all(s.need.council.dfe_code != "394" for s in suggestions)
    assert all(s.need.council.dfe_code not in ("392", "881") for s in suggestions)
