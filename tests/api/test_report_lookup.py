"""A malformed report id is a 404, like every other resource's."""

import pytest

pytestmark = pytest.mark.django_db


def test_malformed_report_id_is_404_not_400(client, alice):
    client.force_login(alice)
    response = client.get("/api/v1/reports/" + "-" * 36 + "/")
    assert response.status_code == 404
