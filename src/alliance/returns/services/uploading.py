"""Uploading a return: the collection years a council can upload, receiving its files (and Ofsted's
provider lists) and queueing the check."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from alliance.organisations.models import Organisation
from alliance.returns import queue, shared_storage, storage
from alliance.returns.models import ReturnKind, Upload
from alliance.returns.services.stored_returns import KINDS
from alliance.returns.storage import UploadProblem
from statutory.cin.schema import years as cin_years
from statutory.engine.errors import InputError
from statutory.ssda903.providers import read_providers
from statutory.ssda903.schemas import load_schema

# ---------------------------------------------------------------------------------------------
# Years


def collection_years(kind: str, today: dt.date | None = None) -> list[int]:
    """The current collection year and the one before (2026 = April 2025 to March 2026), where
    the library has a schema for them, newest first."""
    today = today or dt.date.today()
    current = today.year + 1 if today.month >= 4 else today.year
    wanted = [current, current - 1, current - 2]
    known = (
        set(cin_years()) if kind == ReturnKind.CIN else {y for y in wanted if _has_903_schema(y)}
    )
    return [y for y in wanted if y in known][:2]


def _has_903_schema(year: int) -> bool:
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
    target: Path | None = None
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
            # a leftover of an upload number rolled back before (SQLite hands it out again)
            shutil.rmtree(target, ignore_errors=True)
            staging.rename(target)
            # With a bucket the files are put there before the row is committed, so a row never
            # refers to files that are not there; this machine's copy (real ids) then goes.
            shared_storage.publish(target, problem=shared_storage.NO_STORAGE_TO_RECEIVE)
            shared_storage.drop_local_copy(target)
            transaction.on_commit(lambda: enqueue(upload.pk))
    except IntegrityError:
        _discard(staging, target)
        raise _already_running() from None
    except BaseException:
        _discard(staging, target)
        raise
    return upload


def _discard(staging: Path, target: Path | None) -> None:
    """Nothing of a refused or failed upload is kept, here or in the bucket."""
    shutil.rmtree(staging, ignore_errors=True)
    if target is not None:
        shutil.rmtree(target, ignore_errors=True)
        shared_storage.forget(shared_storage.key_of(target))


# Ofsted publishes its provider information as two lists (Children's Homes; Social Care
# Providers) or one combined list: two files at most.
MAX_PROVIDER_LISTS = 2
PROVIDERS = "providers"


def _check_provider_lists(received: Sequence[storage.Received]) -> None:
    """Read the provider lists as the check will, so an unusable one is refused now, with the
    library's message naming the file (as uploaded), row and column."""
    if not received:
        return

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
    """Queue the upload's check, behind the other councils' first checks when its council already
    has checks waiting or running (queue.fair_priority)."""
    organisation_id = Upload.objects.values_list("organisation_id", flat=True).get(pk=upload_id)
    ahead = (
        Upload.objects.running()
        .filter(organisation_id=organisation_id)
        .exclude(pk=upload_id)
        .count()
    )
    queue.enqueue(queue.CHECK_UPLOAD, upload_id, priority=queue.fair_priority(ahead))


def retry(upload: Upload) -> bool:
    """Queue a failed upload again (its files are kept until it is accepted or rejected)."""
    with transaction.atomic():
        updated = Upload.objects.filter(pk=upload.pk, status=Upload.Status.FAILED).update(
            status=Upload.Status.QUEUED, stage="Waiting for the checking service", problem=""
        )
        if updated:
            transaction.on_commit(lambda: enqueue(upload.pk))
    return bool(updated)
