"""Database constraints refuse bad states even when code bypasses the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agencies.models import Agreement
from cases import services
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    CaseFactory,
    ClientFactory,
    DetentionEventFactory,
)

pytestmark = pytest.mark.django_db


def _refused(factory, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**kwargs)


def test_one_agreement_per_agency_and_model():
    agreement = AgreementFactory(model="JEM")
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.create(
            agency=agreement.agency,
            model="JEM",
            status="active",
            first_seen_on=dt.date(2025, 1, 1),
            last_seen_on=dt.date(2025, 1, 1),
        )


def test_a_number_unique_and_normalised_in_the_database():
    ClientFactory(a_number="A123456789")
    _refused(ClientFactory, a_number="A123456789")  # unique through its blind index
    # The column is encrypted, so the canonical form is enforced by Client.save.
    with pytest.raises(ValueError, match="canonical"):
        ClientFactory(a_number="123456789")


def test_release_not_before_arrest():
    _refused(
        DetentionEventFactory,
        event_date=dt.date(2025, 3, 10),
        outcome="released",
        outcome_date=dt.date(2025, 3, 9),
    )


def test_bond_amount_not_negative():
    _refused(DetentionEventFactory, bond_amount=Decimal("-1"))


def test_closed_case_needs_a_close_date_after_opening():
    _refused(CaseFactory, status="closed", closed_on=None)
    _refused(
        CaseFactory, opened_on=dt.date(2025, 3, 1), closed_on=dt.date(2025, 2, 1), status="closed"
    )


def test_service_explains_a_bad_a_number_on_the_field(alice):
    with pytest.raises(ValidationError) as exc:
        services.client_create(
            actor=alice, given_names="Ana", family_names="Ejemplo", a_number="12"
        )
    assert "a_number" in exc.value.message_dict


def test_service_refuses_release_before_arrest_with_a_message(alice, north):
    case = CaseFactory(office=north)
    with pytest.raises(ValidationError) as exc:
        services.detention_log(
            actor=alice,
            case=case,
            event_date=dt.date(2025, 3, 10),
            state="FL",
            encounter="traffic_stop",
            outcome="released",
            outcome_date=dt.date(2025, 3, 1),
        )
    assert "before the arrest date" in str(exc.value.message_dict["outcome_date"])


def test_snapshot_stores_models_in_force_on_the_event_date(alice, north):
    police = AgencyFactory(name="Example Police Department", kind="municipal_police")
    jail = AgencyFactory(name="Example County Sheriff's Office")
    AgreementFactory(agency=police, model="TFM", signed_on=dt.date(2025, 4, 1))
    AgreementFactory(agency=jail, model="JEM", signed_on=dt.date(2025, 1, 1))
    case = CaseFactory(office=north)
    before = services.detention_log(
        actor=alice,
        case=case,
        event_date=dt.date(2025, 3, 1),
        state="FL",
        encounter="traffic_stop",
        arresting_agency=police,
        custody_agency=jail,
    )
    after = services.detention_log(
        actor=alice,
        case=case,
        event_date=dt.date(2025, 5, 1),
        state="FL",
        encounter="traffic_stop",
        arresting_agency=police,
        custody_agency=jail,
    )
    assert (before.arresting_models, before.custody_models) == ([], ["JEM"])
    assert (after.arresting_models, after.custody_models) == (["TFM"], ["JEM"])
