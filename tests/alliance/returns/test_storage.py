"""Checks on a file before anything reads it: type sniffing, size limit, interrupted uploads, zips."""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import pytest

from alliance.returns import storage
from alliance.returns.storage import UploadProblem


class Chunks:
    def __init__(self, name: str, parts: list[bytes], fail_after: int | None = None) -> None:
        self.name = name
        self.parts = parts
        self.fail_after = fail_after

    def chunks(self, chunk_size=None):  # type: ignore[no-untyped-def]
        for i, part in enumerate(self.parts):
            if self.fail_after is not None and i >= self.fail_after:
                raise OSError("connection reset by peer")
            yield part


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"PK\x03\x04rest", "zip"),
        (b'<?xml version="1.0"?><Message>', "xml"),
        (b"\xef\xbb\xbf  <Message>", "xml"),
        (b"CHILD,SEX,DOB\n1,1,01/01/2010\n", "csv"),
        (b"\xff\xfeC\x00H\x00", "csv"),
    ],
)
def test_type_is_decided_by_content(head, kind):
    assert storage.sniff(head) == kind


@pytest.mark.parametrize(
    ("head", "says"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1", "Excel"),
        (b"%PDF-1.7", "PDF"),
        (b"\x00\x01\x02binary", "binary"),
        (b"just some words\nand more", "no columns"),
    ],
)
def test_other_files_are_refused_with_a_reason(head, says):
    with pytest.raises(UploadProblem, match=says):
        storage.sniff(head)


def test_a_csv_named_anything_is_stored_as_csv(tmp_path):
    got = storage.receive(
        [Chunks("episodes.dat", [b"CHILD,DECOM\n", b"1,01/04/2025\n"])], tmp_path / "in"
    )
    assert got[0].path.name == "episodes.csv"
    assert got[0].format == "csv"
    assert got[0].size == len(b"CHILD,DECOM\n1,01/04/2025\n")


def test_names_cannot_climb_out_of_the_folder(tmp_path):
    got = storage.receive([Chunks("../../etc/passwd.csv", [b"A,B\n"])], tmp_path / "in")
    assert got[0].path.parent == tmp_path / "in"


def test_over_the_limit_leaves_nothing(tmp_path):
    folder = tmp_path / "in"
    with pytest.raises(UploadProblem, match="larger than"):
        storage.receive([Chunks("a.csv", [b"A,B\n" + b"x" * 100, b"y" * 100])], folder, limit=150)
    assert not folder.exists()


def test_an_interrupted_upload_leaves_nothing(tmp_path):
    folder = tmp_path / "in"
    with pytest.raises(OSError, match="reset"):
        storage.receive(
            [Chunks("a.csv", [b"A,B\n1,2\n"]), Chunks("b.csv", [b"C,D\n", b"3,4\n"], fail_after=1)],
            folder,
        )
    assert not folder.exists()


def _zip(members: dict[str, bytes]) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    path = Path(storage.root()) / "t.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return path


def test_a_zip_bomb_is_refused(tmp_path):
    bomb = _zip({"episodes.csv": b"A,B\n" + b"0" * 5_000_000})
    with pytest.raises(UploadProblem, match="zip bomb"):
        storage.unpack(bomb, tmp_path / "out")


def test_a_zip_over_the_unzipped_limit_is_refused(tmp_path):
    big = _zip({"a.csv": bytes(range(256)) * 4000, "b.csv": bytes(range(256)) * 4000})
    with pytest.raises(UploadProblem, match="unpack to"):
        storage.unpack(big, tmp_path / "out", budget=1_000_000)


def test_an_excel_workbook_is_not_taken_for_a_zip(tmp_path):
    book = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    with pytest.raises(UploadProblem, match="Excel workbook"):
        storage.unpack(book, tmp_path / "out")


def test_zip_member_names_cannot_escape(tmp_path):
    evil = _zip({"../../evil.csv": b"A,B\n1,2\n"})
    with pytest.raises(UploadProblem, match="outside"):
        storage.unpack(evil, tmp_path / "out")


def test_a_zip_keeps_its_previous_folder(tmp_path):
    archive = _zip(
        {"current/a.csv": b"A,B\n1,2\n", "previous/a.csv": b"A,B\n3,4\n", "__MACOSX/x.csv": b""}
    )
    storage.unpack(archive, tmp_path / "out")
    assert sorted(
        p.relative_to(tmp_path / "out").as_posix() for p in storage.files_in(tmp_path / "out")
    ) == [
        "current/a.csv",
        "previous/a.csv",
    ]


# ---------------------------------------------------------------------------------------------
# Ofsted's provider lists


def _workbook(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        (b"PK\x03\x04rest", "xlsx"),
        (b"URN,Placement code\nSC1,K2\n", "csv"),
        (b"\xef\xbb\xbfURN,Placement code\n", "csv"),
    ],
)
def test_provider_lists_are_workbooks_or_csv(head: bytes, fmt: str) -> None:
    assert storage.sniff_provider_list(head) == fmt


@pytest.mark.parametrize(
    ("head", "says"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1", "old-style Excel workbook (.xls)"),
        (b"%PDF-1.7", "must be Ofsted's .xlsx workbook or a CSV"),
        (b"<?xml version='1.0'?><x/>", "must be Ofsted's .xlsx workbook or a CSV"),
        (b"just words", "must be Ofsted's .xlsx workbook or a CSV"),
    ],
)
def test_other_provider_lists_are_refused_for_that_field(head: bytes, says: str) -> None:
    with pytest.raises(storage.ProviderListProblem, match=re.escape(says)):
        storage.sniff_provider_list(head)


def test_a_provider_list_streams_with_its_own_suffix(tmp_path: Path) -> None:
    xlsx = _workbook({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    got = storage.receive(
        [Chunks("Childrens homes.XLSX", [xlsx]), Chunks("social care.txt", [b"URN,x\n1,2\n"])],
        tmp_path / "providers",
        sniffer=storage.sniff_provider_list,
    )
    assert [r.path.name for r in got] == ["Childrens-homes.xlsx", "social-care.csv"]
    storage.check_workbook(got[0].path)


def test_a_workbook_is_looked_inside_before_it_is_read(tmp_path: Path) -> None:
    not_excel = tmp_path / "a.xlsx"
    not_excel.write_bytes(_workbook({"episodes.csv": b"CHILD\n1\n"}))
    with pytest.raises(storage.ProviderListProblem, match="a zip, not an Excel workbook"):
        storage.check_workbook(not_excel)
    bomb = tmp_path / "b.xlsx"
    bomb.write_bytes(
        _workbook(
            {
                "[Content_Types].xml": b"<Types/>",
                "xl/worksheets/sheet1.xml": b"\0" * (20 * storage.MB),
            }
        )
    )
    with pytest.raises(storage.ProviderListProblem, match="zip bomb"):
        storage.check_workbook(bomb)
    big = tmp_path / "c.xlsx"
    big.write_bytes(
        _workbook({"[Content_Types].xml": b"<Types/>", "xl/sharedStrings.xml": os.urandom(4096)})
    )
    with pytest.raises(storage.ProviderListProblem, match="zip bomb"):
        storage.check_workbook(big, budget=1024)
    damaged = tmp_path / "d.xlsx"
    damaged.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(storage.ProviderListProblem, match="damaged or incomplete"):
        storage.check_workbook(damaged)
