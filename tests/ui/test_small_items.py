"""Small daily-use items of issue 14 item 9: state lists by name, favicon, own error pages."""

import re

import pytest

from tests.conftest import login

pytestmark = pytest.mark.django_db


def _state_options(html):
    select = re.search(r'<select[^>]*name="state"[^>]*>(.*?)</select>', html, re.S).group(1)
    options = re.findall(r'<option value="(\w*)"[^>]*>([^<]+)<', select)
    return [label for _value, label in options][1:]


def test_state_lists_are_sorted_by_name_everywhere(client, alice):
    login(client, alice)
    for url in ("/agencies/",):
        names = _state_options(client.get(url).content.decode())
        assert names[:3] == ["Alabama", "Alaska", "American Samoa"], url
        assert names == sorted(names), url


def test_every_page_has_a_favicon_and_the_header_search(client, alice):
    login(client, alice)
    html = client.get("/").content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in html
    assert 'role="search"' in html and 'action="/cases/"' in html
    assert client.get("/static/favicon.svg").status_code == 200


def test_unknown_page_is_the_apps_own_404(client, alice):
    login(client, alice)
    response = client.get("/cases/no-such-page/")
    assert response.status_code == 404
    assert "There is nothing here, or it is not available to you." in response.content.decode()


def test_badges_come_in_one_order_whatever_order_they_are_given():
    from django.template.loader import render_to_string

    from cases.templatetags.cases_ui import agency_badges

    html = render_to_string("cases/_badges.html", agency_badges(["WSO", "TFM", "JEM"]))
    assert html.index("badge-TFM") < html.index("badge-JEM") < html.index("badge-WSO")
