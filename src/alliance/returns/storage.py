"""Where returns live on disk, and the checks on a file before anything reads it.

- Uploads are streamed to `VAR_DIR/returns/incoming/<upload id>/` with a size limit, and their
  type is decided from their first bytes (zip, XML or CSV), never from their names.
- Ofsted's provider lists (public data, given with an SSDA903 return) go to the same upload's
  `providers/` folder, with the same limit; they are Ofsted's .xlsx workbooks or CSV, and a
  workbook is looked inside before anything reads it (`check_workbook`).
- Zips are unpacked by us, member by member, counting bytes as they come out: a member that
  expands more than `MAX_RATIO` times, or a zip whose contents pass `unzipped_limit()`, is refused
  (zip bombs), and so are names that climb out of the folder, nested zips and Excel workbooks.
- Accepted, pseudonymised tables are kept as Parquet under
  `VAR_DIR/returns/store/<organisation id>/<kind>/<year>/upload-<id>/`, one folder per accepted
  upload, written to a temporary folder and renamed into place, never overwritten.
- With a bucket on object storage (`shared_storage`) these folders are each machine's working copy
  and the bucket, under the same names, holds the files every machine sees.
- Each council's pseudonymisation key is in the database, encrypted (`council_keys`).
"""

from __future__ import annotations

import errno
import hashlib
import re
import shutil
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError

from statutory.engine.limits import Limits, default_limits

MB = 1024 * 1024
# A CSV compresses well (often 10-20 times); more than this is not a return. The same figure the
# statutory readers hold every zip to (`statutory.engine.limits`).
MAX_RATIO = Limits().max_ratio
CHUNK = 1024 * 1024
# A return's header row is a few hundred bytes; a first line longer than this is not one (a
# header of millions of columns is refused as it arrives, before it is stored or queued).
MAX_FIRST_LINE = 64 * 1024


class UploadProblem(ValidationError):
    """Something wrong with what was uploaded, said so the person who uploaded it can act: the
    rules refused it (Django's `ValidationError`, as every app's services raise). Its text is the
    plain message, as the upload's page and its audit row show it."""

    def __str__(self) -> str:
        return " ".join(self.messages)


class ProviderListProblem(UploadProblem):
    """Something wrong with an Ofsted provider list given with a return (shown by that field)."""


class Chunked(Protocol):
    name: str

    def chunks(self, chunk_size: int | None = None) -> Iterable[bytes]: ...


def upload_limit() -> int:
    return int(settings.UPLOAD_MAX_BYTES)


def unzipped_limit() -> int:
    """The most an upload's zips may unpack to: this year's and last year's returns at the
    readers' limit each (`statutory.engine.limits`, ALLIANCE_MAX_RETURN_MB, 256 MB a year), which
    the readers then hold each year to."""
    default = 2 * default_limits().max_bytes
    return int(getattr(settings, "RETURNS_UNZIPPED_MAX_BYTES", default))


def root() -> Path:
    return Path(settings.VAR_DIR) / "returns"


def incoming_dir(upload_id: int) -> Path:
    return root() / "incoming" / str(upload_id)


def store_dir(organisation_id: int, kind: str, year: int, upload_id: int) -> Path:
    return root() / "store" / str(organisation_id) / kind / str(year) / f"upload-{upload_id}"


def report_dir(organisation_id: int, upload_id: int) -> Path:
    return root() / "reports" / str(organisation_id) / f"upload-{upload_id}"


def version_name(folder: Path) -> str:
    """What an upload's `stored_version` records: the version's folder relative to `root()`,
    the same on every machine (and its name in the bucket when there is one)."""
    return folder.relative_to(root()).as_posix()


def version_dir(stored_version: str) -> Path:
    """This machine's folder of a stored version: `stored_version` relative to `root()`, or as
    it is when absolute (uploads stored before versions were recorded by name)."""
    path = Path(stored_version)
    return path if path.is_absolute() else root() / path


# ---------------------------------------------------------------------------------------------
# Type sniffing


def sniff(head: bytes) -> str:
    """'zip', 'xml' or 'csv' from a file's first bytes; UploadProblem for anything else."""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UploadProblem(
            "This is an old-style Excel workbook (.xls). Save each table as CSV (UTF-8) and upload"
            " the CSV files, or a zip of them."
        )
    if head.startswith(b"%PDF"):
        raise UploadProblem("This is a PDF. Upload the return's CSV files, a zip or the XML file.")
    text = head
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if text.startswith(bom):
            if bom != b"\xef\xbb\xbf":
                return "csv"  # UTF-16 text: the reader decodes it
            text = text[len(bom) :]
    stripped = text.lstrip()
    if stripped.startswith(b"<"):
        return "xml"
    if b"\x00" in text[:4096]:
        raise UploadProblem(
            "This file is not a CSV, zip or XML file (it holds binary data). Upload the return's "
            "CSV files, a zip of them, or the census XML file."
        )
    first_line = stripped.split(b"\n", 1)[0]
    if b"," in first_line or b"\t" in first_line or b";" in first_line:
        if len(first_line) > MAX_FIRST_LINE:
            raise UploadProblem(
                f"This file's first line is longer than {MAX_FIRST_LINE // 1024} KB: a return's "
                "header row is a few hundred characters. Check it is the right file."
            )
        return "csv"
    raise UploadProblem(
        "This file is not a CSV, zip or XML file: its first line has no columns. Upload the "
        "return's CSV files, a zip of them, or the census XML file."
    )


def sniff_provider_list(head: bytes) -> str:
    """'xlsx' or 'csv' from the first bytes of an Ofsted provider list; ProviderListProblem for
    anything else. (A zip is taken as a workbook here; `check_workbook` then looks inside.)"""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ProviderListProblem(
            "This Ofsted provider list is an old-style Excel workbook (.xls). Save it as .xlsx or "
            "CSV and upload that."
        )
    try:
        fmt = sniff(head)
    except UploadProblem:
        fmt = ""
    if fmt != "csv":
        raise ProviderListProblem(
            "An Ofsted provider list must be Ofsted's .xlsx workbook or a CSV file saved from it."
        )
    return fmt


def check_workbook(path: Path, *, budget: int | None = None) -> None:
    """Refuse a 'workbook' that is not one, or that would unpack to far more than a provider
    list does (the Excel reader unpacks it in memory: a zip bomb must not reach it)."""
    budget = unzipped_limit() if budget is None else budget
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise ProviderListProblem(
            "This Ofsted provider list is a damaged or incomplete workbook: download it again."
        ) from None
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise ProviderListProblem(
            "This Ofsted provider list is a zip, not an Excel workbook. Upload Ofsted's .xlsx "
            "workbook or a CSV file."
        )
    if sum(i.file_size for i in infos) > budget or any(
        i.compress_size and i.file_size / i.compress_size > MAX_RATIO for i in infos
    ):
        raise ProviderListProblem(
            "This Ofsted provider list unpacks to far more than a provider list does (it looks "
            "like a zip bomb)."
        )


SUFFIX = {"zip": ".zip", "xml": ".xml", "csv": ".csv", "xlsx": ".xlsx"}
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str, fmt: str, taken: set[str]) -> str:
    """The uploaded name reduced to a plain file name with the suffix its content calls for."""
    stem = Path(PurePosixPath(name.replace("\\", "/")).name).stem
    stem = _SAFE.sub("-", stem).strip(".-")[:80] or "file"
    candidate = stem + SUFFIX[fmt]
    n = 2
    while candidate.lower() in taken:
        candidate = f"{stem}-{n}{SUFFIX[fmt]}"
        n += 1
    taken.add(candidate.lower())
    return candidate


@dataclass(frozen=True)
class Received:
    original_name: str
    path: Path
    size: int
    sha256: str
    format: str


def receive(
    files: Iterable[Chunked],
    folder: Path,
    *,
    limit: int | None = None,
    sniffer: Callable[[bytes], str] = sniff,
) -> list[Received]:
    """Stream each file into `folder`, hashing and counting as it goes. Over the limit, of an
    unknown type (`sniffer` decides from the first bytes), or interrupted: everything written is
    removed and the error raised."""
    limit = upload_limit() if limit is None else limit
    received: list[Received] = []
    taken: set[str] = set()
    total = 0
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for upload in files:
            digest = hashlib.sha256()
            temp = folder / f".{uuid.uuid4().hex}.part"
            fmt: str | None = None
            size = 0
            with temp.open("wb") as out:
                for chunk in upload.chunks(CHUNK):
                    if fmt is None:
                        # the first line whole, when it fits in the first chunk
                        fmt = sniffer(chunk[: MAX_FIRST_LINE + 1])
                    size += len(chunk)
                    total += len(chunk)
                    if total > limit:
                        raise UploadProblem(
                            f"The upload is larger than {limit / MB:,.0f} MB, the most the service"
                            " accepts. Check it is the right file, or zip the CSV files."
                        )
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0 or fmt is None:
                raise UploadProblem(f"{upload.name} is empty.")
            target = folder / safe_name(upload.name, fmt, taken)
            temp.rename(target)
            received.append(Received(upload.name, target, size, digest.hexdigest(), fmt))
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        if out_of_space(exc):
            raise UploadProblem(NO_ROOM_TO_RECEIVE) from exc
        raise
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return received


NO_ROOM_TO_RECEIVE = (
    "The service has no room to store this upload just now, so nothing of it was kept and your "
    "last accepted return is unchanged. Try again later; if it happens again, tell the service team."
)
NO_ROOM_TO_STORE = (
    "The service ran out of room while storing this return, so it was not stored and your last "
    "accepted return is unchanged. Try again later; if it happens again, tell the service team."
)


def out_of_space(exc: BaseException) -> bool:
    """Whether `exc` is the disk (or the storage behind it) being full, as the operating system or
    a library writing a file (Polars says "os error 28") reports it."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc)
    return "No space left on device" in text or "os error 28" in text or "Disk quota" in text


# ---------------------------------------------------------------------------------------------
# Unzipping


def _member_parts(name: str) -> tuple[str, ...]:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", name):
        raise UploadProblem(f"The zip holds a file named {name!r} outside its own folder.")
    return tuple(_SAFE.sub("-", p).strip(".-") or "file" for p in path.parts)


def unpack(archive_path: Path, into: Path, *, budget: int | None = None) -> int:
    """Unpack a zip's CSV and XML files into `into`, keeping sub-folder names (so `current/` and
    `previous/` stay apart). Returns the bytes written. Refuses zip bombs, Excel workbooks, names
    that escape the folder and zips inside zips."""
    budget = unzipped_limit() if budget is None else budget
    written = 0
    try:
        archive = zipfile.ZipFile(archive_path)
    except zipfile.BadZipFile:
        raise UploadProblem(
            "The zip file is damaged or incomplete: zip it again and upload it."
        ) from None
    with archive:
        infos = archive.infolist()
        names = {i.filename for i in infos}
        if "[Content_Types].xml" in names or any(n.startswith("xl/") for n in names):
            raise UploadProblem(
                "This is an Excel workbook, not a zip of CSV files. Save each table as CSV (UTF-8)"
                " and upload those, or a zip of them."
            )
        declared = sum(i.file_size for i in infos)
        if declared > budget:
            raise UploadProblem(
                f"The zip would unpack to {declared / MB:,.0f} MB, more than the "
                f"{budget / MB:,.0f} MB allowed. Check it holds only the return."
            )
        for info in infos:
            if info.is_dir():
                continue
            parts = _member_parts(info.filename)
            if "__MACOSX" in parts or parts[-1].startswith("."):
                continue
            suffix = PurePosixPath(parts[-1]).suffix.lower()
            if suffix == ".zip":
                raise UploadProblem("The zip holds another zip. Put the CSV files in one zip.")
            if suffix not in (".csv", ".xml", ".txt"):
                continue
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                raise UploadProblem(
                    f"{info.filename} in the zip expands {info.file_size // info.compress_size:,}"
                    " times: that is not a return (it looks like a zip bomb)."
                )
            target = into.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            member_written = 0
            with archive.open(info) as source, target.open("wb") as out:
                while block := source.read(CHUNK):
                    member_written += len(block)
                    written += len(block)
                    # the sizes in a zip's directory can lie: count what really comes out
                    if written > budget or (
                        info.compress_size
                        and member_written > MAX_RATIO * info.compress_size + CHUNK
                    ):
                        raise UploadProblem(
                            "The zip unpacks to far more than it says: that is not a return "
                            "(it looks like a zip bomb)."
                        )
                    out.write(block)
    return written


def files_in(folder: Path) -> Iterator[Path]:
    yield from sorted(p for p in folder.rglob("*") if p.is_file())
