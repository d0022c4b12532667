"""Helpers for the caseworker-workflow tests (intake, case page, events, files)."""

import datetime as dt

from agencies.importer.normalize import agency_match_key
from agencies.models import AgencyKind
from cases.models import Case
from tests.factories import AgencyFactory, AgreementFactory, CaseFactory, ClientFactory

SIGNED = dt.date(2025, 2, 1)


def agency(name, *, state="FL", kind=AgencyKind.SHERIFF, models=(), **fields):
    """An agency with a proper match key and an active agreement per model from SIGNED."""
    found = AgencyFactory(
        name=name, match_key=agency_match_key(name), state=state, kind=kind, **fields
    )
    for model in models:
        AgreementFactory(agency=found, model=model, signed_on=SIGNED)
    return found


def task_force_police(**fields):
    return agency(
        "Springfield Police Department",
        kind=AgencyKind.MUNICIPAL_POLICE,
        models=("TFM",),
        city="Springfield",
        **fields,
    )


def jem_sheriff(**fields):
    return agency("Sangamon County Sheriff's Office", models=("JEM",), **fields)


def make_case(office, *, client=None, **fields) -> Case:
    return CaseFactory(office=office, client=client or ClientFactory(), **fields)
