"""Load test: 25 staff at once against gunicorn with the production settings (issue 12).

    make loadtest                      # 25 users, 120 s, on postgres://.../cw_bench
    LOAD_USERS=25 LOAD_SECONDS=120 LOAD_WORKERS=3 LOAD_THREADS=4 make loadtest
    make loadtest LOAD_WITH_REPORT=1   # a second run while the worker renders quarterly PDFs

Data: the same database as bench/search_bench.py (seed_demo --scale, 1M events by default;
seeded here when missing). The script logs the demo staff in (server-side sessions, so the
driver never sees a password), starts `gunicorn caseworker.wsgi` on a loopback port with
DEBUG off, runs locust headless (bench/locustfile.py: list/case/API reads plus intake and
event writes), and prints throughput, p50/p95/p99 per page kind and errors.

Exit status: 0 when every read kind has p95 <= LOAD_P95_MS (default 300) and there were no
errors (and, with LOAD_WITH_REPORT, list p95 rose by at most 1.5x); 1 otherwise.
Locust lives in its own virtualenv (.venv-load) because it monkey-patches the standard
library with gevent, which must never happen inside the app's own process.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchenv import bench_env  # bench/ is on sys.path (scripts run as files)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cw_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseworker.settings")
bench_env()

USERS = int(os.environ.get("LOAD_USERS", "25"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "120"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "3"))
THREADS = int(os.environ.get("LOAD_THREADS", "4"))
P95_MS = float(os.environ.get("LOAD_P95_MS", "300"))
WITH_REPORT = os.environ.get("LOAD_WITH_REPORT", "") not in ("", "0", "false")
LOCUST = os.environ.get("LOCUST", str(ROOT / ".venv-load" / "bin" / "locust"))
READ_KINDS = ("case list", "case page", "event list", "API list")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(plan_path: Path) -> None:
    """Seed if needed, then write the plan: one server-side session per seat, ids to visit."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bench.search_bench import ensure_data
    from cases.models import DetentionEvent
    from cases.selectors import cases_visible

    ensure_data()
    staff = list(
        get_user_model()
        .objects.filter(username__regex=r"^[a-z]+-(caseworker|attorney)$", is_active=True)
        .order_by("username")
    )
    if not staff:
        sys.exit("no demo staff: run seed_demo first")
    seats = []
    for user in staff:
        browser = Client()
        browser.force_login(user)
        # A signed-in staff member has passed the second factor with their authenticator app.
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="Authenticator app")
        session = browser.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        cases = list(
            cases_visible(user=user).order_by("-id").values_list("public_id", flat=True)[:300]
        )
        seats.append(
            {
                "session": browser.cookies[settings.SESSION_COOKIE_NAME].value,
                "cases": [str(c) for c in cases],
                # demo usernames start with their office code, which is a state (fl-, tx-)
                "state": user.username.split("-")[0].upper(),
            }
        )
    agencies = (
        DetentionEvent.objects.values("arresting_agency__public_id")
        .exclude(arresting_agency=None)
        .annotate(n=Count("id"))
        .order_by("-n")[:20]
    )
    quarters = [
        (dt.date(y, m, 1).isoformat(), (dt.date(y, m + 2, 28)).isoformat())
        for y in (2024, 2025)
        for m in (1, 4, 7, 10)
    ]
    plan = {
        "users": seats,
        "agencies": [str(a["arresting_agency__public_id"]) for a in agencies],
        "quarters": quarters,
        "today": dt.date.today().isoformat(),
    }
    plan_path.write_text(json.dumps(plan))


def serve(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "false",
        "DB_PARALLEL_WORKERS": os.environ.get("DB_PARALLEL_WORKERS", "0"),  # as compose's web
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14"),
    }
    # Production static storage (hashed manifest), as the image builds it.
    manage = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
    subprocess.run(manage, cwd=ROOT, env=env, check=True)
    cmd = [
        str(Path(sys.executable).parent / "gunicorn"),
        "caseworker.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={WORKERS}",
        f"--threads={THREADS}",
        "--worker-class=gthread",
        "--timeout=60",
        "--access-logfile=-" if os.environ.get("LOAD_ACCESS_LOG") else "--log-level=warning",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(60):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
            return proc
        except OSError:
            time.sleep(0.5)
    stop(proc)
    sys.exit("gunicorn did not come up")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def run_locust(port: int, plan: Path, out: Path) -> dict[str, dict]:
    subprocess.run(
        [
            LOCUST,
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--only-summary",
            f"--users={USERS}",
            f"--spawn-rate={USERS}",
            f"--run-time={SECONDS}s",
            f"--host=http://127.0.0.1:{port}",
            f"--csv={out}",
            "--loglevel=WARNING",
        ],
        env={**os.environ, "LOADTEST_PLAN": str(plan)},
        check=False,
        stdout=subprocess.DEVNULL,
    )
    with open(f"{out}_stats.csv", newline="") as fh:
        return {row["Name"]: row for row in csv.DictReader(fh)}


def table(stats: dict[str, dict]) -> None:
    print(f"  {'page kind':14} {'requests':>9} {'errors':>7} {'req/s':>7} "
          f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")  # fmt: skip
    for name, row in stats.items():
        print(
            f"  {name:14} {row['Request Count']:>9} {row['Failure Count']:>7} "
            f"{float(row['Requests/s']):>7.1f} {row['50%']:>7} {row['95%']:>7} {row['99%']:>7}"
        )


def report_load(stop_at: float) -> subprocess.Popen:
    """A Celery worker rendering quarterly reports for the whole run (the PDF the issue names)."""
    env = {**os.environ, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14"}
    code = (
        "import django,time,os;django.setup();"
        "from django.contrib.auth import get_user_model;"
        "from reports.services import report_request;"
        "u=get_user_model().objects.filter(username__endswith='-director').first();"
        f"\nwhile time.time()<{stop_at}:\n"
        "    report_request(actor=u, kind='quarterly', params={'year':2025,'quarter':2});"
        "time.sleep(20)"
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "caseworker", "worker", "-Q", "reports",
         "--concurrency=1", "--loglevel=WARNING"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    feeder = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)
    worker.feeder = feeder  # type: ignore[attr-defined]
    return worker


def main() -> int:
    if not Path(LOCUST).exists():
        sys.exit(f"{LOCUST} not found: run `make loadtest` (installs bench/requirements-load.txt)")
    work = Path(tempfile.mkdtemp(prefix="cw-load-"))
    plan = work / "plan.json"
    prepare(plan)
    random.seed(0)
    port = free_port()
    server = serve(port)
    print(
        f"gunicorn gthread {WORKERS} workers x {THREADS} threads; {USERS} users, "
        f"{SECONDS} s, 1 s think time; DEBUG off\n"
    )
    failed = False
    try:
        base = run_locust(port, plan, work / "base")
        table(base)
        for kind in READ_KINDS:
            p95 = float(base[kind]["95%"]) if kind in base else float("inf")
            ok = p95 <= P95_MS
            failed |= not ok
            print(f"  {'PASS' if ok else 'FAIL'}  {kind} p95 {p95:.0f} ms (target <= {P95_MS:.0f})")
        errors = int(base["Aggregated"]["Failure Count"])
        failed |= errors > 0
        print(f"  {'PASS' if not errors else 'FAIL'}  errors: {errors}")
        if WITH_REPORT:
            worker = report_load(time.time() + SECONDS)
            try:
                loaded = run_locust(port, plan, work / "report")
            finally:
                worker.feeder.terminate()  # type: ignore[attr-defined]
                stop(worker)
            print("\nsame mix while the worker renders quarterly PDFs:")
            table(loaded)
            before, after = float(base["case list"]["95%"]), float(loaded["case list"]["95%"])
            ok = after <= 1.5 * before
            failed |= not ok
            print(f"  {'PASS' if ok else 'FAIL'}  case list p95 {after / before:.2f}x (<= 1.5x)")
    finally:
        stop(server)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
