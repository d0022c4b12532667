"""A small hand-built world for search, export and API tests.

Agencies (FL): sheriff S holds JEM from 2025-02-01; city police P has no agreement;
highway patrol T holds TFM; W holds only WSO.

North office (alice caseworker, bob attorney):
- c1 "José Pérez" (aka Joe Perez, A012-345-678), open, caseworker alice, attorney bob,
  opened 2025-03-11. e1 2025-03-10 traffic stop, arrested by P (none), booked by S (JEM),
  detainer, no prior record -> flagged (street arrest without TFM).
- c2 "Maria Lopez", closed 2025-05-01 (released), opened 2025-01-16.
  e2 2025-04-05 jail booking by S/S (JEM), warrant served, transferred to ICE.
  e3 2025-01-15 home arrest by T (TFM), booked by S before its agreement (none), released.
- c3 "Ana Gomez", new, opened 2025-06-01, no events.
South office (carol, dave):
- c4 "Pedro Ruiz", open, opened 2025-03-12. e4 2025-03-12 traffic stop by P, booked by S,
  detainer.
"""

import datetime as dt
from dataclasses import dataclass

import pytest

from cases import services
from cases.models import CaseCounter, CaseStatus, Note
from tests.factories import AgencyFactory, AgreementFactory, CaseFactory, ClientFactory

D = dt.date


@dataclass
class World:
    S: object
    P: object
    T: object
    W: object
    c1: object
    c2: object
    c3: object
    c4: object
    e1: object
    e2: object
    e3: object
    e4: object
    secret: object  # a privileged note on c1


def client(given, family, other="", a_number=None):
    from caseworker.lib.text import fold

    return ClientFactory(
        given_names=given,
        family_names=family,
        other_names=other,
        a_number=a_number,
        search_name=fold(f"{given} {family} {other}"),
    )


def build_world(*, north, south, alice, bob, carol, dave) -> World:
    S = AgencyFactory(name="Example County Sheriff's Office", county="Example")
    P = AgencyFactory(name="Example City Police Department", kind="municipal_police")
    T = AgencyFactory(name="Florida Highway Patrol", kind="state_police", county="")
    W = AgencyFactory(name="Other County Sheriff's Office", county="Other")
    AgreementFactory(agency=S, model="JEM", signed_on=D(2025, 2, 1))
    AgreementFactory(agency=T, model="TFM", signed_on=D(2024, 1, 1))
    AgreementFactory(agency=W, model="WSO", signed_on=D(2024, 1, 1))

    # Hand-numbered cases below; cases opened through services continue after them.
    CaseCounter.objects.update_or_create(year=2025, defaults={"last": 100})
    c1 = CaseFactory(
        client=client("José", "Pérez", "Joe Perez", "A012345678"),
        office=north,
        number="2025-000001",
        status=CaseStatus.OPEN,
        caseworker=alice,
        attorney=bob,
        opened_on=D(2025, 3, 11),
    )
    c2 = CaseFactory(
        client=client("Maria", "Lopez"),
        office=north,
        number="2025-000002",
        status=CaseStatus.CLOSED,
        outcome="released",
        opened_on=D(2025, 1, 16),
        closed_on=D(2025, 5, 1),
    )
    c3 = CaseFactory(
        client=client("Ana", "Gomez"), office=north, number="2025-000003", opened_on=D(2025, 6, 1)
    )
    c4 = CaseFactory(
        client=client("Pedro", "Ruiz"),
        office=south,
        number="2025-000004",
        status=CaseStatus.OPEN,
        opened_on=D(2025, 3, 12),
    )
    e1 = services.detention_log(
        actor=alice,
        case=c1,
        event_date=D(2025, 3, 10),
        state="FL",
        county="Example",
        encounter="traffic_stop",
        arresting_agency=P,
        custody_agency=S,
        detainer_lodged=True,
        no_prior_record=True,
    )
    e2 = services.detention_log(
        actor=alice,
        case=c2,
        event_date=D(2025, 4, 5),
        state="FL",
        county="Example",
        encounter="jail_booking",
        arresting_agency=S,
        custody_agency=S,
        warrant_served=True,
        transferred_to_ice=True,
        transfer_date=D(2025, 4, 9),
    )
    e3 = services.detention_log(
        actor=alice,
        case=c2,
        event_date=D(2025, 1, 15),
        state="FL",
        county="Other",
        encounter="home",
        arresting_agency=T,
        custody_agency=S,
        outcome="released",
        outcome_date=D(2025, 1, 20),
    )
    e4 = services.detention_log(
        actor=carol,
        case=c4,
        event_date=D(2025, 3, 12),
        state="FL",
        county="Example",
        encounter="traffic_stop",
        arresting_agency=P,
        custody_agency=S,
        detainer_lodged=True,
    )
    secret = services.note_add(actor=bob, case=c1, body="Work product", privileged=True)
    services.note_add(actor=alice, case=c1, body="Called the family", privileged=False)
    assert Note.objects.count() == 2
    return World(S, P, T, W, c1, c2, c3, c4, e1, e2, e3, e4, secret)


@pytest.fixture
def world(north, south, alice, bob, carol, dave):
    """Import this fixture into a test module: `from tests.api.world import world`."""
    return build_world(north=north, south=south, alice=alice, bob=bob, carol=carol, dave=dave)
