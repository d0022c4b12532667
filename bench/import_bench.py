"""Benchmark of the 287(g) import (issue 3's speed targets), on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cw_bench .venv/bin/python bench/import_bench.py

It works in a scratch database named after DATABASE_URL's with an `_import` suffix
(cw_bench_import), dropped and re-created on every run, so it never touches the data other
benchmarks keep in cw_bench. Needs the CREATEDB privilege and the real ICE workbooks in
../shared/data/ice287g (the 1,000-row list).

Figures: best and median of REPEATS runs (the ratio uses the best: on a shared machine the
best run is the one least disturbed by other work).
1. 2,000-row synthetic list into an empty directory: the database step (agencies, agreements,
   periods, changes, in one transaction) against a PostgreSQL COPY of exactly the rows it
   wrote, back into the same emptied tables (same indexes, constraints, foreign keys).
   Target: within 3x.
   Also the database step of a second 2,000-row list that ends, adds and re-dates agreements.
2. The whole import of the 1,000-row list (store the file, parse, apply), into an empty
   directory and on top of the July 2025 list. Target: a few seconds.
3. The same 1,000-row file again: a no-op. Target: under a second.
"""

from __future__ import annotations

import hashlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchenv import bench_env  # bench/ is on sys.path (scripts run as files)

REPO = Path(__file__).resolve().parent.parent
ICE = REPO.parent / "shared" / "data" / "ice287g" / "ice_originals"
REPEATS = 5
ROWS = 2000
TABLES = [
    "agencies_agreementimport",
    "agencies_agency",
    "agencies_agencyalias",
    "agencies_agreement",
    "agencies_agreementperiod",
    "agencies_agreementchange",
]
STATES = ["ALABAMA", "ARIZONA", "FLORIDA", "GEORGIA", "IDAHO", "LOUISIANA", "MONTANA",
          "NORTH CAROLINA", "OKLAHOMA", "SOUTH CAROLINA", "TENNESSEE", "TEXAS", "UTAH",
          "VIRGINIA", "WYOMING"]  # fmt: skip
MODELS = ["Task Force Model", "Jail Enforcement Model", "Warrant Service Officer"]


def scratch_database() -> str:
    """Create a fresh scratch database; return its URL."""
    import psycopg

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cw_bench")
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("import_bench needs PostgreSQL: DATABASE_URL=postgres://…")
    name = f"{parts.path.lstrip('/') or 'cw_bench'}_import"
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    bench_env()
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="import-bench-")
    os.environ["CELERY_BROKER_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseworker.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(REPO))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def synthetic_csv(rows: int, *, shift: int = 0, redate_every: int = 0) -> bytes:
    """ICE's participating layout: rows agreements of distinct made-up agencies.

    shift drops the first `shift` rows and adds as many new ones at the end; every
    `redate_every`-th kept row gets another signed date.
    """
    out = io.StringIO()
    out.write("STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,SIGNED,MOA\n")
    for i in range(shift, rows + shift):
        agency = i // 2  # two models per agency, like many sheriffs
        state = STATES[agency % len(STATES)]
        kind = ("County", f"County {agency} Sheriff's Office") if agency % 3 else (
            "Municipality", f"Town {agency} Police Department")  # fmt: skip
        day = 1 + (i % 27) + (1 if redate_every and i % redate_every == 0 else 0)
        out.write(
            f'{state},"{kind[1]}",{kind[0]},County {agency},{MODELS[i % 2 + agency % 2]},'
            f"3/{day}/2025,https://www.ice.gov/doclib/287gMOA/agency{agency}_{i % 3}.pdf\n"
        )
    return out.getvalue().encode()


def reset() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE agencies_agreementchange, agencies_agreementperiod, agencies_agreement, "
            "agencies_agencyalias, agencies_agency, agencies_agreementimport CASCADE"
        )


def database_step(data: bytes, name: str, on) -> tuple[float, object]:
    """Time list_apply and its commit (the parse is done first, outside the clock)."""
    from django.db import transaction

    from agencies import services
    from agencies.importer.parser import parse_file
    from agencies.importer.store import list_apply
    from agencies.models import AgreementImport, ImportStatus

    parsed = parse_file(data, filename=name, list_date=on)
    run = AgreementImport.objects.create(
        source=name,
        list_date=on,
        status=ImportStatus.RUNNING,
        content_hash=hashlib.sha256(data).hexdigest(),
    )
    started = time.perf_counter()
    with transaction.atomic():
        services._lock(run.pk)
        applied = list_apply(parsed=parsed, list_kind=parsed.list_kind, list_date=on, run=run)
    elapsed = time.perf_counter() - started
    AgreementImport.objects.filter(pk=run.pk).update(status=ImportStatus.DONE)
    return elapsed, applied


def copy_baseline() -> tuple[float, int]:
    """COPY the rows the import wrote back into the same (emptied) tables: same indexes,
    same constraints and foreign keys. The floor for writing exactly those rows."""
    from django.db import connection

    dumps, total = {}, 0
    with connection.cursor() as cursor:
        raw = cursor.connection
        for table in TABLES:
            buffer = io.BytesIO()
            with raw.cursor().copy(f"COPY {table} TO STDOUT") as copy:
                for chunk in copy:
                    buffer.write(chunk)
            dumps[table] = buffer.getvalue()
            total += cursor.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
        started = time.perf_counter()
        with raw.transaction():
            for table in TABLES:  # parents first: the foreign keys are checked as for the import
                with raw.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                    copy.write(dumps[table])
        elapsed = time.perf_counter() - started
    return elapsed, total


def full_import(path: Path, on, *, before: Path | None = None) -> tuple[float, object]:
    from agencies import services

    if before is not None:
        services.directory_load(paths=[before])
    started = time.perf_counter()
    run = services.agreement_import_create(data=path.read_bytes(), filename=path.name, list_date=on)
    services.agreement_import_run(import_id=run.pk)
    elapsed = time.perf_counter() - started
    run.refresh_from_db()
    assert run.status in ("done", "noop"), run.error
    return elapsed, run


def median(values) -> float:
    return statistics.median(values)


def figures(values) -> str:
    """Best and median, in milliseconds (the machine may be shared: best is the signal)."""
    return f"{min(values) * 1000:7.1f} ms best, {median(values) * 1000:7.1f} ms median"


def main() -> int:
    import datetime as dt

    url = scratch_database()
    setup_django(url)
    print(f"scratch database: {urlsplit(url).path.lstrip('/')}; {REPEATS} runs each\n")

    first, second = synthetic_csv(ROWS), synthetic_csv(ROWS, shift=200, redate_every=20)
    steps, copies, updates, written = [], [], [], 0
    reset()
    database_step(first, "warm-up.csv", dt.date(2025, 5, 1))  # imports, caches: not timed
    for _ in range(REPEATS):
        reset()
        steps.append(database_step(first, "participating-synthetic.csv", dt.date(2025, 6, 1))[0])
        copy_time, written = copy_baseline()
        copies.append(copy_time)
        elapsed, applied = database_step(
            second, "participating-synthetic-2.csv", dt.date(2025, 7, 1)
        )
        updates.append(elapsed)
    print(f"1. {ROWS}-row list into an empty directory, database step: {figures(steps)}")
    print(f"   COPY of the same {written} rows into the same tables:     {figures(copies)}")
    ratio = min(steps) / min(copies)
    failed = ratio > 3
    print(
        f"   ratio database step / COPY: {ratio:.2f}x best, "
        f"{median(steps) / median(copies):.2f}x median  (target ≤ 3x) "
        f"{'FAIL' if failed else 'PASS'}"
    )
    print(
        f"   next {ROWS}-row list, database step: {figures(updates)}  [{applied.created} "
        f"created, {applied.ended} ended, {applied.changed} re-dated, {applied.unchanged} same]"
    )

    real = ICE / "participatingAgencies09182025pm.xlsx"
    if not real.is_file():
        print(f"\n(skipping 2. and 3.: {real} not found)")
        return int(failed)
    empty, stacked, noops = [], [], []
    for _ in range(REPEATS):
        reset()
        elapsed, run = full_import(real, dt.date(2025, 9, 18))
        empty.append(elapsed)
        noops.append(full_import(real, dt.date(2025, 9, 19))[0])
        reset()
        july = ICE / "participatingAgencies07182025pm.xlsx"
        stacked.append(full_import(real, dt.date(2025, 9, 18), before=july)[0])
    print(f"\n2. 1,000-row real list, whole import (store, parse, apply), empty directory: "
          f"{figures(empty)}  [{run.created_count} created]")  # fmt: skip
    print(f"   same, on top of the July 2025 list (832 rows): {figures(stacked)}")
    noop_failed = min(noops) >= 1
    print(
        f"3. no-op re-import of the same file: {figures(noops)}  (target < 1 s) "
        f"{'FAIL' if noop_failed else 'PASS'}"
    )
    return int(failed or noop_failed)


if __name__ == "__main__":
    sys.exit(main())
