"""Demo data: offices, one user per role per office, the 287(g) directory, and cases.

    manage.py seed_demo                       # small realistic set (idempotent)
    manage.py seed_demo --directory FILE...   # load real ICE workbooks instead of the fixture
    manage.py seed_demo --scale 1000000       # bulk data for benchmarks (events; clients = /10)

Names are obviously fictional (family names are Spanish for "example", "sample", ...).
Detention events are logged through the same service as the UI, so every 287(g)
snapshot is consistent with the agreements in force on its date.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Office, Role, RoleGrant, User
from agencies.models import Agency, AgencyKind, AgreementPeriod, AgreementStatus
from agencies.services import directory_load
from cases import services
from cases.models import (
    Case,
    CaseStatus,
    Client,
    DeadlineKind,
    DetentionEvent,
    DetentionOutcome,
    Encounter,
    IntakeChannel,
)
from caseworker.lib.text import fold

OFFICES = [("fl", "Florida Office", "FL"), ("tx", "Texas Office", "TX")]
GIVEN = [
    "Ana",
    "Luis",
    "María",
    "José",
    "Rosa",
    "Carlos",
    "Lucía",
    "Miguel",
    "Elena",
    "Jorge",
    "Sofía",
    "Pedro",
    "Daniela",
    "Andrés",
    "Valeria",
    "Tomás",
    "Camila",
    "Raúl",
    "Inés",
    "Diego",
]
FAMILY = [
    "Ejemplo",
    "Muestra",
    "Prueba",
    "Ficticio",
    "Inventado",
    "Modelo",
    "Simulado",
    "Ensayo",
    "Supuesto",
    "Imaginario",
]
COUNTRIES = ["Mexico", "Guatemala", "Honduras", "El Salvador", "Venezuela", "Cuba", "Haiti"]
LOGINS_FILE = "demo-logins.txt"


class Command(BaseCommand):
    help = "Create demo offices, users, the 287(g) directory and fictional cases (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=300)
        parser.add_argument("--directory", nargs="*", type=Path, help="ICE workbooks to load")
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="EVENTS",
            help="Bulk-insert this many detention events (clients = events / 10) for benchmarks.",
        )
        parser.add_argument("--seed", type=int, default=287)

    def handle(self, *args, **opts):
        rng = random.Random(opts["seed"])
        offices = self._offices()
        logins = self._users(offices)
        if not Agency.objects.exists():
            imports = directory_load(paths=opts["directory"] or None)
            self.stdout.write(f"Directory: {len(imports)} list(s) imported.")
        if not Client.objects.exists():
            self._cases(rng, offices, opts["clients"])
        if opts["scale"]:
            self._scale(rng, offices, opts["scale"])
        self.stdout.write(
            f"{Client.objects.count()} clients, {Case.objects.count()} cases, "
            f"{DetentionEvent.objects.count()} detention events, "
            f"{Agency.objects.count()} agencies."
        )
        self.stdout.write("Demo logins (username / password):")
        for username, password in logins:
            self.stdout.write(f"  {username:16} {password}")

    # Offices and users --------------------------------------------------------------

    def _offices(self) -> list[tuple[Office, str]]:
        return [
            (Office.objects.get_or_create(code=code, defaults={"name": name})[0], state)
            for code, name, state in OFFICES
        ]

    def _users(self, offices) -> list[tuple[str, str]]:
        """One user per role per office; passwords are made once and kept in var/."""
        path = Path(settings.VAR_DIR) / LOGINS_FILE
        known = (
            dict(line.split(" ", 1) for line in path.read_text().splitlines() if " " in line)
            if path.exists()
            else {}
        )
        logins = []
        for office, _state in offices:
            for role in Role:
                username = f"{office.code}-{role.value}"
                user, created = User.objects.get_or_create(
                    username=username,
                    defaults={"first_name": role.label, "last_name": f"({office.code.upper()})"},
                )
                if created or username not in known:
                    known[username] = secrets.token_urlsafe(9)
                    user.set_password(known[username])
                    user.save()
                RoleGrant.objects.get_or_create(user=user, role=role.value)
                if role in (Role.CASEWORKER, Role.ATTORNEY):
                    office.members.add(user)
                logins.append((username, known[username]))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{u} {p}\n" for u, p in known.items()))
        path.chmod(0o600)
        return logins

    # Realistic small data set -----------------------------------------------------------

    def _agency_pool(self, state: str):
        """(arresting candidates, sheriffs by county) for a state, from the directory."""
        agencies = list(Agency.objects.filter(state=state).order_by("id"))
        sheriffs = defaultdict(list)
        for agency in agencies:
            if agency.kind == AgencyKind.SHERIFF:
                sheriffs[agency.county].append(agency)
        return agencies, sheriffs

    def _event_fields(self, rng, state, agencies, sheriffs, on: dt.date) -> dict:
        arresting = rng.choice(agencies) if agencies else None
        jail = None
        if arresting is not None:
            jail = rng.choice(sheriffs.get(arresting.county) or [arresting])
        encounter = rng.choice(
            [Encounter.TRAFFIC_STOP] * 4
            + [
                Encounter.HOME,
                Encounter.WORKPLACE,
                Encounter.JAIL_BOOKING,
                Encounter.STREET,
                Encounter.PROBATION,
                Encounter.COURTHOUSE,
            ]
        )
        outcome = rng.choice(list(DetentionOutcome.values))
        outcome_date = on + dt.timedelta(days=rng.randint(1, 60)) if outcome != "detained" else None
        detainer = rng.random() < 0.6
        transferred = outcome in ("transferred", "removed") or rng.random() < 0.3
        return {
            "event_date": on,
            "state": state,
            "county": (arresting.county if arresting else "") or "",
            "city": "",
            "encounter": encounter,
            "arresting_agency": arresting,
            "custody_agency": jail,
            "charges": rng.choice(["Driving without a license", "Expired tag", "Trespass", ""]),
            "no_prior_record": rng.random() < 0.55,
            "detainer_lodged": detainer,
            "detainer_date": on + dt.timedelta(days=1) if detainer else None,
            "warrant_served": rng.random() < 0.2,
            "transferred_to_ice": transferred,
            "transfer_date": on + dt.timedelta(days=rng.randint(1, 5)) if transferred else None,
            "transfer_facility": "Krome North Service Processing Center" if transferred else "",
            "outcome": outcome,
            "outcome_date": outcome_date,
            "bond_amount": rng.choice([1500, 3000, 5000, 10000])
            if outcome == "bond_posted"
            else None,
        }

    @transaction.atomic
    def _cases(self, rng, offices, count: int) -> None:
        today = dt.date(2025, 12, 31)
        staff = {u.username: u for u in User.objects.filter(offices__in=[o for o, _ in offices])}
        pools = {state: self._agency_pool(state) for _office, state in offices}
        seen: list[Client] = []  # `count` clients; the returning ones add cases
        index = -1
        while len(seen) < count:
            index += 1
            office, state = offices[index % len(offices)]
            caseworker = staff[f"{office.code}-caseworker"]
            attorney = staff[f"{office.code}-attorney"]
            agencies, sheriffs = pools[state]
            on = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 729))
            # About one client in five comes back with a new case (re-detained), so
            # per-case and per-client figures differ.
            returning = rng.choice(seen) if len(seen) > 1 and rng.random() < 0.2 else None
            intake = services.intake_record(
                actor=caseworker,
                office=office,
                client=returning,
                client_fields={
                    "given_names": rng.choice(GIVEN),
                    "family_names": f"{rng.choice(FAMILY)} {rng.choice(FAMILY)}",
                    "a_number": f"A{200000000 + index:09d}" if rng.random() < 0.7 else None,
                    "date_of_birth": dt.date(1960, 1, 1) + dt.timedelta(days=rng.randint(0, 15000)),
                    "country_of_birth": rng.choice(COUNTRIES),
                    "languages": rng.choice(
                        ["Spanish", "Spanish, English", "K'iche'", "Haitian Creole"]
                    ),
                },
                intake={
                    "received_on": min(on + dt.timedelta(days=rng.randint(0, 3)), today),
                    "channel": rng.choice(list(IntakeChannel.values)),
                    "caller_name": "Family member (demo)",
                    "caller_relation": rng.choice(["Spouse", "Sibling", "Parent", "Friend"]),
                    "narrative": "Demo intake: caller reports the client was detained.",
                },
            )
            case = intake.case
            if returning is None:
                seen.append(case.client)
            case.attorney = attorney
            case.status = rng.choice([CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.OPEN])
            if rng.random() < 0.25:  # opened after a conflict check, days after the call
                case.opened_on = min(case.opened_on + dt.timedelta(days=rng.randint(1, 40)), today)
            case.save(update_fields=["attorney", "status", "opened_on"])
            if rng.random() < 0.3:  # a later arrest on the same case
                later = min(on + dt.timedelta(days=rng.randint(20, 200)), today)
                services.detention_log(
                    actor=caseworker,
                    case=case,
                    **self._event_fields(rng, state, agencies, sheriffs, later),
                )
            services.detention_log(
                actor=caseworker,
                case=case,
                **self._event_fields(rng, state, agencies, sheriffs, on),
            )
            if index % 3 == 0:
                services.note_add(
                    actor=caseworker, case=case, body="Called family; documents requested."
                )
            if index % 4 == 0:
                services.note_add(
                    actor=attorney,
                    case=case,
                    privileged=True,
                    body="Work product: possible suppression issue at the stop.",
                )
            if index % 2 == 0:
                services.deadline_add(
                    actor=caseworker,
                    case=case,
                    kind=rng.choice(list(DeadlineKind.values)),
                    due_on=dt.date(2026, 12, 1) + dt.timedelta(days=rng.randint(0, 60)),
                )

    # Benchmark scale -------------------------------------------------------------------

    @staticmethod
    def _bulk_outcome(rng, on: dt.date) -> dict:
        """A spread of outcomes with dates, so medians and outcome figures have data."""
        outcome = rng.choice(list(DetentionOutcome.values))
        transferred = outcome in ("transferred", "removed") or rng.random() < 0.3
        return {
            "outcome": outcome,
            "outcome_date": None
            if outcome == DetentionOutcome.STILL_DETAINED
            else on + dt.timedelta(days=rng.randint(1, 90)),
            "transferred_to_ice": transferred,
            "transfer_date": on + dt.timedelta(days=rng.randint(0, 10)) if transferred else None,
        }

    def _scale(self, rng, offices, events: int) -> None:
        """Bulk inserts (no audit, no services) with snapshots computed from periods."""
        existing = DetentionEvent.objects.count()
        if existing >= events:
            self.stdout.write(f"Scale: {existing} events already present.")
            return
        active = defaultdict(list)
        for agency_id, model, start, end in AgreementPeriod.objects.filter(
            status=AgreementStatus.ACTIVE
        ).values_list("agreement__agency_id", "agreement__model", "start", "end"):
            active[agency_id].append((model, start, end))
        pools = {state: self._agency_pool(state) for _office, state in offices}
        all_agencies = list(Agency.objects.order_by("id"))
        batch = 5000
        todo = events - existing
        client_count = max(todo // 10, 1)
        start_number = Case.objects.count()
        made = 0
        while made < todo:
            n_clients = min(batch // 10, client_count - made // 10) or 1
            names = [(rng.choice(GIVEN), rng.choice(FAMILY)) for _ in range(n_clients)]
            clients = Client.objects.bulk_create(
                Client(
                    given_names=given,
                    family_names=family,
                    search_name=fold(f"{given} {family}"),
                    date_of_birth=dt.date(1980, 1, 1),
                )
                for given, family in names
            )
            cases = []
            for client in clients:
                office, _state = offices[rng.randrange(len(offices))]
                start_number += 1
                cases.append(
                    Case(
                        client=client,
                        office=office,
                        number=f"S{start_number:010d}",
                        opened_on=dt.date(2024, 1, 1),
                        status=CaseStatus.OPEN,
                    )
                )
            Case.objects.bulk_create(cases)
            rows = []
            for case in cases:
                for _ in range(10):
                    on = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 729))
                    arresting = rng.choice(all_agencies)
                    _agencies, sheriffs = pools.get(arresting.state, ([], {}))
                    custody = rng.choice(sheriffs.get(arresting.county) or [arresting])
                    event = DetentionEvent(
                        case=case,
                        event_date=on,
                        state=arresting.state,
                        county=arresting.county,
                        encounter=rng.choice(list(Encounter.values)),
                        arresting_agency=arresting,
                        custody_agency=custody,
                        no_prior_record=rng.random() < 0.5,
                        detainer_lodged=rng.random() < 0.5,
                        needs_scope_review=rng.random() < 0.05,
                        **self._bulk_outcome(rng, on),
                    )
                    for role, agency in (("arresting", arresting), ("custody", custody)):
                        for model, start, end in active.get(agency.id, ()):
                            if start <= on and (end is None or end > on):
                                setattr(event, f"{role}_{model.lower()}", True)
                    rows.append(event)
            DetentionEvent.objects.bulk_create(rows, batch_size=batch)
            made += len(rows)
            self.stdout.write(f"  scale: {existing + made} events", ending="\r")
        self.stdout.write("")
