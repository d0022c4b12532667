"""A bounded property-based run of every API operation, as a logged-in caseworker.

Schemathesis generates requests from the OpenAPI document (valid and invalid ones) and
checks the responses: never a 5xx, and status codes, content types and bodies as the
schema documents them. Bounded (a few examples per operation, no shrinking): two by
default so `make test` stays quick; SCHEMATHESIS_MAX_EXAMPLES raises it (CI runs six).
It does not know the world's ids, so most detail paths exercise the 404 branches;
test_cases_api.py covers real ids.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks as st_checks

from tests.api.world import build_world
from tests.conftest import api_token_key

EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "2"))


# pytest-django has configured Django before collection, so the schema can be built here.
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()


@pytest.fixture
def token(north, south, alice, bob, carol, dave, settings):
    settings.ALLOWED_HOSTS = ["*"]
    build_world(north=north, south=south, alice=alice, bob=bob, carol=carol, dave=dave)
    # The raw WSGI handler would close the test's connection after each request (as
    # Django's own test client prevents): keep it open inside the test transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield api_token_key(alice)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# - A request that obeys the schema may still be refused for reasons the schema cannot
#   express (an id that does not exist, a date in the future): 4xx there is correct.
# - ignored_auth strips the auth it knows and retries; our token header is passed by
#   hand, so it cannot; test_cases_api.py checks anonymous requests get 401/403.
EXCLUDED = [st_checks.positive_data_acceptance, st_checks.ignored_auth]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, excluded_checks=EXCLUDED)
