"""Real Celery workers and Redis for tests that drive the production shape.

Needs PostgreSQL (DATABASE_URL; the worker shares the test database, so these tests commit:
transactional_db) and Redis on 127.0.0.1:6379; skipped otherwise.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from caseworker.celery import app

REPO_ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 60


def database_url() -> str:
    """The test database as a URL for a subprocess."""
    db = settings.DATABASES["default"]
    auth = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def skip_reason(redis_url: str) -> str | None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return "needs PostgreSQL: set DATABASE_URL=postgres://… (the worker shares the test DB)"
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=1).ping()
    except Exception as exc:  # any failure means we cannot test against it
        return f"Redis is not reachable at {redis_url} ({exc.__class__.__name__})"
    return None


def use_broker(url: str, eager: bool) -> None:
    """Point this process's Celery app at another broker. The producer pools are cached
    per app; earlier eager tests may have built them for the default broker."""
    app.conf.broker_url, app.conf.task_always_eager = url, eager
    app._pool = None
    app.amqp._producer_pool = None


def broker_fixture(redis_url: str):
    """A fixture body: a flushed Redis database as this process's broker, then restored."""
    reason = skip_reason(redis_url)
    if reason:
        pytest.skip(reason)
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    use_broker(redis_url, eager=False)
    yield redis_url
    use_broker(*saved)


class Worker:
    """`celery -A caseworker worker` on the test database: solo (one process) or prefork
    (a parent and its pool processes, as docker-compose runs it)."""

    def __init__(self, log: Path, *, broker: str, queues: str, pool: str = "solo", **env):
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "caseworker", "worker", "--pool", pool,
             "--concurrency", "1", "-Q", queues, "-n", f"test-{uuid.uuid4().hex[:8]}@%h",
             "--loglevel", "INFO", "--without-heartbeat", "--without-gossip",
             "--without-mingle"],
            cwd=REPO_ROOT, stdout=self.log, stderr=subprocess.STDOUT,
            env={
                **os.environ,
                "DATABASE_URL": database_url(),
                "CELERY_BROKER_URL": broker,
                "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                "SECRET_KEY": "worker-test-only",
                "DEBUG": "false",
                **env,
            },
        )  # fmt: skip

    def kill(self):
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def wait_for(predicate, what: str, log: Path, timeout: float = TIMEOUT, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    tail = log.read_text()[-3000:] if log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{tail}")
