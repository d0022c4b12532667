"""Search, API and export speed at scale (issue 5), on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cw_bench .venv/bin/python bench/search_bench.py

Data: `manage.py seed_demo --scale 1000000` (100k clients/cases, 1M detention events);
the script runs it itself when fewer than BENCH_EVENTS (default 1,000,000) events exist,
then ANALYZEs. It reads only; run it as often as you like.

Measured (median of BENCH_REPEAT runs, default 15), as an attorney of one office:
1. API page of 50 cases filtered by the largest agency (either role) and one quarter:
   the whole request in-process (auth, filters, keyset page, serializers, JSON) against
   the equivalent hand-written SQL through psycopg. Target: within 8x.
2. The 100th page against the first (cases, and the 1M-row event list), following the
   API's own `next` links. Target: page 100 no slower than 2x page 1 (keyset pages).
3. The case-list filter for the largest agency over one quarter: database time of its
   COUNT and its first page (EXPLAIN ANALYZE execution times). Target: under 20 ms.
4. CSV export of ~10,000 filtered detention events (whole streamed response) against
   raw SQL fetching the same rows. Target: within 2x.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

from benchenv import bench_env  # bench/ is on sys.path (scripts run as files)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseworker.settings")
bench_env()
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from cases.filters import CaseFilterSet  # noqa: E402
from cases.models import DetentionEvent  # noqa: E402
from cases.selectors import cases_visible  # noqa: E402

EVENTS = int(os.environ.get("BENCH_EVENTS", "1000000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
QUARTER = (dt.date(2025, 1, 1), dt.date(2025, 3, 31))


def median_ms(fn, repeat=REPEAT) -> float:
    fn()  # warm caches and connections
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def ensure_data():
    if connection.vendor != "postgresql":
        sys.exit("search_bench needs PostgreSQL: set DATABASE_URL")
    call_command("migrate", verbosity=0)
    have = DetentionEvent.objects.count()
    if have < EVENTS:
        print(f"{have} events; seeding to {EVENTS} with seed_demo --scale (takes minutes)…")
        start = time.perf_counter()
        call_command("seed_demo", scale=EVENTS, verbosity=0)
        print(f"seed_demo --scale {EVENTS}: {time.perf_counter() - start:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def attorney():
    user = (
        User.objects.filter(role_grants__role=Role.ATTORNEY, offices__isnull=False)
        .order_by("id")
        .first()
    )
    if user is None:
        sys.exit("No attorney with an office: run manage.py seed_demo first.")
    return user


def largest_agency(office_ids):
    """The agency with most visible events (either role) in the quarter."""
    events = DetentionEvent.objects.filter(
        case__office_id__in=office_ids, event_date__range=QUARTER
    )
    top_custody = events.values("custody_agency").annotate(n=Count("id")).order_by("-n").first()
    top_arresting = events.values("arresting_agency").annotate(n=Count("id")).order_by("-n").first()
    best = max((top_custody, top_arresting), key=lambda r: r["n"])
    agency_id = best.get("custody_agency") or best.get("arresting_agency")
    from agencies.models import Agency

    return Agency.objects.get(pk=agency_id)


RAW_CASE_PAGE = """
SELECT c.id, c.public_id, c.number, c.status, c.opened_on, c.closed_on, c.outcome,
       c.created_at, c.updated_at, cl.public_id, cl.given_names, cl.family_names, o.code,
       cw.public_id, cw.username, at.public_id, at.username
FROM cases_case c
JOIN cases_client cl ON cl.id = c.client_id
JOIN accounts_office o ON o.id = c.office_id
LEFT JOIN accounts_user cw ON cw.id = c.caseworker_id
LEFT JOIN accounts_user at ON at.id = c.attorney_id
WHERE c.office_id = ANY(%(offices)s) AND c.archived_at IS NULL
  AND EXISTS (SELECT 1 FROM cases_detentionevent e
              WHERE e.case_id = c.id
                AND (e.arresting_agency_id = %(agency)s OR e.custody_agency_id = %(agency)s)
                AND e.event_date >= %(start)s AND e.event_date <= %(end)s)
ORDER BY c.opened_on DESC, c.id DESC
LIMIT 50
"""

RAW_EVENT_ROWS = """
SELECT c.number, cl.family_names, cl.given_names, e.event_date, e.state, e.county, e.city,
       e.encounter, aa.name, e.arresting_agency_name, e.arresting_tfm, e.arresting_jem,
       e.arresting_wso, ca.name, e.custody_agency_name, e.custody_tfm, e.custody_jem,
       e.custody_wso, e.no_prior_record, e.questioned_about_status, e.detainer_lodged,
       e.detainer_date, e.warrant_served, e.transferred_to_ice, e.transfer_date, e.outcome,
       e.outcome_date, e.bond_amount, e.scope_flags
FROM cases_detentionevent e
JOIN cases_case c ON c.id = e.case_id
JOIN cases_client cl ON cl.id = c.client_id
LEFT JOIN agencies_agency aa ON aa.id = e.arresting_agency_id
LEFT JOIN agencies_agency ca ON ca.id = e.custody_agency_id
WHERE c.office_id = ANY(%(offices)s) AND c.archived_at IS NULL
  AND e.event_date >= %(start)s AND e.event_date <= %(end)s
ORDER BY e.event_date DESC, e.id DESC
"""


def raw(sql, params, *, fetch="all"):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def explain_ms(queryset) -> float:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return plan[0]["Execution Time"] + plan[0]["Planning Time"]


MISSED = []


def report(label, value, target, ok):
    print(f"  {label:58} {value:>10}   target {target:<12} {'PASS' if ok else 'FAIL'}")
    if not ok:
        MISSED.append(label)


def main():
    ensure_data()
    user = attorney()
    offices = sorted(user.offices.values_list("id", flat=True))
    agency = largest_agency(offices)
    api = APIClient()
    api.force_authenticate(user)
    params = {
        "agency": str(agency.public_id),
        "date_after": QUARTER[0].isoformat(),
        "date_before": QUARTER[1].isoformat(),
        "page_size": 50,
    }
    raw_params = {"offices": offices, "agency": agency.id, "start": QUARTER[0], "end": QUARTER[1]}
    fs = CaseFilterSet(params, queryset=cases_visible(user=user), request=None)
    assert fs.is_valid(), fs.errors
    matching = fs.qs.count()
    print(
        f"{DetentionEvent.objects.count():,} events; attorney {user.username} "
        f"(offices {offices}); largest agency {agency} -> {matching:,} cases in "
        f"{QUARTER[0]}..{QUARTER[1]}"
    )
    print(f"  Django DEBUG={settings.DEBUG}; medians of {REPEAT} runs\n")

    # 1. API page vs raw SQL.
    def api_page():
        response = api.get("/api/v1/cases/", params)
        assert response.status_code == 200, response.content[:300]
        return response

    api_ms = median_ms(api_page)
    raw_ms = median_ms(lambda: raw(RAW_CASE_PAGE, raw_params))
    ratio = api_ms / raw_ms
    report(
        f"1. API 50 cases, agency+quarter: {api_ms:.1f} ms vs SQL {raw_ms:.1f} ms",
        f"{ratio:.1f}x",
        "<= 8x",
        ratio <= 8,
    )

    # 2. Page 100 vs page 1, walking the API's own next links.
    for path, query in (
        ("/api/v1/cases/", {"page_size": 50}),
        ("/api/v1/events/", {"page_size": 50}),
    ):
        first_url = api.get(path, query).wsgi_request.get_full_path()
        url = first_url
        for _ in range(99):
            url = api.get(url).json()["next"]
            assert url, "fewer than 100 pages"
        page100 = url

        first_ms = median_ms(lambda u=first_url: api.get(u))
        deep_ms = median_ms(lambda u=page100: api.get(u))
        ratio = deep_ms / first_ms
        report(
            f"2. {path} page 100: {deep_ms:.1f} ms vs page 1 {first_ms:.1f} ms",
            f"{ratio:.2f}x",
            "<= 2x",
            ratio <= 2,
        )

    # 3. Database time of the case-list filter: its page, and the page's exact count.
    page_ms = statistics.median(explain_ms(fs.qs[:51]) for _ in range(REPEAT))
    count_ms = statistics.median(_explain_count_ms(fs.qs.order_by()) for _ in range(REPEAT))
    report(
        "3. case filter largest agency+quarter: page, DB time",
        f"{page_ms:.1f} ms",
        "< 20 ms",
        page_ms < 20,
    )
    report("3. ... its exact COUNT, DB time", f"{count_ms:.1f} ms", "< 20 ms", count_ms < 20)

    # 4. CSV export of ~10,000 rows vs raw SQL.
    start, end = _window_for(offices, 10_000)
    export_params = {"date_after": start.isoformat(), "date_before": end.isoformat()}
    rows = DetentionEvent.objects.filter(
        case__office_id__in=offices, case__archived_at__isnull=True, event_date__range=(start, end)
    ).count()
    api.logout()
    from django.test import Client

    page_client = Client()
    page_client.force_login(user)

    def export():
        response = page_client.get("/cases/events/export/csv/", export_params)
        assert response.status_code == 200
        return sum(len(chunk) for chunk in response.streaming_content)

    export_ms = median_ms(export, repeat=max(5, REPEAT // 3))
    raw_ms = median_ms(
        lambda: raw(RAW_EVENT_ROWS, {"offices": offices, "start": start, "end": end}),
        repeat=max(5, REPEAT // 3),
    )
    ratio = export_ms / raw_ms
    report(
        f"4. CSV export {rows:,} rows: {export_ms:.0f} ms vs SQL {raw_ms:.0f} ms",
        f"{ratio:.2f}x",
        "<= 2x",
        ratio <= 2,
    )
    return 1 if MISSED else 0


def _explain_count_ms(queryset) -> float:
    sql, params = queryset.query.get_compiler(using="default").as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) SELECT COUNT(*) FROM ({sql}) sub", params)
        plan = cursor.fetchone()[0]
    return plan[0]["Execution Time"] + plan[0]["Planning Time"]


def _window_for(offices, target: int) -> tuple[dt.date, dt.date]:
    """The shortest date window ending 2025-06-30 holding at least `target` events."""
    end = dt.date(2025, 6, 30)
    days = 1
    qs = DetentionEvent.objects.filter(Q(case__office_id__in=offices))
    while days < 800:
        start = end - dt.timedelta(days=days)
        if qs.filter(event_date__range=(start, end)).count() >= target:
            return start, end
        days = days * 2 if days < 8 else days + 2
    return end - dt.timedelta(days=days), end


if __name__ == "__main__":
    sys.exit(main())
