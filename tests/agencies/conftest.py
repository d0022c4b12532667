"""Fixtures of the agency tests: real ICE files (parsed once per session), small CSV lists
built in the test, uploads stored in a temporary MEDIA_ROOT."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
from pathlib import Path

import pytest

from agencies import services
from agencies.importer.parser import parse_file

REPO_ROOT = Path(__file__).resolve().parents[2]
# ICE287G_DATA points elsewhere (a git worktree sits one level deeper than the main checkout).
ICE_DATA = Path(os.environ.get("ICE287G_DATA", REPO_ROOT.parent / "shared" / "data" / "ice287g"))
ORIGINALS = ICE_DATA / "ice_originals"
DERIVED = ICE_DATA / "derived"

needs_ice_files = pytest.mark.skipif(
    not ORIGINALS.is_dir(), reason=f"real ICE 287(g) workbooks not found at {ICE_DATA}"
)

PARTICIPATING_HEADER = ["STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE",
                        "SIGNED", "MOA"]  # fmt: skip
PENDING_HEADER = ["STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE"]
MODEL_NAMES = {"TFM": "Task Force Model", "JEM": "Jail Enforcement Model",
               "WSO": "Warrant Service Officer"}  # fmt: skip


def ice_file(name: str) -> Path:
    for folder in (ORIGINALS, DERIVED):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(name)


def all_ice_lists() -> list[Path]:
    return sorted(ICE_DATA.glob("*/*.xlsx"))


def participating_csv(rows) -> bytes:
    """rows: (state, agency, model, signed 'M/D/YYYY' or '', [county, [MOA address]])."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(PARTICIPATING_HEADER)
    for state, agency, model, signed, *rest in rows:
        county, moa = (*rest, "", "")[:2]
        kind = "County" if "Sheriff" in agency else "Municipality"
        writer.writerow([state, agency, kind, county, MODEL_NAMES[model], signed, moa])
    return out.getvalue().encode()


def pending_csv(rows) -> bytes:
    """rows: (state, agency, model)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(PENDING_HEADER)
    for state, agency, model in rows:
        writer.writerow([state, agency, "County", "", MODEL_NAMES[model]])
    return out.getvalue().encode()


def run_list(data: bytes, name: str, on: dt.date, kind: str | None = None, actor=None):
    """Store and run one list through the real importer; return the refreshed import."""
    run = services.agreement_import_create(
        data=data, filename=name, list_date=on, list_kind=kind, actor=actor
    )
    services.agreement_import_run(import_id=run.pk)
    run.refresh_from_db()
    return run


def run_file(path: Path, on: dt.date | None = None):
    return run_list(path.read_bytes(), path.name, on) if on else _run_named(path)


def _run_named(path: Path):
    (run,) = services.directory_load(paths=[path])
    return run


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploaded lists go to a temporary MEDIA_ROOT, never to var/."""
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


_PARSED: dict[tuple, object] = {}


@pytest.fixture(autouse=True)
def parse_once(monkeypatch):
    """The importer parses each distinct file once per test session (real workbooks take
    a tenth of a second or more each); results are shared read-only."""

    def cached(data, *, filename, list_kind=None, list_date=None, **limits):
        key = (
            hashlib.sha256(data).hexdigest(),
            list_kind,
            list_date,
            tuple(sorted(limits.items())),
        )
        if key not in _PARSED:
            _PARSED[key] = parse_file(
                data, filename=filename, list_kind=list_kind, list_date=list_date, **limits
            )
        return _PARSED[key]

    monkeypatch.setattr(services, "parse_file", cached)
