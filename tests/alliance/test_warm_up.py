"""Each web process imports the slow libraries apps name, ahead of the first request."""

from __future__ import annotations

import os
import subprocess
import sys

from django.apps import apps

from alliance.config import gunicorn


def test_the_slow_imports_apps_name_are_imported_ahead_of_time(monkeypatch):
    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")]:
        monkeypatch.delitem(sys.modules, name)
    gunicorn._warm_up()
    assert "sklearn.linear_model" in sys.modules


def test_a_missing_library_is_logged_not_fatal(monkeypatch, caplog):
    config = apps.get_app_config("edgeofcare")
    monkeypatch.setattr(config, "slow_imports", ("alliance.no_such_module",), raising=False)
    gunicorn._warm_up()
    assert "could not import alliance.no_such_module ahead of time" in caplog.text


def test_every_pages_module_is_imported_ahead_of_time():
    # a fresh process, as a new web worker is: nothing but Django set up, then the warm-up
    script = (
        "import sys, django; django.setup(); "
        "assert 'alliance.api.endpoints' not in sys.modules; "
        "from alliance.config import gunicorn; gunicorn._warm_up(); "
        "assert 'alliance.api.endpoints' in sys.modules, 'the API pages were not imported'; "
        "assert 'alliance.returns.views' in sys.modules, 'the returns pages were not imported'"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "alliance.config.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
