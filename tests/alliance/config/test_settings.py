"""Settings that must hold whatever the environment says (issue 12, item 10): production refuses
the published development key and short keys; Django's debug pages only when asked for."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

DEV_KEY = "development-only-secret-key-not-for-production-use-0123456789"
GOOD_KEY = "t9Qx3kVb7WmZp2LhR8sYc4JnD6fGa1uE5oIiKwXyTzB0qHvMlNe"
DEV_KEYS_SECRET = "development-only-keys-secret-not-for-production-use-0123456789"
GOOD_KEYS_SECRET = "Zr5bN0cQ8yW2kLx7Hd4Tf1Ms9Pa6Ve3Ju0GoXiKqRwYt"


def _settings(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    """Load the settings module in a fresh interpreter, as `alliance serve` would."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
    clean.pop("PYTEST_VERSION", None)
    clean |= {"ALLIANCE_VAR_DIR": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, "-c", "import alliance.config.settings as s; print('DEBUG', s.DEBUG)"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "key",
    [DEV_KEY, "", "short-key", "a" * 60],
    ids=["published development key", "none", "short", "one repeated character"],
)
def test_production_refuses_to_start_with_a_weak_secret_key(tmp_path, key):
    result = _settings(tmp_path, ALLIANCE_ENV="production", ALLIANCE_SECRET_KEY=key)
    assert result.returncode != 0
    assert "ALLIANCE_SECRET_KEY must be set to a long random value" in result.stderr


def test_production_starts_with_a_long_random_key(tmp_path):
    result = _settings(
        tmp_path,
        ALLIANCE_ENV="production",
        ALLIANCE_SECRET_KEY=GOOD_KEY,
        ALLIANCE_KEYS_SECRET=GOOD_KEYS_SECRET,
    )
    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout


@pytest.mark.parametrize(
    "secret",
    [DEV_KEYS_SECRET, "", "short-secret", "b" * 60],
    ids=["published development secret", "none", "short", "one repeated character"],
)
def test_production_refuses_to_start_with_a_weak_keys_secret(tmp_path, secret):
    """The secret that encrypts the councils' pseudonymisation keys in the database: without a
    real one, a copy of the database would be enough to re-identify children."""
    result = _settings(
        tmp_path,
        ALLIANCE_ENV="production",
        ALLIANCE_SECRET_KEY=GOOD_KEY,
        ALLIANCE_KEYS_SECRET=secret,
    )
    assert result.returncode != 0
    assert "ALLIANCE_KEYS_SECRET must be set to a long random value" in result.stderr


def test_debug_is_off_under_make_run_unless_a_developer_asks(tmp_path):
    assert "DEBUG False" in _settings(tmp_path).stdout
    assert "DEBUG True" in _settings(tmp_path, ALLIANCE_DEBUG="1").stdout


def test_production_refuses_debug(tmp_path):
    result = _settings(
        tmp_path, ALLIANCE_ENV="production", ALLIANCE_SECRET_KEY=GOOD_KEY, ALLIANCE_DEBUG="1"
    )
    assert result.returncode != 0
    assert "ALLIANCE_DEBUG must not be on" in result.stderr


def _conn_max_age(tmp_path, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
    clean.pop("PYTEST_VERSION", None)
    clean |= {"ALLIANCE_VAR_DIR": str(tmp_path), **env}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import alliance.config.settings as s; d = s.DATABASES['default']; "
            "print(d['ENGINE'].rsplit('.', 1)[-1], d['CONN_MAX_AGE'])",
        ],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def test_a_sqlite_connection_is_kept_between_requests_as_a_postgresql_one_is(tmp_path):
    # opening a SQLite connection for each request cost a signed-in page a third of its
    # processor time (bench/page_cost.py --served)
    sqlite = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert _conn_max_age(tmp_path, DATABASE_URL=sqlite) == "sqlite3 60"
    assert _conn_max_age(tmp_path, DATABASE_URL=sqlite, ALLIANCE_DB_CONN_MAX_AGE="0") == "sqlite3 0"
    postgres = "postgres://postgres@127.0.0.1:5432/unused"
    assert _conn_max_age(tmp_path, DATABASE_URL=postgres) == "postgresql 60"
