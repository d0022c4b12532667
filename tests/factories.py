"""factory_boy factories. Client-data factories bypass services only for speed; they
fill the same derived fields (search_name) the services do."""

import datetime as dt

import factory

from accounts.models import Office, RoleGrant, User
from agencies.importer.normalize import agency_match_key
from agencies.models import (
    Agency,
    AgencyKind,
    Agreement,
    AgreementPeriod,
    AgreementStatus,
)
from cases.models import Case, Client, DetentionEvent, Encounter
from caseworker.lib.text import fold


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Office {n}")
    code = factory.Sequence(lambda n: f"office-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyAttribute(lambda o: o.username.capitalize())
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            RoleGrant.objects.get_or_create(user=self, role=extracted)

    @factory.post_generation
    def offices(self, create, extracted, **kwargs):
        for office in extracted or []:
            office.members.add(self)
        self.save()


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Example County Sheriff's Office {n}")
    match_key = factory.LazyAttribute(lambda o: agency_match_key(o.name))
    state = "FL"
    kind = AgencyKind.SHERIFF
    county = "Example"


class AgreementFactory(factory.django.DjangoModelFactory):
    """An active agreement with one active period from `signed_on`."""

    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    model = "JEM"
    status = AgreementStatus.ACTIVE
    signed_on = dt.date(2025, 2, 1)
    first_seen_on = factory.SelfAttribute("signed_on")
    last_seen_on = dt.date(2025, 6, 6)

    @factory.post_generation
    def period(self, create, extracted, **kwargs):
        if self.status != AgreementStatus.PENDING:
            AgreementPeriod.objects.create(
                agreement=self,
                status=AgreementStatus.ACTIVE,
                start=self.signed_on,
                end=self.ended_on,
            )
        else:
            AgreementPeriod.objects.create(
                agreement=self, status=AgreementStatus.PENDING, start=self.first_seen_on
            )


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    given_names = factory.Sequence(lambda n: f"Testa{n}")
    family_names = "Ficticia"
    search_name = factory.LazyAttribute(lambda o: fold(f"{o.given_names} {o.family_names}"))
    date_of_birth = dt.date(1990, 1, 1)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    client = factory.SubFactory(ClientFactory)
    office = factory.SubFactory(OfficeFactory)
    number = factory.Sequence(lambda n: f"2025-{n + 1:06d}")
    opened_on = dt.date(2025, 3, 1)


class DetentionEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DetentionEvent

    case = factory.SubFactory(CaseFactory)
    event_date = dt.date(2025, 3, 1)
    state = "FL"
    county = "Example"
    encounter = Encounter.TRAFFIC_STOP
