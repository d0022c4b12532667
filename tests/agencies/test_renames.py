"""One agency across ICE's re-spellings; different agencies stay apart (issue 10)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from agencies import services
from agencies.importer.listdate import list_date_from_name
from agencies.importer.matching import spelling_key, typo_of
from agencies.models import Agency, AgencyAlias, Agreement, RenameCandidate
from agencies.selectors import agency_search
from audit.models import AuditEntry
from tests.agencies.conftest import all_ice_lists, needs_ice_files, participating_csv, run_list
from tests.factories import DetentionEventFactory

D = dt.date


@pytest.mark.parametrize(
    ("old", "new", "state"),
    [
        ("City of St. Cloud Police Department", "St. Cloud Police Department", "FL"),
        ("Waukesha County Sheriff's Office", "Waukesha County Sheriff's Department", "WI"),
        ("Boca Raton Police Department", "Boca Raton Police Services Department", "FL"),
        ("Department of State Police", "Virginia Department of State Police", "VA"),
        (
            "Tennessee Department of Safety and Homeland Security",
            "Tennessee Department of Safety and Homeland Security / THP",
            "TN",
        ),
        ("Idaho State Police", "Idaho State Police Department", "ID"),
        ("Ft Myers Police Department", "Fort Myers Police Department", "FL"),
    ],
)
def test_clear_respellings_share_a_spelling_key(old, new, state):
    assert spelling_key(old, state) == spelling_key(new, state)


@pytest.mark.parametrize(
    ("a", "b", "state"),
    [
        ("Milford Borough Police Department", "Milton Borough Police Department", "PA"),
        ("Houston County Sheriff's Office", "Autauga County Sheriff's Office", "AL"),
        ("Fort Myers Police Department", "Fort Myers Beach Police Department", "FL"),
        ("Texas Department of Public Safety", "Department of Public Safety", "OK"),
    ],
)
def test_different_agencies_keep_different_keys(a, b, state):
    assert spelling_key(a, state) != spelling_key(b, state)
    assert not typo_of(spelling_key(a, state), spelling_key(b, state))


@pytest.mark.parametrize(
    ("a", "b", "typo"),
    [
        ("indiatlantic police department", "indialantic police department", True),
        ("lampass county sheriffs office", "lampasas county sheriffs office", True),
        ("albermarle district jail", "albemarle district jail", True),
        ("milford borough police department", "milton borough police department", False),
        ("milton police department", "hilton police department", False),
        ("lee county sheriffs office", "leo county sheriffs office", False),
    ],
)
def test_typo_level_differences(a, b, typo):
    assert typo_of(a, b) is typo


@pytest.mark.django_db
def test_a_renamed_agency_stays_one_agency_with_its_history_and_old_names_found():
    run_list(
        participating_csv(
            [
                (
                    "TENNESSEE",
                    "Tennessee Department of Safety and Homeland Security",
                    "TFM",
                    "5/13/2025",
                )
            ]
        ),  # fmt: skip
        "participatingAgencies06062025am.csv",
        D(2025, 6, 6),
    )
    run_list(
        participating_csv(
            [
                (
                    "TENNESSEE",
                    "Tennessee Department of Safety and Homeland Security "
                    "/ Tennessee Highway Patrol",
                    "TFM",
                    "5/13/2025",
                )
            ]
        ),  # fmt: skip
        "participatingAgencies07182025pm.csv",
        D(2025, 7, 18),
    )
    (agency,) = Agency.objects.filter(state="TN")
    assert agency.name.endswith("/ Tennessee Highway Patrol")  # the newest list's spelling
    (tfm,) = Agreement.objects.filter(agency=agency)
    assert tfm.status == "active" and not tfm.changes.filter(kind="ended").exists()
    assert list(agency_search(q="Tennessee Highway Patrol")) == [agency]
    assert list(agency_search(q="Homeland Security")) == [agency]


@needs_ice_files
@pytest.mark.django_db
def test_the_renames_in_the_shared_lists_merge_and_lookalikes_stay_apart():
    files = sorted(all_ice_lists(), key=lambda p: (list_date_from_name(p.name), p.name))
    for path in files:
        run_list(path.read_bytes(), path.name, list_date_from_name(path.name))
    for state, spellings, model in [
        ("FL", ["Indialantic Police Department", "Indiatlantic Police Department"], "TFM"),
        ("FL", ["Boca Raton Police Department", "Boca Raton Police Services Department"], "TFM"),
        ("WI", ["Waukesha County Sheriff's Office", "Waukesha County Sheriff's Department"], "JEM"),
        ("TX", ["Lampass County Sheriff's Office", "Lampasas County Sheriff's Office"], "WSO"),
        ("NC", ["Albermarle District Jail", "Albemarle District Jail"], "WSO"),
        ("FL", ["City of St. Cloud Police Department", "St. Cloud Police Department"], "TFM"),
    ]:
        found = {a.pk for name in spellings for a in agency_search(q=name, state=state)}
        assert len(found) == 1, spellings
        agreement = Agreement.objects.get(agency_id=found.pop(), model=model)
        assert agreement.status == "active", spellings
        assert not agreement.changes.filter(kind="ended").exists(), spellings
    # The display name follows the newest list.
    assert Agency.objects.filter(state="FL", name="Indialantic Police Department").exists()
    # One agency name in two states is two agencies.
    assert Agency.objects.filter(name="Hillsborough County Sheriff's Office").count() == 2
    assert (
        Agency.objects.filter(
            state__in=["AL", "TX"], name="Houston County Sheriff's Office"
        ).count()
        == 2
    )


OLD_NAME = "Miami-Dade County Corrections and Rehabilitation"
NEW_NAME = "Miami Dade Corrections and Rehabilitation"


@pytest.fixture
def handover(db):
    run_list(
        participating_csv([("FLORIDA", OLD_NAME, "WSO", "2/26/2025", "Miami-Dade"),
                           ("ALABAMA", "Houston County Sheriff's Office", "JEM", "", "Houston")]),
        "participatingAgencies03012025.csv",
        D(2025, 3, 1),
    )  # fmt: skip
    run_list(
        participating_csv([("FLORIDA", NEW_NAME, "WSO", "2/26/2025", "Miami-Dade"),
                           ("ALABAMA", "Autauga County Sheriff's Office", "JEM", "", "Autauga")]),
        "participatingAgencies04012025.csv",
        D(2025, 4, 1),
    )  # fmt: skip


def test_a_possible_rename_waits_in_the_review_queue_and_lookalikes_do_not(handover):
    (candidate,) = RenameCandidate.objects.select_related("old_agency", "new_agency")
    assert (candidate.old_agency.name, candidate.new_agency.name) == (OLD_NAME, NEW_NAME)
    assert (candidate.model, candidate.on, candidate.status) == ("WSO", D(2025, 4, 1), "open")
    assert candidate.reason == "same county (miami-dade)"
    # Until an administrator decides, the lists say what they say: one ended, one new.
    assert Agreement.objects.get(agency=candidate.old_agency).status == "ended"


def test_merge_and_unmerge_both_rebuild_the_history(handover, frank):
    candidate = RenameCandidate.objects.get()
    event = DetentionEventFactory(event_date=D(2025, 3, 5), arresting_agency=candidate.old_agency)
    services.agencies_merge(source=candidate.old_agency, target=candidate.new_agency, actor=frank)
    (agency,) = Agency.objects.filter(state="FL")
    (wso,) = agency.agreements.all()
    assert wso.status == "active" and not wso.changes.filter(kind="ended").exists()
    assert list(wso.periods.values_list("start", "end")) == [(D(2025, 2, 26), None)]
    assert list(agency_search(q="Miami-Dade County Corrections")) == [agency]
    event.refresh_from_db()
    assert event.arresting_agency_id == agency.pk
    assert AuditEntry.objects.filter(summary__startswith="Merged agency").exists()

    alias = AgencyAlias.objects.get(agency=agency, name=OLD_NAME)
    split = services.alias_split(alias=alias, actor=frank)
    assert Agency.objects.filter(state="FL").count() == 2
    assert Agreement.objects.get(agency=split).status == "ended"
    assert Agreement.objects.get(agency=agency).changes.filter(
        kind="created"
    ).get().effective_on == D(2025, 4, 1)
    with pytest.raises(ValidationError):
        services.agencies_merge(source=split, target=split, actor=frank)


def test_dismissing_keeps_two_agencies(handover, frank):
    candidate = RenameCandidate.objects.get()
    services.rename_dismiss(candidate=candidate, actor=frank)
    assert RenameCandidate.objects.get().status == "dismissed"
    # Another import rebuilds without asking again.
    run_list(
        participating_csv([("FLORIDA", NEW_NAME, "WSO", "2/26/2025", "Miami-Dade")]),
        "participatingAgencies05012025.csv",
        D(2025, 5, 1),
    )
    assert list(RenameCandidate.objects.values_list("status", flat=True)) == ["dismissed"]


@pytest.mark.django_db
def test_two_spellings_on_one_list_are_one_agreement_with_a_warning_and_no_link_change():
    run = run_list(
        participating_csv(
            [
                (
                    "FLORIDA",
                    "City of Gamma Police Department",
                    "TFM",
                    "",
                    "",
                    "https://www.ice.gov/a.pdf",
                ),
                ("FLORIDA", "Gamma Police Department", "TFM", "", "", "https://www.ice.gov/b.pdf"),
            ]
        ),
        "participatingAgencies04012025.csv",
        D(2025, 4, 1),
    )
    (agreement,) = Agreement.objects.all()
    assert list(agreement.changes.values_list("kind", flat=True)) == ["created"]
    assert agreement.moa_url == "https://www.ice.gov/a.pdf"  # the first row's
    assert [n["agency"] for n in run.row_notes if "another spelling" in n["note"]] == [
        "Gamma Police Department"
    ]
