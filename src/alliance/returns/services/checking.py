"""Checking an upload (runs in the task worker): taking the upload, reporting progress, and
recording the outcome in plain words."""

from __future__ import annotations

import logging
import re
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from alliance.returns import council_keys, shared_storage, storage
from alliance.returns.models import ReturnKind, Upload
from alliance.returns.services.findings import IDENTITIES, pseudonymised_findings, with_values
from alliance.returns.services.reading import council_of, read_upload
from alliance.returns.services.stored_returns import indicators_of
from alliance.returns.shared_storage import StorageUnavailable
from alliance.returns.storage import UploadProblem
from alliance.schedule.liveness import stale_after
from statutory.engine import Registry, run
from statutory.engine.errors import InputError

logger = logging.getLogger(__name__)


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
    to the database twice a second so the page can show it.

    `floor` is the percent an earlier attempt reached before its worker stopped: until this
    attempt passes it, the count shown is left as that attempt left it (only the stage and the
    heartbeat are written), so the bar never goes back when a check is taken over."""

    def __init__(self, upload_id: int, token: str, floor: int = 0) -> None:
        self.upload_id = upload_id
        self.token = token
        self.floor = floor
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
        with self._lock:
            stage, done, total = self.stage, self.done, self.total
        counts: dict[str, int] = {"checks_done": done, "checks_total": total}
        if self.floor and (not total or min(99, round(100 * done / total)) < self.floor):
            counts = {}
        Upload.objects.filter(pk=self.upload_id, claimed_by=self.token).update(
            stage=stage, heartbeat_at=timezone.now(), **counts
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
    # a check taken over from a stopped worker starts from where its bar had got to
    progress = _Progress(upload.pk, token, floor=upload.percent_done)
    try:
        with progress:
            result = _validate(upload, progress)
    except StorageUnavailable as problem:
        # the bucket could not be reached: nothing was stored (what was put is deleted), the
        # uploaded files stay in the bucket so that the upload can be tried again
        _finish(upload, token, Upload.Status.FAILED, started, problem=str(problem), keep_files=True)
        logger.error("upload %s: object storage unavailable", upload.pk)
        return "failed"
    except UploadProblem as problem:
        _finish(upload, token, Upload.Status.REJECTED, started, problem=str(problem))
        return "rejected"
    except Exception as exc:
        if storage.out_of_space(exc):
            # nothing half-stored: every folder is written under a temporary name first; the
            # uploaded files stay so that the upload can be tried again once there is room
            _finish(
                upload,
                token,
                Upload.Status.FAILED,
                started,
                problem=storage.NO_ROOM_TO_STORE,
                keep_files=True,
            )
            logger.error("upload %s: out of storage space while storing", upload.pk)
            return "failed"
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
        version = storage.store_dir(upload.organisation_id, upload.kind, upload.year, upload.pk)
        shutil.rmtree(version, ignore_errors=True)
        if shared_storage.in_use():
            shared_storage.forget(shared_storage.key_of(version))
            shared_storage.forget(
                shared_storage.key_of(storage.report_dir(upload.organisation_id, upload.pk))
            )
    incoming = storage.incoming_dir(upload.pk)
    if not keep_files:
        # the uploaded files held real ids: they go once the upload is decided, here and in the
        # bucket (what the bucket does not delete now, the daily clean-up does)
        shutil.rmtree(incoming, ignore_errors=True)
        shared_storage.forget(shared_storage.key_of(incoming))
    else:
        shared_storage.drop_local_copy(incoming)  # the bucket keeps them for the retry


def _validate(upload: Upload, progress: _Progress) -> dict[str, Any]:
    council = council_of(upload)
    progress.set("Reading the files")
    return_, make_pseudonymised = read_upload(upload, council)
    registry = Registry.load("903" if upload.kind == ReturnKind.SSDA903 else "cin")
    rules = registry.applicable(upload.year)
    progress.set("Running the DfE validation rules", total=len(rules))
    # Pseudonymising is mostly Python (a keyed hash per id): it runs while Polars checks the rules.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(make_pseudonymised)
        findings = run(registry, return_, year=upload.year, threads=2, on_rule=progress.tick)
        pseudonymised = pending.result()
    progress.set("Working out the indicators", done=len(rules))
    indicators = indicators_of(upload.kind)(return_, la=council.dfe_code)
    progress.set("Storing the report and the pseudonymised records", done=len(rules))
    frame = with_values(findings.frame, return_.tables)
    report = storage.report_dir(upload.organisation_id, upload.pk)
    _write_parquet_folder(
        report,
        {
            "findings": pseudonymised_findings(
                findings.frame, return_.tables, council_keys.council_key(upload.organisation_id)
            ),
            IDENTITIES: frame.select("child_id", "values", "read_values"),
        },
    )
    version = storage.store_dir(upload.organisation_id, upload.kind, upload.year, upload.pk)
    _write_parquet_folder(version, pseudonymised)
    _put_in_bucket(report, version)
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
                "code": r["code"],
                "indicator": r["indicator"],
                "value": r["value"],
                "numerator": r.get("numerator"),
                "denominator": r.get("denominator"),
                "unit": r.get("unit") or "",
            }
            for r in indicators.iter_rows(named=True)
        ],
        "stored_version": storage.version_name(version),
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


def _put_in_bucket(*folders: Path) -> None:
    """With a bucket, put the report and the version there, all or nothing: when one cannot be
    put, neither is kept (here or there) and the upload is not accepted, so no upload ever
    refers to a version the bucket does not hold."""
    try:
        for folder in folders:
            shared_storage.publish(folder)
    except StorageUnavailable:
        for folder in folders:
            shared_storage.forget(shared_storage.key_of(folder))
            shutil.rmtree(folder, ignore_errors=True)
        raise
