"""Each scope-flag rule fires on its own facts and stays silent when the agreements cover them."""

import pytest

from cases.models import DetentionEvent
from cases.services.events import detention_scope_flags


def _event(*, arresting_models=(), custody_models=(), **fields) -> DetentionEvent:
    """An unsaved event; `<role>_models` set the snapshot's booleans (e.g. ["JEM"])."""
    for role, models in (("arresting", arresting_models), ("custody", custody_models)):
        fields.update({f"{role}_{m.lower()}": True for m in models})
    return DetentionEvent(**{"encounter": "jail_booking", **fields})


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # Street arrest by an agency without a Task Force agreement.
        (
            {"encounter": "traffic_stop", "arresting_agency_id": 1, "arresting_models": ["JEM"]},
            "no Task Force agreement",
        ),
        # Questioned about status by agencies holding only WSO agreements.
        (
            {"questioned_about_status": True, "custody_models": ["WSO"]},
            "held only WSO agreements",
        ),
        # Detainer lodged with no 287(g) agreement on either side.
        ({"detainer_lodged": True}, "neither agency had a 287(g) agreement"),
    ],
)
def test_each_rule_flags_its_facts(fields, expected):
    flags = detention_scope_flags(_event(**fields))
    assert len(flags) == 1 and expected in flags[0]


@pytest.mark.parametrize(
    "fields",
    [
        {"encounter": "traffic_stop", "arresting_agency_id": 1, "arresting_models": ["TFM"]},
        {"encounter": "traffic_stop"},  # arresting agency unknown: nothing to compare
        {"questioned_about_status": True, "custody_models": ["WSO", "JEM"]},
        {"questioned_about_status": True},  # no agreement at all: not a WSO question
        {"detainer_lodged": True, "custody_models": ["JEM"]},
    ],
)
def test_covered_facts_raise_no_flag(fields):
    assert detention_scope_flags(_event(**fields)) == []
