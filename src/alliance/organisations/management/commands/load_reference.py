"""`alliance load-reference`: load every public reference file, idempotently, all or nothing."""

from __future__ import annotations

import hashlib
import importlib
import time
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

import insight
import statutory
from alliance.organisations.models import ReferenceLoad
from alliance.organisations.reference import LoadReport, ReferenceFileError


def loaders() -> list[str]:
    configs = sorted(apps.get_app_configs(), key=lambda c: getattr(c, "reference_order", 50))
    return [name for config in configs for name in getattr(config, "reference_loaders", ())]


def fingerprint(data_dir: Path) -> str:
    """Changes when any reference file or any loader's code changes."""
    digest = hashlib.sha256()
    for path in sorted((data_dir / "reference").rglob("*")) + sorted(data_dir.glob("*.csv")):
        if path.is_file():
            stat = path.stat()
            digest.update(
                f"{path.relative_to(data_dir)}:{stat.st_size}:{stat.st_mtime_ns}".encode()
            )
    # the loaders' code: every module of each loader's package, and the Django-free libraries
    # they compute from (the Insight figures are worked out by `insight` at load time)
    folders = {Path(insight.__file__).parent, Path(statutory.__file__).parent / "reference.py"}
    for name in loaders():
        module = importlib.import_module(name.rsplit(".", 1)[0])
        if module.__file__:
            folders.add(Path(module.__file__).parent)
    for folder in sorted(folders):
        files = [folder] if folder.is_file() else sorted(folder.glob("*.py"))
        for path in files:
            digest.update(path.read_bytes())
    return digest.hexdigest()


def load_all(data_dir: Path) -> list[LoadReport]:
    """Run every app's loaders in one transaction: a bad file rolls the whole load back."""
    reports: list[LoadReport] = []
    with transaction.atomic():
        for name in loaders():
            reports.extend(import_string(name)(data_dir))
    return reports


class Command(BaseCommand):
    help = "Load councils, neighbours, Ofsted judgements and published indicators from the shared reference data."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-changed",
            action="store_true",
            help="skip when neither the files nor the loaders changed since the last load",
        )
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=settings.SHARED_DATA_DIR,
            help="the shared data folder (default: ALLIANCE_SHARED_DATA)",
        )

    def handle(self, *args: Any, data_dir: Path, if_changed: bool, **options: Any) -> None:
        started = time.monotonic()
        if not data_dir.is_dir():
            raise CommandError(
                f"Reference data folder not found: {data_dir} (set ALLIANCE_SHARED_DATA)"
            )
        print_ = self.stdout.write
        current = fingerprint(data_dir)
        last = ReferenceLoad.objects.order_by("-loaded_at").first()
        if if_changed and last is not None and last.fingerprint == current:
            print_(
                f"Reference data unchanged since {last.loaded_at:%d %B %Y %H:%M}: nothing to load."
            )
            return
        try:
            reports = load_all(data_dir)
        except ReferenceFileError as exc:
            raise CommandError(f"Nothing was changed. {exc}") from None
        summary = "\n".join(report.line() for report in reports)
        ReferenceLoad.objects.create(fingerprint=current, summary=summary)
        print_(summary)
        self.stdout.write(
            self.style.SUCCESS(f"Reference data loaded in {time.monotonic() - started:.1f}s")
        )
