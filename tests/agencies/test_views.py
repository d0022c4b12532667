"""Agency directory pages: list, agency, imports, import, upload.

The standard checks in every view module: it works, it requires login, it hides other
offices' objects (404), it rejects the wrong method, it keeps its query count.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Agency, AgreementImport
from tests.agencies.conftest import participating_csv, pending_csv, run_list
from tests.conftest import login
from tests.factories import CaseFactory, DetentionEventFactory, UserFactory

D = dt.date
pytestmark = pytest.mark.django_db


def many(count: int) -> bytes:
    return participating_csv(
        [
            (("FLORIDA", "TEXAS")[i % 2], f"Town {i} Police Department", "TFM", "")
            for i in range(count)
        ]
    )


@pytest.fixture
def directory():
    run_list(
        participating_csv(
            [
                ("FLORIDA", "Lee County Sheriff's Office", "JEM", "3/3/2025", "Lee County"),
                ("FLORIDA", "Ft. Myers Police Dept.", "TFM", "5/16/2025", "Lee County"),
                ("TEXAS", "Tarrant County Sheriff’s Office", "JEM", "6/16/2020", "Tarrant County"),
            ]
        ),
        "participatingAgencies06062025am.csv",
        D(2025, 6, 6),
    )
    run_list(
        pending_csv([("FLORIDA", "Cape Coral Police Department", "TFM")]),
        "pendingAgencies06062025am.csv",
        D(2025, 6, 6),
    )
    run_list(
        participating_csv(
            [
                ("FLORIDA", "Lee County Sheriff's Office", "JEM", "3/3/2025", "Lee County"),
                (
                    "FLORIDA",
                    "Fort Myers Police Department",
                    "TFM",
                    "5/16/2025",
                    "Lee County",
                    "https://www.ice.gov/doclib/287gMOA/FortMyersPoliceDeptFL_TFM_MOA_05162025.pdf",
                ),
                ("FLORIDA", "Cape Coral Police Department", "TFM", "7/2/2025", "Lee County"),
            ]
        ),
        "participatingAgencies07182025pm.csv",
        D(2025, 7, 18),
    )
    return {a.name.split()[0]: a for a in Agency.objects.all()}


# ------------------------------------------------------------------------- agency list


def test_list_shows_agencies_counts_and_filters(client, alice, directory):
    login(client, alice)
    response = client.get(reverse("agencies:list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Lee County Sheriff&#x27;s Office" in page and "Tarrant County" in page
    response = client.get(
        reverse("agencies:list"), {"state": "FL", "model": "TFM", "status": "active"}
    )
    names = [a.name for a in response.context["page"].items]
    assert names == ["Cape Coral Police Department", "Fort Myers Police Department"]
    assert response.context["counts"]["agencies"] == 2
    # Model and status apply to one agreement: Tarrant's JEM is ended, so no active JEM.
    response = client.get(
        reverse("agencies:list"), {"state": "TX", "model": "JEM", "status": "active"}
    )
    assert response.context["counts"]["agencies"] == 0
    # Name search matches aliases and spellings: "ft myers" finds Fort Myers.
    response = client.get(reverse("agencies:list"), {"q": "Ft. Myers"})
    assert [a.name for a in response.context["page"].items] == ["Fort Myers Police Department"]
    response = client.get(reverse("agencies:list"), {"county": "lee"})
    assert response.context["counts"]["agencies"] == 3


def test_list_htmx_returns_the_results_fragment_only(client, erin, directory):
    login(client, erin)
    response = client.get(reverse("agencies:list"), {"state": "TX"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content and b"Tarrant" in response.content


def test_list_rejects_unknown_filters_instead_of_ignoring_them(client, alice, directory):
    login(client, alice)
    response = client.get(reverse("agencies:list"), {"stat": "FL"})
    assert response.status_code == 400 and b"Unknown filter parameter" in response.content


def test_pages_require_login_and_a_role(client, directory):
    for url in (reverse("agencies:list"), reverse("agencies:imports")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    login(client, UserFactory(username="norole"))
    assert client.get(reverse("agencies:list")).status_code == 403


@pytest.mark.parametrize("name", ["agencies:list", "agencies:imports"])
def test_pages_reject_post(client, alice, name):
    login(client, alice)
    assert client.post(reverse(name)).status_code == 405


def test_list_query_count_does_not_grow_with_agencies(client, alice, django_assert_max_num_queries):
    login(client, alice)
    run_list(many(40), "a.csv", D(2025, 6, 6))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("agencies:list"))
    run_list(many(120), "b.csv", D(2025, 6, 7))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("agencies:list"), {"page_size": 100})
    assert len(response.context["page"].items) == 100


# ----------------------------------------------------------------------- agency page


def test_agency_page_shows_timeline_aliases_links_and_only_visible_cases(
    client, alice, carol, erin, frank, north, south, directory
):
    fort = directory["Fort"]
    lee = directory["Lee"]
    mine = CaseFactory(office=north, caseworker=alice)
    DetentionEventFactory(
        case=mine,
        event_date=D(2025, 6, 20),
        arresting_agency=fort,
        custody_agency=lee,
        arresting_tfm=False,  # stored before the list that showed the TFM was imported
        custody_jem=True,
    )
    theirs = CaseFactory(office=south, caseworker=carol)
    DetentionEventFactory(case=theirs, event_date=D(2025, 6, 21), arresting_agency=fort)
    url = reverse("agencies:detail", args=[fort.public_id])

    login(client, alice)
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ft. Myers Police Dept." in page  # the other spelling
    assert (
        'href="https://www.ice.gov/doclib/287gMOA/FortMyersPoliceDeptFL_TFM_MOA_05162025.pdf"'
        in page
    )
    assert mine.number in page and theirs.number not in page
    (row,) = response.context["cases"]
    assert row.role == "arresting" and row.stored == () and row.directory == ("TFM",)
    assert "differs from the stored snapshot" in page

    login(client, erin)
    page = client.get(url).content.decode()
    assert mine.number in page and theirs.number in page
    login(client, frank)  # admin: directory yes, cases no
    response = client.get(url)
    assert response.status_code == 200 and response.context["cases"] is None
    assert mine.number not in response.content.decode()


def test_agency_page_timeline_of_a_pending_then_signed_agreement(client, alice, directory):
    login(client, alice)
    response = client.get(reverse("agencies:detail", args=[directory["Cape"].public_id]))
    (agreement,) = response.context["agreements"]
    assert [(p.status, p.start, p.end) for p in agreement.periods.all()] == [
        ("pending", D(2025, 6, 6), D(2025, 7, 2)),
        ("active", D(2025, 7, 2), None),
    ]
    assert [c.kind for c in agreement.changes.all()] == ["created", "signed"]
    assert b"Signed (pending" in response.content


def test_agency_page_unknown_id_is_404_and_post_is_405(client, alice, directory):
    login(client, alice)
    assert client.get(reverse("agencies:detail", args=[uuid.uuid4()])).status_code == 404
    url = reverse("agencies:detail", args=[directory["Lee"].public_id])
    assert client.post(url).status_code == 405


def test_agency_page_query_count_does_not_grow_with_cases(
    client, alice, north, directory, django_assert_max_num_queries
):
    login(client, alice)
    lee = directory["Lee"]
    url = reverse("agencies:detail", args=[lee.public_id])
    for _ in range(2):
        DetentionEventFactory(case=CaseFactory(office=north), custody_agency=lee)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _ in range(15):
        DetentionEventFactory(case=CaseFactory(office=north), custody_agency=lee)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["case_total"] == 17


# ------------------------------------------------------------------------ imports pages


def test_imports_page_lists_runs_and_what_changed(client, bob, directory):
    login(client, bob)
    response = client.get(reverse("agencies:imports"), {"since": "2025-07-01"})
    assert response.status_code == 200
    groups = {g["kind"]: g for g in response.context["groups"]}
    assert [c.agreement.agency.name for c in groups["signed"]["rows"]] == [
        "Cape Coral Police Department"
    ]
    assert [c.agreement.agency.name for c in groups["ended"]["rows"]] == [
        "Tarrant County Sheriff’s Office"
    ]
    assert "created" not in groups  # the June lists are before the chosen date
    assert len(response.context["page"].items) == 3
    assert b"Upload ICE lists" not in response.content  # not for attorneys


def test_imports_page_rejects_a_bad_date(client, bob):
    login(client, bob)
    response = client.get(reverse("agencies:imports"), {"since": "last week"})
    assert response.status_code == 400


def test_import_page_shows_already_active_rejections_and_polls_while_running(
    client, carol, directory
):
    pending = run_list(
        b"STATE,LAW ENFORCEMENT AGENCY,SUPPORT TYPE\n"
        b"FLORIDA,Lee County Sheriff's Office,Jail Enforcement Model\n"
        b"NARNIA,Lamp Post Police,Task Force Model\n",
        "pendingAgencies07192025.csv",
        None,
    )
    login(client, carol)
    url = reverse("agencies:import-detail", args=[pending.public_id])
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Already active (1)" in page and "unknown state &#x27;NARNIA&#x27;" in page
    assert "hx-trigger" not in page  # finished: no polling

    AgreementImport.objects.filter(pk=pending.pk).update(status="running")
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert b'hx-trigger="every 2s"' in response.content and b"<html" not in response.content
    AgreementImport.objects.filter(pk=pending.pk).update(status="done")
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"
    assert client.get(reverse("agencies:import-detail", args=[uuid.uuid4()])).status_code == 404


# --------------------------------------------------------------------------- upload


def test_admin_uploads_lists_which_run_and_show_the_result(
    client, frank, django_capture_on_commit_callbacks
):
    login(client, frank)
    assert client.get(reverse("agencies:import-upload")).status_code == 200
    upload = SimpleUploadedFile(
        "participatingAgencies06062025am.csv",
        participating_csv([("FLORIDA", "Alpha Police Department", "TFM", "3/10/2025")]),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("agencies:import-upload"), {"files": [upload]})
    run = AgreementImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("agencies:import-detail", args=[run.public_id])
    assert (run.status, run.list_date, run.requested_by) == ("done", D(2025, 6, 6), frank)
    assert b"1 new" in client.get(response.url).content


def test_upload_needs_a_list_date_from_the_form_or_the_name(client, frank):
    login(client, frank)
    upload = SimpleUploadedFile("agencies.csv", pending_csv([("FLORIDA", "A PD", "TFM")]))
    response = client.post(reverse("agencies:import-upload"), {"files": [upload]})
    assert response.status_code == 200
    assert "give the list&#x27;s date" in response.content.decode()
    assert not AgreementImport.objects.exists()


def test_upload_is_for_admins_only_and_rejects_other_methods(client, alice, erin, frank):
    for user in (alice, erin):
        login(client, user)
        assert client.get(reverse("agencies:import-upload")).status_code == 403
    login(client, frank)
    assert client.put(reverse("agencies:import-upload")).status_code == 405


def test_agency_page_gives_the_end_as_the_window_the_lists_allow(client, alice, directory):
    login(client, alice)
    page = client.get(reverse("agencies:detail", args=[directory["Tarrant"].public_id]))
    text = page.content.decode()
    assert "Last listed 6 Jun 2025, gone by the list of 18 Jul 2025." in text
    assert "From the signed date, per ICE; first listed 6 Jun 2025." in text
