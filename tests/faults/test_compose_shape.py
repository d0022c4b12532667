"""docker-compose.yml's own web, worker and beat commands, run as processes against the real
PostgreSQL and Redis (docker is not available here): migrate, serve, log in over HTTP,
request a quarterly report, render it in the worker and download the PDF.
"""

from __future__ import annotations

import io
import os
import re
import shlex
import subprocess
import sys
import time
import uuid
from base64 import b32decode
from pathlib import Path

import psycopg
import pytest
import requests
import yaml
from django_otp.oath import totp
from pypdf import PdfReader

from tests.workers import REPO_ROOT, skip_reason

REDIS_URL = "redis://127.0.0.1:6379/13"
SERVER = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[0]

pytestmark = pytest.mark.celery


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def database():
    reason = skip_reason(REDIS_URL)
    if reason:
        pytest.skip(reason)
    name = f"cw_compose_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{SERVER}/{name}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


class Services:
    """The compose services as processes; their output goes to one log, shown on failure."""

    def __init__(self, log: Path, env: dict):
        self.log, self.env, self.processes = log.open("ab"), env, []

    def start(self, command: str) -> None:
        self.processes.append(
            subprocess.Popen(
                ["sh", "-c", command],
                cwd=REPO_ROOT,
                env=self.env,
                stdout=self.log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, 15)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
        self.log.close()


def _command(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else shlex.join(command)


def test_compose_services_serve_a_quarterly_report_end_to_end(database, tmp_path, worker_log):
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())["services"]
    port = _free_port()
    env = {
        **os.environ,
        **{k: str(v) for k, v in compose["web"].get("environment", {}).items()},
        "DATABASE_URL": database,  # the compose file's hosts (db, redis) are ours here
        "CELERY_BROKER_URL": REDIS_URL,
        "SECRET_KEY": "compose-test-only",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_COOKIES": "false",  # plain HTTP on loopback; the proxy adds TLS in production
        "VAR_DIR": str(tmp_path / "var"),
        "PYTHONPATH": str(REPO_ROOT),
    }
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    services = Services(worker_log, env)
    try:
        services.run("collectstatic", "--noinput", "-v0")  # the image's build step
        services.start(_command(compose["web"]).replace("0.0.0.0:8000", f"127.0.0.1:{port}"))
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:  # not up yet
                pass
            assert time.monotonic() < deadline, worker_log.read_text()[-3000:]
            time.sleep(0.5)
        services.run("seed_demo", "--clients", "40")
        logins = dict(
            line.split() for line in (tmp_path / "var" / "demo-logins.txt").read_text().splitlines()
        )
        services.start(_command(compose["worker"]))
        schedule = "/tmp/celerybeat-schedule"  # noqa: S108 - the compose file's, replaced
        services.start(_command(compose["beat"]).replace(schedule, str(tmp_path / "beat")))

        browser = requests.Session()
        browser.get(f"{base}/login/", timeout=10)
        answer = browser.post(
            f"{base}/login/",
            data={"username": "fl-director", "password": logins["fl-director"]},
            headers={"X-CSRFToken": browser.cookies["csrftoken"], "Referer": f"{base}/login/"},
            timeout=10,
        )
        assert answer.ok and "/login/" not in answer.url, answer.text[-2000:]
        # Production asks for the second factor: set up the authenticator as a phone would.
        setup = browser.get(f"{base}/account/two-factor/", timeout=10)
        secret = re.search(r'id="totp-secret"[^>]*>([^<]+)<', setup.text).group(1)
        code = str(totp(b32decode(secret.replace(" ", "")))).zfill(6)
        answer = browser.post(
            setup.url,
            data={"code": code, "next": "/"},
            headers={"X-CSRFToken": browser.cookies["csrftoken"], "Referer": setup.url},
            timeout=10,
        )
        assert answer.ok and 'id="recovery-codes"' in answer.text, answer.text[-2000:]
        with psycopg.connect(database) as conn:
            latest = conn.execute("SELECT max(event_date) FROM cases_detentionevent").fetchone()[0]
        params = {"year": latest.year, "quarter": (latest.month - 1) // 3 + 1}
        answer = browser.post(
            f"{base}/api/v1/reports/",
            json={"kind": "quarterly", "params": params},
            headers={"X-CSRFToken": browser.cookies["csrftoken"], "Referer": f"{base}/"},
            timeout=10,
        )
        assert answer.status_code == 201, answer.text
        report = answer.json()
        deadline = time.monotonic() + 180
        while report["status"] not in ("done", "failed"):
            assert time.monotonic() < deadline, worker_log.read_text()[-3000:]
            time.sleep(1)
            report = browser.get(f"{base}/api/v1/reports/{report['id']}/", timeout=10).json()
        assert report["status"] == "done", report
        pdf = browser.get(report["files"]["pdf"], timeout=30)
        assert pdf.headers["Content-Type"] == "application/pdf"
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert f"Q{params['quarter']} {params['year']}" in text
    finally:
        services.stop()
