"""Locust user mix for `make loadtest` (driven by bench/loadtest.py, which writes the plan).

Staff with a 1 s think time: 55% case list with filters, 20% case page, 10% event list,
10% API list, 3% intake, 2% new detention event. Every request is named by its page kind so
the summary groups them (`case list`, `case page`, ...).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import HttpUser, constant, task

PLAN = json.loads(open(os.environ["LOADTEST_PLAN"]).read())  # noqa: SIM115
_seats = itertools.count()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Staff(HttpUser):
    wait_time = constant(1)

    def on_start(self):
        seat = PLAN["users"][next(_seats) % len(PLAN["users"])]
        self.rng = random.Random(seat["session"])  # noqa: S311 - load mix, not security
        self.cases = seat["cases"]
        self.state = seat["state"]
        self.client.cookies.set("sessionid", seat["session"])
        self.client.headers["Referer"] = self.host + "/"

    def _filters(self) -> dict:
        """A realistic filter: an agency and/or a model over a quarter, sometimes a fact."""
        start = self.rng.choice(PLAN["quarters"])
        params = {"date_after": start[0], "date_before": start[1]}
        pick = self.rng.random()
        if pick < 0.5:
            params["agency"] = self.rng.choice(PLAN["agencies"])
        elif pick < 0.8:
            params["arresting_model"] = self.rng.choice(["TFM", "JEM", "WSO"])
        if self.rng.random() < 0.3:
            params[self.rng.choice(["detainer", "no_prior"])] = "true"
        return params

    @task(55)
    def case_list(self):
        self.client.get("/cases/", params=self._filters(), name="case list")

    @task(20)
    def case_page(self):
        self.client.get(f"/cases/{self.rng.choice(self.cases)}/", name="case page")

    @task(10)
    def event_list(self):
        self.client.get("/cases/events/", params=self._filters(), name="event list")

    @task(10)
    def api_list(self):
        self.client.get("/api/v1/cases/", params=self._filters(), name="API list")

    @task(3)
    def intake(self):
        form = self.client.get("/cases/intake/", name="intake form")
        token = CSRF.search(form.text)
        if not token:
            return
        n = self.rng.randrange(10**9)
        self.client.post(
            "/cases/intake/",
            {
                "csrfmiddlewaretoken": token.group(1),
                "given_names": f"Load{n}",
                "family_names": "Tester",
                "date_of_birth": "1990-01-01",
                "received_on": PLAN["today"],
                "channel": "hotline",
                "narrative": "Load test intake.",
            },
            name="intake save",
        )

    @task(2)
    def new_event(self):
        case = self.rng.choice(self.cases)
        url = f"/cases/{case}/events/new/"
        form = self.client.get(url, name="event form")
        token = CSRF.search(form.text)
        if not token:
            return
        self.client.post(
            url,
            {
                "csrfmiddlewaretoken": token.group(1),
                "event_date": PLAN["today"],
                "date_precision": "exact",
                "state": self.state,
                "encounter": "traffic_stop",
                "outcome": "detained",
            },
            name="event save",
        )
