"""The `alliance` command line: the statutory-data commands and the service's own.

`alliance 903 …` and `alliance cin …` come from the statutory-data library and need no database;
the service commands (`load-reference`, `demo`, `worker`, `serve`) set Django up first.
"""

from __future__ import annotations

import os
import sys

import typer

from statutory.cin.cli import app as cin_app
from statutory.ssda903.cli import app as ssda903_app

app = typer.Typer(
    help="Alliance: children's-services improvement, statutory returns and services.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(ssda903_app, name="903")
app.add_typer(cin_app, name="cin")


def _django(*args: str) -> None:
    """Run a Django management command in-process."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["alliance", *args])


@app.command("load-reference")
def load_reference() -> None:
    """Load councils, regions, neighbours, Ofsted judgements and published indicators."""
    _django("load_reference")


@app.command()
def demo() -> None:
    """Create the demo people (one per role) and fictional demo records, and print sign-ins."""
    _django("load_demo")


@app.command()
def worker() -> None:
    """Run the background task worker (validation runs, imports, reminders, purges)."""
    _django("db_worker")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Any Django management command, e.g. `alliance manage migrate`."""
    _django(*ctx.args)


def main() -> None:
    app(prog_name="alliance")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
