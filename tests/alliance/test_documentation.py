"""The docs and the code are one: every setting and every command is documented, and the
migrations have no gaps."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
import typer.main
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader

from alliance.cli import app
from alliance.config import env

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented():
    documented = set(
        re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", (ROOT / "docs" / "settings.md").read_text(), re.M)
    )
    cli = (ROOT / "src" / "alliance" / "cli.py").read_text()
    read_by_cli = set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', cli)) - {
        "DJANGO_SETTINGS_MODULE"
    }
    assert env.NAMES | read_by_cli <= documented, (
        f"undocumented: {sorted((env.NAMES | read_by_cli) - documented)}"
    )
    assert documented <= env.NAMES | read_by_cli, (
        f"documented but not read: {sorted(documented - env.NAMES - read_by_cli)}"
    )


def _commands(typer_app, prefix: str = "") -> set[str]:
    group = typer.main.get_command(typer_app)
    names: set[str] = set()

    def walk(cmd, path):  # type: ignore[no-untyped-def]
        sub = getattr(cmd, "commands", None)
        if sub:
            for name, child in sub.items():
                walk(child, f"{path} {name}".strip())
        else:
            names.add(path)

    walk(group, prefix)
    return names


def test_every_command_is_documented():
    text = (ROOT / "docs" / "cli.md").read_text()
    missing = sorted(name for name in _commands(app) if f"`alliance {name}" not in text)
    assert not missing, f"commands missing from docs/cli.md: {missing}"


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


def test_each_app_has_one_line_of_migration_history():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    leaves = loader.graph.leaf_nodes()
    apps = [app for app, _ in leaves]
    assert len(apps) == len(set(apps)), (
        f"more than one latest migration in: {sorted(a for a in apps if apps.count(a) > 1)}"
    )
