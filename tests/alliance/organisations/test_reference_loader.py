"""The reference loader: real files load fully and idempotently; a malformed file is named with
its row and column, and changes nothing."""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

import insight
from alliance.organisations import loaders
from alliance.organisations.management.commands.load_reference import fingerprint
from alliance.organisations.models import Council, StatisticalNeighbour

pytestmark = pytest.mark.django_db

COUNCILS = Path("reference/derived/la_reference_153_2024.csv")
NEIGHBOURS = Path("reference/dfe-csc-outcomes-enablers/sn_model_2025_wide.csv")


def copy_of_shared_data(tmp_path: Path, replace: Path, text: str) -> Path:
    """A data folder like the shared one (files linked, not copied), with one file replaced."""
    source = settings.SHARED_DATA_DIR
    target = tmp_path / "data"
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        if path.is_dir():
            (target / relative).mkdir(parents=True, exist_ok=True)
        elif relative != replace:
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(path, target / relative)
    (target / replace).write_text(text, encoding="utf-8")
    return target


def test_real_files_give_153_councils_with_ten_ranked_neighbours(reference_data):
    assert Council.objects.count() == 153
    north_tyneside = Council.objects.get(dfe_code="392")
    assert north_tyneside.name == "North Tyneside"
    assert north_tyneside.ons_code == "E08000022"
    assert north_tyneside.region.name == "North East"
    assert north_tyneside.children_0_17
    assert north_tyneside.children_0_17 > 30_000
    ranks = list(
        StatisticalNeighbour.objects.filter(council=north_tyneside, model="2025").values_list(
            "rank", flat=True
        )
    )
    assert ranks == list(range(1, 11))
    assert Council.objects.filter(easting__isnull=True).count() == 0


def test_loading_again_changes_nothing(reference_data):
    lines = [report.line() for report in loaders.load(settings.SHARED_DATA_DIR)]
    assert lines[0] == "Councils: 0 loaded, 0 changed, 153 unchanged, 0 rejected"
    assert (
        lines[1]
        == "Statistical neighbours (DfE 2025 model): 0 loaded, 0 changed, 1530 unchanged, 0 rejected"
    )
    assert lines[2].startswith(
        "Council area centres (ONS postcode directory): 0 loaded, 0 changed, 153 unchanged"
    )


def test_if_changed_skips_a_load_that_would_change_nothing(reference_data, capsys):
    # The session's test database was loaded with this command, so nothing has changed since.
    call_command("load_reference", if_changed=True)
    assert "nothing to load" in capsys.readouterr().out


def _council_rows() -> list[str]:
    return (settings.SHARED_DATA_DIR / COUNCILS).read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(
    ("row_index", "column", "bad", "message"),
    [
        (5, 0, "39X", "'39X' is not a valid value"),
        (9, 1, "", "value is missing"),
        (12, 8, "lots", "'lots' is not a whole number"),
    ],
)
def test_a_malformed_council_file_is_named_and_changes_nothing(
    tmp_path, reference_data, row_index, column, bad, message
):
    rows = list(csv.reader(io.StringIO("\n".join(_council_rows()))))
    header = rows[0]
    rows[row_index][column] = bad
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    data_dir = copy_of_shared_data(tmp_path, COUNCILS, out.getvalue())
    before = list(
        Council.objects.order_by("dfe_code").values_list("dfe_code", "name", "children_0_17")
    )
    with pytest.raises(CommandError) as caught:
        call_command("load_reference", data_dir=data_dir)
    text = str(caught.value)
    assert "Nothing was changed" in text
    assert f"la_reference_153_2024.csv, row {row_index + 1}, column '{header[column]}'" in text
    assert message in text
    assert (
        list(Council.objects.order_by("dfe_code").values_list("dfe_code", "name", "children_0_17"))
        == before
    )


def test_an_unknown_council_code_among_neighbours_is_refused(tmp_path, reference_data):
    lines = (settings.SHARED_DATA_DIR / NEIGHBOURS).read_text(encoding="utf-8-sig").splitlines()
    lines[3] = lines[3].replace(lines[3].split(",")[4], "999", 1)
    data_dir = copy_of_shared_data(tmp_path, NEIGHBOURS, "\n".join(lines) + "\n")
    with pytest.raises(
        CommandError,
        match=r"sn_model_2025_wide.csv, row 4, column 'SN_1': unknown council code '999'",
    ):
        call_command("load_reference", data_dir=data_dir)


def test_a_missing_column_is_named(tmp_path, reference_data):
    lines = _council_rows()
    lines[0] = lines[0].replace("la_name", "name")
    data_dir = copy_of_shared_data(tmp_path, COUNCILS, "\n".join(lines) + "\n")
    with pytest.raises(CommandError, match=r"row 1, column 'la_name': missing column"):
        call_command("load_reference", data_dir=data_dir)


def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Reference data folder not found"):
        call_command("load_reference", data_dir=tmp_path / "nowhere")


def test_not_utf8_is_a_clear_error(tmp_path, reference_data):
    data_dir = copy_of_shared_data(tmp_path, COUNCILS, "")
    (data_dir / COUNCILS).write_bytes(b"old_la_code,new_la_code\n\xff\xfe,\n")
    with pytest.raises(CommandError, match=r"la_reference_153_2024\.csv"):
        call_command("load_reference", data_dir=data_dir)
    shutil.rmtree(data_dir)


def test_the_fingerprint_follows_the_insight_library_the_figures_come_from(
    settings, tmp_path, monkeypatch
) -> None:
    """`--if-changed` reloads when the Insight library changes, not only the loaders' modules:
    the stored Insight figures are worked out by it at load time."""
    library = tmp_path / "insight"
    library.mkdir()
    (library / "__init__.py").write_text("")
    (library / "improvement.py").write_text("SPELLS = 1\n")
    monkeypatch.setattr(insight, "__file__", str(library / "__init__.py"))
    before = fingerprint(settings.SHARED_DATA_DIR)
    assert fingerprint(settings.SHARED_DATA_DIR) == before
    (library / "improvement.py").write_text("SPELLS = 2\n")
    assert fingerprint(settings.SHARED_DATA_DIR) != before
