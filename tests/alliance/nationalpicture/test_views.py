"""The national picture's pages, through the Django test client: public, filters, sort, search,
CSV, profiles, 404, and a bounded number of queries."""

from __future__ import annotations

import csv
import io
import re

import pytest

from alliance.organisations.models import Council

pytestmark = pytest.mark.django_db


def council_rows(html: str) -> list[str]:
    """The council names in the table, in order."""
    table = html.split("data-councils", 1)[1].split("</table>", 1)[0]
    return re.findall(
        r'<th scope="row" class="govuk-table__header"><a class="govuk-link" href="/national-picture/councils/\d{3}/">([^<]+)</a>',
        table,
    )


def test_the_national_picture_is_public_and_lists_153_councils(
    client, reference_data, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = client.get("/national-picture/")
    assert response.status_code == 200
    html = response.content.decode()
    assert len(council_rows(html)) == 153
    assert "data-headline-share" in html
    assert "31 March 2016" in html  # then, beside now
    assert "<svg" in html
    assert "<title" in html
    assert "<desc" in html
    assert 'class="govuk-tag govuk-tag--red app-grade">Inadequate<' in html


def test_each_council_is_one_short_row_with_its_details_on_its_page(client, reference_data):
    """Issue #16: the table had thirteen columns and rows 260 px tall; now one line a council
    (name, region, overall grade, date), the sub-judgements and codes on the council's page."""
    html = client.get("/national-picture/").content.decode()
    table = html.split("data-councils", 1)[1].split("</table>", 1)[0]
    rows = table.split("<tbody", 1)[1].split("</tr>")[:-1]
    assert len(rows) == 153
    for row in rows:
        assert row.count("<td") == 3, row
        assert "<br" not in row
    assert "Help and protection" not in table
    north = client.get("/national-picture/councils/392/").content.decode()
    assert "Children in care" in north
    assert "E08000022" in north


def test_filter_by_region_and_grade(client, reference_data):
    html = client.get(
        "/national-picture/", {"region": "E12000001", "grade": "outstanding"}
    ).content.decode()
    names = council_rows(html)
    assert names
    north_east = set(
        Council.objects.filter(region__code="E12000001").values_list("name", flat=True)
    )
    assert set(names) <= north_east
    assert "North Tyneside" in names
    table = html.split("data-councils", 1)[1]
    for row in table.split("<tbody", 1)[1].split("</tr>")[:-1]:
        overall = row.split("</td>")[1]  # region, then the overall judgement
        assert "Outstanding" in overall


def test_filter_not_yet_judged_and_unknown_values_are_ignored(client, reference_data):
    html = client.get("/national-picture/", {"grade": "not-judged"}).content.decode()
    assert council_rows(html) == []
    assert "No councils match the filters." in html
    html = client.get(
        "/national-picture/", {"grade": "brilliant", "sort": "drop table"}
    ).content.decode()
    assert len(council_rows(html)) == 153


def test_search_by_name_and_by_code(client, reference_data):
    assert council_rows(client.get("/national-picture/", {"q": "tyneside"}).content.decode()) == [
        "North Tyneside",
        "South Tyneside",
    ]
    assert council_rows(client.get("/national-picture/", {"q": "392"}).content.decode()) == [
        "North Tyneside"
    ]
    assert council_rows(client.get("/national-picture/", {"q": "E08000022"}).content.decode()) == [
        "North Tyneside"
    ]


def test_sort_by_children_descending(client, reference_data):
    names = council_rows(
        client.get("/national-picture/", {"sort": "children", "order": "desc"}).content.decode()
    )
    biggest = Council.objects.order_by("-children_0_17").first()
    assert names[0] == biggest.name
    ascending = council_rows(
        client.get("/national-picture/", {"sort": "children"}).content.decode()
    )
    assert ascending[-1] == biggest.name


def test_csv_has_the_same_filters(client, reference_data):
    response = client.get("/national-picture/councils.csv", {"region": "E12000001"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == Council.objects.filter(region__code="E12000001").count()
    north_tyneside = next(r for r in rows if r["dfe_code"] == "392")
    assert north_tyneside["ons_code"] == "E08000022"
    assert north_tyneside["overall_effectiveness"] == "Outstanding"
    assert north_tyneside["source"].startswith("Ofsted official statistics")
    everything = b"".join(client.get("/national-picture/councils.csv").streaming_content).decode()
    assert len(everything.strip().splitlines()) == 154


def test_council_profile(client, reference_data, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        response = client.get("/national-picture/councils/392/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="govuk-heading-xl">North Tyneside</h1>' in html
    neighbours = html.split("data-neighbours", 1)[1].split("</table>", 1)[0]
    assert neighbours.count('href="/national-picture/councils/') == 10
    history = html.split("data-history", 1)[1].split("</table>", 1)[0]
    assert "Single inspection framework (SIF)" in history
    assert "ILACS" in history
    for code in (
        "ees-cla-rate",
        "ees-rereferrals",
        "ees-repeat-cp-plans",
        "ees-placements-3plus",
        "ees-care-leavers-eet-19-21",
        "ees-care-leavers-suitable-17-18",
        "ees-sw-turnover",
    ):
        assert f'data-indicator="{code}"' in html
    assert html.count("<svg") >= 10


def test_suppressed_figures_show_as_words_not_zero(client, reference_data):
    from alliance.nationalpicture.models import IndicatorValue

    value = IndicatorValue.objects.filter(
        indicator__code__startswith="ees-",
        area_code__regex=r"^\d{3}$",
        value__isnull=True,
        marker="c",
    ).first()
    assert value is not None
    html = client.get(f"/national-picture/councils/{value.area_code}/").content.decode()
    table = html.split(f'data-indicator="{value.indicator.code}"', 1)[1].split("</table>", 1)[0]
    row = table.split(f">{value.period}</th>", 1)[1].split("</tr>", 1)[0]
    first_cell = row.split("</td>", 1)[0]
    assert "suppressed" in first_cell
    assert ">0<" not in first_cell


def test_unknown_council_code_is_a_clear_404(client, reference_data):
    for code in ("999", "abc"):
        response = client.get(f"/national-picture/councils/{code}/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "Council not found" in html
        assert f"code ‘{code}’" in html


def test_about_the_data_names_sources_and_licence(client, reference_data):
    html = client.get("/national-picture/about-the-data/").content.decode()
    assert "Open Government Licence v3.0" in html
    assert "Ofsted official statistics" in html
    assert "Bournemouth" in html
