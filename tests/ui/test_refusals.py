"""Every refusal explained: a held-back intake says who it may be and what to do, the
duplicate panel shows alongside other errors, and the error summary lists every error."""

import pytest

from cases.models import Case
from tests.cases.test_views_intake import _existing, _post
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_duplicate_refusal_names_the_record_and_the_next_step(client, alice, north):
    _existing(north)
    body = _post(login(client, alice), given_names="Jose").content.decode()
    assert "The intake is not saved yet" in body
    assert "the caller may be José García López (born 12 Apr 1990)" in body
    assert "press <em>Save intake</em> again" in body
    assert Case.objects.count() == 1


def test_duplicate_panel_shows_with_other_errors(client, alice, north):
    existing = _existing(north)
    response = _post(login(client, alice), channel="", narrative="")
    body = response.content.decode()
    assert response.status_code == 400
    assert "This person may already be a client" in body
    assert f'value="client:{existing.public_id}"' in body
    summary = body.split("data-error-summary", 1)[1].split("</div>", 1)[0]
    assert summary.count("<li>") >= 1


def test_error_summary_lists_every_error_of_a_field(rf, alice):
    from django import forms
    from django.template.loader import render_to_string

    class Form(forms.Form):
        name = forms.CharField(label="Name")

    form = Form({"name": "x"})
    form.is_valid()
    form.add_error("name", "Too short.")
    form.add_error("name", "Not a real name.")
    html = render_to_string("cases/_error_summary.html", {"forms": [form]})
    assert "Name: Too short." in html and "Name: Not a real name." in html
