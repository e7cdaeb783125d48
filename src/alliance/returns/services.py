"""Statutory returns: receiving uploads, checking them with the statutory library, storing the
accepted records pseudonymised, and the interface other apps call.

Other apps call (see docs/returns.md):
    pseudonymise_id(organisation, child_id)            -> the council's pseudonym of a child id
                                                          (the same in SSDA903 and CIN)
    latest_tables(organisation, kind, year=None)       -> {table: DataFrame} of accepted uploads
    indicator_history(organisation, kind)              -> [{year, indicator, label, value, ...}]

No request objects here: views and tasks pass plain values.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.db import DatabaseError, IntegrityError, close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from alliance.common.logcontext import request_id
from alliance.organisations.models import Council, Organisation
from alliance.returns import storage
from alliance.returns.models import DataSharingAgreement, ReturnKind, Upload
from alliance.returns.storage import UploadProblem
from alliance.schedule.liveness import stale_after

KINDS = (ReturnKind.SSDA903.value, ReturnKind.CIN.value)
_POPULATION_NOTE = re.compile(r"\s*\((?:ONS )?mid-\d{4}\)")


# ---------------------------------------------------------------------------------------------
# The interface other apps call


def _organisation_id(organisation: Organisation | int) -> int:
    return organisation if isinstance(organisation, int) else organisation.pk


def pseudonymise_id(organisation: Organisation | int, child_id: str, kind: str = "ssda903") -> str:
    """The council's keyed pseudonym of a child id: what the stored SSDA903 tables hold in
    `CHILD` and the stored CIN census tables in `LAchildID` for that child. Both returns use one
    function (`statutory.engine.pseudonym.child_pseudonym`), so `kind` does not change the
    answer; it is accepted for callers written when the two differed. (The one exception: ids
    of one CIN census that differ only in letter case keep census-only pseudonyms there.)"""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    from statutory.engine.pseudonym import child_pseudonym

    return child_pseudonym(storage.council_key(_organisation_id(organisation)), child_id) or ""


OLD_CIN_PSEUDONYM = re.compile(r"^P[0-9A-F]{15}$")
"""How the CIN census stored `LAchildID` before both returns shared one pseudonym (see
docs/returns.md): `P` is not a hex digit, so no pseudonym made since looks like this."""


def stored_with_old_cin_pseudonyms(organisation: Organisation | int) -> list[Upload]:
    """The council's latest accepted CIN censuses (one a year) still holding the old CIN-only
    pseudonyms, which match nothing in SSDA903: each needs uploading again."""
    stale = []
    for _year, upload in sorted(_latest_accepted(_organisation_id(organisation), "cin").items()):
        path = Path(upload.stored_version) / "ChildIdentifiers.parquet"
        if not upload.stored_version or not path.is_file():
            continue
        ids = pl.read_parquet(path, columns=["LAchildID"])["LAchildID"].drop_nulls()
        if ids.len() and ids.str.contains(OLD_CIN_PSEUDONYM.pattern).all():
            stale.append(upload)
    return stale


def _latest_accepted(organisation_id: int, kind: str) -> dict[int, Upload]:
    latest: dict[int, Upload] = {}
    uploads = Upload.objects.accepted().filter(organisation_id=organisation_id, kind=kind)
    for upload in uploads.order_by("year", "uploaded_at", "id"):
        latest[upload.year] = upload  # later uploads replace earlier ones of the same year
    return latest


def read_version(upload: Upload) -> dict[str, pl.DataFrame]:
    folder = Path(upload.stored_version)
    if not upload.stored_version or not folder.is_dir():
        return {}
    return {p.stem: pl.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def previous_year_tables(
    organisation: Organisation | int, kind: str, year: int
) -> dict[str, pl.DataFrame]:
    """Last year's pseudonymised tables to go with the council's `year`: those sent with that
    year's latest accepted upload, else the council's own latest accepted upload of the year
    before; {} when there are none (the CIN census has no use for them)."""
    if kind != ReturnKind.SSDA903:
        return {}
    latest = _latest_accepted(_organisation_id(organisation), kind)
    if year in latest and latest[year].stored_version:
        folder = Path(latest[year].stored_version) / PREVIOUS
        if folder.is_dir():
            return {p.stem: pl.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}
    return read_version(latest[year - 1]) if year - 1 in latest else {}


def latest_tables(
    organisation: Organisation | int, kind: str, year: int | None = None
) -> dict[str, pl.DataFrame]:
    """The latest accepted, pseudonymised tables of the council's uploads of `kind` for `year`,
    or every year stacked with a `YEAR` column when `year` is None; {} when nothing is uploaded."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    latest = _latest_accepted(_organisation_id(organisation), kind)
    if year is not None:
        return read_version(latest[year]) if year in latest else {}
    stacked: dict[str, list[pl.DataFrame]] = {}
    for each_year, upload in sorted(latest.items()):
        for name, frame in read_version(upload).items():
            stacked.setdefault(name, []).append(
                frame.with_columns(pl.lit(each_year, dtype=pl.Int32).alias("YEAR"))
            )
    return {name: pl.concat(frames, how="diagonal_relaxed") for name, frames in stacked.items()}


def indicator_key(label: str) -> str:
    return slugify(_POPULATION_NOTE.sub("", label))


def indicator_history(organisation: Organisation | int, kind: str) -> list[dict[str, Any]]:
    """Rows {year, indicator, label, value, numerator, denominator, unit}, computed by
    statutory.<kind>.indicators when each year's upload was accepted; [] when nothing is."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    rows: list[dict[str, Any]] = []
    for year, upload in sorted(_latest_accepted(_organisation_id(organisation), kind).items()):
        for item in upload.indicators:
            rows.append(
                {
                    "year": year,
                    "indicator": indicator_key(item["indicator"]),
                    "label": _POPULATION_NOTE.sub("", item["indicator"]),
                    "value": item["value"],
                    "numerator": item.get("numerator"),
                    "denominator": item.get("denominator"),
                    "unit": item.get("unit", ""),
                }
            )
    return rows


# ---------------------------------------------------------------------------------------------
# Years


def collection_years(kind: str, today: dt.date | None = None) -> list[int]:
    """The current collection year and the one before (2026 = April 2025 to March 2026), where
    the library has a schema for them, newest first."""
    today = today or dt.date.today()
    current = today.year + 1 if today.month >= 4 else today.year
    wanted = [current, current - 1, current - 2]
    if kind == ReturnKind.CIN:
        from statutory.cin.schema import years

        known = set(years())
    else:
        known = {y for y in wanted if _has_903_schema(y)}
    return [y for y in wanted if y in known][:2]


def _has_903_schema(year: int) -> bool:
    from statutory.ssda903.schemas import load_schema

    try:
        load_schema(year)
    except (ValueError, FileNotFoundError, KeyError):
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Starting an upload


def start_upload(
    *,
    organisation: Organisation,
    user: Any,
    kind: str,
    year: int,
    current: Sequence[storage.Chunked],
    previous: Sequence[storage.Chunked] = (),
    providers: Sequence[storage.Chunked] = (),
) -> Upload:
    """Stream the files to storage, record the upload and queue its check. One upload of a
    council's return runs at a time: a second gets UploadProblem and leaves nothing behind.

    `providers` are Ofsted's provider lists (SSDA903 only, up to two), kept with the upload for
    its check. They are read here, before anything is recorded, so a list the library cannot
    use is refused at once with its message (ProviderListProblem) and nothing is stored."""
    if kind not in KINDS:
        raise UploadProblem("Choose which return this is.")
    if not current:
        raise UploadProblem("Choose the return's files to upload.")
    if providers and kind != ReturnKind.SSDA903:
        raise storage.ProviderListProblem(
            "Ofsted's provider lists are for the SSDA903 return only: leave them out"
        )
    if len(providers) > MAX_PROVIDER_LISTS:
        raise storage.ProviderListProblem(
            f"Choose at most {MAX_PROVIDER_LISTS} Ofsted provider lists (for example the "
            "Children's Homes list and the Social Care Providers list)"
        )
    if Upload.objects.running().filter(organisation=organisation, kind=kind, year=year).exists():
        raise _already_running()
    staging = storage.root() / "incoming" / f"staging-{timezone.now():%Y%m%d%H%M%S}-{id(current)}"
    try:
        got_current = storage.receive(current, staging / "current")
        remaining = storage.upload_limit() - sum(r.size for r in got_current)
        got_previous = (
            storage.receive(previous, staging / "previous", limit=remaining) if previous else []
        )
        remaining -= sum(r.size for r in got_previous)
        got_providers = (
            storage.receive(
                providers,
                staging / PROVIDERS,
                limit=remaining,
                sniffer=storage.sniff_provider_list,
            )
            if providers
            else []
        )
        _check_provider_lists(got_providers)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    received = [*got_current, *got_previous]
    try:
        with transaction.atomic():
            # Lock the council's row so two uploads of its return are decided one after the other.
            Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
            last = (
                Upload.objects.filter(organisation=organisation, kind=kind, year=year)
                .exclude(status=Upload.Status.FAILED)
                .order_by("-uploaded_at", "-id")
                .first()
            )
            upload = Upload.objects.create(
                organisation=organisation,
                kind=kind,
                year=year,
                uploaded_by=user if getattr(user, "is_authenticated", False) else None,
                file_names=[r.original_name for r in received],
                size_bytes=sum(r.size for r in received),
                sha256=received[0].sha256 if len(received) == 1 else "",
                has_previous_year=bool(got_previous),
                provider_file_names=[r.original_name for r in got_providers],
                stage="Waiting for the checking service",
                compared_with=last,
            )
            target = storage.incoming_dir(upload.pk)
            target.parent.mkdir(parents=True, exist_ok=True)
            staging.rename(target)
            transaction.on_commit(lambda: enqueue(upload.pk))
    except IntegrityError:
        shutil.rmtree(staging, ignore_errors=True)
        raise _already_running() from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return upload


# Ofsted publishes its provider information as two lists (Children's Homes; Social Care
# Providers) or one combined list: two files at most.
MAX_PROVIDER_LISTS = 2
PROVIDERS = "providers"


def _check_provider_lists(received: Sequence[storage.Received]) -> None:
    """Read the provider lists as the check will, so an unusable one is refused now, with the
    library's message naming the file (as uploaded), row and column."""
    if not received:
        return
    from statutory.engine.errors import InputError
    from statutory.ssda903.providers import read_providers

    budget = storage.unzipped_limit()
    for item in received:
        if item.format == "xlsx":
            try:
                storage.check_workbook(item.path, budget=budget)
            except storage.ProviderListProblem as problem:
                raise storage.ProviderListProblem(f"{item.original_name}: {problem}") from None
    try:
        read_providers([r.path for r in received])
    except InputError as exc:
        text = str(exc)
        for item in received:
            text = text.replace(str(item.path), item.original_name)
        raise storage.ProviderListProblem(
            f"The Ofsted provider list could not be used: {text}"
        ) from None


def provider_lists(upload: Upload) -> list[Path]:
    """The Ofsted provider lists kept with an upload (none once it has been decided)."""
    folder = storage.incoming_dir(upload.pk) / PROVIDERS
    return list(storage.files_in(folder)) if folder.is_dir() else []


def _already_running() -> UploadProblem:
    return UploadProblem(
        "An upload of this return is already being checked. Wait for it to finish, then upload "
        "again."
    )


def enqueue(upload_id: int) -> None:
    from alliance.returns.tasks import check_upload

    check_upload.enqueue(upload_id, request_id=request_id())


def retry(upload: Upload) -> bool:
    """Queue a failed upload again (its files are kept until it is accepted or rejected)."""
    with transaction.atomic():
        updated = Upload.objects.filter(pk=upload.pk, status=Upload.Status.FAILED).update(
            status=Upload.Status.QUEUED, stage="Waiting for the checking service", problem=""
        )
        if updated:
            transaction.on_commit(lambda: enqueue(upload.pk))
    return bool(updated)


# ---------------------------------------------------------------------------------------------
# Checking an upload (runs in the task worker)


def claim(upload_id: int, token: str) -> Upload | None:
    """Take the upload for this task run, or None when it is finished or another run is working
    on it (a run whose heartbeat stopped more than ALLIANCE_TASK_STALE_SECONDS ago is taken over)."""
    now = timezone.now()
    with transaction.atomic():
        upload = Upload.objects.select_for_update().filter(pk=upload_id).first()
        if upload is None or upload.status in Upload.FINISHED:
            return None
        if (
            upload.status == Upload.Status.CHECKING
            and upload.heartbeat_at is not None
            and now - upload.heartbeat_at < stale_after()
        ):
            return None
        upload.status = Upload.Status.CHECKING
        upload.claimed_by = token
        upload.attempts += 1
        upload.heartbeat_at = now
        upload.started_at = now
        upload.stage = "Reading the files"
        upload.save(
            update_fields=[
                "status",
                "claimed_by",
                "attempts",
                "heartbeat_at",
                "started_at",
                "stage",
            ]
        )
        return upload


class _Progress:
    """Counts checks as the engine's threads finish them; a thread of its own writes the count
    to the database twice a second so the page can show it."""

    def __init__(self, upload_id: int, token: str) -> None:
        self.upload_id = upload_id
        self.token = token
        self.done = 0
        self.total = 0
        self.stage = ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> _Progress:
        # An in-memory SQLite database (the test suite's) cannot be shared with a second thread.
        if not (
            connection.vendor == "sqlite"
            and getattr(connection, "is_in_memory_db", lambda: False)()
        ):
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def tick(self, _code: str = "") -> None:
        with self._lock:
            self.done += 1

    def set(self, stage: str, total: int | None = None, done: int | None = None) -> None:
        """Start a stage; with `total` its count of checks starts from 0, with `done` the count
        stays where the checks left it (so the bar never goes back)."""
        with self._lock:
            self.stage = stage
            if total is not None:
                self.total = total
                self.done = 0
            if done is not None:
                self.done = done
        self.write()

    def write(self) -> None:
        Upload.objects.filter(pk=self.upload_id, claimed_by=self.token).update(
            stage=self.stage,
            checks_done=self.done,
            checks_total=self.total,
            heartbeat_at=timezone.now(),
        )

    def _loop(self) -> None:
        try:
            while not self._stop.wait(0.5):
                try:
                    self.write()
                except DatabaseError:
                    # progress is a courtesy: a busy database must not stop the checks
                    # (the main thread writes each stage itself)
                    continue
        finally:
            connection.close()


def check(upload_id: int, token: str) -> str:
    """Run the checks on an upload and accept or reject it. Safe to run again: a finished upload
    is left alone, a running one is not touched by a second run, and every file it writes goes to
    a temporary name first."""
    upload = claim(upload_id, token)
    if upload is None:
        return "skipped"
    started = time.perf_counter()
    progress = _Progress(upload.pk, token)
    try:
        with progress:
            result = _validate(upload, progress)
    except UploadProblem as problem:
        _finish(upload, token, Upload.Status.REJECTED, started, problem=str(problem))
        return "rejected"
    except Exception as exc:
        from statutory.engine.errors import InputError

        if isinstance(exc, InputError | ValueError | KeyError):
            _finish(upload, token, Upload.Status.REJECTED, started, problem=_plain(exc))
            return "rejected"
        _finish(
            upload,
            token,
            Upload.Status.FAILED,
            started,
            problem="The service could not finish checking this upload. Try again; if it fails "
            "again, tell the service team.",
            keep_files=True,
        )
        raise
    _finish(upload, token, Upload.Status.ACCEPTED, started, result=result)
    return "accepted"


_STAGED = re.compile(r"/\S*/returns/incoming/\d+/(?:providers/|unpacked/)?(?:(current|previous)/)?")


def _without_paths(text: str) -> str:
    """Where the service keeps files is no business of the analyst: name the file as uploaded,
    and say when it is one of last year's."""
    return _STAGED.sub(lambda m: "last year's " if m.group(1) == "previous" else "", text)


_SETTING_NAMES = re.compile(
    r",? the limits ALLIANCE_[A-Z_]+ and ALLIANCE_[A-Z_]+| ?\(ALLIANCE_[A-Z_]+\)"
)


def _plain(exc: BaseException) -> str:
    text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    providers = re.search(r"/returns/incoming/\d+/providers/", str(text)) is not None
    text = _without_paths(str(text))
    text = text.replace("(--year ", "(collection year ")
    # the library names the setting that raises a limit, for whoever runs the service: a council
    # uploading a return cannot change it, so the service's message leaves it out
    text = _SETTING_NAMES.sub("", text)
    if providers:
        return f"The Ofsted provider list could not be used: {text}"
    return f"The return could not be read: {text}"


def _finish(
    upload: Upload,
    token: str,
    status: str,
    started: float,
    *,
    problem: str = "",
    result: dict[str, Any] | None = None,
    keep_files: bool = False,
) -> None:
    fields: dict[str, Any] = {
        "status": status,
        "problem": problem,
        "finished_at": timezone.now(),
        "seconds": round(time.perf_counter() - started, 2),
        "stage": "",
        "heartbeat_at": timezone.now(),
    }
    if result is not None:
        fields.update(result)
    with transaction.atomic():
        locked = Upload.objects.select_for_update().get(pk=upload.pk)
        if locked.claimed_by != token:
            return  # another run took over; its result stands
        Upload.objects.filter(pk=upload.pk).update(**fields)
    if status != Upload.Status.ACCEPTED and result is None:
        # rejected: nothing of it is kept; the last accepted version stays the council's data
        shutil.rmtree(
            storage.store_dir(upload.organisation_id, upload.kind, upload.year, upload.pk),
            ignore_errors=True,
        )
    if not keep_files:
        # the uploaded files held real ids: they go once the upload is decided
        shutil.rmtree(storage.incoming_dir(upload.pk), ignore_errors=True)


def _council(upload: Upload) -> Council:
    council = Council.objects.filter(organisation_id=upload.organisation_id).first()
    if council is None:
        raise UploadProblem("Only a council can upload its statutory returns.")
    return council


def _prepare(upload: Upload) -> tuple[Path, Path | None]:
    """The folder of this year's files and of last year's (zips unpacked safely)."""
    base = storage.incoming_dir(upload.pk)
    if not base.is_dir():
        raise UploadProblem("The uploaded files are no longer here: upload the return again.")
    work = base / "unpacked"
    shutil.rmtree(work, ignore_errors=True)  # a retried run starts clean
    folders: dict[str, Path | None] = {}
    budget = storage.unzipped_limit()
    for part in ("current", "previous"):
        source = base / part
        if not source.is_dir():
            folders[part] = None
            continue
        target = work / part
        target.mkdir(parents=True, exist_ok=True)
        for file in storage.files_in(source):
            if file.suffix == ".zip":
                budget -= storage.unpack(file, target / file.stem, budget=budget)
            else:
                shutil.copyfile(file, target / file.name)
        folders[part] = target
    current = folders["current"]
    assert current is not None
    return current, folders["previous"]


def _single_xml(folder: Path) -> Path | None:
    files = list(storage.files_in(folder))
    xml = [f for f in files if f.suffix.lower() == ".xml"]
    return xml[0] if len(xml) == 1 and len(files) == 1 else None


def _read(upload: Upload, council: Council) -> tuple[Any, Callable[[], dict[str, pl.DataFrame]]]:
    """-> (the typed return with real ids, for checking; a function making its tables
    pseudonymised, for storing, run beside the checks)."""
    current, previous = _prepare(upload)
    key = storage.council_key(upload.organisation_id)
    if upload.kind == ReturnKind.SSDA903:
        from statutory.ssda903.pseudonymise import pseudonymise_tables
        from statutory.ssda903.reader import build_return, read_return

        _refuse_cin_as_903(current)
        for folder in (current, previous):
            if folder is not None:
                _refuse_another_councils_903(folder, council)
        lists = provider_lists(upload)
        if upload.provider_file_names and not lists:
            raise UploadProblem(
                "The Ofsted provider lists are no longer here: upload the return again."
            )
        # Public data: they go to the reader (for the Ofsted-provider rules), never to `supplied`,
        # so they are neither pseudonymised nor stored with the records.
        return_ = read_return(current, upload.year, previous=previous, providers=lists or None)
        return_.la_code = council.ons_code
        supplied = {n: _as_text(return_.tables[n]) for n in sorted(return_.supplied)}
        last_year = (
            {
                n: _as_text(return_.previous.tables[n])
                for n in sorted(return_.previous.supplied)
                if n in PREVIOUS_TABLES
            }
            if return_.previous is not None
            else {}
        )

        def make_903() -> dict[str, pl.DataFrame]:
            typed = build_return(upload.year, pseudonymise_tables(supplied, key))
            out = {n: typed.tables[n] for n in supplied}
            if last_year:
                # stored beside this year's (pseudonymised the same way) so the pooled figures
                # can follow a child's care back into last year, as the council's own do
                earlier = build_return(
                    upload.year - 1,
                    pseudonymise_tables(last_year, key),
                    schema=_schema_for(upload.year - 1, upload.year),
                )
                out |= {f"{PREVIOUS}/{n}": earlier.tables[n] for n in last_year}
            return out

        return return_, make_903
    from statutory.cin.pseudonymise import pseudonymise_tables as cin_pseudonymise
    from statutory.cin.reader import read_return as read_cin

    _refuse_903_as_cin(current)
    source = _single_xml(current) or current
    return_ = read_cin(source, upload.year)
    return_.la_code = council.ons_code
    header = return_.tables.get("Header")
    if header is not None and header.height and "LEA" in header.columns:
        named = str(header["LEA"][0] or "").strip()
        if named and named != council.dfe_code:
            other = Council.objects.filter(dfe_code=named).first()
            raise UploadProblem(
                f"The census header names council {named}"
                + (f" ({other.name})" if other else "")
                + f", not {council.name} ({council.dfe_code}). Upload {council.name}'s own census."
            )
    supplied = {n: return_.tables[n] for n in sorted(return_.supplied)}
    return return_, lambda: _cin_pseudonymised(supplied, cin_pseudonymise, key)


PREVIOUS = "previous"
"""The sub-folder of a stored SSDA903 version holding last year's tables sent with it."""
PREVIOUS_TABLES = ("Episodes",)
"""Last year's tables kept: only those the indicators read (a child's care followed back into
last year); nothing more of last year's return is stored."""


def _schema_for(year: int, fallback: int) -> Any:
    from statutory.ssda903.schemas import load_schema

    try:
        return load_schema(year)
    except (ValueError, FileNotFoundError, KeyError):
        return load_schema(fallback)


def _refuse_903_as_cin(folder: Path) -> None:
    """SSDA903 files sent as the CIN census: say so, rather than the reader's complaint about a
    missing LAchildID column."""
    for file in storage.files_in(folder):
        with file.open("rb") as handle:
            head = handle.read(4096)
        text = head.decode("utf-8-sig", errors="replace")
        first = text.splitlines()[:1]
        columns = {c.strip().strip('"').upper() for c in first[0].split(",")} if first else set()
        is_903_csv = "CHILD" in columns and "LACHILDID" not in columns
        is_903_xml = text.lstrip().startswith("<") and (
            "<CHILDID>" in text.upper() or "<EPISODE>" in text.upper()
        )
        if (is_903_csv or is_903_xml) and "<LAchildID" not in text:
            raise UploadProblem(
                "This is an SSDA903 return (children looked after), not a CIN census. Upload it "
                "as the SSDA903 return."
            )


def _refuse_cin_as_903(folder: Path) -> None:
    for file in storage.files_in(folder):
        if file.suffix.lower() == ".xml":
            with file.open("rb") as handle:
                head = handle.read(4096)
            if b"<CollectionDetails" in head or b"<Collection>CIN" in head:
                raise UploadProblem(
                    "This is a children in need census file, not an SSDA903 return. Upload it as "
                    "the CIN census."
                )


# Columns some councils' SSDA903 exports add to say whose return it is. The DfE's tables have no
# such column (PL_LA is the placement's council, not the return's), so this is only a check when
# a file carries one.
LA_COLUMNS = ("LA", "LA_CODE", "LEA", "LA_NAME", "LOCAL_AUTHORITY")


def _la_column_values(file: Path) -> tuple[str, set[str]] | None:
    """(column, its distinct values) when a CSV's header has one of LA_COLUMNS, else None."""
    if file.suffix.lower() not in (".csv", ".txt", ""):
        return None
    with file.open("rb") as handle:
        head = handle.read(65536)
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"PK")):
        return None  # UTF-16 or not text: the reader decides about it
    first = head.decode("utf-8-sig", errors="replace").splitlines()[:1]
    header = [c.strip().strip('"').upper() for c in first[0].split(",")] if first else []
    found = next((c for c in LA_COLUMNS if c in header), None)
    if found is None:
        return None
    position = header.index(found)
    frame = pl.read_csv(
        file,
        infer_schema=False,
        encoding="utf8-lossy",
        columns=[position],
        truncate_ragged_lines=True,
    )
    values = frame.to_series().drop_nulls().str.strip_chars()
    return found, {v for v in values.unique().to_list() if v}


def _council_named(value: str) -> Council | None:
    text = value.strip()
    return (
        Council.objects.filter(
            Q(dfe_code=text)
            | Q(ons_code__iexact=text)
            | Q(name__iexact=text)
            | Q(ofsted_name__iexact=text)
        )
        .select_related("organisation")
        .first()
    )


def _refuse_another_councils_903(folder: Path, council: Council) -> None:
    """An SSDA903 file that names its council in an LA column must name the uploader's. Values
    that name no council are not evidence either way; nothing else in the return (placement
    postcodes, PL_LA, UPNs) says whose return it is, so nothing else is guessed from."""
    for file in storage.files_in(folder):
        try:
            found = _la_column_values(file)
        except (OSError, pl.exceptions.PolarsError):
            continue  # the reader reports unreadable files in its own words
        if not found:
            continue
        column, values = found
        named = {c for c in (_council_named(v) for v in values) if c is not None}
        others = sorted((c for c in named if c.pk != council.pk), key=lambda c: c.name)
        if others:
            listed = ", ".join(f"{c.name} ({c.dfe_code})" for c in others)
            raise UploadProblem(
                f"The {column} column of {file.name} names {listed}, not {council.name} "
                f"({council.dfe_code}). Upload {council.name}'s own return."
            )


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """A typed table back to the text the library's pseudonymising step reads (the original text
    where a value did not parse, dates as dd/mm/YYYY)."""
    raw = {c for c in frame.columns if c.endswith("__raw")}
    exprs = []
    for column in frame.columns:
        if column in raw or column == "ROW_NUMBER":
            continue
        dtype = frame.schema[column]
        text = (
            pl.col(column).dt.strftime("%d/%m/%Y")
            if dtype == pl.Date
            else pl.col(column).cast(pl.String)
        )
        if f"{column}__raw" in raw:
            text = pl.coalesce(text, pl.col(f"{column}__raw"))
        exprs.append(text.alias(column))
    return frame.select(exprs)


def _cin_pseudonymised(
    tables: dict[str, pl.DataFrame], pseudonymise: Any, key: bytes
) -> dict[str, pl.DataFrame]:
    dates = ("PersonBirthDate", "ExpectedPersonBirthDate")
    as_text = {
        name: frame.with_columns(pl.col(c).cast(pl.String) for c in dates if c in frame.columns)
        for name, frame in tables.items()
    }
    out = pseudonymise(as_text, key)
    return {
        name: frame.with_columns(
            pl.col(c).str.to_date("%Y-%m-%d", strict=False).cast(tables[name].schema[c])
            for c in dates
            if c in frame.columns
        )
        for name, frame in out.items()
    }


def _validate(upload: Upload, progress: _Progress) -> dict[str, Any]:
    from statutory.engine import Registry, run

    council = _council(upload)
    progress.set("Reading the files")
    return_, make_pseudonymised = _read(upload, council)
    registry = Registry.load("903" if upload.kind == ReturnKind.SSDA903 else "cin")
    rules = registry.applicable(upload.year)
    progress.set("Running the DfE validation rules", total=len(rules))
    # Pseudonymising is mostly Python (a keyed hash per id): it runs while Polars checks the rules.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(make_pseudonymised)
        findings = run(registry, return_, year=upload.year, threads=2, on_rule=progress.tick)
        pseudonymised = pending.result()
    progress.set("Working out the indicators", done=len(rules))
    if upload.kind == ReturnKind.SSDA903:
        from statutory.ssda903.indicators import compute
    else:
        from statutory.cin.indicators import compute
    indicators = compute(return_, la=council.dfe_code)
    progress.set("Storing the report and the pseudonymised records", done=len(rules))
    frame = with_values(findings.frame, return_.tables)
    report = storage.report_dir(upload.organisation_id, upload.pk)
    _write_parquet_folder(
        report,
        {
            "findings": pseudonymised_findings(
                findings.frame, return_.tables, storage.council_key(upload.organisation_id)
            ),
            IDENTITIES: frame.select("child_id", "values"),
        },
    )
    version = storage.store_dir(upload.organisation_id, upload.kind, upload.year, upload.pk)
    _write_parquet_folder(version, pseudonymised)
    counts = findings.counts
    summary = {
        "rules_run": len(findings.rules_run),
        "findings": frame.height,
        "children": frame["child_id"].drop_nulls().n_unique() if frame.height else 0,
        "counts": [
            {k: row[k] for k in ("rule_code", "severity", "message", "findings", "children")}
            for row in counts.iter_rows(named=True)
        ],
        "engine_errors": [{"rule_code": e.code, "error": e.error} for e in findings.errors],
        "not_run": [{"rule_code": c, "reason": why} for c, why in findings.not_run.items()],
        "rows": {n: return_.tables[n].height for n in sorted(return_.supplied)},
        "previous_rows": (
            {n: return_.previous.tables[n].height for n in sorted(return_.previous.supplied)}
            if return_.previous is not None
            else {}
        ),
        "notes": [_plain_note(n) for n in return_.notes][:20],
        "check_seconds": round(findings.seconds, 2),
    }
    return {
        "summary": summary,
        "indicators": [
            {
                "indicator": r["indicator"],
                "value": r["value"],
                "numerator": r.get("numerator"),
                "denominator": r.get("denominator"),
                "unit": r.get("unit") or "",
            }
            for r in indicators.iter_rows(named=True)
        ],
        "stored_version": str(version),
    }


def _plain_note(note: str) -> str:
    return _without_paths(note)


def _write_parquet_folder(folder: Path, tables: dict[str, pl.DataFrame]) -> None:
    """Write every table to a temporary folder and rename it into place: a folder that exists is
    whole, and an existing one is never overwritten."""
    if folder.exists():
        shutil.rmtree(folder)  # only a retried run of this same upload gets here
    temp = folder.with_name(folder.name + ".part")
    shutil.rmtree(temp, ignore_errors=True)
    temp.mkdir(parents=True)
    try:
        for name, frame in tables.items():
            target = temp / f"{name}.parquet"  # "previous/Header" goes to a sub-folder
            target.parent.mkdir(parents=True, exist_ok=True)
            frame.write_parquet(target, compression="zstd")
        temp.rename(folder)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def with_values(
    findings: pl.DataFrame, tables: dict[str, pl.DataFrame], *, masked: bool = False
) -> pl.DataFrame:
    """Add `values`: 'FIELD: value; …' for the cells each finding names, so a person can see the
    row's problem without the file (the file itself is not kept). `masked` shows direct
    identifiers as the pseudonymised tables hold them (`_masked`)."""
    if findings.is_empty():
        return findings.with_columns(pl.lit(None, dtype=pl.String).alias("values"))
    parts: list[pl.DataFrame] = []
    indexed = findings.with_row_index("_i")
    for (table,), group in indexed.group_by("table", maintain_order=True):
        source = tables.get(str(table))
        exploded = group.select(
            "_i", "row_number", pl.col("fields").str.split(";").alias("field")
        ).explode("field")
        if source is None or source.is_empty():
            continue
        pieces = []
        for (field,), rows in exploded.group_by("field"):
            name = str(field or "")
            if name not in source.columns:
                continue
            column = f"{name}__raw" if f"{name}__raw" in source.columns else name
            value = (
                pl.coalesce(pl.col(name).dt.strftime("%d/%m/%Y"), pl.col(column))
                if source.schema[name] == pl.Date
                else pl.col(column).cast(pl.String)
            )
            if masked and name in IDENTIFYING:
                value = _masked(name, source.schema[name])
            looked = source.select(pl.col("ROW_NUMBER").alias("row_number"), value.alias("v"))
            pieces.append(
                rows.join(looked, on="row_number", how="left").select(
                    "_i",
                    pl.concat_str(pl.lit(name + ": "), pl.col("v").fill_null("(blank)")).alias("v"),
                )
            )
        if pieces:
            parts.append(pl.concat(pieces))
    if not parts:
        return findings.with_columns(pl.lit(None, dtype=pl.String).alias("values"))
    values = pl.concat(parts).group_by("_i").agg(pl.col("v").str.join("; ").alias("values"))
    return indexed.join(values, on="_i", how="left").sort("_i").drop("_i")


# ---------------------------------------------------------------------------------------------
# Reports


# Direct identifiers in the returns' fields: never stored in clear outside the council's
# re-identification file (below), never in anything that leaves the council's own view.
IDENTIFYING_IDS = frozenset({"CHILD", "LAchildID", "UPN", "FormerUPN"})
IDENTIFYING_DATES = frozenset({"DOB", "MC_DOB", "PersonBirthDate", "ExpectedPersonBirthDate"})
IDENTIFYING_POSTCODES = frozenset({"HOME_POST", "PL_POST"})
IDENTIFYING = IDENTIFYING_IDS | IDENTIFYING_DATES | IDENTIFYING_POSTCODES
WITHHELD = "(withheld)"
IDENTITIES = "identities"
"""The report's re-identification file: the real child id and values of each finding, in the
findings' order, read only for the council's own report and deleted with it."""


def _masked(name: str, dtype: pl.DataType) -> pl.Expr:
    """A direct identifier as the pseudonymised tables show it: a date of birth as the first of
    its month, a postcode as its sector, an id or UPN not at all."""
    from statutory.ssda903.pseudonymise import postcode_sector

    if name in IDENTIFYING_DATES and dtype == pl.Date:
        return pl.col(name).dt.truncate("1mo").dt.strftime("%d/%m/%Y").fill_null(WITHHELD)
    if name in IDENTIFYING_POSTCODES:
        return postcode_sector(pl.col(name).cast(pl.String))
    return pl.lit(WITHHELD)


def pseudonymised_findings(
    findings: pl.DataFrame, tables: dict[str, pl.DataFrame], key: bytes
) -> pl.DataFrame:
    """The findings as they are stored: child ids as the council's pseudonyms (the ones the
    stored tables hold), direct identifiers among the flagged values masked (`_masked`)."""
    from statutory.engine.pseudonym import child_pseudonyms

    frame = with_values(findings, tables, masked=True)
    if frame.is_empty() or "child_id" not in frame.columns:
        return frame
    ids = frame["child_id"].cast(pl.String)
    mapping = child_pseudonyms(key, ids.drop_nulls().unique().to_list())
    return frame.with_columns(
        pl.col("child_id").cast(pl.String).replace_strict(mapping, default=None)
    )


def findings_frame(upload: Upload, *, identified: bool = False) -> pl.DataFrame:
    """The upload's stored findings (pseudonymised), or an empty frame once they are deleted
    (`remove_expired_findings`). `identified=True` is for the council's own report only: the
    real child ids and values from the re-identification file put back."""
    folder = storage.report_dir(upload.organisation_id, upload.pk)
    path = folder / "findings.parquet"
    if not path.exists():
        return pl.DataFrame()
    frame = pl.read_parquet(path)
    ids = folder / f"{IDENTITIES}.parquet"
    if identified and ids.exists():
        real = pl.read_parquet(ids)
        if real.height == frame.height:
            frame = frame.with_columns(real["child_id"], real["values"])
    return frame


def findings_kept(upload: Upload) -> bool:
    folder = storage.report_dir(upload.organisation_id, upload.pk)
    return (folder / "findings.parquet").exists()


def findings_retention() -> dt.timedelta:
    from django.conf import settings

    return dt.timedelta(days=int(getattr(settings, "RETURNS_FINDINGS_RETENTION_DAYS", 90)))


_VALUE_PART = re.compile(r"^(?P<field>[A-Za-z_0-9]+): (?P<value>.*)$", re.DOTALL)
_DAY_FIRST = re.compile(r"^\d{2}/(\d{2}/\d{4})$")


def _mask_value_text(values: str | None) -> str | None:
    """'FIELD: value; …' with direct identifiers masked as `_masked` does, for findings stored
    before they were pseudonymised."""
    from statutory.ssda903.pseudonymise import postcode_sector

    if values is None:
        return None
    parts = []
    for part in values.split("; "):
        match = _VALUE_PART.match(part)
        if match is None or match["field"] not in IDENTIFYING:
            parts.append(part)
            continue
        field, value = match["field"], match["value"]
        if value == "(blank)":
            shown = value
        elif field in IDENTIFYING_DATES and (day_first := _DAY_FIRST.match(value)):
            shown = f"01/{day_first.group(1)}"
        elif field in IDENTIFYING_POSTCODES:
            shown = str(pl.select(postcode_sector(pl.lit(value))).item())
        else:
            shown = WITHHELD
        parts.append(f"{field}: {shown}")
    return "; ".join(parts)


def pseudonymise_stored_findings(upload_id: int, organisation_id: int) -> bool:
    """A report written before findings were stored pseudonymised (a `findings.parquet` with
    real ids and no re-identification file) is split the way new ones are written. Returns
    whether it was."""
    from statutory.engine.pseudonym import child_pseudonyms

    folder = storage.report_dir(organisation_id, upload_id)
    path = folder / "findings.parquet"
    if not path.exists() or (folder / f"{IDENTITIES}.parquet").exists():
        return False
    frame = pl.read_parquet(path)
    if frame.is_empty() or "child_id" not in frame.columns:
        return False
    identities = frame.select(
        pl.col("child_id").cast(pl.String),
        pl.col("values") if "values" in frame.columns else pl.lit(None, pl.String).alias("values"),
    )
    key = storage.council_key(organisation_id)
    mapping = child_pseudonyms(key, identities["child_id"].drop_nulls().unique().to_list())
    masked = frame.with_columns(
        pl.col("child_id").cast(pl.String).replace_strict(mapping, default=None),
        *(
            [pl.col("values").map_elements(_mask_value_text, return_dtype=pl.String)]
            if "values" in frame.columns
            else []
        ),
    )
    # the re-identification file first: a report is never left without its ids half-way
    identities.write_parquet(folder / f"{IDENTITIES}.parquet.part")
    (folder / f"{IDENTITIES}.parquet.part").rename(folder / f"{IDENTITIES}.parquet")
    masked.write_parquet(folder / "findings.parquet.part")
    (folder / "findings.parquet.part").replace(path)
    for workbook in folder.glob("*.xlsx"):
        workbook.unlink()  # workbooks were once kept; they held the real ids
    return True


def remove_expired_findings(now: dt.datetime | None = None) -> int:
    """Delete the findings (and their re-identification file and any workbook) of every upload
    checked longer ago than the retention period; the counts in the upload's summary stay.
    Reports within it written before findings were stored pseudonymised are split the way new
    ones are (`pseudonymise_stored_findings`). Returns how many reports were deleted. Run daily
    by the scheduler."""
    cutoff = (now or timezone.now()) - findings_retention()
    removed = 0
    recent = Upload.objects.filter(
        status=Upload.Status.ACCEPTED, finished_at__gte=cutoff
    ).values_list("pk", "organisation_id")
    for upload_id, organisation_id in recent.iterator():
        pseudonymise_stored_findings(upload_id, organisation_id)
    old = Upload.objects.filter(finished_at__lt=cutoff).values_list("pk", "organisation_id")
    for upload_id, organisation_id in old.iterator():
        folder = storage.report_dir(organisation_id, upload_id)
        if folder.exists():
            shutil.rmtree(folder)
            removed += 1
    return removed


@dataclass(frozen=True)
class RuleChange:
    rule_code: str
    message: str
    severity: str
    before: int
    now: int

    @property
    def change(self) -> int:
        return self.now - self.before


def changes(upload: Upload) -> list[RuleChange]:
    """Per rule, findings in the upload this one was compared with and in this one (rules that
    found nothing in both are left out), biggest change first."""
    earlier = upload.compared_with
    if earlier is None or earlier.status != Upload.Status.ACCEPTED:
        return []
    before = {c["rule_code"]: c for c in earlier.summary.get("counts", [])}
    now = {c["rule_code"]: c for c in upload.summary.get("counts", [])}
    out = []
    for code in set(before) | set(now):
        item = now.get(code) or before[code]
        out.append(
            RuleChange(
                code,
                item["message"],
                item["severity"],
                int(before.get(code, {}).get("findings", 0)),
                int(now.get(code, {}).get("findings", 0)),
            )
        )
    return sorted(out, key=lambda c: (-abs(c.change), c.rule_code))


FINDINGS_COLUMNS = ("rule_code", "severity", "table", "row_number", "child_id", "fields", "values")
WORKBOOK_SLICE = 50_000  # findings read from the parquet file at a time
WORKBOOK_PENDING_SECONDS = 15 * 60  # a request for the workbook older than this is tried again


def excel_report_path(upload: Upload) -> Path:
    return storage.report_dir(upload.organisation_id, upload.pk) / "findings.xlsx"


def excel_report(upload: Upload) -> Path:
    """The findings as an Excel workbook (a summary sheet, then every finding with its values
    and the council's own child ids, put back from the re-identification file), built once and
    kept beside the report for the council's own download only. It is deleted with the findings
    at the end of the retention period (`remove_expired_findings`). Built by the task worker
    (after the checks, or when first asked for), never in a web request: a million findings take
    about a minute. Memory stays bounded: the findings are read from the parquet files a slice at
    a time and the workbook is written row by row (xlsxwriter's constant-memory mode). Every cell
    goes through `statutory.engine.cells`, so a child id typed as a formula is shown as text."""
    from statutory.engine.cells import neutralise_frame, new_workbook, write_row
    from statutory.engine.reports import EXCEL_MAX_ROWS, atomic_write

    path = excel_report_path(upload)
    if path.exists():
        return path
    folder = storage.report_dir(upload.organisation_id, upload.pk)
    source = folder / "findings.parquet"
    available = pl.read_parquet_schema(source) if source.exists() else {}
    columns = [c for c in FINDINGS_COLUMNS if c in available]
    if "message" in available:
        columns.append("message")
    stored = pl.scan_parquet(source).select(pl.len()).collect().item() if columns else 0
    total = min(stored, EXCEL_MAX_ROWS)
    # the council's own ids and values, put back row for row from the re-identification file
    identities = folder / f"{IDENTITIES}.parquet"
    real = pl.scan_parquet(identities) if identities.exists() else None
    put_back: list[str] = []
    if real is not None and real.select(pl.len()).collect().item() == stored:
        names = real.collect_schema().names()
        put_back = [c for c in ("child_id", "values") if c in columns and c in names]

    def write(target: Path) -> None:
        book = new_workbook(str(target), {"constant_memory": True})
        bold = book.add_format({"bold": True})
        summary = book.add_worksheet("Summary")
        write_row(summary, 0, 0, ["Return", upload.get_kind_display()], bold)
        write_row(summary, 1, 0, ["Collection year", upload.year_label])
        write_row(summary, 2, 0, ["Uploaded", f"{upload.uploaded_at:%d %B %Y %H:%M}"])
        write_row(summary, 3, 0, ["Findings", upload.summary.get("findings", 0)])
        if not stored and upload.summary.get("findings", 0):
            write_row(
                summary,
                4,
                0,
                [
                    "Rows",
                    f"Deleted after {findings_retention().days} days (the retention period): "
                    "upload the return again to see them",
                ],
            )
        write_row(summary, 5, 0, ["Rule", "Type", "Findings", "Children", "Message"], bold)
        for i, item in enumerate(upload.summary.get("counts", []), start=6):
            write_row(
                summary,
                i,
                0,
                [
                    item["rule_code"],
                    item["severity"],
                    item["findings"],
                    item["children"],
                    item["message"],
                ],
            )
        summary.set_column(4, 4, 100)
        sheet = book.add_worksheet("Findings")
        write_row(sheet, 0, 0, columns, bold)
        scan = pl.scan_parquet(source).select(columns) if columns else None
        row = 1
        for offset in range(0, total, WORKBOOK_SLICE):
            assert scan is not None
            size = min(WORKBOOK_SLICE, total - offset)
            part = scan.slice(offset, size).collect()
            if real is not None and put_back:
                ids = real.slice(offset, size).select(put_back).collect()
                part = part.with_columns([ids[c] for c in put_back])
            part = neutralise_frame(part)
            # neutralised above, and the workbook writes no formulas or links from text, so
            # xlsxwriter's own write_row (faster than a call per cell) is safe here
            for values in part.iter_rows():
                sheet.write_row(row, 0, values)
                row += 1
        sheet.set_column(0, max(len(columns) - 1, 0), 16)
        book.close()

    return atomic_write(path, write)


def _pending_marker(upload: Upload) -> Path:
    return storage.report_dir(upload.organisation_id, upload.pk) / "findings.xlsx.requested"


def request_excel_report(upload: Upload) -> bool:
    """Ask the task worker to build the workbook, unless it was asked recently (the page that
    waits for it refreshes, and must not queue it again each time). -> whether it was queued."""
    marker = _pending_marker(upload)
    if marker.exists() and time.time() - marker.stat().st_mtime < WORKBOOK_PENDING_SECONDS:
        return False
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    from alliance.returns.tasks import prepare_findings_workbook

    prepare_findings_workbook.enqueue(upload.pk, request_id=request_id())
    return True


def prepare_excel_report(upload_id: int) -> str:
    """Build an accepted upload's workbook (the task's work)."""
    upload = Upload.objects.filter(pk=upload_id, status=Upload.Status.ACCEPTED).first()
    if upload is None:
        return "skipped"
    try:
        excel_report(upload)
    finally:
        _pending_marker(upload).unlink(missing_ok=True)
    return "built"


# ---------------------------------------------------------------------------------------------
# Data-sharing agreements and the pooled records


def agreements_in_force(
    alliance_id: int, kind: str, on: dt.date | None = None
) -> list[DataSharingAgreement]:
    """The agreements with the alliance covering `kind` in force on the day (today): an
    agreement ended early is not in force from the day it was ended, so "End sharing today"
    stops the pooling at once."""
    day = on or timezone.localdate()
    found = (
        DataSharingAgreement.objects.filter(
            alliance_id=alliance_id, starts_on__lte=day, ends_on__gte=day
        )
        .filter(Q(ended_early_on__isnull=True) | Q(ended_early_on__gt=day))
        .filter(scope__in=[DataSharingAgreement.Scope.ALL, kind])
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return list(found)


def sharing_councils(alliance_id: int, kind: str, on: dt.date | None = None) -> list[Organisation]:
    """The member councils of the alliance with an agreement covering `kind` in force on the
    day, each once however many agreements cover it (renewing before an old agreement ends is
    normal), by name."""
    from alliance.organisations.models import AllianceMember

    members = set(
        AllianceMember.objects.filter(alliance_id=alliance_id).values_list(
            "council__organisation_id", flat=True
        )
    )
    councils: dict[int, Organisation] = {}
    for agreement in agreements_in_force(alliance_id, kind, on):
        if agreement.organisation_id in members:
            councils.setdefault(agreement.organisation_id, agreement.organisation)
    return sorted(councils.values(), key=lambda o: (o.name, o.pk))


def pooled_tables(
    alliance_id: int, kind: str, year: int
) -> tuple[dict[str, pl.DataFrame], list[Organisation]]:
    """The latest accepted pseudonymised tables of every council with an agreement in force with
    the alliance, stacked with a `COUNCIL` column (each council's records once); and the
    councils included."""
    included: list[Organisation] = []
    stacked: dict[str, list[pl.DataFrame]] = {}
    for council in sharing_councils(alliance_id, kind):
        tables = latest_tables(council, kind, year)
        if not tables:
            continue
        included.append(council)
        _stack(stacked, tables, council)
    return {n: pl.concat(f, how="diagonal_relaxed") for n, f in stacked.items()}, included


def pooled_previous(
    councils: Iterable[Organisation], kind: str, year: int
) -> dict[str, pl.DataFrame]:
    """Last year's pseudonymised tables of the pooled councils (`previous_year_tables`), stacked
    with a `COUNCIL` column: for the pooled figures only, never offered as a download."""
    stacked: dict[str, list[pl.DataFrame]] = {}
    for council in councils:
        _stack(stacked, previous_year_tables(council, kind, year), council)
    return {n: pl.concat(f, how="diagonal_relaxed") for n, f in stacked.items()}


def _stack(
    stacked: dict[str, list[pl.DataFrame]], tables: dict[str, pl.DataFrame], council: Organisation
) -> None:
    for name, frame in tables.items():
        stacked.setdefault(name, []).append(
            frame.with_columns(pl.lit(council.name).alias("COUNCIL"))
        )


# Direct identifiers: never in anything that leaves a council's own view (issue #12). The
# stored tables hold keyed pseudonyms of UPNs; the pooled files leave even those out, as no
# pooled figure needs them.
POOLED_LEFT_OUT = frozenset({"UPN", "FormerUPN", "ROW_NUMBER"})


def pooled_download_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """A pooled table as the alliance lead downloads it: `COUNCIL` first, then the table's
    pseudonymised columns, without UPN pseudonyms, row numbers or unparsed text."""
    return frame.select(
        "COUNCIL",
        *[
            c
            for c in frame.columns
            if c != "COUNCIL" and c not in POOLED_LEFT_OUT and not c.endswith("__raw")
        ],
    )


def pooled_figures(
    kind: str,
    year: int,
    tables: dict[str, pl.DataFrame],
    previous: dict[str, pl.DataFrame] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, dict[str, dict[str, Any]]]]:
    """The indicators over the pooled records, and council by council over the same records,
    with the same definitions: (pooled rows, {council: {indicator: row}}). A child is one
    council's child: ids are kept apart by council (two councils' keys could, very rarely, give
    one pseudonym), so a pooled share always lies between its councils' shares."""
    if not tables:
        return [], {}
    child = "CHILD" if kind == ReturnKind.SSDA903 else "LAchildID"

    def apart(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
        return {
            name: frame.with_columns(
                pl.concat_str(pl.col("COUNCIL"), pl.lit("/"), pl.col(child)).alias(child)
            )
            if child in frame.columns and "COUNCIL" in frame.columns
            else frame
            for name, frame in frames.items()
        }

    def only(frames: dict[str, pl.DataFrame], council: str) -> dict[str, pl.DataFrame]:
        return {
            n: f.filter(pl.col("COUNCIL") == council) if "COUNCIL" in f.columns else f
            for n, f in frames.items()
        }

    now, before = apart(tables), apart(previous or {})
    councils = sorted(
        {c for frame in now.values() if "COUNCIL" in frame.columns for c in frame["COUNCIL"]}
    )
    per_council = {
        council: {
            row["indicator"]: row
            for row in pooled_indicators(
                kind, year, only(now, council), only(before, council) or None
            )
        }
        for council in councils
    }
    return pooled_indicators(kind, year, now, before or None), per_council


def pooled_indicators(
    kind: str,
    year: int,
    tables: dict[str, pl.DataFrame],
    previous: dict[str, pl.DataFrame] | None = None,
) -> list[dict[str, Any]]:
    """The library's indicators over the pooled records (rates need one council's population,
    so they are left out). `previous` is last year's SSDA903 tables of the same councils, which
    the indicators use to follow a child's care back into last year (`pooled_previous`)."""
    from statutory.engine import Return

    if not tables:
        return []
    earlier: Return | None = None
    if kind == ReturnKind.SSDA903:
        from statutory.ssda903.indicators import compute
        from statutory.ssda903.schemas import CHILD_ID, load_schema

        schema = load_schema(year)
        full = {
            n: tables.get(n, t.empty()).drop("COUNCIL", strict=False)
            for n, t in schema.tables.items()
        }
        codes: Any = schema.codes
        child_id = CHILD_ID
        if previous:
            last = _schema_for(year - 1, year)
            earlier = Return(
                kind="903",
                year=year - 1,
                tables={
                    n: previous.get(n, t.empty()).drop("COUNCIL", "YEAR", strict=False)
                    for n, t in last.tables.items()
                },
                supplied=frozenset(previous),
                codes=last.codes,
                child_id=CHILD_ID,
            )
    else:
        from statutory.cin.indicators import compute
        from statutory.cin.schema import CHILD_ID as CIN_CHILD
        from statutory.cin.schema import load_schema as cin_schema

        schema_cin = cin_schema(year)
        full = {n: f.drop("COUNCIL", strict=False) for n, f in tables.items()}
        if "Header" in full:
            full["Header"] = full["Header"].clear()
        codes, child_id = schema_cin.codes, CIN_CHILD
    return_ = Return(
        kind="903" if kind == ReturnKind.SSDA903 else "cin",
        year=year,
        tables={n: f.drop("YEAR", strict=False) for n, f in full.items()},
        supplied=frozenset(tables),
        codes=codes,
        child_id=child_id,
        previous=earlier,
    )
    result = compute(return_, la=None)
    return [
        r
        for r in result.iter_rows(named=True)
        if "per 10,000" not in r["indicator"] and "Rate per" not in r["indicator"]
    ]


# ---------------------------------------------------------------------------------------------
# Small-number suppression (pure)

THRESHOLD = 5  # counts from 1 to THRESHOLD - 1 are hidden
PRIMARY = "<5"
SECONDARY = "[c]"


@dataclass(frozen=True)
class Cell:
    value: int | None  # None when suppressed
    shown: str
    suppressed: str = ""  # "", "primary" or "secondary"


def suppress(table: Sequence[Sequence[int]], threshold: int = THRESHOLD) -> list[list[Cell]]:
    """Suppress a table of counts whose last column holds the row totals and whose last row the
    column totals (the corner the grand total), as official statistics do:

    - primary: a count from 1 to threshold-1 is shown as "<5";
    - secondary: no hidden count may be worked out from the counts and totals shown, ("[c]").
      Wherever a row or column has exactly one hidden cell, the smallest other non-zero count
      in it is hidden too. That is not enough on its own: hidden cells in two rows and two
      columns can still pin one down through the others (solving the rows and columns together).
      A hidden count can be worked out exactly when, seeing rows and columns as points and
      hidden cells as links between them, its link lies on no closed loop (a "bridge"); so
      while a bridge is left, the smallest count that closes a loop through it is hidden too.
      Zeros are shown, as the DfE shows them.
    """
    rows = [list(map(int, r)) for r in table]
    if not rows:
        return []
    width = len(rows[0])
    if any(len(r) != width for r in rows):
        raise ValueError("every row must have the same number of cells")
    hidden: dict[tuple[int, int], str] = {
        (i, j): "primary" for i, r in enumerate(rows) for j, v in enumerate(r) if 0 < v < threshold
    }
    lines = [[(i, j) for j in range(width)] for i in range(len(rows))] + [
        [(i, j) for i in range(len(rows))] for j in range(width)
    ]

    def cheapest(candidates: list[tuple[int, int]]) -> tuple[int, int] | None:
        open_ = [c for c in candidates if c not in hidden]
        non_zero = [c for c in open_ if rows[c[0]][c[1]] > 0]
        pool = non_zero or open_
        return min(pool, key=lambda c: (rows[c[0]][c[1]], c)) if pool else None

    while True:
        changed = True
        while changed:
            changed = False
            for line in lines:
                if len(line) >= 2 and sum(cell in hidden for cell in line) == 1:
                    pick = cheapest(line)
                    if pick is not None:
                        hidden[pick] = "secondary"
                        changed = True
        # a single row or column is one line: the line rule above is all it needs
        bridge = _bridge(hidden) if len(rows) > 1 and width > 1 else None
        if bridge is None:
            break
        near, far = _sides(hidden, bridge)
        closing = [
            (i, j)
            for i in range(len(rows))
            for j in range(width)
            if (("r", i) in near and ("c", j) in far) or (("r", i) in far and ("c", j) in near)
        ]
        pick = cheapest(closing) or cheapest(lines[bridge[0]])
        if pick is None:
            break  # everything that could be hidden is
        hidden[pick] = "secondary"
    return [
        [
            Cell(None, PRIMARY if hidden[(i, j)] == "primary" else SECONDARY, hidden[(i, j)])
            if (i, j) in hidden
            else Cell(v, f"{v:,}")
            for j, v in enumerate(r)
        ]
        for i, r in enumerate(rows)
    ]


_Node = tuple[str, int]


def _links(hidden: Iterable[tuple[int, int]]) -> dict[_Node, list[tuple[_Node, tuple[int, int]]]]:
    graph: dict[_Node, list[tuple[_Node, tuple[int, int]]]] = {}
    for i, j in hidden:
        graph.setdefault(("r", i), []).append((("c", j), (i, j)))
        graph.setdefault(("c", j), []).append((("r", i), (i, j)))
    return graph


def _bridge(hidden: Iterable[tuple[int, int]]) -> tuple[int, int] | None:
    """A hidden cell whose link between its row and column lies on no loop of hidden cells (so
    the rows and columns shown pin its value down), or None. Tarjan's bridge search."""
    graph = _links(hidden)
    order: dict[_Node, int] = {}
    low: dict[_Node, int] = {}
    for root in sorted(graph):
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack: list[tuple[_Node, tuple[int, int] | None, int]] = [(root, None, 0)]
        while stack:
            node, via, k = stack.pop()
            if k < len(graph[node]):
                stack.append((node, via, k + 1))
                nxt, cell = graph[node][k]
                if cell == via:
                    continue
                if nxt in order:
                    low[node] = min(low[node], order[nxt])
                else:
                    order[nxt] = low[nxt] = len(order)
                    stack.append((nxt, cell, 0))
            elif stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent] and via is not None:
                    return via
    return None


def _sides(
    hidden: Iterable[tuple[int, int]], bridge: tuple[int, int]
) -> tuple[set[_Node], set[_Node]]:
    """The rows and columns joined to the bridge's row, and to its column, without the bridge."""
    graph = _links(c for c in hidden if c != bridge)

    def reach(start: _Node) -> set[_Node]:
        seen, todo = {start}, [start]
        while todo:
            for nxt, _cell in graph.get(todo.pop(), []):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    return reach(("r", bridge[0])), reach(("c", bridge[1]))


def with_totals(counts: Sequence[Sequence[int]]) -> list[list[int]]:
    """Add a total column and a total row to a table of counts."""
    rows = [[*r, sum(r)] for r in counts]
    if rows:
        rows.append([sum(col) for col in zip(*rows, strict=True)])
    return rows


def aggregate_breakdown(
    uploads: Iterable[Upload], prefix: str
) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """Counts of the indicators whose label starts with `prefix` (e.g. 'Starts by category of
    need: '), council by council: (column labels, [(council, counts)])."""
    per_council: list[tuple[str, dict[str, int]]] = []
    labels: set[str] = set()
    for upload in uploads:
        found = {
            item["indicator"][len(prefix) :]: int(item["value"] or 0)
            for item in upload.indicators
            if item["indicator"].startswith(prefix)
        }
        labels |= set(found)
        per_council.append((upload.organisation.name, found))
    columns = sorted(labels)
    return columns, [(name, [found.get(c, 0) for c in columns]) for name, found in per_council]


def latest_uploads_for(
    organisation_ids: Iterable[int] | None, kind: str, year: int
) -> list[Upload]:
    """The latest accepted upload of `kind` for `year` of each council (all when ids is None)."""
    uploads = Upload.objects.accepted().filter(kind=kind, year=year).select_related("organisation")
    if organisation_ids is not None:
        uploads = uploads.filter(organisation_id__in=list(organisation_ids))
    latest: dict[int, Upload] = {}
    for upload in uploads.order_by("uploaded_at", "id"):
        latest[upload.organisation_id] = upload
    return sorted(latest.values(), key=lambda u: u.organisation.name)


def close_connections() -> None:
    close_old_connections()
