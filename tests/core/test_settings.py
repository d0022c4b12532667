import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from caseworker.lib.env import env_bool

ROOT = Path(__file__).resolve().parents[2]


def _import_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import caseworker.settings"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_refuses_to_start_without_secret_outside_debug():
    result = _import_settings()
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_runs_without_secret():
    assert _import_settings(DEBUG="true").returncode == 0


def test_typo_in_boolean_is_an_error_not_false():
    result = _import_settings(DEBUG="ture", SECRET_KEY="x")
    assert result.returncode != 0
    assert "is not a boolean" in result.stderr


@pytest.mark.parametrize(("raw", "expected"), [("yes", True), ("0", False), ("On", True)])
def test_env_bool_accepts_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG") is expected


def test_env_bool_rejects_garbage(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("SOME_FLAG")


def test_web_connections_can_turn_off_parallel_query_and_cap_statements():
    """What compose sets for web: no parallel workers for page queries, 30 s per statement."""
    result = subprocess.run(
        [sys.executable, "-c", "from caseworker import settings as s;"
         "print(s.DATABASES['default']['OPTIONS']['options'])"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "SECRET_KEY": "x", "DATABASE_URL": "postgres://u@h:5432/d",
             "DB_STATEMENT_TIMEOUT": "30", "DB_PARALLEL_WORKERS": "0"},
    )  # fmt: skip
    assert result.stdout.split() == [
        "-c",
        "statement_timeout=30s",
        "-c",
        "max_parallel_workers_per_gather=0",
    ]


def test_only_the_demo_may_switch_the_second_factor_off():
    refused = _import_settings(SECRET_KEY="x", TWO_FACTOR_REQUIRED="false")
    assert refused.returncode != 0 and "only in the demo" in refused.stderr
    assert (
        _import_settings(SECRET_KEY="x", TWO_FACTOR_REQUIRED="false", DEMO="true").returncode == 0
    )
