"""No client names or A-numbers in the server logs after a session that searches for them.

Real servers (gunicorn with gunicorn.conf.py, and runserver with the settings' logging)
serve the test database; their whole output is scanned afterwards.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client as DjangoClient

from cases import services
from tests.cases.workflow import make_case

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
NAME, A_NUMBER = "Wilfreda Quintanilla", "A208881234"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL (the servers run in other processes)")
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


SERVERS = {
    "gunicorn": lambda port: [
        str(Path(sys.executable).with_name("gunicorn")),
        "caseworker.wsgi",
        f"--bind=127.0.0.1:{port}",
        "--workers=1",
    ],
    "runserver": lambda port: [
        sys.executable,
        "manage.py",
        "runserver",
        "--noreload",
        "--skip-checks",
        f"127.0.0.1:{port}",
    ],
}


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_server_logs_hold_no_client_names_or_a_numbers(server, alice, north, tmp_path):
    client = services.client_create(
        actor=alice, given_names="Wilfreda", family_names="Quintanilla", a_number=A_NUMBER
    )
    case = make_case(north, client=client)
    browser = DjangoClient()
    browser.force_login(alice)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "true",  # plain static files: the tests run no collectstatic
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "BLIND_INDEX_KEY": settings.BLIND_INDEX_KEY,
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603
            SERVERS[server](port), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        base = f"http://127.0.0.1:{port}"
        session = requests.Session()
        session.cookies.set(settings.SESSION_COOKIE_NAME, browser.cookies["sessionid"].value)
        for _ in range(150):  # the server imports Django before answering
            try:
                session.get(base + "/healthz", timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.2)
        pages = [
            ("/cases/", {"q": NAME}),
            ("/cases/", {"q": "a208-881-234"}),
            ("/cases/events/", {"q": "Quintanilla", "state": "FL"}),
            ("/cases/export/csv/", {"q": A_NUMBER}),
            ("/api/v1/clients/", {"q": "Quintanilla"}),
            (f"/cases/{case.public_id}/", {}),
            (f"/cases/clients/{client.public_id}/", {}),
            ("/no-such-page/", {"q": NAME}),
        ]
        statuses = [
            session.get(base + path, params=params, timeout=30).status_code
            for path, params in pages
        ]
        # The search form posts; the browser lands on an opaque search id.
        posted = session.post(
            base + "/cases/",
            data={"q": NAME, "csrfmiddlewaretoken": session.cookies[settings.CSRF_COOKIE_NAME]},
            timeout=30,
        )
        found = posted.text
    finally:
        process.terminate()
        process.wait(timeout=10)
    text = log.read_text()
    assert statuses == [200, 200, 200, 200, 200, 200, 200, 404], text[-3000:]
    assert case.number in found and "?s=" in posted.url
    assert "/cases/" in text  # the access log is there
    for secret in ("Wilfreda", "Quintanilla", "208881234", "208-881-234", "208881234"):
        assert secret not in text, f"{secret} in the {server} log"
