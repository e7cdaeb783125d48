"""The `alliance` command line: the statutory-data commands and the service's own.

`alliance 903 …`, `alliance cin …` and `alliance generate …` come from the statutory-data library and need no database;
the service commands (`load-reference`, `demo`, `worker`, `scheduler`, `serve`) set Django up first.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import typer

from alliance.common.processes import Child, supervise
from forecast.cli import app as forecast_app
from insight.cli import app as insight_app
from statutory.cin.cli import app as cin_app
from statutory.linked_cli import app as linked_app
from statutory.ssda903.cli import app as ssda903_app

app = typer.Typer(
    help="Alliance: children's-services improvement, statutory returns and services.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(ssda903_app, name="903")
app.add_typer(cin_app, name="cin")
app.add_typer(insight_app, name="insight")
app.add_typer(forecast_app, name="forecast")
app.add_typer(linked_app, name="generate")


def _django(*args: str) -> None:
    """Run a Django management command in-process."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.config.settings")
    # lazy: Django's management machinery adds ~50 ms (-X importtime) to every `alliance 903 …`,
    # `cin`, `insight` and `forecast` command, which never use Django
    from django.core.management import execute_from_command_line  # noqa: PLC0415  start-up time

    execute_from_command_line(["alliance", *args])


@app.command("load-reference")
def load_reference(
    if_changed: bool = typer.Option(
        False, "--if-changed", help="skip when the files and loaders are unchanged"
    ),
    data_dir: str = typer.Option("", help="the shared data folder (default: ALLIANCE_SHARED_DATA)"),
) -> None:
    """Load councils, regions, neighbours, Ofsted judgements and published indicators."""
    args = ["load_reference"]
    if if_changed:
        args.append("--if-changed")
    if data_dir:
        args += ["--data-dir", data_dir]
    _django(*args)


@app.command()
def demo() -> None:
    """Create the demo people (one per role) and fictional demo records, and print sign-ins."""
    _django("load_demo")


@app.command()
def worker() -> None:
    """Run the background task worker (validation runs, imports, reminders, purges)."""
    _django("run_worker")


@app.command()
def scheduler(
    once: bool = typer.Option(False, "--once", help="check once and exit (for cron)"),
) -> None:
    """Queue the scheduled jobs (reminders, escalations, clean-ups) when they are due."""
    _django("run_schedule", *(["--once"] if once else []))


def _service_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get(
            "DJANGO_SETTINGS_MODULE", "alliance.config.settings"
        ),
    }


def _gunicorn(bind: str, workers: int) -> list[str]:
    """The web server's command, the same for `alliance serve` and `alliance web`."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "alliance.config.wsgi:application",
        "--config",
        "python:alliance.config.gunicorn",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
    ]


def _static_files(env: dict[str, str]) -> None:
    """In production WhiteNoise serves the static files from STATIC_ROOT (compressed, cached), so
    they are collected there first: a second or less, and nothing is copied when nothing
    changed. Elsewhere they are served straight from the source folders."""
    if env.get("ALLIANCE_ENV", "development") != "production":
        return
    subprocess.run(
        [sys.executable, "-m", "alliance", "manage", "collectstatic", "--no-input", "-v0"],
        env=env,
        check=True,
    )


BIND_OPTION = typer.Option(
    os.environ.get("ALLIANCE_BIND", "127.0.0.1:8000"),
    help="address:port to listen on (env ALLIANCE_BIND)",
)
WEB_WORKERS_OPTION = typer.Option(
    int(os.environ.get("ALLIANCE_WEB_WORKERS", "2")),
    help="web processes (env ALLIANCE_WEB_WORKERS)",
)


@app.command()
def web(bind: str = BIND_OPTION, workers: int = WEB_WORKERS_OPTION) -> None:
    """Run the web server alone (gunicorn), for machines or containers that run the task workers
    and the scheduler separately (`alliance worker`, `alliance scheduler`)."""
    env = _service_env()
    _static_files(env)
    command = _gunicorn(bind, workers)
    os.execve(command[0], command, env)  # noqa: S606 - gunicorn takes this process's place


@app.command()
def serve(
    bind: str = BIND_OPTION,
    workers: int = WEB_WORKERS_OPTION,
    task_workers: int = typer.Option(
        int(os.environ.get("ALLIANCE_TASK_WORKERS", "2")),
        "--task-workers",
        min=1,
        help="task worker processes, each checking one upload at a time, so one large upload "
        "does not hold up other councils' (env ALLIANCE_TASK_WORKERS)",
    ),
) -> None:
    """Run the service: the web server (gunicorn), the task workers and the scheduler."""
    env = _service_env()
    _static_files(env)
    alliance = [sys.executable, "-m", "alliance"]
    children = [
        *(Child("task worker", [*alliance, "worker"], env) for _ in range(task_workers)),
        Child("scheduler", [*alliance, "scheduler"], env),
    ]
    web = subprocess.Popen(_gunicorn(bind, workers), env=env)
    typer.echo(
        f"Alliance is running on http://{bind.replace('127.0.0.1', 'localhost')}/ (Ctrl+C to stop)"
    )

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    code = None
    try:
        code = supervise(web, children, stopping)
    except KeyboardInterrupt:
        pass
    finally:
        processes = [web, *(child.process for child in children)]
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            process.wait(timeout=15)
    if code:
        raise typer.Exit(code)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Any Django management command, e.g. `alliance manage migrate`."""
    _django(*ctx.args)


def main() -> None:
    app(prog_name="alliance")


if __name__ == "__main__":  # pragma: no cover
    main()
