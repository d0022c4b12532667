"""Report benchmark on PostgreSQL: a quarterly report over 10,000 detention events and an
agency pattern report listing 1,000 events, end to end (request → task → stored PDF).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cw_repbench \
        .venv/bin/python bench/report_bench.py

Creates the database if missing, migrates, and generates the data once with bulk inserts
(its own office, users and agencies, so a shared bench database does not skew it). Each
report is measured in a fresh child process, so the peak RSS printed is the report's
(plus Django itself), not the data generator's. Targets: quarterly < 30 s and < 1 GB;
agency listing of 1,000 events < 60 s.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from benchenv import bench_env  # bench/ is on sys.path (scripts run as files)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cw_repbench")
bench_env()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseworker.settings")
os.environ["CELERY_BROKER_URL"] = ""  # render in-process
# Generated PDFs go to a scratch directory (printed), never into the checkout's var/.
os.environ.setdefault("MEDIA_ROOT", "/tmp/cw_report_bench/media")

OFFICE = "bench-reports"
QUARTER_EVENTS = 10_000
PREVIOUS_EVENTS = 8_000
AGENCY_EVENTS = 1_000
STATES = ["FL", "GA", "TX", "AZ", "NC", "SC", "AL", "TN", "LA", "OK"]
Q2 = (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
Q1 = (dt.date(2025, 1, 1), dt.date(2025, 3, 31))


def ensure_database() -> None:
    import psycopg

    url = urlsplit(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django() -> None:
    import django

    django.setup()


def generate() -> None:
    from django.core.management import call_command
    from django.db import transaction

    from accounts.models import Office, RoleGrant, User
    from agencies.models import Agency, Agreement, AgreementPeriod
    from cases.models import Case, Client, DetentionEvent, Encounter, Intake
    from caseworker.lib.text import fold

    call_command("migrate", verbosity=0)
    if Office.objects.filter(code=OFFICE).exists():
        print("data: reusing the generated bench data")
        return
    started = time.perf_counter()
    rng = random.Random(287)
    with transaction.atomic():
        office = Office.objects.create(name="Bench Reports Office", code=OFFICE)
        director = User.objects.create(username="bench-director", first_name="Bench Director")
        attorney = User.objects.create(username="bench-attorney", first_name="Bench Attorney")
        RoleGrant.objects.create(user=director, role="director")
        RoleGrant.objects.create(user=attorney, role="attorney")
        office.members.add(attorney)

        agencies = Agency.objects.bulk_create(
            [
                Agency(
                    name=f"Bench County {i} Sheriff's Office",
                    match_key=fold(f"bench county {i} sheriffs office"),
                    state=STATES[i % len(STATES)],
                    county=f"Bench {i}",
                    kind="sheriff",
                )
                for i in range(300)
            ]
        )
        agreements = Agreement.objects.bulk_create(
            [
                Agreement(
                    agency=agency,
                    model=("JEM", "TFM", "WSO")[i % 3],
                    status="active",
                    signed_on=dt.date(2024, 1, 1) + dt.timedelta(days=i),
                    first_seen_on=dt.date(2024, 1, 1) + dt.timedelta(days=i),
                    last_seen_on=dt.date(2025, 6, 6),
                )
                for i, agency in enumerate(agencies[:200])
            ]
        )
        AgreementPeriod.objects.bulk_create(
            [AgreementPeriod(agreement=a, status="active", start=a.signed_on) for a in agreements]
        )
        target = agencies[0]  # the agency report's subject

        total = QUARTER_EVENTS + PREVIOUS_EVENTS
        clients = Client.objects.bulk_create(
            [
                Client(
                    given_names=f"Bench{i}", family_names="Client", search_name=f"bench{i} client"
                )
                for i in range(total)
            ],
            batch_size=2000,
        )
        cases, intakes, events = [], [], []
        encounters = list(Encounter.values)
        for i, client in enumerate(clients):
            quarter = Q2 if i < QUARTER_EVENTS else Q1
            day = quarter[0] + dt.timedelta(days=rng.randrange((quarter[1] - quarter[0]).days + 1))
            cases.append(
                Case(client=client, office=office, number=f"B{i:09d}", opened_on=day, status="open")
            )
        cases = Case.objects.bulk_create(cases, batch_size=2000)
        for i, case in enumerate(cases):
            # The target agency is in exactly AGENCY_EVENTS events (the listing cap).
            others = agencies[1:]
            arresting = target if i < AGENCY_EVENTS else others[rng.randrange(len(others))]
            custody = others[rng.randrange(len(others))]
            outcome = rng.choice(["detained", "released", "bond_posted", "removed", "transferred"])
            transferred = rng.random() < 0.3
            events.append(
                DetentionEvent(
                    case=case,
                    event_date=case.opened_on,
                    state=arresting.state,
                    county=arresting.county,
                    encounter=rng.choice(encounters),
                    arresting_agency=arresting,
                    custody_agency=custody,
                    arresting_jem=rng.random() < 0.4,
                    arresting_tfm=rng.random() < 0.2,
                    custody_jem=rng.random() < 0.6,
                    custody_wso=rng.random() < 0.1,
                    no_prior_record=rng.random() < 0.45,
                    detainer_lodged=rng.random() < 0.5,
                    transferred_to_ice=transferred,
                    transfer_date=case.opened_on + dt.timedelta(days=rng.randrange(1, 20))
                    if transferred
                    else None,
                    outcome=outcome,
                    outcome_date=case.opened_on + dt.timedelta(days=rng.randrange(0, 60))
                    if outcome != "detained"
                    else None,
                    scope_flags=["Arrest at a traffic stop by an agency with JEM"]
                    if rng.random() < 0.1
                    else [],
                )
            )
            intakes.append(
                Intake(
                    case=case,
                    received_on=case.opened_on,
                    channel="hotline",
                    narrative="bench",
                    staff=attorney,
                )
            )
        DetentionEvent.objects.bulk_create(events, batch_size=2000)
        Intake.objects.bulk_create(intakes, batch_size=2000)
    print(f"data: generated {total:,} events in {time.perf_counter() - started:.1f} s")


def measure(kind: str) -> None:
    """Child process: one report end to end, then its figures as JSON on stdout."""
    from django.db import connection

    from accounts.models import User
    from agencies.models import Agency
    from reports.models import Report
    from reports.services import report_request, report_run

    if kind == "quarterly":
        actor = User.objects.get(username="bench-director")
        params = {"year": 2025, "quarter": 2, "office": OFFICE}
    else:
        actor = User.objects.get(username="bench-attorney")
        agency = Agency.objects.get(name="Bench County 0 Sheriff's Office")
        params = {
            "agencies": [str(agency.public_id)],
            "date_after": "2025-01-01",
            "date_before": "2025-06-30",
        }
    started = time.perf_counter()
    report = report_request(actor=actor, kind=kind, params=params)  # autocommit: runs eagerly
    report_run(report_id=report.pk)  # no-op if the eager task already rendered it
    elapsed = time.perf_counter() - started
    report = Report.objects.get(pk=report.pk)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "kind": kind,
                "status": report.status,
                "error": report.error,
                "seconds": round(elapsed, 2),
                "peak_rss_mb": round(peak_kb / 1024, 1),
                "pages": report.page_count,
                "pdf_kb": round(report.pdf.size / 1024, 1) if report.pdf else 0,
                "records": report.manifest.get("record_count"),
                "path": report.pdf.path if report.pdf else "",
                "db": connection.vendor,
            }
        )
    )


def raw_sql_baseline() -> float:
    """The quarter's headline counts in one hand-written query: the floor for figures."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*), count(DISTINCT c.client_id),
                   count(*) FILTER (WHERE e.detainer_lodged),
                   count(*) FILTER (WHERE e.transferred_to_ice),
                   count(*) FILTER (WHERE e.outcome = 'removed')
            FROM cases_detentionevent e JOIN cases_case c ON c.id = e.case_id
            JOIN accounts_office o ON o.id = c.office_id
            WHERE o.code = %s AND e.event_date BETWEEN %s AND %s AND c.archived_at IS NULL
            """,
            [OFFICE, *Q2],
        )
        cursor.fetchone()
    return time.perf_counter() - started


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        setup_django()
        measure(sys.argv[2])
        return 0
    ensure_database()
    setup_django()
    generate()
    from accounts.models import User
    from reports.figures import report_content

    director = User.objects.get(username="bench-director")
    params = {"year": 2025, "quarter": 2, "fiscal": False, "office": OFFICE}
    started = time.perf_counter()
    report_content(kind="quarterly", user=director, params=params)
    figures_s = time.perf_counter() - started
    baseline_s = raw_sql_baseline()
    print(
        f"quarterly figures only: {figures_s:.2f} s; raw-SQL headline baseline "
        f"{baseline_s * 1000:.0f} ms (figures are {figures_s / baseline_s:.0f}x the one query, "
        "for ~100 queries and every breakdown)"
    )
    failed = 0
    for kind, limit_s, limit_mb in (("quarterly", 30, 1024), ("agency_pattern", 60, 1024)):
        out = subprocess.run(
            [sys.executable, __file__, "--measure", kind],
            capture_output=True,
            text=True,
            env={**os.environ, "LOG_LEVEL": "WARNING"},
            check=False,
        )
        lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
        if out.returncode or not lines:
            print(out.stdout, out.stderr)
            failed = 1
            continue
        result = json.loads(lines[-1])
        ok = (
            result["status"] == "done"
            and result["seconds"] < limit_s
            and result["peak_rss_mb"] < limit_mb
        )
        failed |= not ok
        print(
            f"{kind}: {result['seconds']:.2f} s end to end, "
            f"peak RSS {result['peak_rss_mb']:.0f} MB, {result['pages']} pages, "
            f"PDF {result['pdf_kb']:.0f} KB, records "
            f"{result['records']} [{'PASS' if ok else 'FAIL'}: limits {limit_s} s, {limit_mb} MB]"
            f"\n  {result['path']}"
        )
    return failed


if __name__ == "__main__":
    sys.exit(main())
