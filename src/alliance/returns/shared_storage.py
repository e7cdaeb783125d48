"""The returns' files on object storage that every machine sees, when the service is given a bucket
(`ALLIANCE_STORAGE_BUCKET`: Django's `STORAGES["returns"]`, django-storages' S3 backend).

Without one (the embedded default, `make run`) the folders under `VAR_DIR/returns` are the only
copy and every function here leaves them as they are. With one, the bucket holds the files, under
the same names as the folders (`incoming/<upload id>/…`, `store/…/upload-<id>/…`,
`reports/…/upload-<id>/…`), and each machine's `VAR_DIR/returns` is its working copy:

- An upload's files are put in the bucket before its database row is committed: a row never
  refers to files that are not there, and a failed put leaves no row (the objects already put
  are deleted, and whatever could not be deleted is swept by the daily clean-up,
  `retention.remove_orphaned_files`).
- A check writes the report and the pseudonymised version locally under temporary names, then puts
  them in the bucket; only once every object is there does the upload become accepted with its
  `stored_version`. A put that fails deletes what it put, the upload fails with a plain message,
  and the council's last accepted version is untouched (each version has a folder of its own).
- Readers take a local copy: a stored version never changes once written, so a copy is kept; a
  report can gain a workbook or be deleted by the retention clean-up, so it is compared with the
  bucket each time it is read.

Files move in chunks through temporary files on disk, so memory stays bounded however large
the file (`alliance.config.object_storage.SPOOL_BYTES`)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import uuid
from pathlib import Path

from boto3.exceptions import Boto3Error
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages

from alliance.common.file_storage import FileStorageUnavailable
from alliance.returns import storage
from alliance.returns.storage import UploadProblem

logger = logging.getLogger(__name__)

NAME = "returns"
# What reaching the bucket can fail with: the endpoint unreachable or timing out (BotoCoreError),
# the bucket refusing (ClientError), a transfer given up (Boto3Error), a file system's (OSError).
ERRORS = (OSError, BotoCoreError, ClientError, Boto3Error)

NO_STORAGE_TO_RECEIVE = (
    "The service could not reach its file storage, so nothing of this upload was kept and your "
    "last accepted return is unchanged. Try again in a few minutes; if it happens again, tell the "
    "service team."
)
NO_STORAGE_TO_STORE = (
    "The service could not reach its file storage while storing this return, so it was not "
    "stored and your last accepted return is unchanged. Try again in a few minutes; if it happens "
    "again, tell the service team."
)
NO_STORAGE_TO_READ = (
    "The service could not reach its file storage to read this upload's files. Nothing was "
    "stored and your last accepted return is unchanged. Try again in a few minutes; if it happens "
    "again, tell the service team."
)
NO_STORAGE_TO_SHOW = (
    "The service could not reach its file storage to show this. Try again in a few minutes; if it "
    "happens again, tell the service team."
)


class StorageUnavailable(UploadProblem, FileStorageUnavailable):
    """The bucket could not be reached (or refused): said in plain words, nothing half-stored. A
    page that meets it answers 503 with a page that says so (`FileStorageUnavailableMiddleware`);
    an upload shows it on its form."""


def bucket() -> Storage | None:
    """The shared storage, or None when files stay on this machine's disk."""
    if NAME not in settings.STORAGES:
        return None
    return storages[NAME]


def in_use() -> bool:
    return NAME in settings.STORAGES


def key_of(path: Path) -> str:
    """The name in the bucket of a file or folder under `storage.root()`."""
    return path.relative_to(storage.root()).as_posix()


def _keys(store: Storage, prefix: str) -> list[str]:
    """Every object under `prefix` (a folder's name), at any depth."""
    try:
        folders, files = store.listdir(prefix)
    except FileNotFoundError:
        return []
    found = [f"{prefix}/{name}" for name in files]
    for folder in folders:
        found += _keys(store, f"{prefix}/{folder}")
    return sorted(found)


def _delete(store: Storage, keys: list[str]) -> None:
    for key in keys:
        store.delete(key)


def publish(folder: Path, *, problem: str = NO_STORAGE_TO_STORE) -> None:
    """Put every file of `folder` in the bucket under the folder's name, replacing whatever was
    there (a retried check, or an upload number used before by one rolled back). All or nothing:
    when the bucket fails part-way the objects already put are deleted (as far as the bucket
    answers) and StorageUnavailable raised with `problem`."""
    store = bucket()
    if store is None:
        return
    prefix = key_of(folder)
    put: list[str] = []
    try:
        _delete(store, _keys(store, prefix))
        for file in storage.files_in(folder):
            if _local_only(file):
                continue
            key = key_of(file)
            with file.open("rb") as handle:
                put.append(store.save(key, File(handle, name=key)))
    except ERRORS as exc:
        if storage.out_of_space(exc):
            raise
        logger.error("object storage: could not put %s (%s)", prefix, type(exc).__name__)
        forget(prefix, put)
        raise StorageUnavailable(problem) from exc


def _local_only(path: Path) -> bool:
    """Files that are this machine's own: being written (temporary names) or markers."""
    return path.name.startswith(".") or path.name.endswith((".part", ".requested"))


def publish_file(path: Path, *, problem: str = NO_STORAGE_TO_STORE) -> None:
    """Put one file in the bucket (an object is written whole or not at all)."""
    store = bucket()
    if store is None:
        return
    key = key_of(path)
    try:
        store.delete(key)  # a storage that keeps both under new names would not replace it
        with path.open("rb") as handle:
            store.save(key, File(handle, name=key))
    except ERRORS as exc:
        logger.error("object storage: could not put a file (%s)", type(exc).__name__)
        raise StorageUnavailable(problem) from exc


def forget(prefix: str, keys: list[str] | None = None) -> bool:
    """Delete objects from the bucket (those given, else everything under `prefix`) as far as it
    answers; whether it did. What could not be deleted is swept by the daily clean-up."""
    store = bucket()
    if store is None:
        return True
    try:
        _delete(store, _keys(store, prefix) if keys is None else keys)
    except ERRORS as exc:
        logger.warning("object storage: could not delete %s (%s)", prefix, type(exc).__name__)
        return False
    return True


def remove(folder: Path) -> None:
    """Delete a folder here and in the bucket. StorageUnavailable when the bucket cannot be
    reached (the caller tries again later)."""
    shutil.rmtree(folder, ignore_errors=True)
    store = bucket()
    if store is None:
        return
    try:
        _delete(store, _keys(store, key_of(folder)))
    except ERRORS as exc:
        raise StorageUnavailable(NO_STORAGE_TO_SHOW) from exc


def exists(folder: Path) -> bool:
    """Whether the folder is here or in the bucket."""
    if folder.is_dir():
        return True
    store = bucket()
    if store is None:
        return False
    try:
        return bool(_keys(store, key_of(folder)))
    except ERRORS as exc:
        raise StorageUnavailable(NO_STORAGE_TO_SHOW) from exc


def names(folder: Path) -> set[str]:
    """The names of the files directly in `folder`: in the bucket when there is one, else here."""
    store = bucket()
    if store is None:
        return {p.name for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()
    try:
        return set(store.listdir(key_of(folder))[1])
    except FileNotFoundError:
        return set()
    except ERRORS as exc:
        raise StorageUnavailable(NO_STORAGE_TO_SHOW) from exc


def drop_local_copy(folder: Path) -> None:
    """Delete this machine's copy of a folder the bucket holds (nothing without a bucket: the
    local folder is then the only copy)."""
    if in_use():
        shutil.rmtree(folder, ignore_errors=True)


def fetch(folder: Path, *, problem: str = NO_STORAGE_TO_READ, keep: bool = False) -> bool:
    """Make this machine's copy of `folder` match the bucket; whether the bucket has it. Without
    a bucket: whether the local folder exists.

    `keep=True` is for folders that never change once written (stored versions): a local copy is
    used as it is. A folder fetched for the first time is downloaded to a temporary folder and
    renamed into place, so a folder that exists is whole (as when it was written here)."""
    store = bucket()
    if store is None:
        return folder.is_dir()
    if keep and folder.is_dir():
        return True
    try:
        prefix = key_of(folder)
    except ValueError:
        return folder.is_dir()  # an absolute folder elsewhere: a version recorded by its path
    try:
        keys = _keys(store, prefix)
        if not keys:
            shutil.rmtree(folder, ignore_errors=True)
            return False
        wanted = {Path(key).relative_to(prefix): key for key in keys}
        if folder.is_dir():
            _refresh(store, folder, wanted)
        else:
            _copy_whole(store, folder, wanted)
    except ERRORS as exc:
        if storage.out_of_space(exc):
            raise
        logger.error("object storage: could not fetch %s (%s)", prefix, type(exc).__name__)
        raise StorageUnavailable(problem) from exc
    return True


def _copy_whole(store: Storage, folder: Path, wanted: dict[Path, str]) -> None:
    temp = folder.with_name(f".{folder.name}.{uuid.uuid4().hex}.part")
    try:
        for name, key in wanted.items():
            _download(store, key, temp / name)
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            temp.rename(folder)
        except OSError:
            if not folder.is_dir():
                raise
            # another process fetched it meanwhile: its copy is as good
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _refresh(store: Storage, folder: Path, wanted: dict[Path, str]) -> None:
    """A local copy made like the bucket's: files the bucket no longer has go, files it has that
    are missing or of another size are downloaded again."""
    for path in storage.files_in(folder):
        if path.relative_to(folder) not in wanted and not _local_only(path):
            path.unlink(missing_ok=True)
    for name, key in wanted.items():
        path = folder / name
        if not path.exists() or path.stat().st_size != store.size(key):
            _download(store, key, path)


def _download(store: Storage, key: str, target: Path) -> None:
    """One object to `target`, a chunk at a time, through a temporary name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
    try:
        with store.open(key, "rb") as source, part.open("wb") as out:
            shutil.copyfileobj(source, out, storage.CHUNK)
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)


def folders(prefix: str) -> list[str]:
    """The names of the folders directly under `prefix` in the bucket ([] without one)."""
    store = bucket()
    if store is None:
        return []
    try:
        return sorted(store.listdir(prefix)[0])
    except FileNotFoundError:
        return []


def newest_change(prefix: str) -> dt.datetime | None:
    """When the newest object under `prefix` was written (None when there is none)."""
    store = bucket()
    if store is None:
        return None
    keys = _keys(store, prefix)
    return max((store.get_modified_time(key) for key in keys), default=None)
