"""The apps depend in one direction (pyproject.toml [tool.importlinter]):

    caseworker (project: settings, urls, seed_demo) -> reports -> cases -> agencies
        -> accounts/audit -> caseworker.lib

A cycle or an upward import fails `make test`, not only CI; so does a selector that
imports audit.services (selectors only read)."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("accounts", "agencies", "audit", "cases", "caseworker", "reports")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_apps_depend_in_one_direction():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Apps depend in one direction KEPT" in result.stdout
    assert "Selectors only read (audit entries are written by services and views) KEPT" in (
        result.stdout
    )


def _copy_sources(to: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", to / "pyproject.toml")
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            to / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.html", "*.css", "*.js", "*.json"),
        )


def test_the_contract_catches_an_upward_import(tmp_path):
    """The directory importing a case module (the cycle issue 9 removed) breaks the check."""
    _copy_sources(tmp_path)
    models = tmp_path / "agencies" / "models.py"
    models.write_text(models.read_text() + "\nfrom cases.selectors import cases_visible  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode == 1
    assert "agencies.models -> cases.selectors" in result.stdout


def test_the_contract_catches_a_selector_that_writes_audit_entries(tmp_path):
    _copy_sources(tmp_path)
    home = tmp_path / "cases" / "selectors" / "home.py"
    home.write_text(home.read_text() + "\nfrom audit.services import audit_record  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode == 1
    assert "Selectors only read (audit entries are written by services and views) BROKEN" in (
        result.stdout
    )
    assert "Apps depend in one direction KEPT" in result.stdout
