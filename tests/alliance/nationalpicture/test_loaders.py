"""The national picture's loaders on the real shared files (counts, deduplication, former
councils, idempotency) and on malformed copies (a clear message naming file, row and column, and
nothing changed)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from alliance.nationalpicture import loaders
from alliance.nationalpicture.indicator_loader import readable_name
from alliance.nationalpicture.models import Framework, Indicator, IndicatorValue, Judgement, Source
from alliance.organisations.models import Council
from alliance.organisations.reference import ReferenceFileError

pytestmark = pytest.mark.django_db


def shared_copy(tmp_path: Path, replace: str) -> tuple[Path, Path]:
    """A data folder like the shared one (files linked), where `replace` is a real, writable copy."""
    source = settings.SHARED_DATA_DIR
    target = tmp_path / "data"
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        if path.is_dir():
            (target / relative).mkdir(parents=True, exist_ok=True)
        elif str(relative) != replace:
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(path, target / relative)
    copy = target / replace
    shutil.copyfile(source / replace, copy)
    copy.chmod(0o644)
    return target, copy


def counts() -> tuple[int, int, int]:
    return Judgement.objects.count(), Indicator.objects.count(), IndicatorValue.objects.count()


def load_or_fail(data_dir: Path) -> ReferenceFileError:
    """Run the loaders as `load-reference` does (one transaction) and return the error."""
    before = counts()
    with pytest.raises(ReferenceFileError) as caught, transaction.atomic():
        loaders.load(data_dir)
    assert counts() == before, "a failed load changed stored data"
    return caught.value


# --- the real files ---------------------------------------------------------------------------


def test_every_council_has_judgements_from_each_source(reference_data):
    by_source = {s: Judgement.objects.filter(source=s).count() for s in Source}
    assert by_source[Source.OFFICIAL_2025] == 271  # the ILACS history sheet, every row
    assert by_source[Source.OFSTED_2023] > 350  # SLAC, CPI, TLAC, SIF, SIF re-inspections
    assert 30 <= by_source[Source.SCRAPE] <= 60  # only reports after 31 March 2025
    judged = Judgement.objects.filter(council__isnull=False).values("council").distinct().count()
    assert judged == 153
    # First SIF inspections: 156 rows (152 councils + 4 pre-restructure), 4 without a grade.
    assert Judgement.objects.filter(framework=Framework.SIF).exclude(overall="").count() == 152
    # The scrape adds nothing the official statistics already have.
    assert not Judgement.objects.filter(source=Source.SCRAPE, published__lte="2025-03-31").exists()


def test_former_councils_keep_their_judgements_with_the_day_they_ended(reference_data):
    formers = dict(
        Judgement.objects.filter(council__isnull=True).values_list("area_name", "ended").distinct()
    )
    assert {name.split(" (")[0] for name in formers} == {
        "Bournemouth",
        "Poole",
        "Dorset",
        "Northamptonshire",
        "Cumbria",
    }
    assert all(ended is not None for ended in formers.values())
    # The new councils have no judgement from before they existed.
    bcp = Council.objects.get(dfe_code="839")
    assert not Judgement.objects.filter(council=bcp, published__lt="2019-04-01").exists()


def test_the_2023_data_join_by_ofsted_name(reference_data):
    # "Bedford Borough", "Kingston Upon Hull", "Telford and Wrekin" in the sheet.
    for code in ("822", "810", "894", "801", "840"):
        council = Council.objects.get(dfe_code=code)
        assert Judgement.objects.filter(council=council, framework=Framework.SIF).exists(), council


def test_an_ilacs_judgement_with_its_sub_judgements(reference_data):
    barnet = Judgement.objects.get(council__dfe_code="302", inspection_date="2024-06-10")
    assert barnet.framework == Framework.ILACS_SHORT
    assert barnet.source == Source.OFFICIAL_2025
    assert (barnet.overall, barnet.children_in_care, barnet.care_leavers) == (
        "good",
        "outstanding",
        "good",
    )


def test_indicators_keep_suppressed_values_as_markers_not_zero(reference_data):
    assert Indicator.objects.filter(source="lait").count() == 434
    assert Indicator.objects.filter(source="ees").count() == len(loaders.KEY_INDICATORS)
    suppressed = IndicatorValue.objects.filter(indicator__source="ees", value__isnull=True)
    assert suppressed.exists()
    assert set(suppressed.values_list("marker", flat=True)) <= {"c", "x", "z", "low", "u", "k"}
    assert not IndicatorValue.objects.filter(value__isnull=True, marker="").exists()
    # Polarity from the LAIT dictionary.
    assert Indicator.objects.get(code="ReReferral").polarity == "low"
    # Scientific notation read as a number.
    value = IndicatorValue.objects.get(
        indicator__code="TotPermEx", area_code="301", period="2015/16"
    )
    assert value.value == pytest.approx(0.04798)


def test_lait_measures_are_named_in_words_from_the_dictionary(reference_data):
    """Issue #16: pages showed LAIT's column labels ('Secondary Authorised'); the dictionary's
    chart titles read as English."""
    assert (
        Indicator.objects.get(code="SecAuth").name
        == "Total authorised absence from Secondary Schools (%)"
    )
    names = set(Indicator.objects.filter(source="lait").values_list("name", flat=True))
    assert not names & {"Secondary Authorised", "Primary Unauthorised", "Total School Authorised"}


def test_readable_name_falls_back_to_the_measure_then_the_sheet():
    assert readable_name({"Chart_title": "NA", "Measure": "Infant  Mortality"}, "x") == (
        "Infant Mortality"
    )
    assert readable_name({}, "InfMort") == "InfMort"


def test_older_releases_fill_earlier_years_only(reference_data):
    periods = list(
        IndicatorValue.objects.filter(indicator__code="ees-care-leavers-eet-19-21", area_code="392")
        .order_by("period_sort")
        .values_list("period", flat=True)
    )
    assert periods[0] == "2018"
    assert periods[-1] == "2025"
    assert len(periods) == len(set(periods))


def test_the_cla_rate_reaches_back_to_2016_through_lait(reference_data):
    rates = dict(
        IndicatorValue.objects.filter(indicator__code="ees-cla-rate", area_code="392").values_list(
            "period", "value"
        )
    )
    assert sorted(rates) == [str(y) for y in range(2016, 2026)]
    lait = dict(
        IndicatorValue.objects.filter(indicator__code="LAC", area_code="392").values_list(
            "period", "value"
        )
    )
    assert all(rates[year] == lait[year] for year in ("2021", "2022", "2023", "2024", "2025"))


def test_regions_and_england_use_ons_codes(reference_data):
    areas = set(
        IndicatorValue.objects.filter(indicator__code="LAC").values_list("area_code", flat=True)
    )
    assert {"E92000001", "E12000001", "E13000001", "392"} <= areas
    assert "970" not in areas


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("2016", 20160),
        ("2016-17", 20161),
        ("2016-17 (OT)", 20161),
        ("2016/17", 20162),
        ("2014-16", 20143),
        ("2013/14-15/16", 20134),
        ("2025 (prov)", 20250),
        ("0", None),
        ("", None),
    ],
)
def test_period_labels_sort(label, key):
    assert loaders.period_sort(label) == key


def test_loading_again_changes_nothing(reference_data):
    reports = loaders.load(settings.SHARED_DATA_DIR)
    for report in reports:
        assert (report.loaded, report.changed) == (0, 0), report.line()
    assert sum(r.unchanged for r in reports) > 500_000


# --- malformed copies -------------------------------------------------------------------------


def test_a_broken_ofsted_spreadsheet_is_named(reference_data, tmp_path):
    data, copy = shared_copy(tmp_path, loaders.OUTCOMES_2025)
    copy.write_bytes(b"this is not a spreadsheet")
    error = load_or_fail(data)
    assert error.path.name == "LA_Inspection_Outcomes_as_at_31_March_2025.ods"
    assert "could not read sheet" in str(error)


def test_an_unknown_grade_in_the_scrape_names_row_and_column(reference_data, tmp_path):
    import openpyxl

    data, copy = shared_copy(tmp_path, loaders.SCRAPE)
    book = openpyxl.load_workbook(copy)
    sheet = book["ofsted_cs_inspections_overview"]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=5, column=header.index("in_care_grade") + 1, value="excellent")
    book.save(copy)
    error = load_or_fail(data)
    assert str(error) == (
        "ofsted_csc_ilacs_overview.xlsx, row 5, column 'in_care_grade': "
        "'excellent' is not an Ofsted grade"
    )


def test_a_value_that_is_not_a_number_names_row_and_column(reference_data, tmp_path):
    name = loaders.EES + "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
    data, copy = shared_copy(tmp_path, name)
    lines = copy.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[9].split(",")
    cells[header.index("rereferral_percent")] = "twelve"
    lines[9] = ",".join(cells)
    copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    error = load_or_fail(data)
    assert (error.path.name, error.row, error.column) == (copy.name, 10, "rereferral_percent")
    assert "'twelve' is neither a number nor a suppression marker" in str(error)


def test_a_missing_column_is_named(reference_data, tmp_path):
    data, copy = shared_copy(tmp_path, loaders.EES + "csww_indicators_2017_to_2025.csv")
    text = copy.read_text(encoding="utf-8")
    copy.write_text(text.replace("turnover_rate_fte", "turnover", 1), encoding="utf-8")
    error = load_or_fail(data)
    assert (error.row, error.column) == (1, "turnover_rate_fte")


def test_a_bad_polarity_in_the_lait_dictionary_is_named(reference_data, tmp_path):
    data, copy = shared_copy(tmp_path, loaders.LAIT_DICTIONARY)
    text = copy.read_text(encoding="utf-8")
    copy.write_text(text.replace('"InfMort","Low"', '"InfMort","Sideways"', 1), encoding="utf-8")
    error = load_or_fail(data)
    assert (error.path.name, error.row, error.column) == ("lait_data_dictionary.csv", 2, "Polarity")


def test_a_bad_lait_value_is_named(reference_data, tmp_path):
    data, copy = shared_copy(tmp_path, loaders.LAIT)
    frame = pl.read_parquet(copy)
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 41)
        .then(pl.lit("n.a."))
        .otherwise(pl.col("Values"))
        .alias("Values")
    )
    frame.write_parquet(copy)
    error = load_or_fail(data)
    assert (error.path.name, error.row, error.column) == ("bds_long_0.parquet", 43, "Values")


def test_load_reference_says_nothing_changed(reference_data, tmp_path):
    data, copy = shared_copy(tmp_path, loaders.SCRAPE)
    copy.write_bytes(b"")
    before = counts()
    with pytest.raises(CommandError, match=r"^Nothing was changed\. ofsted_csc_ilacs_overview"):
        call_command("load_reference", data_dir=data)
    assert counts() == before
